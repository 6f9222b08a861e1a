import { createHash, randomBytes } from "node:crypto";
import { newCsrfToken } from "./csrf.js";

export const SESSION_COOKIE = "qms_ui";
/** A session ends after this long without a request... */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** ...and in any case this long after sign-in. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

export interface Flash {
  ok: boolean;
  lines: string[];
}

export interface Session {
  user: string;
  /** Sent back with every form of this session; a POST without it changes nothing. */
  csrf: string;
  created: number;
  lastSeen: number;
  /** A result to show once, on the page after a redirect. */
  flash?: Flash;
}

export interface SessionOptions {
  now: () => number;
  /** Sessions created before this instant are void (`qms ui --logout-all`). */
  notBefore: () => number;
  idleMs?: number;
  maxAgeMs?: number;
  /** The oldest session is dropped past this many. */
  max?: number;
}

const digest = (sid: string): string => createHash("sha256").update(sid, "utf8").digest("hex");

/**
 * Web sessions, in the server's memory (a restart signs everyone out). Held by the hash of the session id, so
 * the id itself lives only in the browser's HttpOnly cookie.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly opts: SessionOptions) {}

  create(user: string): { sid: string; session: Session } {
    const sid = randomBytes(32).toString("base64url");
    const now = this.opts.now();
    const session: Session = { user, csrf: newCsrfToken(), created: now, lastSeen: now };
    const max = this.opts.max ?? 1000;
    while (this.sessions.size >= max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(digest(sid), session);
    return { sid, session };
  }

  /** The live session of a cookie value; touching it keeps it alive. */
  get(sid: string | undefined): Session | undefined {
    if (!sid || sid.length > 100) return undefined;
    const key = digest(sid);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const now = this.opts.now();
    const expired =
      now - session.lastSeen > (this.opts.idleMs ?? SESSION_IDLE_MS) ||
      now - session.created > (this.opts.maxAgeMs ?? SESSION_MAX_AGE_MS) ||
      session.created < this.opts.notBefore();
    if (expired) {
      this.sessions.delete(key);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  /** Whether a session is still live, without keeping it alive (a long-lived event stream checks this). */
  alive(sid: string): boolean {
    const session = this.sessions.get(digest(sid));
    if (!session) return false;
    const now = this.opts.now();
    return (
      now - session.lastSeen <= (this.opts.idleMs ?? SESSION_IDLE_MS) &&
      now - session.created <= (this.opts.maxAgeMs ?? SESSION_MAX_AGE_MS) &&
      session.created >= this.opts.notBefore()
    );
  }

  end(sid: string | undefined): void {
    if (sid) this.sessions.delete(digest(sid));
  }

  get size(): number {
    return this.sessions.size;
  }
}

export function sessionCookie(sid: string, maxAgeMs = SESSION_MAX_AGE_MS): string {
  return `${SESSION_COOKIE}=${sid}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
}

export function clearedCookie(name: string, path: string): string {
  return `${name}=; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=0`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    if (eq < 0) continue;
    const name = piece.slice(0, eq).trim();
    if (name !== "" && !out.has(name)) out.set(name, piece.slice(eq + 1).trim());
  }
  return out;
}
