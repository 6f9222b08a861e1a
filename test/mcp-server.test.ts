import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startHttpServer, type RunningHttpServer } from "../src/mcp/http.js";
import type { Logger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, rawPost, stdioClient, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, snapshotTree } from "./helpers.js";

const TOOL_NAMES = [
  "qms_inbox", "qms_workspace", "qms_status", "qms_read", "qms_history", "qms_comments", "qms_create", "qms_checkout",
  "qms_checkin", "qms_cancel", "qms_route", "qms_assign", "qms_review", "qms_approve", "qms_reject", "qms_withdraw",
  "qms_release", "qms_revert", "qms_close", "qms_interact", "qms_fix", "qms_list", "qms_verify",
];

/** Arguments that make each tool's service run (the outcome may be a refusal; it must never be a crash). */
const SAMPLE_ARGS: Record<string, Record<string, unknown>> = {
  qms_inbox: {},
  qms_workspace: {},
  qms_status: { doc_id: "SOP-001" },
  qms_read: { doc_id: "SOP-001", draft: true },
  qms_history: { doc_id: "SOP-001" },
  qms_comments: { doc_id: "SOP-001" },
  qms_create: { doc_type: "SOP", title: "Every tool" },
  qms_checkout: { doc_id: "SOP-001" },
  qms_checkin: { doc_id: "SOP-001" },
  qms_cancel: { doc_id: "SOP-999" },
  qms_route: { doc_id: "SOP-999", route_type: "review" },
  qms_assign: { doc_id: "SOP-999", assignees: ["qa"] },
  qms_review: { doc_id: "SOP-999", outcome: "recommend", comment: "ok" },
  qms_approve: { doc_id: "SOP-999" },
  qms_reject: { doc_id: "SOP-999", comment: "no" },
  qms_withdraw: { doc_id: "SOP-999" },
  qms_release: { doc_id: "SOP-999" },
  qms_revert: { doc_id: "SOP-999", reason: "why" },
  qms_close: { doc_id: "SOP-999" },
  qms_interact: { doc_id: "SOP-999" },
  qms_fix: { doc_id: "SOP-999" },
  qms_list: { type: "SOP" },
  qms_verify: {},
};

function memoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: (event, fields = {}) => lines.push({ event, ...fields }) };
}

describe("MCP server over streamable HTTP (SDK client, --auth none)", () => {
  let root: string;
  let srv: RunningHttpServer;
  let client: Client;
  const log = memoryLogger();

  before(async () => {
    root = makeHarnessProject();
    srv = await startHttpServer({ project: new Project(root), log, host: "127.0.0.1", port: 0, auth: "none", defaultUser: "claude" });
    client = await httpClient(srv.url);
  });
  after(async () => {
    await client.close();
    await srv.close();
  });

  test("REQ-MCP-001, REQ-MCP-002, REQ-MCP-003, REQ-MCP-004, REQ-MCP-005, REQ-MCP-010, REQ-MCP-015: lists the 21 tools of qms.md §10.3 plus qms_list and qms_verify, each with an outputSchema, and no benchmark tool", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
    for (const t of tools) {
      assert.equal(t.outputSchema?.type, "object", t.name);
      assert.ok(t.inputSchema.properties && "user" in t.inputSchema.properties, `${t.name} takes user`);
    }
    const create = tools.find((t) => t.name === "qms_create")!;
    assert.deepEqual(Object.keys(create.inputSchema.properties ?? {}).sort(), ["doc_type", "name", "parent", "title", "user"]);
    const interact = tools.find((t) => t.name === "qms_interact")!;
    for (const p of ["respond", "file", "reason", "goto", "cancel_goto", "reopen", "progress", "compile"]) {
      assert.ok(p in (interact.inputSchema.properties ?? {}), p);
    }
  });

  test("REQ-MCP-008: qms_create and qms_status return the CLI text plus structuredContent", async () => {
    const r = await call(client, "qms_create", { doc_type: "SOP", title: "First", user: "claude" });
    assert.equal(r.isError, undefined, text(r));
    assert.match(text(r), /^Created: SOP-001 \(v0\.1, DRAFT\)/);
    assert.deepEqual((r.structuredContent as { ok: boolean; data: { doc_id: string } }).data.doc_id, "SOP-001");
    assert.ok(fs.existsSync(path.join(root, "QMS", "SOP", "SOP-001-draft.md")));
    const s = await call(client, "qms_status", { doc_id: "SOP-001", user: "qa" });
    assert.match(text(s), /Document: SOP-001\nTitle: First/);
    assert.equal((s.structuredContent as { data: { status: string } }).data.status, "DRAFT");
    const line = log.lines.find((l) => l.event === "tool" && l.tool === "qms_status");
    assert.ok(line, "a structured log line per tool call");
    assert.equal(line.user, "qa");
    assert.equal(line.doc_id, "SOP-001");
    assert.equal(line.outcome, "ok");
    assert.equal(typeof line.ms, "number");
  });

  test("REQ-MCP-008: every tool answers with a CallToolResult (ok or isError with a refusal), never a protocol error", async () => {
    for (const name of TOOL_NAMES) {
      const r = await call(client, name, { ...SAMPLE_ARGS[name], user: "claude" });
      assert.ok(Array.isArray(r.content) && r.content.length > 0, name);
      const sc = r.structuredContent as { ok: boolean; code?: string } | undefined;
      assert.equal(typeof sc?.ok, "boolean", `${name}: ${text(r)}`);
      assert.equal(r.isError === true, sc?.ok === false, name);
      if (sc?.ok === false) assert.match(text(r), /^Error: /, name);
    }
  });

  test("REQ-MCP-008, REQ-MCP-009: refusals are isError results naming the rule; refused calls change nothing", async () => {
    const before = snapshotTree(root);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["qms_status", { doc_id: "../../etc/passwd", user: "claude" }, /Invalid document ID/],
      ["qms_status", { doc_id: "SOP-001/../../x", user: "claude" }, /Invalid document ID/],
      ["qms_read", { doc_id: "..%2f..%2fetc", user: "claude" }, /Error:/],
      ["qms_create", { doc_type: "NOPE", title: "x", user: "claude" }, /Unknown document type/],
      ["qms_create", { doc_type: "SOP", title: "x", user: "mallory" }, /Unknown user 'mallory'/],
      ["qms_create", { doc_type: "SOP", title: "x", user: "../lead" }, /Unknown user/],
      ["qms_create", { doc_type: "SOP", title: "x", user: "tu_ui" }, /Permission denied/],
      ["qms_create", { doc_type: "SOP", title: "x" }, /Missing 'user'/],
      ["qms_create", { doc_type: "SOP", title: "x", user: "   " }, /Missing 'user'/],
      ["qms_status", { doc_id: 42, user: "claude" }, /Input validation error/],
      ["qms_assign", { doc_id: "SOP-001", assignees: "qa", user: "claude" }, /Input validation error/],
      ["qms_route", { doc_id: "SOP-001", route_type: "sideways", user: "claude" }, /Input validation error/],
      ["qms_create", { doc_type: "SOP", title: { $gt: "" }, user: "claude" }, /Input validation error/],
    ];
    for (const [name, args, re] of cases) {
      const r = await call(client, name, args);
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args)}: ${text(r)}`);
      assert.match(text(r), re, `${name} ${JSON.stringify(args)}`);
    }
    const unknown = await client.callTool({ name: "qms_rm_rf", arguments: {} }).catch((e: Error) => e);
    assert.ok(unknown instanceof Error || (unknown as { isError?: boolean }).isError === true);
    assert.deepEqual(snapshotTree(root), before);
  });

  test("resources: the caller's inbox and documents by URI; prompts: review and approval checklists", async () => {
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === "qms://inbox"));
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === "qms://documents/{doc_id}"));
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ["approval-checklist", "review-checklist"]);
    const p = await client.getPrompt({ name: "review-checklist", arguments: { doc_id: "SOP-001" } });
    const msg = p.messages[0]?.content;
    assert.ok(msg && msg.type === "text" && msg.text.includes("SOP-001"));
    const bad = await client.getPrompt({ name: "review-checklist", arguments: { doc_id: "../x" } }).catch((e: Error) => e);
    assert.ok(bad instanceof Error && /Invalid document ID/.test(bad.message));
    const doc = await client.readResource({ uri: "qms://documents/SOP-001" });
    const c = doc.contents[0] as { text?: string };
    assert.match(c.text ?? "", /SOP-001/);
    const inbox = await client.readResource({ uri: "qms://inbox" });
    assert.equal(inbox.contents.length, 1);
  });

  test("HTTP edges: malformed JSON, non-JSON-RPC, oversized body, GET/DELETE, health, OAuth paths, Host/Origin", async () => {
    const before = snapshotTree(root);
    const base = srv.url.replace(/\/mcp$/, "");
    let r = await rawPost(srv.url, '{"jsonrpc":"2.0",');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).error.code, -32700);
    r = await rawPost(srv.url, '{"hello":"world"}');
    assert.equal(r.status, 400);
    r = await rawPost(srv.url, "[]");
    assert.ok(r.status >= 400 && r.status < 500, String(r.status));
    r = await rawPost(srv.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no/such/method" }));
    assert.equal(JSON.parse(r.body).error.code, -32601);
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "qms_create", arguments: { doc_type: "SOP", title: "x".repeat(1024 * 1024 + 10), user: "claude" } } });
    r = await rawPost(srv.url, big);
    assert.equal(r.status, 413);
    for (const method of ["GET", "DELETE"]) {
      const g = await fetch(srv.url, { method, headers: { accept: "text/event-stream" } });
      assert.equal(g.status, 405, method);
      await g.arrayBuffer();
    }
    const h = await fetch(`${base}/healthz`);
    const health = (await h.json()) as Record<string, unknown>;
    assert.equal(h.status, 200);
    assert.equal(health.name, "qms");
    assert.equal(health.project, path.basename(root));
    assert.equal(typeof health.uptime_s, "number");
    for (const p of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/register"]) {
      const o = await fetch(base + p, { method: p === "/register" ? "POST" : "GET" });
      assert.equal(o.status, 404, p);
      assert.match(((await o.json()) as { message: string }).message, /does not use OAuth.*qms token create/, p);
    }
    const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    r = await rawPost(srv.url, init, { origin: "https://evil.example" });
    assert.equal(r.status, 403);
    r = await rawPost(srv.url, init, { origin: `http://localhost:${srv.port}` });
    assert.equal(r.status, 200);
    // Host header: node's fetch will not forge it; use http.request.
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(srv.url, { method: "POST", headers: { host: "evil.example:80", "content-type": "application/json", accept: "application/json, text/event-stream" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(init);
    });
    assert.equal(status, 403);
    // initialize negotiates the version in its body (the header is not checked); any other request with an
    // unsupported header version gets the SDK's 400 (the server/discover probe of spec/real-clients.md)
    r = await rawPost(srv.url, init, { "mcp-protocol-version": "2026-07-28" });
    assert.equal(r.status, 200, r.body);
    const probe = JSON.stringify({ jsonrpc: "2.0", id: "server-discover-probe-1", method: "server/discover", params: {} });
    r = await rawPost(srv.url, probe, { "mcp-protocol-version": "2026-07-28", "mcp-method": "server/discover" });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /Unsupported protocol version: 2026-07-28/);
    const n = await rawPost(srv.url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    assert.equal(n.status, 202);
    assert.deepEqual(snapshotTree(root), before);
    // The server still works after all that.
    const s = await call(client, "qms_status", { doc_id: "SOP-001", user: "claude" });
    assert.equal(s.isError, undefined);
  });
});

describe("MCP server over stdio (SDK client, subprocess)", () => {
  test("REQ-MCP-011, REQ-MCP-015: lists tools, creates, refuses without user, keeps stdout clean", async () => {
    const root = makeHarnessProject();
    const { client, stderr } = await stdioClient(root);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 23);
      const r = await call(client, "qms_create", { doc_type: "CR", title: "Over stdio", user: "claude" });
      assert.equal(r.isError, undefined, text(r));
      assert.match(text(r), /Created: CR-001/);
      const no = await call(client, "qms_status", { doc_id: "CR-001" });
      assert.equal(no.isError, true);
      assert.match(text(no), /Missing 'user'.*stdio/);
      assert.match(stderr(), /"event":"tool".*"tool":"qms_create".*"outcome":"ok"/);
    } finally {
      await client.close();
    }
    assert.ok(fs.existsSync(path.join(root, "QMS", ".meta", "CR", "CR-001.json")));
  });
});
