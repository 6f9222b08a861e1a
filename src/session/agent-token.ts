import { SessionError } from "./progress.js";
import { makeContext, runService } from "../services/context.js";
import { tokenCreate, tokenRevoke } from "../services/tokens.js";
import { type TokenEntry, TokenStore, tokenStorePath } from "../store/tokens.js";

export interface AgentTokenQuery {
  root: string;
  agent: string;
  env: NodeJS.ProcessEnv;
  /** The agent env file (named in notes) and its current QMS_TOKEN / QMS_USER. */
  envFile: string;
  current?: string;
  currentUser?: string;
}

/** The token store the project's server checks tokens against (QMS_TOKEN_STORE of `env`, else the default). */
export function storeFor(env: NodeJS.ProcessEnv): TokenStore {
  return new TokenStore(tokenStorePath(env));
}

/** Which stored token `token` is for this project, if any (revoked and foreign tokens are not). */
export function lookUpToken(root: string, token: string, env: NodeJS.ProcessEnv): TokenEntry | undefined {
  return storeFor(env).verify(root, token);
}

/**
 * The agent's token: the one in its env file when the token store still holds it for this agent, else a new one
 * (label `<agent>-container`, replacing an older one of that label) minted through the token service.
 */
export function ensureAgentToken(q: AgentTokenQuery, note: (line: string) => void): { value: string; detail: string } {
  const current = q.current?.trim();
  if (current && (q.currentUser ?? q.agent) === q.agent) {
    const entry = lookUpToken(q.root, current, q.env);
    if (entry?.user === q.agent) return { value: current, detail: `docker/.env token is valid for '${q.agent}' (label ${entry.label})` };
    note(entry ? `the token in ${q.envFile} belongs to '${entry.user}', not '${q.agent}'` : `the token in ${q.envFile} is not in the token store (revoked or another machine)`);
  }
  return { value: mintAgentToken(q.root, q.agent, storeFor(q.env)), detail: `minted a new token for '${q.agent}' (label ${q.agent}-container)` };
}

/** Mint a token for `agent` under `label` (default `<agent>-container`), replacing an older one of that label. */
export function mintAgentToken(root: string, agent: string, store: TokenStore, label = `${agent}-container`): string {
  const created = runService(() => {
    const ctx = makeContext(root, "");
    tokenRevoke(ctx, { what: label, store }); // "not-found" the first time: nothing to replace
    return tokenCreate(ctx, { user: agent, label, store });
  });
  if (!created.ok) throw new SessionError(`Could not create a token for '${agent}': ${created.message}${created.hint ? `\n${created.hint}` : ""}`);
  return created.data.token;
}
