import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { QMS_BIN, type ServerProcess, startServerProcess } from "./fixtures-mcp/harness.js";
import { startMessagesMock } from "./fixtures-mcp/messages-mock.js";
import { makeHarnessProject, qms, tempDir } from "./helpers.js";
import { claudeAvailable, INSTALL_HINT, makeClaudeHome, runClaude } from "./real-clients.js";

/** The real Claude Code CLI (real-clients.md §2), offline, against our server. */
describe("real Claude Code CLI", () => {
  let root: string;
  let storeFile: string;
  let token: string;
  let srv: ServerProcess;

  before(async () => {
    assert.ok(claudeAvailable(), `Claude Code CLI missing: ${INSTALL_HINT}`);
    root = makeHarnessProject();
    storeFile = path.join(tempDir("qms-store-"), "tokens.json");
    const env = { ...process.env, QMS_TOKEN_STORE: storeFile };
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [QMS_BIN, "token", "create", "--user", "claude", "--project-root", root], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    token = r.stdout.trim();
    assert.match(token, /^qms_[A-Za-z0-9_-]{43}$/);
    srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root], { env: { QMS_TOKEN_STORE: storeFile } });
  });
  after(async () => {
    await srv?.stop();
  });

  test("claude mcp add (http, X-API-Key + Authorization) then mcp list shows ✔ Connected", async () => {
    const home = makeClaudeHome();
    const add = await runClaude(["mcp", "add", "--transport", "http", "qms", srv.url, "--header", `X-API-Key: ${token}`, "--header", `Authorization: Bearer ${token}`, "--scope", "user"], { home });
    assert.equal(add.code, 0, add.out);
    const list = await runClaude(["mcp", "list"], { home });
    assert.match(list.out, new RegExp(`qms: ${srv.url.replace(/[.]/g, "\\.")} \\(HTTP\\) - ✔ Connected`), list.out);
    assert.doesNotMatch(srv.stderr(), new RegExp(token), "the token never appears in the server log");
  });

  test("a wrong token shows our 401 message, not an OAuth error", async () => {
    const home = makeClaudeHome();
    await runClaude(["mcp", "add", "--transport", "http", "qms", srv.url, "--header", "X-API-Key: qms_wrong", "--header", "Authorization: Bearer qms_wrong", "--scope", "user"], { home });
    const list = await runClaude(["mcp", "list"], { home });
    const line = list.out.split("\n").find((l) => l.startsWith("qms:")) ?? "";
    assert.match(line, /✘ Failed to connect/, list.out);
    assert.match(line, /qms token create --user/, list.out);
    assert.doesNotMatch(line, /Dynamic Client Registration/, list.out);
    // With only X-API-Key Claude Code falls into OAuth discovery: the /register body we serve is what it shows.
    const home2 = makeClaudeHome();
    await runClaude(["mcp", "add", "--transport", "http", "qms", srv.url, "--header", "X-API-Key: qms_wrong", "--scope", "user"], { home: home2 });
    const list2 = await runClaude(["mcp", "list"], { home: home2 });
    assert.match(list2.out, /qms:.*✘.*(does not use OAuth|qms token create)/, list2.out);
  });

  test("stdio registration connects", async () => {
    const home = makeClaudeHome();
    const add = await runClaude(["mcp", "add", "qms-stdio", "--scope", "user", "--", process.execPath, QMS_BIN, "mcp", "--project-root", root], { home });
    assert.equal(add.code, 0, add.out);
    const list = await runClaude(["mcp", "list"], { home });
    assert.match(list.out, /qms-stdio: .* - ✔ Connected/, list.out);
  });

  for (const transport of ["http", "stdio"] as const) {
    test(`claude -p makes a real tools/call of qms_create over ${transport} (loopback Messages API stand-in)`, async () => {
      const title = `Created by Claude Code over ${transport}`;
      const input: Record<string, unknown> = { doc_type: transport === "http" ? "SOP" : "CR", title };
      if (transport === "stdio") input.user = "claude";
      const mock = await startMessagesMock("mcp__qms__qms_create", input);
      try {
        const home = makeClaudeHome();
        const server =
          transport === "http"
            ? { type: "http", url: srv.url, headers: { "X-API-Key": token, Authorization: `Bearer ${token}` } }
            : { type: "stdio", command: process.execPath, args: [QMS_BIN, "mcp", "--project-root", root], env: { QMS_TOKEN_STORE: storeFile } };
        const cfg = path.join(home.dir, "mcp.json");
        fs.writeFileSync(cfg, JSON.stringify({ mcpServers: { qms: server } }));
        const r = await runClaude(
          ["-p", "Create the document", "--output-format", "json", "--mcp-config", cfg, "--strict-mcp-config", "--allowedTools", "mcp__qms__qms_create"],
          { home, env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: "dummy-local-mock", ENABLE_TOOL_SEARCH: "false" }, timeoutMs: 60000 },
        );
        assert.equal(r.code, 0, r.out);
        const result = JSON.parse(r.stdout) as { is_error: boolean; result: string; permission_denials?: unknown[] };
        assert.equal(result.is_error, false, r.stdout);
        assert.match(result.result, /TOOL RESULT: .*Created: (SOP|CR)-\d{3}/, r.stdout);
        const id = /Created: ((?:SOP|CR)-\d{3})/.exec(result.result)![1]!;
        assert.equal(mock.toolResults.length, 1, "exactly one tool_result went back to the model");
        const status = qms(root, "claude", "status", id);
        assert.equal(status.code, 0, status.out);
        assert.match(status.stdout, new RegExp(`Title: ${title}`));
        if (transport === "http") assert.match(srv.stderr(), /"tool":"qms_create".*"outcome":"ok"/);
      } finally {
        await mock.close();
      }
    });
  }
});
