import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import { after, describe, test } from "node:test";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { TOOLS } from "../src/mcp/tools.js";
import { Project } from "../src/store/project.js";
import { httpClient, stdioClient } from "./fixtures-mcp/harness.js";
import { makeHarnessProject } from "./helpers.js";

/** Issue 13: requests that could make two checks disagree, or that are malformed, are bad requests. */

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(text));
    let out = "";
    socket.on("data", (d) => {
      out += d.toString();
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("issue 13: bad requests", () => {
  test("a request with two Host headers (one allowed, one not) is refused with 400 and never served", async () => {
    const root = makeHarnessProject();
    roots.push(root);
    const srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none", ui: false });
    try {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
      const twoHosts = await rawRequest(
        srv.port,
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nHost: evil.example\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      assert.match(twoHosts, /^HTTP\/1\.1 400/);
      assert.match(twoHosts, /the host header is sent more than once/);
      assert.doesNotMatch(twoHosts, /qms_status/, "nothing was served");
      const twoTokens = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: a\r\nX-API-Key: b\r\nConnection: close\r\n\r\n`);
      assert.match(twoTokens, /^HTTP\/1\.1 400/);
      const once = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.match(once, /^HTTP\/1\.1 200/);
    } finally {
      await srv.close();
    }
  });

  test("a malformed resource URI is invalid params (-32602), not an internal error", async () => {
    const root = makeHarnessProject();
    roots.push(root);
    const srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none", ui: false, defaultUser: "qa" });
    const client = await httpClient(srv.url);
    try {
      await assert.rejects(client.readResource({ uri: "qms://documents/%E0%A4%A" }), (err: Error & { code?: number }) => {
        assert.equal(err.code, -32602, err.message);
        assert.match(err.message, /Malformed document URI/);
        return true;
      });
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test("REQ-MCP-015 (TS): without token auth (stdio) tools/list marks user as required on every tool", async () => {
    const root = makeHarnessProject();
    roots.push(root);
    const { client } = await stdioClient(root);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, TOOLS.length);
      for (const t of tools) assert.ok((t.inputSchema.required ?? []).includes("user"), `${t.name} requires user`);
    } finally {
      await client.close();
    }
  });
});
