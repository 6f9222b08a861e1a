import type { ServiceResult } from "../core/result.js";
import { comments } from "../services/comments.js";
import { makeContext, runService, type ServiceContext } from "../services/context.js";
import { Project } from "../store/project.js";
import { listingCacheDir } from "../store/state-dir.js";
import { history } from "../services/history.js";
import { inbox } from "../services/inbox.js";
import { read } from "../services/read.js";
import { status } from "../services/status.js";
import { workspace } from "../services/workspace.js";
import { renderResult } from "./render.js";

export type ServiceCall = (ctx: ServiceContext) => ServiceResult<unknown> | Promise<ServiceResult<unknown>>;

/** The read-only queries: the commands agents poll most, loaded with the CLI rather than on demand. */
export const QUERIES = {
  status: (ctx: ServiceContext, a: { docId: string }) => status(ctx, a),
  read: (ctx: ServiceContext, a: { docId: string; draft?: boolean; version?: string }) => read(ctx, a),
  history: (ctx: ServiceContext, a: { docId: string }) => history(ctx, a),
  comments: (ctx: ServiceContext, a: { docId: string; version?: string }) => comments(ctx, a),
  inbox: (ctx: ServiceContext, _a: object) => inbox(ctx),
  workspace: (ctx: ServiceContext, _a: object) => workspace(ctx),
} as const;

export type QueryName = keyof typeof QUERIES;

/** Find the project from the working directory, call one service as `user`, print it; returns the exit code. */
export async function runAsUser(user: string, call: ServiceCall): Promise<number> {
  const prepared = runService(() => {
    const project = Project.open({ env: process.env, cwd: process.cwd() });
    // one process per command: large inbox/workspace listings are kept outside the project between runs
    project.users.persistListingsIn(() => listingCacheDir(project.root));
    return { ok: true, data: makeContext(project, user), lines: [] };
  });
  return renderResult(prepared.ok ? await call(prepared.data) : prepared, user);
}
