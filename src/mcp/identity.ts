import { refuse, type Refusal } from "../core/result.js";
import type { IdentityLock, IdentityLockRegistry } from "./identity-locks.js";

/**
 * Who is calling (server-and-container spec §2). With a token the caller *is* the token's user; without
 * authentication (stdio, `--auth none`) the tool's `user` argument names the acting user.
 *
 * The Python-era compatibility mode (`--auth none --identity-header`, qms.md §10.4) adds two shapes, both
 * carrying the server's identity lock registry:
 * - `header`: the request carried `X-QMS-Identity` (enforced mode): `user` must equal it, and the identity
 *   is locked to the request's `X-QMS-Instance`;
 * - `trusted` with `locks`: no header (trusted mode): `user` names the identity, unless a container holds it.
 */
export type Caller =
  | { kind: "token"; user: string; label: string }
  | { kind: "trusted"; transport: "stdio" | "http"; defaultUser?: string; locks?: IdentityLockRegistry }
  | { kind: "header"; identity: string; instanceId: string; locks: IdentityLockRegistry; defaultUser?: string };

/** What a resolution did to the identity locks (for the structured log). */
export interface LockEvents {
  expired: IdentityLock[];
  action?: "created" | "refreshed" | "taken-over";
  previous?: IdentityLock;
}

export type Resolved =
  | { ok: true; user: string; locks?: LockEvents }
  | {
      ok: false;
      refusal: Refusal;
      impersonation?: { claimed: string; actual: string };
      collision?: { identity: string; mode: "trusted" | "enforced"; heldBy: string; requestInstance?: string };
      locks?: LockEvents;
    };

/** The `X-QMS-Identity` / `X-QMS-Instance` headers: trimmed, bounded; an empty identity means "no header". */
export function identityHeaders(headers: Record<string, string | string[] | undefined>): { identity?: string; instanceId: string } {
  const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")).trim().slice(0, 200);
  const identity = one(headers["x-qms-identity"]);
  return { identity: identity === "" ? undefined : identity, instanceId: one(headers["x-qms-instance"]) };
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
const shownInstance = (id: string): string => (id === "" ? "(no X-QMS-Instance)" : `'${clip(id)}'`);

function missingUser(message: string, hint: string): Resolved {
  return { ok: false, refusal: refuse("invalid-user", message, hint) };
}

/** "the lock expires in N s unless ..." for the collision hints. */
function expiry(locks: IdentityLockRegistry, lock: IdentityLock): { idleS: number; when: string } {
  const { idleS, expiresInS } = locks.age(lock);
  return { idleS, when: `the lock expires in ${expiresInS} s if that session makes no further request (${Math.round(locks.ttlMs / 1000)} s after its last request)` };
}

function impersonation(actual: string, claimed: string, how: string, hint: string): Resolved {
  const shown = clip(claimed);
  return {
    ok: false,
    impersonation: { claimed: shown, actual },
    refusal: refuse(
      "impersonation",
      `Impersonation refused: ${how} '${actual}', but this call claims user '${shown}'. Acting as another user is a QMS violation; the attempt has been logged.`,
      hint,
    ),
  };
}

/** A trusted-mode (header-less) call naming an identity a container currently holds: terminal. */
function trustedLocked(locks: IdentityLockRegistry, lock: IdentityLock, events: LockEvents): Resolved {
  const { idleS, when } = expiry(locks, lock);
  return {
    ok: false,
    locks: events,
    collision: { identity: lock.identity, mode: "trusted", heldBy: lock.instanceId },
    refusal: refuse(
      "identity-locked",
      `IDENTITY LOCKED: '${lock.identity}' is in use by a container session (instance ${shownInstance(lock.instanceId)}, last request ${idleS} s ago). ` +
        `Trusted-mode request rejected: this request carries no X-QMS-Identity header, so it cannot act as an identity a container holds. ` +
        `Do not attempt to troubleshoot or work around this: stop and tell the user that the QMS identity '${lock.identity}' is already in use.`,
      `For a person, not the agent: ${when}; then retry, or use a different identity.`,
    ),
  };
}

/** An enforced-mode call for an identity another container instance holds (a duplicate container): terminal. */
function duplicateInstance(locks: IdentityLockRegistry, lock: IdentityLock, instanceId: string, events: LockEvents): Resolved {
  const { idleS, when } = expiry(locks, lock);
  return {
    ok: false,
    locks: events,
    collision: { identity: lock.identity, mode: "enforced", heldBy: lock.instanceId, requestInstance: instanceId },
    refusal: refuse(
      "identity-locked",
      `IDENTITY LOCKED: '${lock.identity}' is already in use by another container instance (${shownInstance(lock.instanceId)}, last request ${idleS} s ago); ` +
        `this request comes from instance ${shownInstance(instanceId)}. Two sessions cannot share one QMS identity. ` +
        `Do not attempt to troubleshoot or work around this: stop and tell the user that a duplicate container for '${lock.identity}' is running.`,
      `For a person, not the agent: stop the duplicate container; ${when}.`,
    ),
  };
}

/** Resolve the acting user of a tool call from the caller and the tool's `user` argument. */
export function resolveToolUser(caller: Caller, argUser: unknown): Resolved {
  const claimed = typeof argUser === "string" ? argUser.trim() : undefined;
  if (caller.kind === "token") {
    if (claimed === undefined || claimed === "" || claimed === caller.user) return { ok: true, user: caller.user };
    return impersonation(caller.user, claimed, "your token authenticates you as", `Omit the user argument, or pass user='${caller.user}'.`);
  }
  if (caller.kind === "header") {
    // Enforced mode: the header is the caller's identity; `user` stays mandatory and must match it.
    const events: LockEvents = { expired: caller.locks.purgeExpired() };
    if (claimed === undefined || claimed === "") {
      return {
        ...missingUser(
          `Missing 'user': every tool call must name the QMS user acting; your session is identified as '${caller.identity}' (X-QMS-Identity).`,
          `Call the tool again with user='${caller.identity}'.`,
        ),
        locks: events,
      };
    }
    if (claimed !== caller.identity) {
      return {
        ...impersonation(caller.identity, claimed, "your authenticated identity (X-QMS-Identity, set by your container) is", `Pass user='${caller.identity}'.`),
        locks: events,
      };
    }
    const got = caller.locks.acquire(caller.identity, caller.instanceId);
    if (!got.ok) return duplicateInstance(caller.locks, got.lock, caller.instanceId, events);
    return { ok: true, user: caller.identity, locks: { ...events, action: got.action, ...(got.previous ? { previous: got.previous } : {}) } };
  }
  const events: LockEvents | undefined = caller.locks ? { expired: caller.locks.purgeExpired() } : undefined;
  if (claimed === undefined || claimed === "") {
    const missing = missingUser(
      `Missing 'user': this server does not authenticate callers (${caller.transport === "stdio" ? "stdio transport" : "--auth none"}), so every tool call must name the QMS user acting.`,
      "Call the tool again with user set to your QMS user name, e.g. user='claude'.",
    );
    return events ? { ...missing, locks: events } : missing;
  }
  if (caller.locks && events) {
    // Trusted mode never creates a lock, but may not use an identity a container holds.
    const lock = caller.locks.get(claimed);
    if (lock) return trustedLocked(caller.locks, lock, events);
    return { ok: true, user: claimed, locks: events };
  }
  return { ok: true, user: claimed };
}

/** The identity for resources and prompts, which carry no `user` argument of their own. */
export function resolveReaderUser(caller: Caller, argUser?: string): Resolved {
  if (caller.kind === "token") return resolveToolUser(caller, argUser);
  if (caller.kind === "header") return resolveToolUser(caller, argUser?.trim() || caller.identity);
  const name = argUser?.trim() || caller.defaultUser?.trim();
  if (!name) {
    return {
      ok: false,
      refusal: refuse(
        "invalid-user",
        "This server does not authenticate callers, so resources and prompts need a default user.",
        "Start the server with --user NAME (or QMS_USER=NAME), or use token authentication (qms token create --user NAME).",
      ),
    };
  }
  return resolveToolUser(caller, name);
}
