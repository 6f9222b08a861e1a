import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { makeHarnessProject, QMS_BIN, tempDir } from "./helpers.js";
import { CLAUDE_BIN, fakeBin, freePort, KIT, SENTINEL } from "./fixtures-kit/kit-helpers.js";

// The real Claude Code CLI against the kit's own files, offline (spec real-clients.md §2): a clean environment
// with throwaway HOME / CLAUDE_CONFIG_DIR, the real `qms mcp` server on a loopback port with a real token.
const have = fs.existsSync(CLAUDE_BIN);
if (!have && process.env.CI) throw new Error(`Claude Code not installed at ${CLAUDE_BIN} (scripts/test-tools/mcp.sh)`);

describe("real Claude Code with docker/.mcp.json + docker/claude-settings.json after qms container-entrypoint", { skip: have ? false : `Claude Code not installed (${CLAUDE_BIN})` }, () => {
  let server: ChildProcess;
  let url = "";
  let token = "";
  let store = "";
  let root = "";
  before(async () => {
    root = makeHarnessProject();
    store = path.join(tempDir("qms-kit-cc-store-"), "tokens.json");
    const env = { PATH: process.env.PATH, HOME: tempDir("qms-kit-cc-h-"), QMS_TOKEN_STORE: store };
    const t = spawnSync(process.execPath, [QMS_BIN, "token", "create", "--user", "claude", "--project-root", root], { env, encoding: "utf8" });
    token = /qms_[A-Za-z0-9_-]{20,}/.exec(t.stdout)?.[0] ?? "";
    assert.ok(token, t.stdout + t.stderr);
    const port = await freePort();
    url = `http://127.0.0.1:${port}/mcp`;
    server = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--host", "127.0.0.1", "--port", String(port), "--project-root", root, "--auth", "token"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("qms mcp did not start");
  });
  after(() => {
    server?.kill("SIGTERM");
  });

  function sandbox(mcpFile: string) {
    const t = tempDir("qms-kit-cc-");
    const proj = path.join(t, "workspace");
    fs.mkdirSync(path.join(proj, ".claude"), { recursive: true });
    fs.mkdirSync(path.join(t, "home"));
    fs.copyFileSync(path.join(KIT, mcpFile), path.join(proj, ".mcp.json"));
    fs.copyFileSync(path.join(KIT, "claude-settings.json"), path.join(proj, ".claude", "settings.local.json"));
    // Only the qms shim from the fake bin dir is used (for proxy mode); claude is the real one.
    const shims = fakeBin();
    for (const f of ["docker", "docker-compose", "podman", "claude"]) fs.rmSync(path.join(shims, f));
    const env: NodeJS.ProcessEnv = {
      PATH: `${shims}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: path.join(t, "home"),
      CLAUDE_CONFIG_DIR: path.join(t, "cfg"),
      TERM: "dumb",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      QMS_TOKEN: token,
      QMS_MCP_URL: url,
      QMS_CLAUDE_BIN: CLAUDE_BIN,
    };
    return { t, proj, env };
  }

  async function entrypointSetupOnly(env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
    const child = spawn(process.execPath, [QMS_BIN, "container-entrypoint"], { env: { ...env, SETUP_ONLY: "1" }, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sentinel; stderr: ${err}`)), 30000);
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes(SENTINEL)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (c) => reject(new Error(`entrypoint exited ${c}: ${err}`)));
    });
    child.removeAllListeners("exit");
    await new Promise<void>((resolve) => {
      child.on("exit", () => resolve());
      child.kill("SIGTERM");
    });
    return err;
  }

  const claude = (env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) => {
    const r = spawnSync(CLAUDE_BIN, args, { env, cwd, encoding: "utf8", timeout: 60000 });
    return `${r.stdout}${r.stderr}`;
  };

  it("HTTP mode: claude mcp list shows qms ✔ Connected (project .mcp.json, and the user-scope registration alone)", async () => {
    const s = sandbox(".mcp.json");
    const log = await entrypointSetupOnly(s.env, s.proj);
    assert.match(log, /registered 'qms' at user scope/);
    const list = claude(s.env, s.proj, "mcp", "list");
    assert.match(list, /qms: .* - ✔ Connected/, list);
    assert.doesNotMatch(list, /Pending approval|Failed|Needs authentication/);
    // Outside the project only the user-scope entry the entrypoint registered applies.
    const elsewhere = claude(s.env, s.t, "mcp", "list");
    assert.match(elsewhere, new RegExp(`qms: ${url.replace(/[.]/g, "\\.")} \\(HTTP\\) - ✔ Connected`), elsewhere);
    // The MCP tools the model would see.
    const init = claude({ ...s.env, ENABLE_TOOL_SEARCH: "false" }, s.proj, "-p", "x", "--output-format", "stream-json", "--verbose").split("\n")[0] ?? "";
    const first = JSON.parse(init);
    assert.deepEqual(
      first.mcp_servers.filter((m: { name: string }) => m.name === "qms").map((m: { status: string }) => m.status),
      ["connected"],
    );
    assert.ok(first.tools.includes("mcp__qms__qms_create"), init.slice(0, 400));
  });

  it("proxy mode: the same through `qms proxy` (docker/.mcp.proxy.json, QMS_MCP_MODE=proxy)", async () => {
    const s = sandbox(".mcp.proxy.json");
    const log = await entrypointSetupOnly({ ...s.env, QMS_MCP_MODE: "proxy" }, s.proj);
    assert.match(log, /registered 'qms' at user scope \(proxy/);
    const list = claude(s.env, s.proj, "mcp", "list");
    assert.match(list, /qms: qms proxy .* - ✔ Connected/, list);
    const elsewhere = claude(s.env, s.t, "mcp", "list");
    assert.match(elsewhere, new RegExp(`qms: qms proxy ${url.replace(/[.]/g, "\\.")} - ✔ Connected`), elsewhere);
  });

  it("a wrong token: Claude Code shows the server's 401 explanation (no OAuth), and doctor names it", async () => {
    const s = sandbox(".mcp.json");
    s.env.QMS_TOKEN = "qms_notARealTokennotARealTokennotAReal";
    await entrypointSetupOnly(s.env, s.proj);
    const list = claude(s.env, s.proj, "mcp", "list");
    assert.match(list, /qms: .* - ✘ Failed to connect/, list);
    assert.match(list, /rejected the configured Authorization header \(HTTP 401\)/);
    const d = spawnSync(process.execPath, [QMS_BIN, "doctor", "--from-container"], { env: s.env, cwd: s.proj, encoding: "utf8" });
    assert.equal(d.status, 1);
    assert.match(d.stdout, /\[token-rejected\]/);
  });
});
