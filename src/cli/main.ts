import { parseQuickQuery, parseQuickWrite } from "./fast-path.js";

/**
 * The `qms` entry point. Read-only queries and the document-control writes in their common shapes take the
 * fast path (no command-line library to load, one bundled file each: agents run these all day); everything
 * else goes through the full program. QMS_CLI_FAST_PATH=0 turns the fast path off.
 */
export async function main(argv: string[]): Promise<number> {
  const fast = process.env.QMS_CLI_FAST_PATH !== "0";
  const query = fast ? parseQuickQuery(argv, process.env.QMS_USER) : undefined;
  if (query) {
    const { runQuery } = await import("./queries.js");
    const { name, user, json, ...args } = query;
    return runQuery(user, name, args, json === true);
  }
  const write = fast ? parseQuickWrite(argv, process.env.QMS_USER) : undefined;
  if (write) {
    const { WRITES, runAsUser } = await import("./writes.js");
    return runAsUser(write.user, (ctx) => WRITES[write.name](ctx, write.args));
  }
  const { runProgram } = await import("./program.js");
  return runProgram(argv);
}
