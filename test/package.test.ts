import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { it } from "node:test";
import { VERSION } from "../src/core/package-version.js";
import { REPO_ROOT } from "./helpers.js";

it("the CLI's version is package.json's", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; bin: Record<string, string> };
  assert.equal(VERSION, pkg.version);
  assert.deepEqual(Object.keys(pkg.bin).sort(), ["qms", "qms-mcp"]);
});

