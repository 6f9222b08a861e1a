import { parseQuickQuery } from "./fast-path.js";

/**
 * The `qms` entry point. Read-only queries in their common shapes take the fast path (no command-line
 * library to load: agents poll these); everything else goes through the full program.
 * QMS_CLI_FAST_PATH=0 turns the fast path off.
 */
export async function main(argv: string[]): Promise<number> {
  const query = process.env.QMS_CLI_FAST_PATH === "0" ? undefined : parseQuickQuery(argv, process.env.QMS_USER);
  if (query) {
    const { runQuery } = await import("./queries.js");
    const { name, user, json, ...args } = query;
    return runQuery(user, name, args, json === true);
  }
  const { runProgram } = await import("./program.js");
  return runProgram(argv);
}
