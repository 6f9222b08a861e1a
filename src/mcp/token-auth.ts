import type * as http from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { TokenStore } from "../store/tokens.js";
import { type Caller, identityHeaders } from "./identity.js";
import type { IdentityLockRegistry } from "./identity-locks.js";

/**
 * Who is calling, decided per request on the server (server-and-container spec §2), in the SDK's shape: the
 * caller travels with the request as `req.auth` (an AuthInfo whose `extra.caller` is ours), and a tool handler
 * receives it as `extra.authInfo` — no shared "current caller" on a pooled server.
 */

export interface AuthOptions {
  auth: "token" | "none";
  projectRoot: string;
  store?: TokenStore;
  defaultUser?: string;
  identityLocks?: IdentityLockRegistry;
}

/** Credentials from `Authorization: Bearer` and `X-API-Key` (the seed's `.mcp.json` sends both). */
export function presentedTokens(req: http.IncomingMessage): string[] {
  const presented: string[] = [];
  const authz = req.headers.authorization;
  if (typeof authz === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (m) presented.push(m[1]!);
  }
  const apiKey = req.headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.trim() !== "") presented.push(apiKey.trim());
  return presented;
}

/** The caller of one request, or why it is refused. */
export function authenticate(req: http.IncomingMessage, opts: AuthOptions): Caller | { error: string } {
  if (opts.auth === "none") {
    const locks = opts.identityLocks;
    if (!locks) return { kind: "trusted", transport: "http", defaultUser: opts.defaultUser };
    const { identity, instanceId } = identityHeaders(req.headers);
    if (identity === undefined) return { kind: "trusted", transport: "http", defaultUser: opts.defaultUser, locks };
    return { kind: "header", identity, instanceId, locks, defaultUser: opts.defaultUser };
  }
  const presented = presentedTokens(req);
  if (presented.length === 0) return { error: "missing token" };
  if (!opts.store) return { error: "no token store" };
  let match: { user: string; label: string } | undefined;
  for (const t of presented) {
    const e = opts.store.verify(opts.projectRoot, t);
    if (!e) continue;
    if (match && match.user !== e.user) return { error: "tokens of two different users" };
    match = { user: e.user, label: e.label };
  }
  if (!match) return { error: "invalid token" };
  return { kind: "token", user: match.user, label: match.label };
}

/** The request's identity as the SDK carries it; the token itself is never kept (nor logged). */
export function authInfoFor(caller: Caller): AuthInfo {
  const clientId = caller.kind === "token" ? caller.label : caller.kind === "header" ? caller.identity : "unauthenticated";
  return { token: "[redacted]", clientId, scopes: [], extra: { caller } };
}

/** The caller a handler receives through `extra.authInfo`, if the transport set one. */
export function callerOf(authInfo: AuthInfo | undefined): Caller | undefined {
  const caller = authInfo?.extra?.caller as Caller | undefined;
  return caller && typeof caller === "object" && "kind" in caller ? caller : undefined;
}

/** The 401 body: what to configure, no OAuth challenge (Claude Code then shows this text). */
export function unauthorizedBody(reason: string, projectRoot: string): Record<string, unknown> {
  const what =
    reason === "missing token"
      ? "no token was sent"
      : reason === "invalid token"
        ? "the token sent is not valid for this project (revoked, mistyped, or made for another project)"
        : reason;
  return {
    error: "unauthorized",
    reason,
    message: `QMS MCP server: ${what}. Create a token on the host with 'qms token create --user <name> --project-root ${projectRoot}' and configure the client to send it as 'Authorization: Bearer <token>' (and 'X-API-Key: <token>'). This server does not use OAuth.`,
  };
}

/** The text a user reads when a client falls into OAuth discovery. */
export function authHelp(root: string, url: string): string {
  return (
    `This QMS MCP server does not use OAuth: it authenticates with a static token. On the host, create one with ` +
    `'qms token create --user <name> --project-root ${root}', then configure the client to send it, e.g. ` +
    `claude mcp add --transport http qms ${url} --header "Authorization: Bearer <token>" --header "X-API-Key: <token>"`
  );
}
