import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { startHttpServer, type RunningHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { TokenStore } from "../src/store/tokens.js";
import { QMS_BIN } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, tempDir } from "./helpers.js";
import { INSPECTOR_CLI, INSTALL_HINT, runInspector } from "./real-clients.js";

/** MCP Inspector CLI v1 (a second, independent client) lists and calls tools over both transports. */
describe("MCP inspector CLI", () => {
  let root: string;
  let srv: RunningHttpServer;
  let token: string;
  let storeFile: string;

  before(async () => {
    assert.ok(fs.existsSync(INSPECTOR_CLI), `inspector CLI missing: ${INSTALL_HINT}`);
    root = makeHarnessProject();
    storeFile = path.join(tempDir("qms-store-"), "tokens.json");
    const store = new TokenStore(storeFile);
    token = store.create(root, "claude", "inspector").token;
    srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "token", store });
  });
  after(async () => {
    await srv?.close();
  });

  test("REQ-MCP-011: over HTTP with a token: tools/list and tools/call", async () => {
    const list = await runInspector(["--cli", srv.url, "--transport", "http", "--header", `X-API-Key: ${token}`, "--method", "tools/list"]);
    assert.equal(list.code, 0, list.out);
    const tools = (JSON.parse(list.stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    assert.equal(tools.length, 23);
    assert.ok(tools.includes("qms_create"));
    const created = await runInspector(["--cli", srv.url, "--transport", "http", "--header", `Authorization: Bearer ${token}`, "--method", "tools/call", "--tool-name", "qms_create", "--tool-arg", "doc_type=SOP", "--tool-arg", "title=From the inspector"]);
    assert.equal(created.code, 0, created.out);
    assert.match(created.stdout, /Created: SOP-001/);
    const bad = await runInspector(["--cli", srv.url, "--transport", "http", "--header", "X-API-Key: qms_nope", "--method", "tools/list"]);
    assert.notEqual(bad.code, 0, bad.out);
  });

  test("REQ-MCP-011: over stdio: tools/call", async () => {
    const r = await runInspector(["--cli", process.execPath, QMS_BIN, "mcp", "--project-root", root, "--method", "tools/call", "--tool-name", "qms_create", "--tool-arg", "doc_type=CR", "--tool-arg", "title=Inspector stdio", "--tool-arg", "user=claude"], { env: { QMS_TOKEN_STORE: storeFile } });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Created: CR-001/);
    assert.ok(fs.existsSync(path.join(root, "QMS", ".meta", "CR", "CR-001.json")));
  });
});
