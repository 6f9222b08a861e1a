import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { makeHarnessProject, REPO_ROOT, tempDir } from "./helpers.js";
import { CONFORMANCE, INSTALL_HINT, NODE22, runConformance } from "./real-clients.js";

const BASELINE = path.join(REPO_ROOT, "test", "fixtures-mcp", "conformance-baseline.yml");

/**
 * The official MCP conformance suite (server scenarios) against our HTTP server, with a baseline of the
 * scenarios that need the reference server's own fixtures. Its output goes to a file: its "Total: …" summary
 * line must never be the last line CI reads.
 */
test("official conformance suite: every scenario outside the baseline passes", { timeout: 120000 }, async () => {
  assert.ok(fs.existsSync(NODE22) && fs.existsSync(CONFORMANCE), `conformance suite or Node 22 missing: ${INSTALL_HINT}`);
  const root = makeHarnessProject();
  const srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none", defaultUser: "claude" });
  const work = tempDir("qms-conformance-");
  try {
    const r = await runConformance(["server", "--url", srv.url, "-o", path.join(work, "results"), "--expected-failures", BASELINE], { cwd: work });
    const log = path.join(work, "conformance-output.txt");
    fs.writeFileSync(log, r.out);
    assert.equal(r.timedOut, false, `conformance timed out; output in ${log}`);
    assert.match(r.out, /Baseline check passed/, `conformance baseline check failed; output in ${log}`);
    assert.equal(r.code, 0, `conformance exit ${r.code}; output in ${log}`);
    for (const must of ["server-initialize", "ping", "tools-list", "tools-call-error", "resources-list", "prompts-list", "dns-rebinding-protection"]) {
      assert.match(r.out, new RegExp(`✓ ${must}:`), `${must} must pass; output in ${log}`);
    }
  } finally {
    await srv.close();
  }
});
