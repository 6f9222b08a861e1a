import { parseQuickQuery } from "./fast-path.js";

/**
 * The `qms` entry point. Read-only queries in their common shapes take the fast path (no command-line
 * library to load: agents poll these); everything else goes through the full program.
 * QMS_CLI_FAST_PATH=0 turns the fast path off.
 */
export async function main(argv: string[]): Promise<number> {
  const query = process.env.QMS_CLI_FAST_PATH === "0" ? undefined : parseQuickQuery(argv, process.env.QMS_USER);
  if (query) {
    const { QUERIES, runAsUser } = await import("./queries.js");
    const { name, docId = "", draft, version } = query;
    return runAsUser(query.user, (ctx) => QUERIES[name](ctx, { docId, draft: draft === true, version }));
  }
  const { runProgram } = await import("./program.js");
  return runProgram(argv);
}
