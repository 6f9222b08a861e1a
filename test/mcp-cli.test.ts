import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { call, httpClient, rawPost, startServerProcess, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, qms, REPO_ROOT, tempDir } from "./helpers.js";

describe("npm start: the built-in demo", () => {
  test("serves a demo project on loopback (never this repo) and prints the exact claude mcp add line", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const start = pkg.scripts.start ?? "";
    const words = start.split("&&").pop()!.trim().split(/\s+/);
    // exec: the shell npm starts is replaced by node, so SIGTERM to `npm start` reaches the server itself
    assert.equal(words[0], "exec", start);
    const cmd = words.slice(1);
    assert.deepEqual(cmd.slice(0, 3), ["node", "bin/qms.js", "mcp"], start);
    assert.ok(!cmd.includes("--host") && !cmd.includes("--port"), "default 127.0.0.1:8000");
    const demoRoot = path.join(tempDir("qms-demo-"), "demo");
    const env = { QMS_DEMO_ROOT: demoRoot, QMS_PROJECT_ROOT: undefined, QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "t.json") };
    // The script's command line, run from the repo root, with port 0 instead of 8000 (parallel tests).
    const srv = await startServerProcess([...cmd.slice(2), "--port", "0"], { cwd: REPO_ROOT, env });
    try {
      assert.match(srv.stdout(), new RegExp(`claude mcp add --transport http qms http://127\\.0\\.0\\.1:${srv.port}/mcp\\n`));
      assert.match(srv.stdout(), /built-in demo/);
      // issue 12: the first command shows a newcomer the QMS in a browser too
      const link = new RegExp(`Web view: http://127\\.0\\.0\\.1:${srv.port}/ui/\\n  sign in as lead \\(one-time link, 5 minutes\\): (http://127\\.0\\.0\\.1:${srv.port}/ui/login\\?code=\\S+)`).exec(srv.stdout());
      assert.ok(link, srv.stdout());
      const signIn = await fetch(link[1]!, { redirect: "manual" });
      assert.equal(signIn.status, 200, "the printed sign-in link works");
      assert.match(signIn.headers.get("set-cookie") ?? "", /HttpOnly/i);
      assert.ok(srv.url.startsWith("http://127.0.0.1:"));
      const c = await httpClient(srv.url);
      const st = await call(c, "qms_status", { doc_id: "SOP-001", user: "claude" });
      assert.equal(st.isError, undefined, text(st));
      assert.match(text(st), /Title: Demo/);
      await c.close();
      const health = (await (await fetch(srv.url.replace("/mcp", "/healthz"))).json()) as { project: string };
      assert.equal(health.project, "demo");
    } finally {
      assert.equal(await srv.stop(), 0);
    }
    assert.ok(fs.existsSync(path.join(demoRoot, "QMS")));
    assert.ok(!fs.existsSync(path.join(REPO_ROOT, "QMS")), "nothing created in the repo");
    // Second start reuses the demo project (no duplicate sample documents).
    const again = await startServerProcess([...cmd.slice(2), "--port", "0"], { cwd: REPO_ROOT, env });
    await again.stop();
    assert.ok(!fs.existsSync(path.join(demoRoot, "QMS", ".meta", "SOP", "SOP-002.json")));
  });
});

describe("qms mcp command line", () => {
  test("REQ-MCP-011, REQ-MCP-013: project root: --project-root beats QMS_PROJECT_ROOT beats cwd; no project is a clear error", async () => {
    const a = makeHarnessProject();
    const b = makeHarnessProject();
    qms(a, "claude", "create", "SOP", "--title", "In A");
    const env = { QMS_PROJECT_ROOT: b, QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "t.json") };
    const s1 = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", a], { env });
    assert.match(s1.stdout(), new RegExp(`project: ${a}`));
    await s1.stop();
    const s2 = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0"], { env, cwd: a });
    assert.match(s2.stdout(), new RegExp(`project: ${b}`));
    await s2.stop();
    const s3 = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0"], { env: { ...env, QMS_PROJECT_ROOT: "" }, cwd: path.join(a, "QMS") });
    assert.match(s3.stdout(), new RegExp(`project: ${a}\\n`));
    await s3.stop();
    const none = qms(tempDir(), undefined, "mcp", "--transport", "streamable-http", "--port", "0");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no QMS project found.*\n.*--project-root/);
    const bad = qms(a, undefined, "mcp", "--transport", "carrier-pigeon");
    assert.equal(bad.code, 2);
  });

  test("REQ-MCP-011: sse (deprecated) is accepted with a warning and still serves /mcp", async () => {
    const root = makeHarnessProject();
    const srv = await startServerProcess(["mcp", "--transport", "sse", "--port", "0", "--project-root", root], { env: { QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "t.json") } });
    try {
      assert.match(srv.stderr(), /deprecated/);
      const c = await httpClient(srv.url);
      assert.equal((await c.listTools()).tools.length, 23);
      await c.close();
      const { SSEClientTransport } = await import("@modelcontextprotocol/sdk/client/sse.js");
      const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
      const legacy = new Client({ name: "legacy", version: "1" });
      await legacy.connect(new SSEClientTransport(new URL(srv.url.replace("/mcp", "/sse"))));
      const r = await call(legacy, "qms_create", { doc_type: "SOP", title: "Over SSE", user: "claude" });
      assert.match(text(r), /Created: SOP-001/);
      await legacy.close();
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });

  test("SIGTERM while writes are in flight: they finish, the server exits 0, no half-written document", async () => {
    const root = makeHarnessProject();
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root], { env: { QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "t.json") } });
    const body = (i: number): string => JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "qms_create", arguments: { doc_type: "SOP", title: `T${i}`, user: "claude" } } });
    const pending = Array.from({ length: 20 }, (_, i) => rawPost(srv.url, body(i)).catch(() => ({ status: 0, body: "", headers: new Headers() })));
    await new Promise((r) => setTimeout(r, 5));
    const code = await srv.stop();
    const results = await Promise.all(pending);
    assert.equal(code, 0);
    const ok = results.filter((r) => r.status === 200).length;
    const metas = fs.existsSync(path.join(root, "QMS", ".meta", "SOP")) ? fs.readdirSync(path.join(root, "QMS", ".meta", "SOP")).length : 0;
    // Every document that exists is whole (meta, draft, audit, workspace copy); answered creates all exist.
    assert.ok(metas >= ok, `${metas} metas, ${ok} answered`);
    for (let n = 1; n <= metas; n++) {
      const id = `SOP-${String(n).padStart(3, "0")}`;
      JSON.parse(fs.readFileSync(path.join(root, "QMS", ".meta", "SOP", `${id}.json`), "utf8"));
      assert.ok(fs.existsSync(path.join(root, "QMS", "SOP", `${id}-draft.md`)), id);
    }
  });

  test("qms-mcp is an alias of qms mcp", () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "qms-mcp.js"), "--transport", "streamable-http", "--port", "0"], { cwd: tempDir(), encoding: "utf8", env: { ...process.env, QMS_PROJECT_ROOT: "" } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /qms mcp: no QMS project found/);
    const help = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "qms-mcp.js"), "--help"], { encoding: "utf8" });
    assert.match(help.stdout, /--transport <kind>/);
  });

  test("stdio: garbage lines and malformed JSON-RPC do not kill the server", async () => {
    const root = makeHarnessProject();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "qms.js"), "mcp", "--project-root", root], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stdin.write("this is not json\n");
    child.stdin.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"qms_status","arguments":{"doc_id":["x"],"user":"claude"}}}\n');
    child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"qms_create","arguments":{"doc_type":"SOP","title":"Still alive","user":"claude"}}}\n');
    const deadline = Date.now() + 10000;
    while (!/"id":2/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.stdin.end();
    assert.equal(await exited, 0);
    assert.match(out, /"id":1.*"isError":true|"isError":true.*"id":1/);
    assert.match(out, /Created: SOP-001/);
    for (const line of out.split("\n").filter((l) => l.trim() !== "")) JSON.parse(line);
  });
});
