import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildArgs, loadService, readEnvFile, runArgs, type ServiceSpec, writeEnvFile } from "./compose.js";
import { detectEngine, type Engine } from "./engine.js";
import { SETUP_SENTINEL } from "./entrypoint.js";
import { probeHealth, waitForHealth } from "./http.js";
import { Progress, SessionError, secs } from "./progress.js";
import { packageRoot } from "../store/package-root.js";
import { processAlive } from "../store/lock.js";
import { agentEnvFile, runDir as stateRunDir } from "../store/state-dir.js";

/** The qms package (bin/, dist/, docker/): three levels above dist/src/session. */
export const PACKAGE_ROOT = packageRoot();
export const SERVICE = "claude-agent";
export const DEFAULT_IMAGE = "qms-agent:local";

export interface SessionOptions {
  projectRoot?: string;
  agent?: string;
  port?: number;
  /** Address the launcher binds a server it starts to (default 0.0.0.0, token auth). */
  bind?: string;
  mcpUrl?: string;
  mode?: "http" | "proxy";
  rebuild?: boolean;
  keep?: boolean;
  attach?: boolean;
  /** Extra compose files (e.g. docker/compose.test.yml). */
  composeFiles?: string[];
  serverTimeoutS?: number;
  readyTimeoutS?: number;
  /** `session reset --up`. */
  up?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  out?: NodeJS.WritableStream;
}

interface Ctx {
  root: string;
  kitDir: string;
  runDir: string;
  envFile: string;
  composeFiles: string[];
  projectName: string;
  env: NodeJS.ProcessEnv;
  dotenv: Record<string, string>;
  out: NodeJS.WritableStream;
}

function findRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "qms.config.json")) || isDir(path.join(dir, "QMS"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function context(opts: SessionOptions): Ctx {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const given = opts.projectRoot ?? env.QMS_PROJECT_ROOT?.trim();
  const root = given ? path.resolve(cwd, given) : findRoot(cwd);
  if (!root || !isDir(root)) {
    throw new SessionError(
      given ? `--project-root ${given}: no such directory.` : "Not inside a QMS project (no qms.config.json or QMS/ above the current directory): cd into one or pass --project-root DIR.",
      2,
    );
  }
  const own = path.join(root, "docker");
  const kitDir = path.resolve(env.QMS_KIT_DIR?.trim() || (fs.existsSync(path.join(own, "docker-compose.yml")) ? own : path.join(PACKAGE_ROOT, "docker")));
  if (!fs.existsSync(path.join(kitDir, "docker-compose.yml"))) throw new SessionError(`No docker-compose.yml in ${kitDir} (the container kit).`, 2);
  const composeFiles = [path.join(kitDir, "docker-compose.yml"), ...(opts.composeFiles ?? []).map((f) => path.resolve(cwd, f))];
  for (const f of composeFiles) if (!fs.existsSync(f)) throw new SessionError(`Compose file not found: ${f}`, 2);
  // Secrets and run files stay outside the project, which every container mounts (issue: one agent must
  // never read another's token): one env file per agent, handed to that agent's container only.
  const agent = opts.agent ?? "claude";
  const envFile = agentEnvFile(root, agent, env);
  const projectName = (env.COMPOSE_PROJECT_NAME?.trim() || path.basename(kitDir)).toLowerCase().replace(/[^a-z0-9_-]/g, "");
  return { root, kitDir, runDir: stateRunDir(root, env), envFile, composeFiles, projectName, env, dotenv: readEnvFile(envFile), out: opts.out ?? process.stdout };
}

/** The environment compose runs with: .env values beat stray shell variables (a QMS_TOKEN of another project). */
function composeEnv(c: Ctx, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...c.env, ...c.dotenv, ...extra };
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): { status: number; out: string } {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    encoding: "utf8",
    env: opts.env,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 120000,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { status: 127, out: `${cmd}: ${r.error.message}` };
  return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function lastLines(text: string, n = 15): string {
  return text.trimEnd().split("\n").slice(-n).map((l) => `        | ${l}`).join("\n");
}

// ---- server ------------------------------------------------------------------------------------------------

export interface ServerInfo {
  pid: number;
  host: string;
  port: number;
  started: string;
  log: string;
  project: string;
}

function readServerInfo(runDir: string): ServerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, "server.json"), "utf8")) as ServerInfo;
  } catch {
    return undefined;
  }
}

function readPid(runDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(runDir, "server.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
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

function serverCommand(env: NodeJS.ProcessEnv): string[] {
  const raw = env.QMS_SERVER_COMMAND?.trim();
  if (raw) {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed) || parsed.length === 0) throw new SessionError("QMS_SERVER_COMMAND must be a JSON array (argv prefix).", 2);
    return parsed.map(String);
  }
  return [process.execPath, path.join(PACKAGE_ROOT, "bin", "qms.js")];
}

async function ensureServer(c: Ctx, port: number, bind: string, timeoutS: number, note: (l: string) => void): Promise<{ value: ServerInfo | undefined; detail: string }> {
  const health = `http://127.0.0.1:${port}/healthz`;
  const first = await probeHealth(health, 2000);
  if (first.ok) {
    const pid = readPid(c.runDir);
    const ours = pid !== undefined && isOurServer(pid);
    const project = typeof first.body?.project === "string" ? first.body.project : undefined;
    if (project && project !== path.basename(c.root)) note(`warning: the server on port ${port} serves project '${project}', not '${path.basename(c.root)}'`);
    const hostNetwork = c.composeFiles.some((f) => /network_mode:\s*["']?host/.test(fs.readFileSync(f, "utf8")));
    const { listeningAddresses } = await import("./doctor.js");
    const addrs = listeningAddresses(port);
    if (!hostNetwork && addrs && addrs.length > 0 && addrs.every((a) => a === "::1" || a.startsWith("127."))) {
      note(`warning: the server listens on ${addrs.join(", ")} only; a container on Docker's network cannot reach it (restart it with --host 0.0.0.0, or run qms session down first)`);
    }
    return { value: ours ? readServerInfo(c.runDir) : undefined, detail: `already running on port ${port}${ours ? ` (pid ${pid}, started by qms session)` : ""}` };
  }
  if (first.status !== undefined) {
    throw new SessionError(
      `Port ${port} is held by another program: GET /healthz answered HTTP ${first.status} (${(first.text ?? "").slice(0, 80).replace(/\s+/g, " ")}), not the QMS server. Stop that program or pick another port (--port).`,
    );
  }
  fs.mkdirSync(c.runDir, { recursive: true, mode: 0o700 });
  const log = path.join(c.runDir, "server.log");
  const fd = fs.openSync(log, "a");
  const argv = [...serverCommand(c.env), "mcp", "--transport", "streamable-http", "--host", bind, "--port", String(port), "--project-root", c.root, "--auth", "token"];
  fs.writeSync(fd, `--- ${new Date().toISOString()} qms session: starting ${argv.slice(1).join(" ")}\n`);
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", fd, fd], cwd: c.root, env: { ...c.env, QMS_MCP_LOG: c.env.QMS_MCP_LOG ?? "1" } });
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
  fs.writeFileSync(path.join(c.runDir, "server.pid"), `${pid}\n`);
  const info: ServerInfo = { pid, host: bind, port, started: new Date().toISOString(), log, project: c.root };
  fs.writeFileSync(path.join(c.runDir, "server.json"), `${JSON.stringify(info, null, 2)}\n`);
  note(`started pid ${pid}, log ${path.relative(c.root, log)}`);
  const waited = await waitForHealth(health, timeoutS * 1000, { intervalMs: 200, stopEarly: () => exited });
  if (waited.probe.ok) return { value: info, detail: `started on ${bind}:${port} (pid ${pid}, healthy after ${secs(waited.elapsedMs)})` };
  const logText = fs.readFileSync(log, "utf8");
  if (exited === undefined && pid > 0 && processAlive(pid)) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  fs.rmSync(path.join(c.runDir, "server.pid"), { force: true });
  fs.rmSync(path.join(c.runDir, "server.json"), { force: true });
  if (/EADDRINUSE|already in use/i.test(logText)) {
    throw new SessionError(`Port ${port} is already in use by another program (the server could not bind it). Stop that program or pick another port (--port). Log: ${log}\n${lastLines(logText, 5)}`);
  }
  if (exited !== undefined) throw new SessionError(`The MCP server exited during start-up (${exited}). Log: ${log}\n${lastLines(logText)}`);
  throw new SessionError(`The MCP server did not become healthy at ${health} within ${timeoutS}s; stopped it. Log: ${log}\n${lastLines(logText)}`);
}

// ---- token ---------------------------------------------------------------------------------------------------

async function ensureToken(c: Ctx, agent: string, note: (l: string) => void): Promise<{ value: string; detail: string }> {
  const current = c.dotenv.QMS_TOKEN?.trim();
  if (current && (c.dotenv.QMS_USER ?? agent) === agent) {
    const { TokenStore } = await import("../store/tokens.js");
    const entry = new TokenStore(c.env.QMS_TOKEN_STORE?.trim() || undefined).verify(c.root, current);
    if (entry?.user === agent) return { value: current, detail: `docker/.env token is valid for '${agent}' (label ${entry.label})` };
    note(entry ? `the token in ${c.envFile} belongs to '${entry.user}', not '${agent}'` : `the token in ${c.envFile} is not in the token store (revoked or another machine)`);
  }
  const label = `${agent}-container`;
  const qms = [path.join(PACKAGE_ROOT, "bin", "qms.js")];
  const env = { ...c.env, QMS_USER: "" };
  run(process.execPath, [...qms, "token", "revoke", label, "--project-root", c.root], { env });
  const r = run(process.execPath, [...qms, "token", "create", "--user", agent, "--label", label, "--project-root", c.root], { env });
  const token = r.out.split(/\s+/).find((w) => /^qms_[A-Za-z0-9_-]{20,}$/.test(w));
  if (r.status !== 0 || !token) throw new SessionError(`Could not create a token for '${agent}':\n${lastLines(r.out, 10)}`);
  return { value: token, detail: `minted a new token for '${agent}' (label ${label})` };
}

// ---- up --------------------------------------------------------------------------------------------------------

function composeArgs(c: Ctx, ...rest: string[]): string[] {
  return [...c.composeFiles.flatMap((f) => ["-f", f]), "-p", c.projectName, ...rest];
}

async function spec(c: Ctx): Promise<ServiceSpec> {
  return loadService(c.composeFiles, SERVICE, { ...c.env, ...c.dotenv }, c.projectName);
}

/** Plain podman: the name we give the container (compose engines name it themselves). */
function podmanName(c: Ctx): string {
  return `${c.projectName}-${SERVICE}-1`;
}

/** The agent container's id (compose: `ps -q`), or undefined when there is none. */
function containerId(c: Ctx, engine: Engine): string | undefined {
  if (!engine.compose) return cliRun(c, engine, ["inspect", "-f", "{{.Id}}", podmanName(c)]).status === 0 ? podmanName(c) : undefined;
  const r = engineRun(c, engine, composeArgs(c, "ps", "-q", SERVICE), 30000);
  const id = r.status === 0 ? r.out.split("\n").map((l) => l.trim()).find((l) => /^[0-9a-f]{12,64}$/.test(l)) : undefined;
  return id;
}

function imageName(c: Ctx): string {
  return c.dotenv.QMS_IMAGE || c.env.QMS_IMAGE || DEFAULT_IMAGE;
}

function engineRun(c: Ctx, engine: Engine, args: string[], timeoutMs = 120000, extra: Record<string, string> = {}): { status: number; out: string } {
  return run(engine.compose ? engine.compose[0]! : engine.cli, engine.compose ? [...engine.compose.slice(1), ...args] : args, { env: composeEnv(c, extra), cwd: c.kitDir, timeoutMs });
}

function cliRun(c: Ctx, engine: Engine, args: string[], timeoutMs = 30000): { status: number; out: string } {
  return run(engine.cli, args, { env: composeEnv(c), cwd: c.kitDir, timeoutMs });
}

/** Host paths the read-only project mount needs as mount points (a runtime cannot create them inside :ro). */
function ensureMountPoints(c: Ctx, agent: string, uid: number, note: (l: string) => void): void {
  const ws = path.join(c.root, ".claude", "users", agent, "workspace");
  if (!isDir(ws)) {
    fs.mkdirSync(ws, { recursive: true });
    note(`created ${path.relative(c.root, ws)}/ (the agent's writable workspace)`);
  }
  if (process.getuid?.() === 0 && uid !== 0) {
    // Host user is root but the container runs as uid 1000: let it write its own workspace.
    fs.chownSync(ws, uid, uid);
  }
  for (const [rel, content] of [
    [".mcp.json", '{\n  "mcpServers": {}\n}\n'],
    [path.join(".claude", "settings.local.json"), "{}\n"],
  ] as const) {
    const file = path.join(c.root, rel);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      note(`created an empty ${rel} (the kit mounts its own file over it)`);
    }
  }
}

export async function sessionUp(opts: SessionOptions): Promise<number> {
  const c = context(opts);
  const attach = opts.attach !== false;
  const p = new Progress(attach ? 8 : 7, c.out);
  const agent = opts.agent ?? "claude";
  const port = opts.port ?? portFromUrl(c.dotenv.QMS_MCP_URL) ?? 8000;
  const bind = opts.bind ?? c.env.QMS_SERVER_HOST ?? "0.0.0.0";
  const mode = opts.mode ?? (c.dotenv.QMS_MCP_MODE === "proxy" ? "proxy" : "http");
  c.out.write(`qms session up: project ${c.root}, agent '${agent}', kit ${c.kitDir}\n`);

  const engine = await p.step("Container engine", async () => {
    const e = detectEngine(c.env);
    return { value: e, detail: e.kind };
  });
  const token = await p.step("Agent token", (note) => ensureToken(c, agent, note));
  const server = await p.step("MCP server", (note) => ensureServer(c, port, bind, opts.serverTimeoutS ?? 10, note));
  await p.step("Agent env file", async (note) => {
    const nonRoot = (process.getuid?.() ?? 1000) !== 0;
    const uid = nonRoot ? (process.getuid?.() ?? 1000) : 1000;
    const gid = nonRoot ? (process.getgid?.() ?? 1000) : 1000;
    const values: Record<string, string> = {
      QMS_USER: agent,
      QMS_TOKEN: token,
      QMS_MCP_URL: opts.mcpUrl ?? c.dotenv.QMS_MCP_URL ?? `http://host.docker.internal:${port}/mcp`,
      QMS_MCP_MODE: mode,
      QMS_MCP_CONFIG_FILE: mode === "proxy" ? ".mcp.proxy.json" : ".mcp.json",
      QMS_PROJECT_DIR: c.root,
      QMS_BUILD_CONTEXT: PACKAGE_ROOT,
      QMS_UID: String(uid),
      QMS_GID: String(gid),
      QMS_SERVER_HOST: server?.host ?? bind,
    };
    if (opts.port !== undefined && opts.mcpUrl === undefined) values.QMS_MCP_URL = `http://host.docker.internal:${port}/mcp`;
    writeEnvFile(c.envFile, values, ["Written by `qms session up`. Holds the agent's MCP token: kept outside the project, readable by you only."]);
    c.dotenv = readEnvFile(c.envFile);
    ensureMountPoints(c, agent, uid, note);
    return { value: undefined, detail: `${c.envFile} written (mode 0600, outside the project; url ${c.dotenv.QMS_MCP_URL}, mode ${mode})` };
  });
  await p.step("Image", async (note) => {
    const image = imageName(c);
    const exists = cliRun(c, engine, ["image", "inspect", image]).status === 0;
    if (exists && !opts.rebuild) return { value: undefined, detail: `${image} present (use --rebuild to rebuild)` };
    note(exists ? `rebuilding ${image}` : `${image} missing: building it (first time takes a while)`);
    const t = Date.now();
    const r = engine.compose ? engineRun(c, engine, composeArgs(c, "build", SERVICE), 30 * 60000) : cliRun(c, engine, buildArgs(await spec(c)), 30 * 60000);
    if (r.status !== 0) throw new SessionError(`Building the image failed (exit ${r.status}):\n${lastLines(r.out, 20)}`);
    if (cliRun(c, engine, ["image", "inspect", image]).status !== 0) throw new SessionError(`The build finished but image ${image} does not exist: check QMS_IMAGE and the compose file's image: key.`);
    return { value: undefined, detail: `built ${image} in ${secs(Date.now() - t)}` };
  });
  let name = podmanName(c);
  await p.step("Container", async () => {
    if (engine.compose) {
      const r = engineRun(c, engine, composeArgs(c, "up", "-d", "--force-recreate", SERVICE), 300000, { SETUP_ONLY: "1" });
      if (r.status !== 0) throw new SessionError(`\`${engine.kind} up -d\` failed (exit ${r.status}):\n${lastLines(r.out, 15)}`);
      const id = containerId(c, engine);
      if (!id) throw new SessionError(`\`${engine.kind} up -d\` succeeded but \`ps -q ${SERVICE}\` shows no container.`);
      name = id.slice(0, 12);
    } else {
      cliRun(c, engine, ["rm", "-f", name]);
      const s = await spec(c);
      s.environment.SETUP_ONLY = "1";
      const r = cliRun(c, engine, runArgs(s), 120000);
      if (r.status !== 0) throw new SessionError(`Starting the container failed (exit ${r.status}):\n${lastLines(r.out, 15)}`);
    }
    return { value: undefined, detail: `container ${name} started (${engine.kind})` };
  });
  await p.step("Entrypoint ready", async () => {
    const deadline = Date.now() + (opts.readyTimeoutS ?? 60) * 1000;
    let logs = "";
    for (;;) {
      logs = cliRun(c, engine, ["logs", name]).out;
      if (logs.includes(SETUP_SENTINEL)) return { value: undefined, detail: "setup complete (server registered, project trusted)" };
      const state = cliRun(c, engine, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name]);
      const [status, code] = state.out.trim().split(/\s+/);
      if (state.status !== 0 || (status !== "running" && status !== "created" && status !== "restarting")) {
        throw new SessionError(
          `The container stopped before setup completed (${state.status !== 0 ? "it no longer exists" : `status ${status}, exit code ${code}`}). Last log lines:\n${lastLines(logs)}\nRun \`qms doctor\` for a step-by-step check.`,
        );
      }
      if (Date.now() >= deadline) {
        throw new SessionError(
          `The entrypoint did not print "${SETUP_SENTINEL}" within ${opts.readyTimeoutS ?? 60}s. Last log lines:\n${lastLines(logs)}\nThe container is left running: inspect it with \`${engine.cli} logs ${name}\`, stop it with \`qms session down\`.`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  if (!attach) {
    p.done(`Ready. Attach with: ${engine.cli} exec -it ${name} claude   (stop with: qms session down)`);
    return 0;
  }
  const code = await p.step("Claude Code", async (note) => {
    note(`attaching: ${engine.cli} exec -it ${name} claude`);
    const tty = process.stdin.isTTY === true;
    const child = spawn(engine.cli, ["exec", ...(tty ? ["-it"] : ["-i"]), name, "claude"], { stdio: "inherit", env: composeEnv(c) });
    const status = await new Promise<number>((resolve) => {
      child.on("exit", (code) => resolve(code ?? 1));
      child.on("error", () => resolve(127));
    });
    if (!opts.keep) {
      if (engine.compose) engineRun(c, engine, composeArgs(c, "down"));
      else cliRun(c, engine, ["rm", "-f", podmanName(c)]);
    }
    return { value: status, detail: `session ended (exit ${status}); container ${opts.keep ? "kept (--keep)" : "removed"}` };
  });
  p.done(server ? `Server still running (pid ${server.pid}); stop it with: qms session down` : "The MCP server is still running.");
  return code;
}

function portFromUrl(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.port ? Number(u.port) : undefined;
  } catch {
    return undefined;
  }
}

// ---- down / status / reset --------------------------------------------------------------------------------------

async function stopServer(c: Ctx): Promise<string> {
  const pid = readPid(c.runDir);
  if (pid === undefined) return "server: not started by qms session (nothing to stop)";
  const cleanup = (): void => {
    fs.rmSync(path.join(c.runDir, "server.pid"), { force: true });
    fs.rmSync(path.join(c.runDir, "server.json"), { force: true });
  };
  if (!isOurServer(pid)) {
    cleanup();
    return `server: not running (removed the stale pid file for ${pid})`;
  }
  process.kill(pid, "SIGTERM");
  const until = Date.now() + 5000;
  while (processAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
  cleanup();
  return `server: stopped pid ${pid}`;
}

export async function sessionDown(opts: SessionOptions): Promise<number> {
  const c = context(opts);
  let engine: Engine | undefined;
  try {
    engine = detectEngine(c.env);
  } catch (err) {
    c.out.write(`container: ${(err as Error).message}\n`);
  }
  if (engine) {
    const r = engine.compose ? engineRun(c, engine, composeArgs(c, "down")) : cliRun(c, engine, ["rm", "-f", podmanName(c)]);
    c.out.write(r.status === 0 ? `container: stopped and removed (${engine.kind})\n` : `container: ${engine.kind} down failed:\n${lastLines(r.out, 8)}\n`);
  }
  c.out.write(`${await stopServer(c)}\n`);
  return 0;
}

export async function sessionStatus(opts: SessionOptions): Promise<number> {
  const c = context(opts);
  const w = (l: string): void => {
    c.out.write(`${l}\n`);
  };
  const port = opts.port ?? portFromUrl(c.dotenv.QMS_MCP_URL) ?? 8000;
  const h = await probeHealth(`http://127.0.0.1:${port}/healthz`, 2000);
  const pid = readPid(c.runDir);
  const info = readServerInfo(c.runDir);
  const ours = pid !== undefined && isOurServer(pid);
  if (h.ok) {
    w(`server:    up on port ${port} (${h.body?.name} ${h.body?.version ?? ""}, project ${h.body?.project ?? "?"}, uptime ${h.body?.uptime_s ?? "?"}s)${ours ? `, pid ${pid} bound to ${info?.host ?? "?"}` : ", not started by qms session"}`);
  } else if (h.status !== undefined) w(`server:    port ${port} is held by another program (HTTP ${h.status})`);
  else w(`server:    down (${h.error?.code ?? "no answer"} on 127.0.0.1:${port})${pid !== undefined && !ours ? `; stale pid file ${pid}` : ""}`);
  w(`last health: ${new Date().toISOString()} ${h.ok ? "ok" : "failed"}`);
  const token = c.dotenv.QMS_TOKEN;
  if (!token) w(`token:     none in ${c.envFile} (qms session up writes one)`);
  else {
    const { TokenStore } = await import("../store/tokens.js");
    const entry = new TokenStore(c.env.QMS_TOKEN_STORE?.trim() || undefined).verify(c.root, token);
    w(`token:     ${entry ? `valid for '${entry.user}' (label ${entry.label}, created ${entry.created})` : "NOT in the token store (revoked?) — qms session up mints a new one"}`);
  }
  let engine: Engine | undefined;
  try {
    engine = detectEngine(c.env);
  } catch (err) {
    w(`engine:    ${(err as Error).message}`);
    return 0;
  }
  w(`engine:    ${engine.kind}`);
  w(`image:     ${imageName(c)} ${cliRun(c, engine, ["image", "inspect", imageName(c)]).status === 0 ? "present" : "missing"}`);
  const id = containerId(c, engine);
  const st = id ? cliRun(c, engine, ["inspect", "-f", "{{.State.Status}}", id]) : undefined;
  w(`container: ${id ? `${id.slice(0, 12)} ${st?.status === 0 ? st.out.trim() : "?"}` : "none"}`);
  return 0;
}

export async function sessionReset(opts: SessionOptions): Promise<number> {
  const c = context(opts);
  await sessionDown({ ...opts, out: c.out });
  const engine = detectEngine(c.env);
  const volume = `${c.projectName}_claude-config`;
  const r = cliRun(c, engine, ["volume", "rm", volume]);
  c.out.write(
    r.status === 0
      ? `volume: removed ${volume} (Claude Code login and MCP registration are gone)\n`
      : /no such volume|not found|no volume/i.test(r.out)
        ? `volume: ${volume} did not exist\n`
        : `volume: could not remove ${volume}:\n${lastLines(r.out, 5)}\n`,
  );
  if (opts.up) return sessionUp(opts);
  c.out.write("Reset done. Start again with: qms session up\n");
  return r.status === 0 || /no such volume|not found|no volume/i.test(r.out) ? 0 : 1;
}
