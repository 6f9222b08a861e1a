#!/usr/bin/env node
// A small stand-in for the QMS MCP server (streamable HTTP, stateless) for kit tests.
// Listens on 127.0.0.1:<--port or 0>; prints "STUB_PORT=<n>" on stdout once listening.
// Env: STUB_TOKEN (require Bearer/X-API-Key = it; 401 JSON otherwise), STUB_LOG (append each request as a JSON line).
// Methods: initialize → JSON; notifications/* → 202; tools/list → SSE with a log notification and a reply whose
// data is split over several lines; tools/call name=echo → JSON (arguments.delayMs waits first),
// name=fail500 → 500 text, name=fail503rpc → 503 with a JSON-RPC error body, name=sse → SSE with progress + reply;
// ping → JSON. GET /healthz → {name:"qms", ...}; GET/DELETE /mcp → 405.
import * as fs from "node:fs";
import * as http from "node:http";

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const port = Number(opt("--port", process.env.STUB_PORT ?? "0"));
const host = opt("--host", "127.0.0.1") === "0.0.0.0" ? "127.0.0.1" : opt("--host", "127.0.0.1");
const token = process.env.STUB_TOKEN;
const started = Date.now();

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/healthz") return json(res, 200, { name: "qms", version: "stub", project: "stub-project", uptime_s: Math.round((Date.now() - started) / 1000) });
    if (url.pathname !== "/mcp") return json(res, 404, { error: "not_found" });
    if (req.method !== "POST") return json(res, 405, { error: "method_not_allowed" });
    if (token) {
      const bearer = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      if (bearer !== token && req.headers["x-api-key"] !== token) return json(res, 401, { error: "unauthorized", message: "Missing or invalid token: set QMS_TOKEN (qms token create --user NAME)." });
    }
    let msg;
    try {
      msg = JSON.parse(body);
    } catch {
      if (process.env.STUB_LOG) fs.appendFileSync(process.env.STUB_LOG, `${JSON.stringify({ unparsable: body.slice(0, 200), t: Date.now() })}\n`);
      return json(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    if (process.env.STUB_LOG) {
      fs.appendFileSync(process.env.STUB_LOG, `${JSON.stringify({ method: msg.method, id: msg.id, name: msg.params?.name, pv: req.headers["mcp-protocol-version"] ?? null, auth: req.headers.authorization ?? null, key: req.headers["x-api-key"] ?? null, t: Date.now() })}\n`);
    }
    const id = msg.id;
    if (msg.method === undefined || id === undefined) {
      res.writeHead(202);
      return res.end();
    }
    switch (msg.method) {
      case "initialize":
        return json(res, 200, {
          jsonrpc: "2.0",
          id,
          result: { protocolVersion: msg.params?.protocolVersion ?? "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "qms", version: "stub" } },
        });
      case "ping":
        return json(res, 200, { jsonrpc: "2.0", id, result: {} });
      case "tools/list": {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write(`: comment\nevent: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "listing" } })}\n\n`);
        const reply = JSON.stringify({ jsonrpc: "2.0", id, result: { tools: [{ name: "echo", inputSchema: { type: "object" } }, { name: "qms_status", inputSchema: { type: "object" } }] } }, null, 1);
        // One event, its data spread over several `data:` lines (joined with \n by the reader).
        res.write(`${reply.split("\n").map((l) => `data: ${l}`).join("\r\n")}\r\n\r\n`);
        return res.end();
      }
      case "tools/call": {
        const name = msg.params?.name;
        const a = msg.params?.arguments ?? {};
        if (a.delayMs) await new Promise((r) => setTimeout(r, Number(a.delayMs)));
        if (name === "fail500") {
          res.writeHead(500, { "content-type": "text/plain" });
          return res.end("internal boom");
        }
        if (name === "fail503rpc") return json(res, 503, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "overloaded" } });
        if (name === "sse") {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write(`data: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } })}\n\n`);
          await new Promise((r) => setTimeout(r, 20));
          res.write(`data: ${JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "sse done" }] } })}\n\n`);
          return res.end();
        }
        return json(res, 200, { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `echo ${JSON.stringify(a)}` }] } });
      }
      default:
        return json(res, 200, { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
    }
  });
});
server.listen(port, host, () => {
  process.stdout.write(`STUB_PORT=${server.address().port}\n`);
});
server.on("error", (e) => {
  process.stderr.write(`stub: ${e.code === "EADDRINUSE" ? `port ${port} is already in use (EADDRINUSE)` : e.message}\n`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
