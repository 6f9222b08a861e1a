import * as fs from "node:fs";
import * as path from "node:path";

export const CONFIG_FILE = "qms.config.json";

/**
 * Find the project root (REQ-CFG-001): the nearest ancestor holding `qms.config.json`, else the nearest
 * holding a `QMS/` directory.
 */
export function findProjectRoot(start: string): string | undefined {
  const from = path.resolve(start);
  return walkUp(from, (dir) => isFile(path.join(dir, CONFIG_FILE))) ?? walkUp(from, (dir) => isDir(path.join(dir, "QMS")));
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

export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
