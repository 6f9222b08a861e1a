import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { QMS_BIN, REPO_ROOT, tempDir } from "./helpers.js";
import { fakeBin, freePort, isolatedPath, readJsonLines, runQms, runQmsAsync, SENTINEL, type Stub, startStub } from "./fixtures-kit/kit-helpers.js";

const TOKEN_A = "qms_tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const TOKEN_B = "qms_tokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

describe("qms container-entrypoint (run directly, fake claude, temp config dir)", () => {
  let stub: Stub;
  let bin: string;
  before(async () => {
    stub = await startStub();
    bin = fakeBin();
  });
  after(async () => {
    await stub.stop();
  });

  function setup(): { proj: string; cfg: string; log: string; env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv } {
    const root = tempDir("qms-kit-ep-");
    const proj = path.join(root, "workspace");
    const cfg = path.join(root, "claude-config");
    fs.mkdirSync(path.join(proj, ".claude"), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, "docker", ".mcp.json"), path.join(proj, ".mcp.json"));
    fs.copyFileSync(path.join(REPO_ROOT, "docker", "claude-settings.json"), path.join(proj, ".claude", "settings.local.json"));
    const log = path.join(root, "claude-calls.jsonl");
    const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      PATH: isolatedPath(bin),
      HOME: root,
      CLAUDE_CONFIG_DIR: cfg,
      FAKE_CLAUDE_LOG: log,
      QMS_MCP_URL: stub.url,
      QMS_TOKEN: TOKEN_A,
      QMS_WAIT_SECONDS: "5",
      ...extra,
    });
    return { proj, cfg, log, env };
  }

  const mcpCalls = (log: string) => readJsonLines(log).map((c) => (c.argv as string[]).slice(0, 2).join(" "));

  it("registers once with both headers, trusts the project, then runs claude with the arguments", () => {
    const s = setup();
    const r1 = runQms(["container-entrypoint", "--", "--model", "x", "-p", "hello world"], s.env(), s.proj);
    assert.equal(r1.code, 0, r1.out);
    const calls = readJsonLines(s.log);
    assert.equal(calls.length, 2, JSON.stringify(calls));
    assert.deepEqual(calls[0]!.argv, [
      "mcp",
      "add",
      "--transport",
      "http",
      "--scope",
      "user",
      "qms",
      stub.url,
      "--header",
      `X-API-Key: ${TOKEN_A}`,
      "--header",
      `Authorization: Bearer ${TOKEN_A}`,
    ]);
    assert.deepEqual(calls[1]!.argv, ["--model", "x", "-p", "hello world"], "claude gets the arguments unchanged");
    assert.match(r1.stdout, /fake claude ran with/);
    const cj = JSON.parse(fs.readFileSync(path.join(s.cfg, ".claude.json"), "utf8"));
    assert.equal(cj.projects[s.proj].hasTrustDialogAccepted, true);
    assert.equal(cj.mcpServers.qms.headers["X-API-Key"], TOKEN_A);
    const marker = fs.readFileSync(path.join(s.cfg, ".qms-mcp-registration.json"), "utf8");
    assert.doesNotMatch(marker, new RegExp(TOKEN_A), "the marker holds a fingerprint, never the token");
    assert.match(marker, /"fingerprint": "[0-9a-f]{64}"/);
    assert.ok(fs.existsSync(path.join(s.cfg, "debug")), "debug/ exists (Claude Code expects it)");
    assert.doesNotMatch(r1.stderr, new RegExp(TOKEN_A), "the token is never logged");

    // Second run, same URL and token: no registration.
    const r2 = runQms(["container-entrypoint"], s.env(), s.proj);
    assert.equal(r2.code, 0, r2.out);
    assert.deepEqual(mcpCalls(s.log), ["mcp add", "--model x", ""], "no second mcp add; claude ran with no arguments");
    assert.match(r2.stderr, /already registered/);
  });

  it("re-registers when the token changes (remove, then add) and never leaves duplicates", () => {
    const s = setup();
    assert.equal(runQms(["container-entrypoint", "--", "--version"], s.env(), s.proj).code, 0);
    const r = runQms(["container-entrypoint", "--", "--version"], s.env({ QMS_TOKEN: TOKEN_B }), s.proj);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /changed: re-registering/);
    const calls = readJsonLines(s.log).map((c) => c.argv as string[]);
    assert.deepEqual(
      calls.map((a) => a.slice(0, 2).join(" ")),
      ["mcp add", "--version", "mcp remove", "mcp add", "--version"],
    );
    assert.ok(calls[3]!.includes(`Authorization: Bearer ${TOKEN_B}`));
    const cj = JSON.parse(fs.readFileSync(path.join(s.cfg, ".claude.json"), "utf8"));
    assert.deepEqual(Object.keys(cj.mcpServers), ["qms"]);
    assert.equal(cj.mcpServers.qms.headers.Authorization, `Bearer ${TOKEN_B}`);
    // A changed URL re-registers too.
    const r3 = runQms(["container-entrypoint", "--", "--version"], s.env({ QMS_TOKEN: TOKEN_B, QMS_MCP_URL: `${stub.url}/` }), s.proj);
    assert.equal(r3.code, 0);
    assert.match(r3.stderr, /already registered/, "a trailing slash is the same URL");
  });

  it("clears stale qms entries left in .claude.json by older runs, keeping everything else", () => {
    const s = setup();
    fs.mkdirSync(s.cfg, { recursive: true });
    fs.writeFileSync(
      path.join(s.cfg, ".claude.json"),
      JSON.stringify({
        oauthAccount: { emailAddress: "a@b.c" },
        mcpServers: { other: { type: "http", url: "http://x/mcp" } },
        projects: {
          "/pipe-dream": { mcpServers: { qms: { type: "http", url: "http://old:8000/mcp" }, git: { type: "http", url: "http://g" } }, disabledMcpjsonServers: ["qms"], history: [1] },
        },
      }),
    );
    const r = runQms(["container-entrypoint", "--", "--version"], s.env(), s.proj);
    assert.equal(r.code, 0, r.out);
    const cj = JSON.parse(fs.readFileSync(path.join(s.cfg, ".claude.json"), "utf8"));
    assert.equal(cj.oauthAccount.emailAddress, "a@b.c", "login info kept");
    assert.deepEqual(Object.keys(cj.projects["/pipe-dream"].mcpServers), ["git"]);
    assert.deepEqual(cj.projects["/pipe-dream"].disabledMcpjsonServers, []);
    assert.deepEqual(cj.projects["/pipe-dream"].history, [1]);
    assert.deepEqual(Object.keys(cj.mcpServers).sort(), ["other", "qms"]);
    assert.match(r.stderr, /removed stale 'qms' entries .*\/pipe-dream/);
    // A user-scope qms registered by someone else (no marker) is replaced, not duplicated.
    const s2 = setup();
    fs.mkdirSync(s2.cfg, { recursive: true });
    fs.writeFileSync(path.join(s2.cfg, ".claude.json"), JSON.stringify({ mcpServers: { qms: { type: "http", url: "http://stale/mcp", headers: {} } } }));
    const r2 = runQms(["container-entrypoint", "--", "--version"], s2.env(), s2.proj);
    assert.equal(r2.code, 0, r2.out);
    assert.deepEqual(mcpCalls(s2.log).slice(0, 2), ["mcp remove", "mcp add"]);
    assert.equal(JSON.parse(fs.readFileSync(path.join(s2.cfg, ".claude.json"), "utf8")).mcpServers.qms.url, stub.url);
  });

  it("handles a corrupt .claude.json with a warning: backs it up and starts fresh", () => {
    const s = setup();
    fs.mkdirSync(s.cfg, { recursive: true });
    fs.writeFileSync(path.join(s.cfg, ".claude.json"), '{"projects": {"/x": ');
    const r = runQms(["container-entrypoint", "--", "--version"], s.env(), s.proj);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /WARNING: .*\.claude\.json was not valid JSON; moved it to .*\.claude\.json\.corrupt-/);
    const backups = fs.readdirSync(s.cfg).filter((f) => f.startsWith(".claude.json.corrupt-"));
    assert.equal(backups.length, 1);
    assert.equal(fs.readFileSync(path.join(s.cfg, backups[0]!), "utf8"), '{"projects": {"/x": ');
    const cj = JSON.parse(fs.readFileSync(path.join(s.cfg, ".claude.json"), "utf8"));
    assert.equal(cj.projects[s.proj].hasTrustDialogAccepted, true);
    assert.ok(cj.mcpServers.qms);
  });

  it("honours the total deadline (QMS_WAIT_SECONDS) within 1 s and exits non-zero naming the URL and causes", async () => {
    const s = setup();
    const dead = await freePort();
    const r = runQms(["container-entrypoint"], s.env({ QMS_MCP_URL: `http://127.0.0.1:${dead}/mcp`, QMS_WAIT_SECONDS: "2" }), s.proj);
    assert.equal(r.code, 3, r.out);
    assert.ok(r.ms >= 2000 && r.ms < 3000 + 400, `took ${r.ms} ms`); // node start-up is the extra
    assert.match(r.stderr, new RegExp(`did not answer at http://127.0.0.1:${dead}/healthz within 2s`));
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.match(r.stderr, /not started on the host/);
    assert.match(r.stderr, /bound to 127\.0\.0\.1 only/);
    assert.match(r.stderr, /host-gateway/);
    assert.deepEqual(readJsonLines(s.log), [], "claude never ran");

    // A server that accepts connections but never answers: each probe is cut to the time left.
    const hang = net.createServer(() => {});
    await new Promise<void>((res) => hang.listen(0, "127.0.0.1", () => res()));
    const port = (hang.address() as net.AddressInfo).port;
    const r2 = await runQmsAsync(["container-entrypoint"], s.env({ QMS_MCP_URL: `http://127.0.0.1:${port}/mcp`, QMS_WAIT_SECONDS: "3" }), s.proj);
    hang.close();
    assert.equal(r2.code, 3, r2.out);
    assert.ok(r2.ms >= 3000 && r2.ms < 4000 + 400, `took ${r2.ms} ms`);
    assert.match(r2.stderr, /ETIMEDOUT|timed out/);
  });

  it("QMS_WAIT_MODE=warn goes on after the deadline; a missing token is a clear error", async () => {
    const s = setup();
    const dead = await freePort();
    const r = runQms(["container-entrypoint", "--", "--version"], s.env({ QMS_MCP_URL: `http://127.0.0.1:${dead}/mcp`, QMS_WAIT_SECONDS: "1", QMS_WAIT_MODE: "warn" }), s.proj);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /WARNING \(QMS_WAIT_MODE=warn/);
    const r2 = runQms(["container-entrypoint"], s.env({ QMS_TOKEN: "" }), s.proj);
    assert.equal(r2.code, 4);
    assert.match(r2.stderr, /QMS_TOKEN is empty/);
    const r3 = runQms(["container-entrypoint"], s.env({ QMS_MCP_MODE: "carrier-pigeon" }), s.proj);
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /QMS_MCP_MODE must be 'http' or 'proxy'/);
  });

  it("fails (exit 5) with claude's own message when registration fails", () => {
    const s = setup();
    // No claude on PATH at all: the add fails and the entrypoint stops with its error.
    const r = runQms(["container-entrypoint"], s.env({ PATH: isolatedPath(tempDir("qms-empty-bin-")) }), s.proj);
    assert.equal(r.code, 5, r.out);
    assert.match(r.stderr, /claude mcp add failed .*claude: spawnSync claude ENOENT/);
  });

  it("proxy mode registers a stdio `qms proxy` server with the token in its env", () => {
    const s = setup();
    const r = runQms(["container-entrypoint", "--", "--version"], s.env({ QMS_MCP_MODE: "proxy" }), s.proj);
    assert.equal(r.code, 0, r.out);
    const add = readJsonLines(s.log)[0]!.argv as string[];
    assert.deepEqual(add, ["mcp", "add", "--scope", "user", "qms", "-e", `QMS_TOKEN=${TOKEN_A}`, "--", "qms", "proxy", stub.url]);
    // Switching back to http is a change of fingerprint.
    const r2 = runQms(["container-entrypoint", "--", "--version"], s.env(), s.proj);
    assert.match(r2.stderr, /re-registering/);
  });

  it("SETUP_ONLY=1 prints the sentinel, waits, and exits 0 on SIGTERM", async () => {
    const s = setup();
    const child = spawn(process.execPath, [QMS_BIN, "container-entrypoint"], { cwd: s.proj, env: s.env({ SETUP_ONLY: "1" }), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sentinel: ${out}`)), 15000);
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes(SENTINEL)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.equal(out.trim(), SENTINEL, "stdout carries exactly the sentinel line");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, "still waiting");
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
    assert.deepEqual(mcpCalls(s.log), ["mcp add"], "claude itself is not started");
  });

  it("docker/entrypoint.sh hands everything to `qms container-entrypoint`", () => {
    const s = setup();
    const r = spawnSh(path.join(REPO_ROOT, "docker", "entrypoint.sh"), ["--resume", "a b"], s.env(), s.proj);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(readJsonLines(s.log).at(-1)!.argv, ["--resume", "a b"]);
  });
});

function spawnSh(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): { code: number; out: string } {
  const r = spawnSync("sh", [script, ...args], { env, cwd, encoding: "utf8", timeout: 30000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
