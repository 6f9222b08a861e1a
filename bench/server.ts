/**
 * A real `qms mcp` server process for the benchmarks (streamable HTTP, `--auth none`, loopback, port 0) and a
 * keep-alive JSON-RPC client for it. QMS_MCP_BENCH=1 registers the no-op tool; the server's log goes nowhere.
 */
import { spawn } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { QMS_BIN } from "../test/helpers.js";

export interface BenchServer {
  url: URL;
  stop: () => Promise<void>;
}

export async function startServer(root: string): Promise<BenchServer> {
  const prof = process.env.QMS_BENCH_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.QMS_BENCH_PROF] : [];
  const child = spawn(process.execPath, [...prof, QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { ...process.env, QMS_MCP_BENCH: "1", QMS_USER: "", QMS_TOKEN_STORE: path.join(root, "..", "bench-tokens.json") },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]!));
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let rpcId = 0;

/** One `tools/call`: its wall time and whether the tool succeeded (HTTP 200 and not `isError`). */
export async function callTool(agent: http.Agent, url: URL, tool: string, args: Record<string, unknown>): Promise<{ ms: number; ok: boolean; text: string }> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "tools/call", params: { name: tool, arguments: args } });
  const s = performance.now();
  const r = await post(agent, url, body);
  const ms = performance.now() - s;
  return { ms, ok: r.status === 200 && !r.text.includes('"isError":true'), text: r.text };
}
