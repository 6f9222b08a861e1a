import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { after, before, describe, test } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startHttpServer, type RunningHttpServer } from "../src/mcp/http.js";
import { approve } from "../src/services/approve.js";
import { checkout } from "../src/services/checkout.js";
import { makeContext, type ServiceContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import type { DocumentRow } from "../src/services/list.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, QMS_BIN } from "./helpers.js";

const silent = { log: () => undefined };

/** `qms --user U ARGS` without blocking this process (its event loop also serves the MCP server under test). */
function qmsAsync(cwd: string, user: string, ...args: string[]): Promise<{ code: number | null; stdout: string; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [QMS_BIN, "--user", user, ...args], { cwd, env: { ...process.env, QMS_USER: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, out: stdout + stderr }));
  });
}

function must<T>(r: { ok: boolean; message?: string; data?: T }, what: string): T {
  assert.ok(r.ok, `${what}: ${r.message}`);
  return r.data as T;
}

/** 50 documents in every common state: drafts, checked out or not, in review, reviewed, in approval, effective, families. */
function fiftyDocuments(root: string): void {
  const as = (user: string): ServiceContext => makeContext(root, user);
  for (let i = 1; i <= 30; i++) must(create(as("claude"), { type: "SOP", title: `Procedure ${i}` }), `SOP ${i}`);
  for (let i = 1; i <= 10; i++) must(create(as("lead"), { type: "CR", title: `Change ${i}` }), `CR ${i}`);
  for (let i = 1; i <= 5; i++) must(create(as("lead"), { type: "TP", parent: "CR-001", title: `Plan ${i}` }), `TP ${i}`);
  for (let i = 1; i <= 5; i++) must(create(as("claude"), { type: "INV", title: `Investigation ${i}` }), `INV ${i}`);
  const id = (n: number): string => `SOP-${String(n).padStart(3, "0")}`;
  for (let n = 1; n <= 20; n++) must(route(as("claude"), { docId: id(n), kind: "review" }), `route ${id(n)}`);
  for (let n = 1; n <= 15; n++) must(review(as("qa"), { docId: id(n), outcome: "recommend", comment: "ok" }), `review ${id(n)}`);
  for (let n = 1; n <= 10; n++) must(route(as("claude"), { docId: id(n), kind: "approval" }), `approval ${id(n)}`);
  for (let n = 1; n <= 6; n++) must(approve(as("qa"), { docId: id(n) }), `approve ${id(n)}`);
  for (let n = 1; n <= 3; n++) must(checkout(as("claude"), { docId: id(n) }), `revise ${id(n)}`);
  must(route(as("lead"), { docId: "CR-002", kind: "review", assign: ["tu_ui", "qa"] }), "CR-002");
}

const SHARED_FIELDS = ["doc_id", "title", "doc_type", "version", "status", "executable", "responsible_user", "checked_out"] as const;

describe("qms list --json and qms_list agree with status (50 documents)", () => {
  let root: string;
  let srv: RunningHttpServer;
  let client: Client;
  before(async () => {
    root = makeHarnessProject();
    fiftyDocuments(root);
    srv = await startHttpServer({ project: new Project(root), log: silent, host: "127.0.0.1", port: 0, auth: "none", defaultUser: "claude" });
    client = await httpClient(srv.url);
  });
  after(async () => {
    await client.close();
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("REQ-UX-002, REQ-UX-003: every row of qms list --json and of qms_list matches qms status --json of that document", async () => {
    const cli = await qmsAsync(root, "qa", "list", "--json");
    assert.equal(cli.code, 0, cli.out);
    const listed = JSON.parse(cli.stdout) as { documents: DocumentRow[]; total: number };
    assert.equal(listed.total, 50);
    assert.equal(listed.documents.length, 50);
    const mcp = await call(client, "qms_list", { user: "qa" });
    assert.equal(mcp.isError, undefined, text(mcp));
    const structured = mcp.structuredContent as { ok: boolean; data: { documents: DocumentRow[] } };
    assert.deepEqual(
      structured.data.documents.map((d) => ({ ...d, last_change: "" })),
      listed.documents.map((d) => ({ ...d, last_change: "" })),
      "the MCP tool returns the same rows",
    );
    const filtered = await call(client, "qms_list", { user: "qa", type: "CR", status: "IN_PRE_REVIEW" });
    assert.deepEqual((filtered.structuredContent as { data: { documents: DocumentRow[] } }).data.documents.map((d) => d.doc_id), ["CR-002"]);
    const mine = await call(client, "qms_list", { user: "tu_ui", mine: true });
    assert.deepEqual((mine.structuredContent as { data: { documents: DocumentRow[] } }).data.documents.map((d) => d.doc_id), ["CR-002"]);
    const ids = listed.documents.map((d) => d.doc_id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a.localeCompare(b, "en", { numeric: true })), "sorted by ID");
    const statuses = new Set<string>();
    for (const row of listed.documents) {
      const s = await qmsAsync(root, "qa", "status", row.doc_id, "--json");
      assert.equal(s.code, 0, s.out);
      const st = JSON.parse(s.stdout) as Record<string, unknown> & { pending_assignees: string[] };
      for (const f of SHARED_FIELDS) assert.deepEqual(row[f], st[f], `${row.doc_id}.${f}`);
      assert.deepEqual([...row.pending_reviewers, ...row.pending_approvers], st.pending_assignees, `${row.doc_id} pending`);
      assert.equal(row.checkout_holder, st.checked_out ? st.responsible_user : null, `${row.doc_id} checkout holder`);
      statuses.add(`${st.status}${st.checked_out ? "+out" : ""}`);
    }
    assert.ok(statuses.size >= 6, `a spread of states: ${[...statuses].join(", ")}`);
  });

  test("REQ-UX-004, REQ-UX-007: qms_checkout takes discard and qms_route takes allow_placeholders", async () => {
    const r = await call(client, "qms_checkout", { doc_id: "SOP-001", discard: true, user: "claude" });
    assert.equal(r.isError, undefined, text(r));
    assert.match(text(r), /Back to: v1\.0 EFFECTIVE/);
    const refused = await call(client, "qms_cancel", { doc_id: "SOP-002", user: "claude" });
    assert.match(text(refused), /call qms_checkout with doc_id "SOP-002", discard true/);
    const tools = (await client.listTools()).tools;
    assert.ok("allow_placeholders" in (tools.find((t) => t.name === "qms_route")!.inputSchema.properties ?? {}));
  });
});

describe("port already in use", () => {
  const PROJECT = makeHarnessProject();
  after(() => fs.rmSync(PROJECT, { recursive: true, force: true }));

  function startMcp(port: number): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", String(port), "--project-root", PROJECT], {
        env: { ...process.env, QMS_MCP_LOG: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGTERM"), 20000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  test("REQ-UX-010: a port held by a QMS server or by another program is named as such, with the --port flag to pick another", async () => {
    const srv = await startHttpServer({ project: new Project(PROJECT), log: silent, host: "127.0.0.1", port: 0, auth: "none", defaultUser: "claude" });
    try {
      const r = await startMcp(srv.port);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`port ${srv.port} on 127\\.0\\.0\\.1 is already in use: a QMS MCP server already serves it \\(version \\S+, project \\S+, up \\d+ s\\)`));
      assert.match(r.stderr, new RegExp(`Pick another port with --port, e\\.g\\. qms mcp --transport streamable-http --port ${srv.port + 2} \\(npm start -- --port ${srv.port + 2}\\)`));
    } finally {
      await srv.close();
    }
    const other = http.createServer((_q, res) => {
      res.writeHead(404);
      res.end("no");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    const port = (other.address() as { port: number }).port;
    try {
      const r = await startMcp(port);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /already in use: another program answers there \(GET \/healthz gave HTTP 404\), not a QMS server/);
      assert.match(r.stderr, /Pick another port with --port/);
    } finally {
      other.close();
    }
    assert.equal(spawnSync(process.execPath, [QMS_BIN, "mcp", "--help"], { encoding: "utf8" }).status, 0);
  });
});
