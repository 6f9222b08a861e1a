import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "./helpers.js";

it("REQ-UX-013: the packed package holds what its bins run (npm pack lists dist/bundle/launch.cjs and the bundle's chunks)", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const files = new Set((JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const bin of ["bin/qms.js", "bin/qms-mcp.js", "dist/bundle/launch.cjs"]) assert.ok(files.has(bin), `${bin} is packed`);
  const required = [...fs.readFileSync(path.join(REPO_ROOT, "bin", "qms.js"), "utf8").matchAll(/require\("\.\.\/([^"]+)"\)/g)].map((m) => m[1]!);
  assert.ok(required.length > 0);
  for (const f of required) assert.ok(files.has(f), `bin/qms.js requires ${f}, which is packed`);
  assert.ok([...files].some((f) => /^dist\/bundle\/chunk-.*\.js$/.test(f)), "the bundle's chunks are packed");
});
