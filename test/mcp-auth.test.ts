import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { call, httpClient, QMS_BIN, rawPost, startServerProcess, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, tempDir } from "./helpers.js";

function qmsEnv(cwd: string, env: Record<string, string>, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, QMS_USER: "", ...env }, input: "" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const INIT = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });

describe("qms token", () => {
  test("create prints the token once, stores only its hash (0600, outside the project); list and revoke", () => {
    const root = makeHarnessProject();
    const store = path.join(tempDir("qms-store-"), "sub", "tokens.json");
    const env = { QMS_TOKEN_STORE: store };
    const c = qmsEnv(root, env, "token", "create", "--user", "qa", "--label", "qa-laptop");
    assert.equal(c.code, 0, c.stderr);
    const token = c.stdout.trim();
    assert.match(token, /^qms_[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    assert.match(c.stderr, /claude mcp add --transport http qms .*Authorization: Bearer/);
    const raw = fs.readFileSync(store, "utf8");
    assert.ok(!raw.includes(token) && !raw.includes(token.slice(4)), "the token itself is never stored");
    assert.equal(fs.statSync(store).mode & 0o777, 0o600);
    const data = JSON.parse(raw) as { projects: Record<string, Array<{ sha256: string; user: string; label: string; created: string }>> };
    const entries = data.projects[fs.realpathSync(root)]!;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.user, "qa");
    assert.match(entries[0]!.sha256, /^[0-9a-f]{64}$/);
    assert.ok(!fs.readdirSync(root).some((f) => f.includes("token")), "nothing written into the project");

    const second = qmsEnv(root, env, "token", "create", "--user", "claude");
    assert.equal(second.code, 0);
    assert.notEqual(second.stdout.trim(), token);
    const list = qmsEnv(root, env, "token", "list");
    assert.equal(list.code, 0);
    assert.match(list.stdout, /qa-laptop/);
    assert.match(list.stdout, /claude/);
    assert.ok(!list.stdout.includes(token));

    assert.equal(qmsEnv(root, env, "token", "create", "--user", "mallory").code, 1, "unknown user refused");
    assert.equal(qmsEnv(root, env, "token", "create", "--user", "qa", "--label", "qa-laptop").code, 1, "duplicate label refused");
    assert.equal(qmsEnv(root, env, "token", "create").code, 1, "--user required");
    const rv = qmsEnv(root, env, "token", "revoke", "qa-laptop");
    assert.equal(rv.code, 0, rv.stdout + rv.stderr);
    assert.match(rv.stdout, /Revoked token/);
    assert.equal(qmsEnv(root, env, "token", "revoke", "qa-laptop").code, 1);
    const id = entries[0]!.sha256.slice(0, 12);
    assert.ok(!qmsEnv(root, env, "token", "list").stdout.includes(id));
  });
});

describe("token authentication over HTTP", () => {
  test("bearer and X-API-Key accepted; missing/bad token gets 401 with instructions and no OAuth challenge; impersonation refused; revocation is immediate", async () => {
    const root = makeHarnessProject();
    const store = path.join(tempDir("qms-store-"), "tokens.json");
    const env = { QMS_TOKEN_STORE: store };
    const claude = qmsEnv(root, env, "token", "create", "--user", "claude").stdout.trim();
    const qa = qmsEnv(root, env, "token", "create", "--user", "qa").stdout.trim();
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root], { env });
    try {
      assert.match(srv.stdout(), /auth: +token/);
      const variants: Array<Record<string, string>> = [{}, { authorization: "Bearer qms_wrong" }, { "x-api-key": "qms_wrong" }, { authorization: `Basic ${claude}` }];
      for (const headers of variants) {
        const r = await rawPost(srv.url, INIT, headers);
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.equal(r.headers.get("www-authenticate"), null);
        assert.match((JSON.parse(r.body) as { message: string }).message, /qms token create --user <name> --project-root .*Authorization: Bearer <token>/);
      }
      assert.equal((await rawPost(srv.url, INIT, { authorization: `Bearer ${claude}` })).status, 200);
      assert.equal((await rawPost(srv.url, INIT, { "x-api-key": claude })).status, 200);
      assert.equal((await rawPost(srv.url, INIT, { authorization: `Bearer ${claude}`, "x-api-key": qa })).status, 401, "two users' tokens at once");

      const c = await httpClient(srv.url, claude);
      const created = await call(c, "qms_create", { doc_type: "SOP", title: "Mine" });
      assert.equal(created.isError, undefined, text(created));
      assert.match(text(created), /Responsible: claude/);
      const same = await call(c, "qms_status", { doc_id: "SOP-001", user: "claude" });
      assert.equal(same.isError, undefined);
      const before = fs.readFileSync(path.join(root, "QMS", ".meta", "SOP", "SOP-001.json"), "utf8");
      const imp = await call(c, "qms_create", { doc_type: "SOP", title: "As QA", user: "qa" });
      assert.equal(imp.isError, true);
      assert.match(text(imp), /Impersonation refused.*'claude'.*'qa'/);
      assert.equal((imp.structuredContent as { code: string }).code, "impersonation");
      assert.ok(!fs.existsSync(path.join(root, "QMS", ".meta", "SOP", "SOP-002.json")));
      assert.equal(fs.readFileSync(path.join(root, "QMS", ".meta", "SOP", "SOP-001.json"), "utf8"), before);
      await c.close();

      const q = await httpClient(srv.url, qa);
      const asQa = await call(q, "qms_status", { doc_id: "SOP-001" });
      assert.equal(asQa.isError, undefined);
      await q.close();

      assert.equal(qmsEnv(root, env, "token", "revoke", "qa").code, 0);
      assert.equal((await rawPost(srv.url, INIT, { "x-api-key": qa })).status, 401, "revoked token refused at once");

      await new Promise((r) => setTimeout(r, 100));
      const log = srv.stderr();
      assert.match(log, /"event":"impersonation_refused".*"user":"claude".*"claimed":"qa"/);
      assert.match(log, /"event":"auth_failed"/);
      for (const t of [claude, qa, claude.slice(4), qa.slice(4)]) assert.ok(!log.includes(t), "no token in the logs");
      assert.ok(!srv.stdout().includes(claude));
    } finally {
      assert.equal(await srv.stop(), 0, "SIGTERM: graceful exit 0");
    }
  });

  test("REQ-MCP-014: the seed's command line works as written when a token exists, and refuses with instructions when none does", async () => {
    const root = makeHarnessProject();
    const sub = path.join(root, "docker");
    fs.mkdirSync(sub);
    const store = path.join(tempDir("qms-store-"), "tokens.json");
    const env = { QMS_TOKEN_STORE: store, QMS_PROJECT_ROOT: "" };
    // Port 0 instead of the seed's 8000 so parallel test files never collide; everything else verbatim.
    const refused = qmsEnv(sub, env, "mcp", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "0", "--project-root", "..");
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no token/);
    assert.match(refused.stderr, new RegExp(`qms token create --user <name> --project-root ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const none = qmsEnv(sub, env, "mcp", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "0", "--project-root", "..", "--auth", "none");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--allow-unauthenticated/);

    const token = qmsEnv(sub, env, "token", "create", "--user", "claude", "--project-root", "..").stdout.trim();
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "0", "--project-root", ".."], { cwd: sub, env });
    try {
      const c = await httpClient(srv.url, token);
      assert.equal((await c.listTools()).tools.length, 23);
      await c.close();
      const viaDocker = await fetch(`http://127.0.0.1:${srv.port}/healthz`, { headers: { host: `host.docker.internal:${srv.port}` } });
      assert.equal(viaDocker.status, 200);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
    const unsafe = await startServerProcess(["mcp", "--transport", "streamable-http", "--host", "0.0.0.0", "--port", "0", "--project-root", root, "--auth", "none", "--allow-unauthenticated"], { env });
    try {
      assert.match(unsafe.stderr(), /WARNING: qms mcp is serving without authentication/);
    } finally {
      await unsafe.stop();
    }
  });
});
