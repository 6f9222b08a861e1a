import * as fs from "node:fs";
import * as path from "node:path";

export const CONFIG_FILE = "qms.config.json";

/**
 * Find the project root (REQ-CFG-001, -002): the nearest ancestor holding `qms.config.json`, else the nearest
 * holding a `QMS/` directory.
 */
export function findProjectRoot(start: string): string | undefined {
  const from = path.resolve(start);
  return walkUp(from, (dir) => isFile(path.join(dir, CONFIG_FILE))) ?? walkUp(from, (dir) => isDir(path.join(dir, "QMS")));
}

export interface RootQuery {
  /** `--project-root`, when given. */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  cwd: string;
  /** false: stop after the flag and the variable (`qms mcp --demo` serves its demo project instead). */
  walkUpFromCwd?: boolean;
}

export type RootAnswer =
  | { ok: true; root: string; source: "flag" | "env" | "cwd"; warnings: string[] }
  | { ok: false; message: string; warnings: string[] };

/**
 * The one project-root resolver (CLI, MCP server, launcher, doctor). Order:
 * 1. `--project-root DIR`: the project at or above DIR, else an error (an explicit choice is never ignored);
 * 2. `QMS_PROJECT_ROOT`: the project at or above it, else a warning and on to 3;
 * 3. walking up from the working directory (REQ-CFG-001, -002), unless the caller has its own fallback.
 */
export function resolveProjectRoot(q: RootQuery): RootAnswer {
  const warnings: string[] = [];
  if (q.flag !== undefined && q.flag.trim() !== "") {
    const dir = path.resolve(q.cwd, q.flag);
    const root = findProjectRoot(dir);
    if (root) return { ok: true, root, source: "flag", warnings };
    return { ok: false, message: `--project-root ${dir} is not (inside) a QMS project (no ${CONFIG_FILE} or QMS/ folder).`, warnings };
  }
  const fromEnv = q.env?.QMS_PROJECT_ROOT?.trim();
  if (fromEnv) {
    const dir = path.resolve(q.cwd, fromEnv);
    const root = findProjectRoot(dir);
    if (root) return { ok: true, root, source: "env", warnings };
    warnings.push(`QMS_PROJECT_ROOT=${dir} holds no QMS project; ignoring it`);
  }
  const root = q.walkUpFromCwd === false ? undefined : findProjectRoot(q.cwd);
  if (root) return { ok: true, root, source: "cwd", warnings };
  return {
    ok: false,
    message: `No QMS project found at or above ${path.resolve(q.cwd)} (looked for ${CONFIG_FILE}, then a QMS/ folder).`,
    warnings,
  };
}

function walkUp(start: string, test: (dir: string) => boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (test(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// Walking up asks about names that mostly do not exist: no exception for those (each costs a stack trace).
export function isDir(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}
