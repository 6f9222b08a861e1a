import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, test } from "node:test";
import { rawPost, startServerProcess } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, QMS_BIN, tempDir } from "./helpers.js";

const INIT = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });

function createToken(root: string, store: string, user: string): string {
  const r = spawnSync(process.execPath, [QMS_BIN, "token", "create", "--user", user, "--project-root", root], { encoding: "utf8", env: { ...process.env, QMS_USER: "", QMS_TOKEN_STORE: store }, input: "" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe("MCP tokens are per project (real server)", () => {
  test("REQ-TOK-001: a server of project B answers 401 to project A's token and 200 to its own, with one shared token store", async () => {
    const a = makeHarnessProject();
    const b = makeHarnessProject();
    const store = path.join(tempDir("qms-store-"), "tokens.json");
    const tokenA = createToken(a, store, "claude");
    const tokenB = createToken(b, store, "claude");
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", b], { env: { QMS_TOKEN_STORE: store } });
    try {
      const variants: Array<Record<string, string>> = [{ authorization: `Bearer ${tokenA}` }, { "x-api-key": tokenA }];
      for (const headers of variants) {
        const r = await rawPost(srv.url, INIT, headers);
        assert.equal(r.status, 401, `${JSON.stringify(Object.keys(headers))}: ${r.body}`);
        assert.match(r.body, /made for another project/);
      }
      assert.equal((await rawPost(srv.url, INIT, { authorization: `Bearer ${tokenB}` })).status, 200);
    } finally {
      await srv.stop();
    }
  });
});
