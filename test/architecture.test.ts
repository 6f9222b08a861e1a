import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, qms, REPO_ROOT } from "./helpers.js";

/** Issue 7: the layers are visible in the folders, and each adapter words next steps its own way. */

function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) out.push({ file: path.relative(REPO_ROOT, p), text: fs.readFileSync(p, "utf8") });
    }
  };
  walk(path.join(REPO_ROOT, "src", dir));
  return out;
}

const importsOf = (text: string): string[] => [...text.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]!);

describe("issue 7: layering", () => {
  test("no service imports the file helpers or node:fs (the store alone touches files)", () => {
    const offenders = sources("services").filter((s) => importsOf(s.text).some((i) => /store\/fsio\.js$|^node:fs$|^fs$|^node:fs\/promises$/.test(i)));
    assert.deepEqual(offenders.map((s) => s.file), []);
  });

  test("no CLI syntax below the adapters: neither src/services nor src/store contains `qms --user`", () => {
    const offenders = [...sources("services"), ...sources("store")].filter((s) => s.text.includes("qms --user"));
    assert.deepEqual(offenders.map((s) => s.file), []);
  });

  test("the MCP server never imports the CLI (the CLI may start the server, not the other way round)", () => {
    const offenders = sources("mcp").filter((s) => importsOf(s.text).some((i) => /\/cli\//.test(i) || i.startsWith("../cli")));
    assert.deepEqual(offenders.map((s) => s.file), []);
  });

  test("src/core does no I/O", () => {
    const offenders = sources("core").filter((s) => importsOf(s.text).some((i) => /^node:(fs|child_process|net|http|os)/.test(i) || i.includes("/store/")));
    assert.deepEqual(offenders.map((s) => s.file), []);
  });
});

describe("issue 7: an MCP refusal names the tool to call next; the CLI's names the command", () => {
  const roots: string[] = [];
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  test("REQ-SEC-003: qms_checkin and qms_route by a non-owner, over MCP and on the CLI", async () => {
    const root = makeHarnessProject();
    roots.push(root);
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Owned by claude").code, 0);
    const srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none", ui: false });
    const client = await httpClient(srv.url);
    try {
      const checkin = await call(client, "qms_checkin", { doc_id: "SOP-001", user: "lead" });
      assert.equal(checkin.isError, true);
      assert.match(text(checkin), /Only the owner \(responsible user\) may check in SOP-001; its owner is claude, not lead\./);
      assert.match(text(checkin), /Next: Ask claude to run it, or check the document's state with: call qms_status with doc_id "SOP-001"/);
      assert.doesNotMatch(text(checkin), /qms --user/);
      assert.deepEqual((checkin.structuredContent as { next?: unknown }).next, [{ action: "status", doc_id: "SOP-001", lead: "Ask claude to run it, or check the document's state with" }]);
      const cli = qms(root, "lead", "checkin", "SOP-001");
      assert.equal(cli.code, 1);
      assert.match(cli.stdout, /Next: Ask claude to run it, or check the document's state with: qms --user lead status SOP-001/);

      const route = await call(client, "qms_route", { doc_id: "SOP-001", route_type: "review", user: "lead" });
      assert.equal(route.isError, true);
      assert.match(text(route), /call qms_status with doc_id "SOP-001"/);
      assert.doesNotMatch(text(route), /qms --user/);
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
