import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The installed package's root (where `prompts/`, `seed/`, `docs/` and `package.json` live), found by walking up
 * from this module: the same answer from `dist/src/...` (tsc output) and `dist/bundle/...` (the CLI bundle).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, "bin", "qms.js"))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`qms: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function packagePath(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}

/** A file shipped with the package (prompts, seed files), or undefined when it is not there. */
export function readPackageText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
