import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { startHttpServer, type RunningHttpServer } from "../src/mcp/http.js";
import { Project } from "../src/store/project.js";
import { TokenStore } from "../src/store/tokens.js";
import { CLAUDE_BIN, requireTool, runQms, runQmsAsync } from "./fixtures-kit/kit-helpers.js";
import { makeHarnessProject, QMS_BIN, tempDir } from "./helpers.js";
import { spawnSync } from "node:child_process";

/**
 * `qms doctor --local` against a real Claude Code CLI (its own `claude mcp add` / `claude mcp get`, in a
 * throwaway HOME) and a real QMS server on loopback with token auth.
 */
describe("qms doctor --local: a Claude Code on this machine", () => {
  let root: string;
  let home: string;
  let srv: RunningHttpServer;
  let token: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    root = makeHarnessProject();
    home = tempDir("qms-newuser-home-");
    const store = new TokenStore(path.join(home, "tokens.json"));
    token = store.create(fs.realpathSync(root), "claude", "doctor-test").token;
    srv = await startHttpServer({ project: new Project(root), log: { log: () => undefined }, host: "127.0.0.1", port: 0, auth: "token", store, defaultUser: undefined });
    env = { PATH: process.env.PATH, HOME: home, QMS_CLAUDE_BIN: CLAUDE_BIN, QMS_TOKEN_STORE: path.join(home, "tokens.json") };
  });
  after(async () => {
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  const claude = (...args: string[]): void => {
    const r = spawnSync(CLAUDE_BIN, args, { env, cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
  };

  test("REQ-UX-011: nothing registered: not-registered, with the claude mcp add line carrying both headers", async () => {
    requireTool(CLAUDE_BIN, "Claude Code CLI");
    const r = await runQmsAsync(["doctor", "--local"], env, root);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /^qms doctor --local \(Claude Code on this machine\)/);
    assert.match(r.stdout, /✘ Claude Code registration \[not-registered\]: Claude Code has no MCP server named 'qms'/);
    assert.match(r.stdout, /Fix: Register the running server: claude mcp add --scope user --transport http qms http:\/\/127\.0\.0\.1:8000\/mcp --header "Authorization: Bearer \$QMS_TOKEN" --header "X-API-Key: \$QMS_TOKEN"/);
  });

  test("REQ-UX-011: a registration with a good token passes registration, health, token and a real initialize + tools/list; a wrong token is token-rejected", async () => {
    requireTool(CLAUDE_BIN, "Claude Code CLI");
    claude("mcp", "add", "--scope", "user", "--transport", "http", "qms", srv.url, "--header", `Authorization: Bearer ${token}`, "--header", `X-API-Key: ${token}`);
    const r = await runQmsAsync(["doctor", "--local"], env, root);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, new RegExp(`✔ Claude Code registration: 'qms' registered \\(User config.*\\): http ${srv.url.replace(/[.]/g, "\\.")}, headers Authorization, X-API-Key`));
    assert.match(r.stdout, /✔ server health: .*answered \(qms /);
    assert.match(r.stdout, /✔ token: accepted \(HTTP 200\)/);
    assert.match(r.stdout, /✔ MCP handshake: initialize \+ tools\/list: 23 tools/);
    assert.match(r.stdout, /All links of the chain work/);

    // The default mode, with no agent container set up, says so and checks this local chain: a loopback bind is no fault here.
    const d = await runQmsAsync(["doctor"], env, root);
    assert.equal(d.code, 0, d.out);
    assert.match(d.stdout, /qms doctor \(on the host\): no agent container is set up for this project .* so this checks a Claude Code on this machine/);
    assert.doesNotMatch(d.stdout, /bound-loopback/);

    claude("mcp", "remove", "qms", "-s", "user");
    claude("mcp", "add", "--scope", "user", "--transport", "http", "qms", srv.url, "--header", "Authorization: Bearer qms_wrongwrongwrongwrongwrongwrong");
    const bad = await runQmsAsync(["doctor", "--local"], env, root);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✘ token \[token-rejected\]: The server rejected the registered token \(HTTP 401\)/);
    assert.match(bad.stdout, /Fix: Mint a new one .* claude mcp remove qms -s user && claude mcp add --scope user --transport http qms /);
    claude("mcp", "remove", "qms", "-s", "user");
  });

  test("REQ-UX-011: a stdio registration is checked by starting its command and talking MCP to it", async () => {
    requireTool(CLAUDE_BIN, "Claude Code CLI");
    claude("mcp", "add", "--scope", "user", "qms", "--", process.execPath, QMS_BIN, "mcp", "--project-root", root);
    const r = await runQmsAsync(["doctor", "--local"], env, root);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /✔ Claude Code registration: 'qms' registered \(User config.*\): stdio: /);
    assert.match(r.stdout, /✔ MCP handshake: started .* mcp --project-root .*: initialize \+ tools\/list: 23 tools/);
    assert.doesNotMatch(r.stdout, /server health|✔ token/, "no HTTP links for a stdio server");
    claude("mcp", "remove", "qms", "-s", "user");
  });

  test("REQ-UX-011: no claude program: claude-missing with how to install it; --local and --from-container exclude each other", () => {
    const r = runQms(["doctor", "--local"], { ...env, QMS_CLAUDE_BIN: path.join(home, "no-such-claude") }, root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ Claude Code registration \[claude-missing\]/);
    assert.match(r.stdout, /Fix: Install Claude Code/);
    assert.equal(runQms(["doctor", "--local", "--from-container"], env, root).code, 2);
  });
});
