import type { ServiceResult } from "../core/result.js";
import { comments } from "../services/comments.js";
import { makeContext, runService, type ServiceContext } from "../services/context.js";
import { Project } from "../store/project.js";
import { history } from "../services/history.js";
import { inbox } from "../services/inbox.js";
import { list } from "../services/list.js";
import { read } from "../services/read.js";
import { status } from "../services/status.js";
import { workspace } from "../services/workspace.js";
import { renderJson, renderResult } from "./render.js";

export type ServiceCall = (ctx: ServiceContext) => ServiceResult<unknown> | Promise<ServiceResult<unknown>>;

/** The arguments any query takes (each uses its own). */
export interface QueryArgs {
  docId?: string;
  draft?: boolean;
  version?: string;
  type?: string;
  status?: string;
  owner?: string;
  mine?: boolean;
}

/** The read-only queries: the commands agents poll most, loaded with the CLI rather than on demand. */
export const QUERIES = {
  status: (ctx: ServiceContext, a: QueryArgs) => status(ctx, { docId: a.docId ?? "" }),
  read: (ctx: ServiceContext, a: QueryArgs) => read(ctx, { docId: a.docId ?? "", draft: a.draft === true, version: a.version }),
  history: (ctx: ServiceContext, a: QueryArgs) => history(ctx, { docId: a.docId ?? "" }),
  comments: (ctx: ServiceContext, a: QueryArgs) => comments(ctx, { docId: a.docId ?? "", version: a.version }),
  inbox: (ctx: ServiceContext, _a: QueryArgs) => inbox(ctx),
  workspace: (ctx: ServiceContext, _a: QueryArgs) => workspace(ctx),
  list: (ctx: ServiceContext, a: QueryArgs) => list(ctx, { type: a.type, status: a.status, owner: a.owner, mine: a.mine === true }),
} as const;

export type QueryName = keyof typeof QUERIES;

/** `read --json`: the text with the document's metadata (what `status` reports). */
function readWithMetadata(ctx: ServiceContext, a: QueryArgs): ServiceResult<unknown> {
  const text = QUERIES.read(ctx, a);
  if (!text.ok) return text;
  const meta = QUERIES.status(ctx, a);
  return meta.ok ? { ...text, data: { ...text.data, metadata: meta.data } } : meta;
}

/** One query, printed as text or (`--json`) as the service's data; the fast path and the full parser both end here. */
export function runQuery(user: string, name: QueryName, args: QueryArgs, json: boolean): Promise<number> {
  const call: ServiceCall = json && name === "read" ? (ctx) => readWithMetadata(ctx, args) : (ctx) => QUERIES[name](ctx, args);
  return runAsUser(user, call, { json, keepListings: name === "inbox" || name === "workspace" });
}

/** Find the project from the working directory, call one service as `user`, print it; returns the exit code. */
export async function runAsUser(user: string, call: ServiceCall, options: { json?: boolean; keepListings?: boolean } = {}): Promise<number> {
  // one process per command: large inbox/workspace listings are kept outside the project between runs (loaded
  // only for those two queries: the state folder's path needs node:crypto, which costs every other start)
  const cacheDir = options.keepListings ? (await import("../store/state-dir.js")).listingCacheDir : undefined;
  const prepared = runService(() => {
    const project = Project.open({ env: process.env, cwd: process.cwd() });
    if (cacheDir) project.users.persistListingsIn(() => cacheDir(project.root));
    return { ok: true, data: makeContext(project, user), lines: [] };
  });
  const result = prepared.ok ? await call(prepared.data) : prepared;
  return options.json ? renderJson(result, user) : renderResult(result, user);
}
