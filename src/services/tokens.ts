import { fail, type ServiceResult, success } from "../core/result.js";
import { entryId, projectKey, type TokenEntry, TokenStore } from "../store/tokens.js";
import { TOKEN_LABEL_PATTERN, TOKEN_REFERENCE_PATTERN, USER_NAME_PATTERN } from "../core/users.js";
import { findUser, unknownUserHelp } from "../store/users.js";
import { runService, type ServiceContext } from "./context.js";

/**
 * MCP access tokens (server-and-container spec §2). These are host-side commands: whoever can write the
 * token store (outside the project) manages tokens, so `ctx.user` is not consulted.
 */

export interface TokenCreateData {
  token: string;
  id: string;
  user: string;
  label: string;
  project: string;
  store: string;
}

export function tokenCreate(
  ctx: ServiceContext,
  input: { user: string; label?: string; store?: TokenStore; url?: string },
): ServiceResult<TokenCreateData> {
  return runService(() => {
    const store = input.store ?? new TokenStore();
    const name = String(input.user ?? "");
    if (name.trim() === "") fail("invalid-argument", "qms token create needs --user NAME: the QMS user the token acts as.", "Run: qms token create --user claude");
    if (!USER_NAME_PATTERN.test(name)) fail("invalid-user", `Invalid user name ${JSON.stringify(name.slice(0, 40))}: a user name is a letter followed by letters, digits, '_' or '-'.`, "Run: qms token create --user claude");
    if (!findUser(ctx.project, name)) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      fail("unknown-user", `Unknown user '${shown}': a token can only be created for a user of this project.`, unknownUserHelp(shown));
    }
    const existing = store.list(ctx.project.root);
    let label = input.label;
    if (label !== undefined && label !== "") {
      if (!TOKEN_LABEL_PATTERN.test(label)) {
        fail("invalid-argument", `Invalid --label ${JSON.stringify(label.slice(0, 40))}: use letters, digits, '_', '.', '@' and '-' (at most 64).`, `Run: qms token create --user ${name} --label ${name}-laptop`);
      }
      if (existing.some((e) => e.label === label)) {
        fail("already-exists", `A token labelled '${label}' already exists for this project.`, `Revoke it first (qms token revoke ${label}) or pick another --label.`);
      }
    } else {
      label = name;
      for (let i = 2; existing.some((e) => e.label === label); i++) label = `${name}-${i}`;
    }
    const { token, entry } = store.create(ctx.project.root, name, label, ctx.now);
    const url = input.url ?? "http://127.0.0.1:8000/mcp";
    const data: TokenCreateData = { token, id: entryId(entry), user: name, label, project: projectKey(ctx.project.root), store: store.file };
    return success(data, [token], [
      `Token for QMS user '${name}' (label ${label}, id ${data.id}) on project ${data.project}.`,
      `It is shown only this once; the store (${store.file}) keeps only its SHA-256 hash.`,
      "Connect Claude Code with (both headers carry the same token):",
      `  claude mcp add --transport http qms ${url} --header "Authorization: Bearer ${token}" --header "X-API-Key: ${token}"`,
      `Revoke it with: qms token revoke ${label}`,
    ]);
  });
}

export interface TokenListData {
  project: string;
  store: string;
  tokens: Array<{ id: string; user: string; label: string; created: string }>;
}

export function tokenList(ctx: ServiceContext, input: { store?: TokenStore } = {}): ServiceResult<TokenListData> {
  return runService(() => {
    const store = input.store ?? new TokenStore();
    const tokens = store.list(ctx.project.root).map((e: TokenEntry) => ({ id: entryId(e), user: e.user, label: e.label, created: e.created }));
    const data: TokenListData = { project: projectKey(ctx.project.root), store: store.file, tokens };
    const lines =
      tokens.length === 0
        ? [`No tokens for ${data.project} (store: ${store.file}).`, "Create one with: qms token create --user <name>"]
        : [
            `Tokens for ${data.project} (store: ${store.file}):`,
            ...tokens.map((t) => `  ${t.id}  ${t.user.padEnd(12)} ${t.label.padEnd(20)} ${t.created}`),
          ];
    return success(data, lines);
  });
}

export interface TokenRevokeData {
  project: string;
  revoked: Array<{ id: string; user: string; label: string }>;
}

export function tokenRevoke(ctx: ServiceContext, input: { what: string; store?: TokenStore }): ServiceResult<TokenRevokeData> {
  return runService(() => {
    const store = input.store ?? new TokenStore();
    const what = String(input.what ?? "");
    if (what.trim() === "") fail("invalid-argument", "qms token revoke needs a label, a token id (from qms token list) or the token itself.", "See them with: qms token list");
    if (!TOKEN_REFERENCE_PATTERN.test(what)) {
      fail("invalid-argument", `Invalid token reference ${JSON.stringify(what.slice(0, 40))}: give a label, a token id (hex, from qms token list) or the token itself.`, "See them with: qms token list");
    }
    const removed = store.revoke(ctx.project.root, what);
    if (removed.length === 0) {
      fail("not-found", `No token matches '${what.slice(0, 40)}' for ${projectKey(ctx.project.root)}.`, "See the tokens with: qms token list");
    }
    const data: TokenRevokeData = {
      project: projectKey(ctx.project.root),
      revoked: removed.map((e) => ({ id: entryId(e), user: e.user, label: e.label })),
    };
    return success(
      data,
      data.revoked.map((r) => `Revoked token ${r.id} (${r.label}, user ${r.user}).`),
    );
  });
}
