import { refuse, type Refusal } from "../core/result.js";

/**
 * Who is calling (server-and-container spec §2). With a token the caller *is* the token's user; without
 * authentication (stdio, `--auth none`) the tool's `user` argument names the acting user.
 */
export type Caller =
  | { kind: "token"; user: string; label: string }
  | { kind: "trusted"; transport: "stdio" | "http"; defaultUser?: string };

export type Resolved = { ok: true; user: string } | { ok: false; refusal: Refusal; impersonation?: { claimed: string; actual: string } };

/** Resolve the acting user of a tool call from the caller and the tool's `user` argument. */
export function resolveToolUser(caller: Caller, argUser: unknown): Resolved {
  const claimed = typeof argUser === "string" ? argUser.trim() : undefined;
  if (caller.kind === "token") {
    if (claimed === undefined || claimed === "" || claimed === caller.user) return { ok: true, user: caller.user };
    const shown = claimed.length > 40 ? `${claimed.slice(0, 40)}…` : claimed;
    return {
      ok: false,
      impersonation: { claimed: shown, actual: caller.user },
      refusal: refuse(
        "impersonation",
        `Impersonation refused: your token authenticates you as '${caller.user}', but this call claims user '${shown}'. Acting as another user is a QMS violation; the attempt has been logged.`,
        `Omit the user argument, or pass user='${caller.user}'.`,
      ),
    };
  }
  if (claimed === undefined || claimed === "") {
    return {
      ok: false,
      refusal: refuse(
        "invalid-user",
        `Missing 'user': this server does not authenticate callers (${caller.transport === "stdio" ? "stdio transport" : "--auth none"}), so every tool call must name the QMS user acting.`,
        "Call the tool again with user set to your QMS user name, e.g. user='claude'.",
      ),
    };
  }
  return { ok: true, user: claimed };
}

/** The identity for resources and prompts, which carry no `user` argument of their own. */
export function resolveReaderUser(caller: Caller, argUser?: string): Resolved {
  if (caller.kind === "token") return resolveToolUser(caller, argUser);
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
  return { ok: true, user: name };
}
