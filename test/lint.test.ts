import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "./helpers.js";

it("biome lint reports no problems in src, test and bench", () => {
  const biome = path.join(REPO_ROOT, ".test-tools", "node_modules", ".bin", "biome");
  assert.ok(fs.existsSync(biome), "biome missing: run bash scripts/test-tools/lint.sh (npm test does)");
  const r = spawnSync(biome, ["lint", "--max-diagnostics=50", "src", "test", "bench"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
