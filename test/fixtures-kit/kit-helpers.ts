import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { QMS_BIN, REPO_ROOT, tempDir } from "../helpers.js";

export const FIXTURES = path.join(REPO_ROOT, "test", "fixtures-kit");
export const KIT = path.join(REPO_ROOT, "docker");
export const TOOLS_BIN = path.join(REPO_ROOT, ".test-tools", "node_modules", ".bin");
export const CLAUDE_BIN = path.join(TOOLS_BIN, "claude");
export const SENTINEL = "Setup complete. Waiting for docker exec...";

/** A folder of executables: fake docker/docker-compose/podman/claude wrappers plus a `qms` shim. */
export function fakeBin(): string {
  const dir = tempDir("qms-kit-bin-");
  const wrap = (name: string, body: string): void => {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  for (const tool of ["docker", "docker-compose", "podman"]) wrap(tool, `exec "${process.execPath}" "${path.join(FIXTURES, "fake-docker.mjs")}" ${tool} "$@"`);
  wrap("claude", `exec "${process.execPath}" "${path.join(FIXTURES, "fake-claude.mjs")}" "$@"`);
  wrap("qms", `exec "${process.execPath}" "${QMS_BIN}" "$@"`);
  return dir;
}

/** A PATH with only the system folders (no real docker/podman/claude leaking in) after `first`. */
export function isolatedPath(first: string): string {
  const node = path.dirname(process.execPath);
  return [first, node, "/usr/bin", "/bin"].join(":");
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  ms: number;
}

/** Run `node bin/qms.js ...args` with exactly `env` (plus nothing else). */
export function runQms(args: string[], env: NodeJS.ProcessEnv, cwd: string, opts: { input?: string; timeoutMs?: number } = {}): Run {
  const t = Date.now();
  const r = spawnSync(process.execPath, [QMS_BIN, ...args], { cwd, env, encoding: "utf8", input: opts.input ?? "", timeout: opts.timeoutMs ?? 60000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}`, ms: Date.now() - t };
}

/** Same, asynchronously (for tests that serve HTTP from this process meanwhile). */
export function runQmsAsync(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60000): Promise<Run> {
  return new Promise((resolve) => {
    const t = Date.now();
    const child = spawn(process.execPath, [QMS_BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, out: stdout + stderr, ms: Date.now() - t });
    });
  });
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Stub {
  port: number;
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Start test/fixtures-kit/stub-server.mjs; resolves once it listens. */
export async function startStub(env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<Stub> {
  const proc = spawn(process.execPath, [path.join(FIXTURES, "stub-server.mjs"), ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (d) => {
      buf += d;
      const m = /STUB_PORT=(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    proc.on("exit", (c) => reject(new Error(`stub exited ${c}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

export function readJsonLines(file: string): Array<Record<string, unknown>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

/**
 * The test setup (`npm test` runs scripts/install-test-tools.sh first) installs every tool the kit checks use,
 * so a missing one is a failure, never a silent skip.
 */
export function requireTool(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new Error(`${what} not installed (${file}); run scripts/test-tools/kit.sh (npm test runs it in pretest)`);
}

export function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
