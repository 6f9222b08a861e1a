import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { QMS_BIN, REPO_ROOT, snapshotTree } from "../helpers.js";

export { QMS_BIN, REPO_ROOT };

/** An SDK client over streamable HTTP, optionally sending a token (both header forms, like the seed). */
export async function httpClient(url: string, token?: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "qms-test", version: "1.0.0" });
  const h: Record<string, string> = { ...headers };
  if (token) {
    h.authorization = `Bearer ${token}`;
    h["x-api-key"] = token;
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: h } }));
  return client;
}

/** An SDK client over stdio: spawns `node bin/qms.js mcp --project-root ROOT`. */
export async function stdioClient(root: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string }> {
  const client = new Client({ name: "qms-test", version: "1.0.0" });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [QMS_BIN, "mcp", "--project-root", root, ...extraArgs],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", QMS_TOKEN_STORE: path.join(root, "..", "no-tokens.json"), QMS_HEAD_STORE: process.env.QMS_HEAD_STORE ?? "", ...env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  await client.connect(transport);
  return { client, stderr: () => err };
}

export function text(result: unknown): string {
  const r = result as CallToolResult;
  return (r.content ?? []).map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Run `node bin/qms.js ...args` (args include `mcp --transport streamable-http --port 0 ...`) and wait for its URL. */
export function startServerProcess(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [QMS_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, QMS_USER: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within ${opts.timeoutMs ?? 20000} ms\nstdout:${out}\nstderr:${err}`));
    }, opts.timeoutMs ?? 20000);
    const check = (): void => {
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      resolve({
        child,
        url,
        port: Number(new URL(url).port),
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          return exited;
        },
      });
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening\nstdout:${out}\nstderr:${err}`));
    });
  });
}

/** Raw HTTP POST to an MCP endpoint (for malformed and hostile requests). */
export async function rawPost(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body,
  });
  return { status: r.status, body: await r.text(), headers: r.headers };
}

/** Every file under root with timestamps replaced, for comparing trees made at different times. */
export function normalizedTree(root: string): Map<string, string> {
  return snapshotTree(root, (file) =>
    fs
      .readFileSync(file, "utf8")
      .replace(/"(prev|hash)": "[0-9a-f]{64}"/g, '"$1": "<SHA256>"')
      .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, "<TS>")
      .replace(/\d{4}-\d{2}-\d{2}/g, "<DATE>"),
  );
}
