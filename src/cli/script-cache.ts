import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";

/**
 * Load a CommonJS bundle (dist/bundle/queries.cjs, writes.cjs) with V8's code cache: `{file}.cache`, written at
 * build time (scripts/bundle.mjs, after a training run), holds the bytecode of the functions the common commands
 * run, so a CLI process neither parses nor compiles them again. A missing cache, or one V8 rejects (another
 * Node version, other V8 flags), only means the source is compiled as `require` would.
 */
const WRAPPER = ["(function (exports, require, module, __filename, __dirname) {", "\n})"] as const;
const loaded = new Map<string, vm.Script>();
const states = new Map<string, "accepted" | "rejected" | "none">();

/** Whether a loaded script's code cache was used (for tests: a build must produce caches its Node accepts). */
export function scriptCacheState(file: string): "accepted" | "rejected" | "none" | undefined {
  return states.get(file);
}

export function loadScript<T>(file: string): T {
  const source = fs.readFileSync(file, "utf8");
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined; // no cache: compiled from source
  }
  const script = new vm.Script(WRAPPER[0] + source + WRAPPER[1], { filename: file, ...(cachedData ? { cachedData } : {}) });
  loaded.set(file, script);
  states.set(file, !cachedData ? "none" : script.cachedDataRejected ? "rejected" : "accepted");
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/** Write the code cache of a script loaded in this process (everything it compiled so far); build time only. */
export function saveScriptCache(file: string): void {
  const script = loaded.get(file);
  if (!script) throw new Error(`${file} was not loaded`);
  const tmp = `${file}.cache.${process.pid}.tmp`;
  fs.writeFileSync(tmp, script.createCachedData());
  fs.renameSync(tmp, `${file}.cache`);
}
