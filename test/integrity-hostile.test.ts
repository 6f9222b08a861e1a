import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, test } from "node:test";
import type { ServiceResult } from "../src/core/result.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { initProject } from "../src/services/init.js";
import { route } from "../src/services/route.js";
import { Project } from "../src/store/project.js";
import { QMS_BIN, snapshotTree, tempDir } from "./helpers.js";

/**
 * REQ-ITG-011 (integrity spec §5): hostile inputs through the CLI and through MCP — IDs, flags, user names,
 * JSON-RPC frames, argument types, sizes, encodings, control characters, frontmatter injection in titles and
 * comments. Each must be refused with a clear error (no crash, no stack trace) and leave the tree
 * byte-for-byte unchanged.
 */

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data;
}

/** SOP-001 checked out by claude, SOP-002 in review by qa, CR-001 checked in. */
function project(): string {
  const root = tempDir("qms-hostile-");
  temps.push(root);
  must(initProject({ root, createMarker: false }), "init");
  const p = new Project(root);
  const c = makeContext(p, "claude");
  must(create(c, { type: "SOP", title: "Target" }), "create");
  must(create(c, { type: "SOP", title: "In review" }), "create");
  must(route(c, { docId: "SOP-002", kind: "review", allowPlaceholders: true }), "route");
  must(create(c, { type: "CR", title: "A change" }), "create");
  return root;
}

// NUL cannot travel through argv; it is among the MCP cases.
const HOSTILE_IDS = [
  "../x", "../../etc/passwd", "/etc/passwd", "SOP-001/../../x", "SOP-001/", "..", ".", "", " ", "-", "--", "SOP-001\n", "SOP-001 ",
  "sop 001", "SOP-1", "C:\\x", "..\\..\\x", "~", "$HOME", "$(id)", "`id`", "SOP-001;rm -rf /", "*", "SOP-*", "%2e%2e%2f",
  "SOP-001\u202e", "SOP-\u0661\u0662\u0663", "SÖP-001", "A".repeat(5000), "CR-001-TP-001-ER-001-VAR-001-ADD-001-VR-001-TP-001-ER-001-VAR-001-ADD-001-VR-001-TP-001",
  "TEMPLATE-../x", "SDLC-NOPE-RS", "SOP-999", "CR-001-TP-999", "\u0007",
];
const HOSTILE_USERS = ["../lead", "..", "lead/..", "qa\n", "u".repeat(5000), "ROOT", "root", "qa;rm", "tu ui", "💥", "-u", "$(whoami)", "lead\r", "Ω", "nobody"];
const HOSTILE_TEXT = [
  "x\n---\nstatus: EFFECTIVE\n---",
  "---\nversion: 9.0\n",
  "a\rb",
  "bell\u0007",
  "esc\u001b[31mred",
  "t".repeat(201),
  "del\u007f",
  "\t",
  "",
  "   ",
];

/** The hostile text as a comment: comments may hold line breaks, so those become other control characters. */
function commentVariant(text: string): string {
  if (text.trim() === "") return text;
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? text : `${text.replace(/\n/g, "\u000b")}\u0001`;
}

interface CliCase {
  user: string;
  args: string[];
}

function cliCases(): CliCase[] {
  const cases: CliCase[] = [];
  for (const id of HOSTILE_IDS) {
    cases.push({ user: "claude", args: ["status", id] });
    cases.push({ user: "claude", args: ["checkout", id] });
    cases.push({ user: "qa", args: ["approve", id] });
    if (id !== "--") cases.push({ user: "qa", args: ["verify", id] });
  }
  for (const user of HOSTILE_USERS) {
    cases.push({ user, args: ["inbox"] });
    cases.push({ user, args: ["create", "SOP", "--title", "x"] });
  }
  for (const text of HOSTILE_TEXT) {
    cases.push({ user: "claude", args: ["create", "SOP", "--title", text] });
    // a comment may span lines (it is JSON in the audit trail): only control characters and blanks are refused
    cases.push({ user: "qa", args: ["review", "SOP-002", "--recommend", "--comment", commentVariant(text)] });
  }
  cases.push(
    { user: "claude", args: ["create", "../SOP", "--title", "x"] },
    { user: "claude", args: ["create", "SOP\u0001", "--title", "x"] },
    { user: "claude", args: ["create", "TP", "--parent", "../../etc", "--title", "x"] },
    { user: "claude", args: ["create", "TP", "--parent", "SOP-001", "--title", "x"] },
    { user: "claude", args: ["create", "TEMPLATE", "--name", "../../x", "--title", "x"] },
    { user: "claude", args: ["create", "TEMPLATE", "--title", "x"] },
    { user: "claude", args: ["create", "SOP", "--title"] },
    { user: "claude", args: ["create"] },
    { user: "claude", args: ["create", "SOP", "--frobnicate"] },
    { user: "claude", args: ["route", "SOP-001"] },
    { user: "claude", args: ["route", "SOP-001", "--review", "--approval"] },
    { user: "claude", args: ["route", "SOP-001", "--review", "--assign", "../../qa"] },
    { user: "claude", args: ["route", "SOP-001", "--review", "--assign", "nobody"] },
    { user: "claude", args: ["route", "SOP-001", "--review", "--retire"] },
    { user: "claude", args: ["route", "SOP-001", "--approval"] },
    { user: "qa", args: ["review", "SOP-002", "--comment", "x"] },
    { user: "qa", args: ["review", "SOP-002", "--recommend", "--request-updates", "--comment", "x"] },
    { user: "qa", args: ["review", "SOP-002", "--recommend", "--comment", "c".repeat(20001)] },
    { user: "qa", args: ["review", "SOP-001", "--recommend", "--comment", "not assigned"] },
    { user: "qa", args: ["reject", "SOP-002"] },
    { user: "claude", args: ["read", "SOP-001", "--version", "../../x"] },
    { user: "claude", args: ["read", "SOP-001", "--version", "1.0/../../../etc"] },
    { user: "claude", args: ["read", "SOP-001", "--version"] },
    { user: "claude", args: ["assign", "SOP-002", "--assignees", "tu"] },
    { user: "qa", args: ["assign", "SOP-002", "--assignees", "../x"] },
    { user: "claude", args: ["cancel", "SOP-001"] },
    { user: "tu", args: ["checkin", "SOP-001"] },
    { user: "tu", args: ["verify"] },
    { user: "qa", args: ["verify", "--against", "../../etc/passwd"] },
    { user: "qa", args: ["verify", "--against", "0".repeat(63)] },
    { user: "claude", args: ["user", "--add", "../evil", "--group", "reviewer"] },
    { user: "claude", args: ["user", "--add", "evil", "--group", "root"] },
    { user: "qa", args: ["user", "--add", "evil", "--group", "reviewer"] },
    { user: "claude", args: ["namespace", "add", "../X"] },
    { user: "claude", args: ["namespace", "add", "X".repeat(40)] },
    { user: "claude", args: ["revert", "SOP-001"] },
    { user: "claude", args: ["release", "SOP-001"] },
    { user: "claude", args: ["close", "SOP-001"] },
    { user: "claude", args: ["frobnicate"] },
    { user: "claude", args: ["--version-x"] },
  );
  return cases;
}

function runCli(root: string, c: CliCase): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [QMS_BIN, "--user", c.user, ...c.args], { cwd: root, env: { ...process.env, QMS_USER: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("exit", (code, signal) => resolve({ code, signal, out }));
  });
}

const STACK = /^\s+at .+(\.js|\.ts):\d+:\d+\)?$/m;

test("REQ-ITG-011: at least 200 hostile inputs through the CLI: each refused with a clear error, no crash, the tree byte-for-byte unchanged", { timeout: 240_000 }, async () => {
  const cases = cliCases();
  assert.ok(cases.length >= 200, `${cases.length} cases`);
  const lanes = [project(), project()];
  const problems: string[] = [];
  let changes = 0;
  await Promise.all(
    lanes.map(async (root, lane) => {
      let before = snapshotTree(root);
      for (let i = lane; i < cases.length; i += lanes.length) {
        const c = cases[i]!;
        const r = await runCli(root, c);
        const shown = `${JSON.stringify(c.user).slice(0, 30)} ${c.args.map((a) => JSON.stringify(a).slice(0, 40)).join(" ")}`;
        if (r.signal || (r.code !== 1 && r.code !== 2)) problems.push(`${shown}: exit ${r.code ?? r.signal}\n${r.out.slice(0, 300)}`);
        else if (STACK.test(r.out)) problems.push(`${shown}: a stack trace\n${r.out.slice(0, 500)}`);
        else if (!/error|invalid|unknown|refus|denied|not |must|cannot|only|needs/i.test(r.out)) problems.push(`${shown}: no clear error: ${r.out.slice(0, 300)}`);
        const now = snapshotTree(root);
        if (JSON.stringify([...now]) !== JSON.stringify([...before])) {
          changes++;
          problems.push(`${shown}: changed the tree`);
          before = now;
        }
      }
    }),
  );
  process.stdout.write(`# hostile CLI: ${cases.length} cases, ${problems.length} problems, ${changes} tree changes\n`);
  assert.deepEqual(problems, []);
});

interface McpCase {
  name: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

function toolCall(name: string, args: unknown, id: unknown = 1): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}

function mcpCases(): McpCase[] {
  const cases: McpCase[] = [];
  const frames: Array<[string, string]> = [
    ["empty body", ""],
    ["not JSON", "{"],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"tools/call"'],
    ["an empty array", "[]"],
    ["an array of junk", "[1,2,3]"],
    ["an empty object", "{}"],
    ["jsonrpc 1.0", '{"jsonrpc":"1.0","id":1,"method":"tools/list"}'],
    ["no method", '{"jsonrpc":"2.0","id":1}'],
    ["method a number", '{"jsonrpc":"2.0","id":1,"method":7}'],
    ["unknown method", '{"jsonrpc":"2.0","id":1,"method":"qms/format-disk"}'],
    ["id an object", '{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call","params":{"name":"qms_status","arguments":{"doc_id":"SOP-001","user":"claude"}}}'],
    ["params an array", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]}'],
    ["params a string", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}'],
    ["tools/call without a name", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}'],
    ["arguments an array", toolCall("qms_create", ["SOP"])],
    ["arguments a string", toolCall("qms_create", "SOP")],
    ["arguments null", toolCall("qms_create", null)],
    ["an unknown tool", toolCall("qms_format", { user: "claude" })],
    ["the benchmark tool outside a benchmark", toolCall("qms_noop", { user: "claude" })],
    ["a tool name with a path", toolCall("../qms_create", { user: "claude" })],
    ["a deep nesting", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["a huge id on a bad call", `{"jsonrpc":"2.0","id":"${"9".repeat(100000)}","method":"tools/call","params":{"name":"qms_checkout","arguments":{"doc_id":"../x","user":"claude"}}}`],
    ["duplicate keys", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"qms_create","arguments":{"doc_type":"SOP","title":"x","user":"claude","title":"a\\nb"}}}'],
    ["a notification that writes", '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"qms_create","arguments":{"doc_type":"SOP","title":"x\\u0000","user":"claude"}}}'],
  ];
  for (const [name, body] of frames) cases.push({ name: `frame: ${name}`, body });
  cases.push(
    { name: "encoding: invalid UTF-8", body: Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"qms_create","arguments":{"doc_type":"SOP","user":"claude","title":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}')]) },
    { name: "encoding: UTF-16LE", body: Buffer.from(toolCall("qms_create", { doc_type: "SOP", title: "\u0000", user: "claude" }), "utf16le") },
    { name: "encoding: a BOM before JSON", body: `\ufeff${toolCall("qms_checkout", { doc_id: "../x", user: "claude" })}` },
    { name: "content type text/plain", body: toolCall("qms_create", { doc_type: "SOP", title: "x\n", user: "claude" }), headers: { "content-type": "text/plain" } },
    { name: "content type missing", body: toolCall("qms_create", { doc_type: "SOP", title: "x\n", user: "claude" }), headers: { "content-type": "" } },
    { name: "a bogus content encoding", body: toolCall("qms_create", { doc_type: "SOP", title: "ok", user: "claude" }), headers: { "content-encoding": "gzip" } },
    { name: "size: 6 MB of JSON", body: toolCall("qms_create", { doc_type: "SOP", title: "t".repeat(6 * 1024 * 1024), user: "claude" }) },
    { name: "size: a 3 MB comment", body: toolCall("qms_review", { doc_id: "SOP-002", outcome: "recommend", comment: "c".repeat(3 * 1024 * 1024), user: "qa" }) },
  );
  const wrongTypes: unknown[] = [42, null, true, [], {}, ["SOP-001"], { id: "SOP-001" }, -1, Number.MAX_VALUE, "SOP-001\u0000"];
  for (const tool of ["qms_status", "qms_checkout", "qms_checkin", "qms_approve", "qms_read", "qms_history"]) {
    for (const v of wrongTypes) cases.push({ name: `${tool} doc_id ${JSON.stringify(v)}`, body: toolCall(tool, { doc_id: v, user: tool === "qms_approve" ? "qa" : "claude" }) });
  }
  for (const id of [...HOSTILE_IDS, "SOP-001\u0000", "SOP-001\u0000/../../x"]) {
    cases.push({ name: `qms_checkout ${JSON.stringify(id.slice(0, 30))}`, body: toolCall("qms_checkout", { doc_id: id, user: "claude" }) });
    cases.push({ name: `qms_read ${JSON.stringify(id.slice(0, 30))}`, body: toolCall("qms_read", { doc_id: id, user: "claude" }) });
  }
  // (the server trims the user argument, so a padded real name is that user: not hostile here)
  for (const user of [...HOSTILE_USERS.filter((u) => !["lead", "qa", "claude", "tu"].includes(u.trim())), "", "claude\u0000", 7, null, ["qa"]]) {
    cases.push({ name: `user ${JSON.stringify(user).slice(0, 30)}`, body: toolCall("qms_create", { doc_type: "SOP", title: "x", user }) });
  }
  for (const text of [...HOSTILE_TEXT, "nul\u0000"]) {
    cases.push({ name: `title ${JSON.stringify(text.slice(0, 20))}`, body: toolCall("qms_create", { doc_type: "SOP", title: text, user: "claude" }) });
    cases.push({ name: `comment ${JSON.stringify(text.slice(0, 20))}`, body: toolCall("qms_reject", { doc_id: "SOP-002", comment: commentVariant(text), user: "qa" }) });
  }
  cases.push(
    { name: "create: type traversal", body: toolCall("qms_create", { doc_type: "../SOP", title: "x", user: "claude" }) },
    { name: "create: type a number", body: toolCall("qms_create", { doc_type: 5, title: "x", user: "claude" }) },
    { name: "create: parent traversal", body: toolCall("qms_create", { doc_type: "TP", parent: "../../etc", title: "x", user: "claude" }) },
    { name: "create: template name traversal", body: toolCall("qms_create", { doc_type: "TEMPLATE", name: "../x", title: "x", user: "claude" }) },
    { name: "route: a bad route type", body: toolCall("qms_route", { doc_id: "SOP-001", route_type: "approve-everything", user: "claude" }) },
    { name: "route: retire a draft", body: toolCall("qms_route", { doc_id: "SOP-001", route_type: "review", retire: true, user: "claude" }) },
    { name: "route: retire a string", body: toolCall("qms_route", { doc_id: "SOP-001", route_type: "approval", retire: "yes", user: "claude" }) },
    { name: "assign: traversal", body: toolCall("qms_assign", { doc_id: "SOP-002", assignees: ["../../qa"], user: "qa" }) },
    { name: "assign: not an array", body: toolCall("qms_assign", { doc_id: "SOP-002", assignees: "tu", user: "qa" }) },
    { name: "review: a bad outcome", body: toolCall("qms_review", { doc_id: "SOP-002", outcome: "approve", comment: "x", user: "qa" }) },
    { name: "review: by someone not assigned", body: toolCall("qms_review", { doc_id: "SOP-002", outcome: "recommend", comment: "x", user: "tu" }) },
    { name: "read: version traversal", body: toolCall("qms_read", { doc_id: "SOP-001", version: "../../../etc/passwd", user: "claude" }) },
    { name: "read: version a number", body: toolCall("qms_read", { doc_id: "SOP-001", version: 1, user: "claude" }) },
    { name: "cancel: confirm a string", body: toolCall("qms_cancel", { doc_id: "SOP-001", confirm: "true", user: "claude" }) },
    { name: "fix: not an administrator", body: toolCall("qms_fix", { doc_id: "SOP-001", user: "qa" }) },
    { name: "verify: a reviewer", body: toolCall("qms_verify", { user: "tu" }) },
    { name: "verify: hostile ids", body: toolCall("qms_verify", { doc_ids: ["../../x"], user: "qa" }) },
    { name: "verify: ids not an array", body: toolCall("qms_verify", { doc_ids: "SOP-001", user: "qa" }) },
    { name: "verify: a bad digest", body: toolCall("qms_verify", { against: "../../etc", user: "qa" }) },
    { name: "interact: hostile file", body: toolCall("qms_interact", { doc_id: "SOP-001", file: "/etc/passwd", user: "claude" }) },
  );
  return cases;
}

function post(url: URL, c: McpCase): Promise<{ status: number; body: string } | { error: string }> {
  const body = typeof c.body === "string" ? Buffer.from(c.body, "utf8") : c.body;
  const headers: Record<string, string | number> = { "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": body.length };
  for (const [k, v] of Object.entries(c.headers ?? {})) {
    if (v === "") delete headers[k];
    else headers[k] = v;
  }
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (e) => resolve({ error: e.message }));
    });
    req.on("error", (e) => resolve({ error: e.message }));
    req.end(body);
  });
}

/** A clear refusal: an HTTP error with a reason, a JSON-RPC error with a message, or a tool result marked isError with text. */
function refusal(r: { status: number; body: string }): string | undefined {
  if (r.status >= 400) return r.body.trim() === "" && r.status !== 413 ? `HTTP ${r.status} without a reason` : undefined;
  if (r.status === 202 && r.body === "") return undefined; // a notification: nothing to answer, nothing done
  const text = r.body.startsWith("event:") ? (/^data: (.*)$/m.exec(r.body)?.[1] ?? "") : r.body;
  let json: { error?: { message?: string }; result?: { isError?: boolean; content?: Array<{ text?: string }> } };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return `not JSON: ${r.body.slice(0, 200)}`;
  }
  if (json.error) return json.error.message ? undefined : "a JSON-RPC error without a message";
  if (json.result?.isError) return (json.result.content ?? []).some((c) => (c.text ?? "").length > 0) ? undefined : "isError without text";
  return `accepted: ${r.body.slice(0, 300)}`;
}

test("REQ-ITG-011: at least 200 hostile inputs through MCP: each refused with a clear error, the server keeps answering, the tree byte-for-byte unchanged", { timeout: 120_000 }, async () => {
  const root = project();
  const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { ...process.env, QMS_USER: "", QMS_MCP_LOG: "0", QMS_TOKEN_STORE: path.join(root, "..", `${path.basename(root)}-tokens.json`) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no server: ${out}${stderr}`)), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(new URL(m[1]!));
        }
      });
    });
    const cases = mcpCases();
    assert.ok(cases.length >= 200, `${cases.length} cases`);
    const before = snapshotTree(root);
    const problems: string[] = [];
    let changes = 0;
    let last = before;
    for (const c of cases) {
      const r = await post(url, c);
      // a body over the limit is answered 413 and the connection closed while it is still being sent: the
      // sender may see its write fail first; the server's health below shows it did not crash
      if ("error" in r) {
        if (!(c.name.startsWith("size:") && /EPIPE|ECONNRESET/.test(r.error))) problems.push(`${c.name}: no answer (${r.error})`);
      }
      else {
        const p = refusal(r);
        if (p) problems.push(`${c.name}: ${p}`);
      }
      if (child.exitCode !== null) {
        problems.push(`${c.name}: the server exited`);
        break;
      }
      const now = snapshotTree(root);
      if (JSON.stringify([...now]) !== JSON.stringify([...last])) {
        changes++;
        problems.push(`${c.name}: changed the tree`);
        last = now;
      }
    }
    const health = await fetch(new URL("/healthz", url));
    assert.equal(health.status, 200, "the server still answers");
    process.stdout.write(`# hostile MCP: ${cases.length} cases, ${problems.length} problems, ${changes} tree changes\n`);
    assert.deepEqual(problems, []);
    assert.doesNotMatch(stderr, STACK, "no stack trace in the server's output");
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
});
