/**
 * Identity locks of the Python-era compatibility header mode (qms.md §10.4, REQ-MCP-016), used only by
 * `qms mcp --auth none --identity-header`. A request carrying `X-QMS-Identity` (set by a container's
 * stdio→HTTP proxy) locks that identity to the request's `X-QMS-Instance`; while the lock lives, header-less
 * (trusted-mode) callers and other container instances cannot act as that identity. Pure: no I/O, and the
 * clock is injected so tests can move time.
 */

/** Seconds a lock lives after the last request of its holder. */
export const IDENTITY_LOCK_TTL_S = 300;

/** Environment override of the TTL (tests use a second or two). */
export const IDENTITY_LOCK_TTL_ENV = "QMS_IDENTITY_LOCK_TTL_S";

/** The TTL in seconds: `QMS_IDENTITY_LOCK_TTL_S` when it is a positive number, else IDENTITY_LOCK_TTL_S. */
export function identityLockTtlSeconds(env: Record<string, string | undefined> = process.env): number {
  const raw = env[IDENTITY_LOCK_TTL_ENV]?.trim();
  if (!raw) return IDENTITY_LOCK_TTL_S;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : IDENTITY_LOCK_TTL_S;
}

export interface IdentityLock {
  identity: string;
  /** `X-QMS-Instance` of the holder; may be empty. */
  instanceId: string;
  /** Epoch milliseconds of the holder's last request. */
  lastSeen: number;
}

/** What an enforced-mode request did to the registry. */
export type AcquireOutcome =
  | { ok: true; action: "created" | "refreshed" | "taken-over"; lock: IdentityLock; previous?: IdentityLock }
  | { ok: false; lock: IdentityLock };

export class IdentityLockRegistry {
  readonly ttlMs: number;
  private readonly locks = new Map<string, IdentityLock>();
  private readonly clock: () => number;

  constructor(opts: { ttlSeconds?: number; now?: () => number } = {}) {
    const ttl = opts.ttlSeconds ?? IDENTITY_LOCK_TTL_S;
    if (!(Number.isFinite(ttl) && ttl > 0)) throw new RangeError(`identity lock TTL must be a positive number of seconds, got ${ttl}`);
    this.ttlMs = ttl * 1000;
    this.clock = opts.now ?? Date.now;
  }

  now(): number {
    return this.clock();
  }

  /** Drop every lock whose holder has been silent for the TTL or longer; returns the dropped locks. */
  purgeExpired(): IdentityLock[] {
    const now = this.clock();
    const dropped: IdentityLock[] = [];
    for (const [identity, lock] of this.locks) {
      if (now - lock.lastSeen >= this.ttlMs) {
        this.locks.delete(identity);
        dropped.push({ ...lock });
      }
    }
    return dropped;
  }

  /** The live lock on an identity, if any (call purgeExpired first for an up-to-date answer). */
  get(identity: string): IdentityLock | undefined {
    const lock = this.locks.get(identity);
    return lock ? { ...lock } : undefined;
  }

  /**
   * An enforced-mode request of `identity` from `instanceId`: lock the identity, or refresh the lock of the
   * same instance (heartbeat). A live lock held by another instance is a collision and changes nothing.
   * An expired lock (not yet purged) is taken over.
   */
  acquire(identity: string, instanceId: string): AcquireOutcome {
    const now = this.clock();
    const held = this.locks.get(identity);
    if (held && now - held.lastSeen < this.ttlMs) {
      if (held.instanceId !== instanceId) return { ok: false, lock: { ...held } };
      held.lastSeen = now;
      return { ok: true, action: "refreshed", lock: { ...held } };
    }
    const lock: IdentityLock = { identity, instanceId, lastSeen: now };
    this.locks.set(identity, lock);
    return held ? { ok: true, action: "taken-over", lock: { ...lock }, previous: { ...held } } : { ok: true, action: "created", lock: { ...lock } };
  }

  /** Seconds since the holder's last request, and seconds until the lock expires. */
  age(lock: IdentityLock): { idleS: number; expiresInS: number } {
    const idle = Math.max(0, this.clock() - lock.lastSeen);
    return { idleS: Math.round(idle / 1000), expiresInS: Math.max(0, Math.ceil((this.ttlMs - idle) / 1000)) };
  }

  get size(): number {
    return this.locks.size;
  }

  list(): IdentityLock[] {
    return [...this.locks.values()].map((l) => ({ ...l }));
  }
}
