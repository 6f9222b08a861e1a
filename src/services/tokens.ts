import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";

const LIST_TOKENS = step("token", undefined, { args: { command: "list" }, lead: "See them with" });
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
  input: { user: string; label?: string; store?: TokenStore },
): ServiceResult<TokenCreateData> {
  return runService(() => {
    const store = input.store ?? new TokenStore();
    const name = String(input.user ?? "");
    if (name.trim() === "") fail("invalid-argument", "token create needs --user NAME: the QMS user the token acts as.", step("token", undefined, { args: { command: "create", user: "claude" }, lead: "Run" }));
    if (!USER_NAME_PATTERN.test(name)) fail("invalid-user", `Invalid user name ${JSON.stringify(name.slice(0, 40))}: a user name is a letter followed by letters, digits, '_' or '-'.`, step("token", undefined, { args: { command: "create", user: "claude" }, lead: "Run" }));
    if (!findUser(ctx.project, name)) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      fail("unknown-user", `Unknown user '${shown}': a token can only be created for a user of this project.`, unknownUserHelp(shown));
    }
    const existing = store.list(ctx.project.root);
    let label = input.label;
    if (label !== undefined && label !== "") {
      if (!TOKEN_LABEL_PATTERN.test(label)) {
        fail("invalid-argument", `Invalid --label ${JSON.stringify(label.slice(0, 40))}: use letters, digits, '_', '.', '@' and '-' (at most 64).`, step("token", undefined, { args: { command: "create", user: name, label: `${name}-laptop` }, lead: "Run" }));
      }
      if (existing.some((e) => e.label === label)) {
        fail("already-exists", `A token labelled '${label}' already exists for this project.`, step("token", undefined, { args: { command: "revoke", reference: label }, lead: "Pick another --label, or revoke it first" }));
      }
    } else {
      label = name;
      for (let i = 2; existing.some((e) => e.label === label); i++) label = `${name}-${i}`;
    }
    const { token, entry } = store.create(ctx.project.root, name, label, ctx.now);
    const data: TokenCreateData = { token, id: entryId(entry), user: name, label, project: projectKey(ctx.project.root), store: store.file };
    // Only the token on stdout (scripts capture it); the adapter says how to use it.
    return success(data, [token]);
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
        ? [`No tokens for ${data.project} (store: ${store.file}).`]
        : [
            `Tokens for ${data.project} (store: ${store.file}):`,
            ...tokens.map((t) => `  ${t.id}  ${t.user.padEnd(12)} ${t.label.padEnd(20)} ${t.created}`),
          ];
    return success(data, lines, tokens.length === 0 ? { next: [step("token", undefined, { args: { command: "create", user: "<name>" }, lead: "Create one with" })] } : {});
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
    if (what.trim() === "") fail("invalid-argument", "token revoke needs a label, a token id (from token list) or the token itself.", LIST_TOKENS);
    if (!TOKEN_REFERENCE_PATTERN.test(what)) {
      fail("invalid-argument", `Invalid token reference ${JSON.stringify(what.slice(0, 40))}: give a label, a token id (hex, from token list) or the token itself.`, LIST_TOKENS);
    }
    const removed = store.revoke(ctx.project.root, what);
    if (removed.length === 0) {
      fail("not-found", `No token matches '${what.slice(0, 40)}' for ${projectKey(ctx.project.root)}.`, LIST_TOKENS);
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
