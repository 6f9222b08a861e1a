import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { lastLines } from "./exec.js";
import { probeHealth, waitForHealth } from "./http.js";
import { PACKAGE_ROOT } from "./kit.js";
import { listeningAddresses, onlyLoopback } from "./listening.js";
import { SessionError, secs } from "./progress.js";
import { processAlive } from "../store/lock.js";

/**
 * The detached `qms mcp` server the launcher starts: its pid, log and info files live in the project's state run
 * dir (outside the project), so `session down` can stop exactly the process `session up` started.
 */
export interface ServerInfo {
  pid: number;
  host: string;
  port: number;
  started: string;
  log: string;
  project: string;
}

export interface ServerRequest {
  root: string;
  runDir: string;
  env: NodeJS.ProcessEnv;
  port: number;
  bind: string;
  timeoutS: number;
  /** The agent shares the host's network, so a loopback-bound server is fine. */
  hostNetwork: boolean;
}

type Note = (line: string) => void;

const files = (runDir: string) => ({ pid: path.join(runDir, "server.pid"), info: path.join(runDir, "server.json"), log: path.join(runDir, "server.log") });

function readServerInfo(runDir: string): ServerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(files(runDir).info, "utf8")) as ServerInfo;
  } catch {
    return undefined;
  }
}

function readPid(runDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(files(runDir).pid, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function forgetServer(runDir: string): void {
  fs.rmSync(files(runDir).pid, { force: true });
  fs.rmSync(files(runDir).info, { force: true });
}

/** Is `pid` still the server we started (guards against pid reuse: its command line must mention `mcp`)? */
function isOurServer(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.includes("mcp") || cmdline.some((a) => a.includes("qms"));
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

/** What the run dir says about the server: the recorded pid, whether that is still our server, its info file. */
export function recordedServer(runDir: string): { pid?: number; ours: boolean; info?: ServerInfo } {
  const pid = readPid(runDir);
  return { pid, ours: pid !== undefined && isOurServer(pid), info: readServerInfo(runDir) };
}

function serverCommand(env: NodeJS.ProcessEnv): string[] {
  const raw = env.QMS_SERVER_COMMAND?.trim();
  if (raw) {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed) || parsed.length === 0) throw new SessionError("QMS_SERVER_COMMAND must be a JSON array (argv prefix).", 2);
    return parsed.map(String);
  }
  return [process.execPath, path.join(PACKAGE_ROOT, "bin", "qms.js")];
}

/** A healthy server on the port: reuse it (ours or not), warning when it cannot serve this project's container. */
function reuseRunning(r: ServerRequest, project: unknown, note: Note): { value: ServerInfo | undefined; detail: string } {
  const { pid, ours, info } = recordedServer(r.runDir);
  const name = path.basename(r.root);
  if (typeof project === "string" && project && project !== name) note(`warning: the server on port ${r.port} serves project '${project}', not '${name}'`);
  const addrs = listeningAddresses(r.port);
  if (!r.hostNetwork && addrs && onlyLoopback(addrs)) {
    note(`warning: the server listens on ${addrs.join(", ")} only; a container on Docker's network cannot reach it (restart it with --host 0.0.0.0, or run qms session down first)`);
  }
  return { value: ours ? info : undefined, detail: `already running on port ${r.port}${ours ? ` (pid ${pid}, started by qms session)` : ""}` };
}

/** Start `qms mcp` detached, logging to the run dir; resolves once it is healthy, else stops it and explains. */
async function startServer(r: ServerRequest, health: string, note: Note): Promise<{ value: ServerInfo; detail: string }> {
  const f = files(r.runDir);
  fs.mkdirSync(r.runDir, { recursive: true, mode: 0o700 });
  const fd = fs.openSync(f.log, "a");
  const argv = [...serverCommand(r.env), "mcp", "--transport", "streamable-http", "--host", r.bind, "--port", String(r.port), "--project-root", r.root, "--auth", "token"];
  fs.writeSync(fd, `--- ${new Date().toISOString()} qms session: starting ${argv.slice(1).join(" ")}\n`);
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", fd, fd], cwd: r.root, env: { ...r.env, QMS_MCP_LOG: r.env.QMS_MCP_LOG ?? "1" } });
  fs.closeSync(fd);
  let exited: string | undefined;
  child.on("exit", (code, sig) => {
    exited = sig ? `signal ${sig}` : `exit code ${code}`;
  });
  child.on("error", (e) => {
    exited = e.message;
  });
  child.unref();
  const pid = child.pid ?? 0;
  fs.writeFileSync(f.pid, `${pid}\n`);
  const info: ServerInfo = { pid, host: r.bind, port: r.port, started: new Date().toISOString(), log: f.log, project: r.root };
  fs.writeFileSync(f.info, `${JSON.stringify(info, null, 2)}\n`);
  note(`started pid ${pid}, log ${path.relative(r.root, f.log)}`);
  const waited = await waitForHealth(health, r.timeoutS * 1000, { intervalMs: 200, stopEarly: () => exited });
  if (waited.probe.ok) return { value: info, detail: `started on ${r.bind}:${r.port} (pid ${pid}, healthy after ${secs(waited.elapsedMs)})` };
  if (exited === undefined && pid > 0 && processAlive(pid)) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  forgetServer(r.runDir);
  throw startFailure(r, health, f.log, exited);
}

function startFailure(r: ServerRequest, health: string, log: string, exited: string | undefined): SessionError {
  const logText = fs.readFileSync(log, "utf8");
  if (/EADDRINUSE|already in use/i.test(logText)) {
    return new SessionError(`Port ${r.port} is already in use by another program (the server could not bind it). Stop that program or pick another port (--port). Log: ${log}\n${lastLines(logText, 5)}`);
  }
  if (exited !== undefined) return new SessionError(`The MCP server exited during start-up (${exited}). Log: ${log}\n${lastLines(logText)}`);
  return new SessionError(`The MCP server did not become healthy at ${health} within ${r.timeoutS}s; stopped it. Log: ${log}\n${lastLines(logText)}`);
}

/** A QMS server answering on the port (reused), or one started now; a foreign program on the port is an error. */
export async function ensureServer(r: ServerRequest, note: Note): Promise<{ value: ServerInfo | undefined; detail: string }> {
  const health = `http://127.0.0.1:${r.port}/healthz`;
  const first = await probeHealth(health, 2000);
  if (first.ok) return reuseRunning(r, first.body?.project, note);
  if (first.status !== undefined) {
    throw new SessionError(
      `Port ${r.port} is held by another program: GET /healthz answered HTTP ${first.status} (${(first.text ?? "").slice(0, 80).replace(/\s+/g, " ")}), not the QMS server. Stop that program or pick another port (--port).`,
    );
  }
  return startServer(r, health, note);
}

/** Stop the server `session up` started (by its pid file); a line saying what happened. */
export async function stopServer(runDir: string): Promise<string> {
  const { pid, ours } = recordedServer(runDir);
  if (pid === undefined) return "server: not started by qms session (nothing to stop)";
  if (!ours) {
    forgetServer(runDir);
    return `server: not running (removed the stale pid file for ${pid})`;
  }
  process.kill(pid, "SIGTERM");
  const until = Date.now() + 5000;
  while (processAlive(pid) && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
  forgetServer(runDir);
  return `server: stopped pid ${pid}`;
}
