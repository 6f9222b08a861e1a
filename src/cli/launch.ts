import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type CliParts, main } from "./main.js";
import { loadScript, saveScriptCache, scriptCacheState } from "./script-cache.js";

/**
 * The bundle's entry (dist/bundle/launch.cjs, required by bin/qms.js). CommonJS on purpose: a CommonJS entry
 * starts without Node's ESM loader, and the fast path's two bundles load through V8's code cache
 * (script-cache.ts), which together are most of what `qms status` would otherwise add to `node -e 0`
 * (issue #8, `npm run bench:cli`). The full program (commander, the MCP server, the session kit) stays ESM and
 * loads on demand.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const QUERIES_FILE = path.join(HERE, "queries.cjs");
const WRITES_FILE = path.join(HERE, "writes.cjs");

const BUNDLE: CliParts = {
  queries: async () => loadScript(QUERIES_FILE),
  writes: async () => loadScript(WRITES_FILE),
  program: () => import(pathToFileURL(path.join(HERE, "program.js")).href),
};

/** For tests: whether the fast path's bundles were loaded through their code caches in this process. */
export function codeCacheStates(): Record<"queries" | "writes", string | undefined> {
  return { queries: scriptCacheState(QUERIES_FILE), writes: scriptCacheState(WRITES_FILE) };
}

/** Run `qms ARGV...` and set the exit code; an unexpected error is thrown as from a top-level await. */
export function launch(argv: string[]): void {
  main(argv, BUNDLE).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      setImmediate(() => {
        throw err;
      });
    },
  );
}

/**
 * Build time (scripts/bundle.mjs), in a throw-away project: run the commands agents run most through the fast
 * path, then write both bundles' code caches, which then hold the bytecode of everything those commands ran.
 */
export async function trainCodeCache(): Promise<void> {
  const run = (...argv: string[]): Promise<number> => main(argv, BUNDLE);
  await run("-u", "claude", "create", "SOP", "--title", "Training");
  for (const q of [["status", "SOP-001"], ["read", "SOP-001", "--draft"], ["history", "SOP-001"], ["comments", "SOP-001"], ["inbox"], ["workspace"], ["list"], ["status", "SOP-001", "--json"]]) {
    await run("-u", "claude", ...q);
  }
  await run("-u", "claude", "checkin", "SOP-001");
  await run("-u", "claude", "route", "SOP-001", "--review", "--allow-placeholders");
  await run("-u", "qa", "inbox");
  await run("-u", "qa", "review", "SOP-001", "--recommend", "--comment", "Training review.");
  await run("-u", "claude", "route", "SOP-001", "--approval", "--allow-placeholders");
  await run("-u", "qa", "approve", "SOP-001");
  await run("-u", "claude", "checkout", "SOP-001");
  await run("-u", "claude", "create", "CR", "--title", "Training change");
  saveScriptCache(QUERIES_FILE);
  saveScriptCache(WRITES_FILE);
}
