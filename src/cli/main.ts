import { parseQuickQuery, parseQuickWrite } from "./fast-path.js";

/** Where each part of the CLI comes from: its sibling modules (tsc output), or the bundle's files (launch.ts). */
export interface CliParts {
  queries(): Promise<Pick<typeof import("./queries.js"), "runQuery">>;
  writes(): Promise<Pick<typeof import("./writes.js"), "WRITES" | "runAsUser">>;
  program(): Promise<Pick<typeof import("./program.js"), "runProgram">>;
}

const SIBLINGS: CliParts = {
  queries: () => import("./queries.js"),
  writes: () => import("./writes.js"),
  program: () => import("./program.js"),
};

/**
 * The `qms` entry point. Read-only queries and the document-control writes in their common shapes take the
 * fast path (no command-line library to load, one bundled file each: agents run these all day); everything
 * else goes through the full program. QMS_CLI_FAST_PATH=0 turns the fast path off.
 */
export async function main(argv: string[], parts: CliParts = SIBLINGS): Promise<number> {
  const fast = process.env.QMS_CLI_FAST_PATH !== "0";
  const query = fast ? parseQuickQuery(argv, process.env.QMS_USER) : undefined;
  if (query) {
    const { runQuery } = await parts.queries();
    const { name, user, json, ...args } = query;
    return runQuery(user, name, args, json === true);
  }
  const write = fast ? parseQuickWrite(argv, process.env.QMS_USER) : undefined;
  if (write) {
    const { WRITES, runAsUser } = await parts.writes();
    return runAsUser(write.user, (ctx) => WRITES[write.name](ctx, write.args));
  }
  const { runProgram } = await parts.program();
  return runProgram(argv);
}
