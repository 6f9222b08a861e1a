import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { claudeJsonPath, loadClaudeJson, prepareClaudeJson, userServer, writeJsonAtomic } from "./claude-config.js";
import { healthUrlFor, waitForHealth } from "./http.js";

/** The line launchers wait for in the container log (kept byte-identical to the Python-era kit). */
export const SETUP_SENTINEL = "Setup complete. Waiting for docker exec...";
export const DEFAULT_MCP_URL = "http://host.docker.internal:8000/mcp";
export const SERVER_NAME = "qms";
export const MARKER_FILE = ".qms-mcp-registration.json";

export interface EntrypointOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Arguments handed on to `claude`. */
  claudeArgs: string[];
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

interface Settings {
  url: string;
  token: string;
  mode: "http" | "proxy";
  waitSeconds: number;
  strict: boolean;
  claudeBin: string;
  proxyCommand: string;
  projectDir: string;
  configFile: string;
  configDir: string;
  setupOnly: boolean;
}

export class EntrypointError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function settings(env: NodeJS.ProcessEnv, cwd: string): Settings {
  const url = (env.QMS_MCP_URL?.trim() || DEFAULT_MCP_URL).replace(/\/+$/, "");
  try {
    new URL(url);
  } catch {
    throw new EntrypointError(`QMS_MCP_URL is not a URL: '${url}'. Set it in docker/.env, e.g. ${DEFAULT_MCP_URL}`, 2);
  }
  const rawWait = env.QMS_WAIT_SECONDS?.trim() || "30";
  const waitSeconds = Number(rawWait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new EntrypointError(`QMS_WAIT_SECONDS must be a number of seconds, not '${rawWait}'.`, 2);
  const mode = (env.QMS_MCP_MODE?.trim() || "http").toLowerCase();
  if (mode !== "http" && mode !== "proxy") throw new EntrypointError(`QMS_MCP_MODE must be 'http' or 'proxy', not '${mode}'.`, 2);
  const configFile = claudeJsonPath(env);
  return {
    url,
    token: env.QMS_TOKEN?.trim() ?? "",
    mode,
    waitSeconds,
    strict: (env.QMS_WAIT_MODE?.trim() || "strict") !== "warn",
    claudeBin: env.QMS_CLAUDE_BIN?.trim() || "claude",
    proxyCommand: env.QMS_PROXY_COMMAND?.trim() || "qms",
    projectDir: path.resolve(env.QMS_PROJECT_DIR?.trim() || cwd),
    configFile,
    configDir: path.dirname(configFile),
    setupOnly: ["1", "true", "yes"].includes((env.SETUP_ONLY ?? "").trim().toLowerCase()),
  };
}

/** Fingerprint of a registration: a hash of what was registered, never the token itself. */
export function registrationFingerprint(mode: string, url: string, token: string, proxyCommand = ""): string {
  return createHash("sha256").update(`qms-registration\n${mode}\n${url}\n${token}\n${mode === "proxy" ? proxyCommand : ""}`).digest("hex");
}

/** The `claude mcp add` argv for a registration (the token appears only here, handed straight to claude). */
export function mcpAddArgs(s: Pick<Settings, "mode" | "url" | "token" | "proxyCommand">): string[] {
  if (s.mode === "proxy") {
    return ["mcp", "add", "--scope", "user", SERVER_NAME, "-e", `QMS_TOKEN=${s.token}`, "--", s.proxyCommand, "proxy", s.url];
  }
  return ["mcp", "add", "--transport", "http", "--scope", "user", SERVER_NAME, s.url, "--header", `X-API-Key: ${s.token}`, "--header", `Authorization: Bearer ${s.token}`];
}

/** Hide a token in text shown to people. */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join("[REDACTED]") : text;
}

/**
 * `qms container-entrypoint`: everything the container does before Claude Code starts (spec §3):
 * 1. wait for the server's /healthz within a total deadline; 2. register the server at user scope when the
 * fingerprint of URL+token changed; 3. trust the project dir and clear stale entries in .claude.json;
 * 4. SETUP_ONLY=1 → print the sentinel and wait for a signal, else run claude with the given arguments.
 * Returns the exit status.
 */
export async function runEntrypoint(opts: EntrypointOptions): Promise<number> {
  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  const log = (msg: string): void => {
    err.write(`[qms-entrypoint] ${msg}\n`);
  };
  let s: Settings;
  try {
    s = settings(opts.env, opts.cwd);
    await setup(s, log);
  } catch (e) {
    if (e instanceof EntrypointError) {
      log(`ERROR: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
  if (s.setupOnly) {
    out.write(`${SETUP_SENTINEL}\n`);
    return await new Promise<number>((resolve) => {
      const keep = setInterval(() => {}, 1 << 30);
      const stop = (): void => {
        clearInterval(keep);
        resolve(0);
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      process.once("SIGHUP", stop);
    });
  }
  return await runClaude(s, opts.claudeArgs, opts.env, log);
}

async function setup(s: Settings, log: (m: string) => void): Promise<void> {
  const started = Date.now();
  // 1. The server, within one total deadline.
  const health = healthUrlFor(s.url);
  log(`waiting for the QMS MCP server at ${health} (up to ${s.waitSeconds}s)`);
  const { probe, elapsedMs } = await waitForHealth(health, s.waitSeconds * 1000, { intervalMs: 500 });
  if (probe.ok) {
    log(`server is up (${(elapsedMs / 1000).toFixed(1)}s)`);
  } else {
    const why = probe.error ? `${probe.error.code}: ${probe.error.message}` : `HTTP ${probe.status}${probe.foreign ? " (not a QMS server's /healthz)" : ""}`;
    const host = new URL(s.url).hostname;
    const message = [
      `the QMS MCP server did not answer at ${health} within ${s.waitSeconds}s (last error: ${why}).`,
      "Likely causes:",
      "  - the server is not started on the host: run `qms session up`, or `qms mcp --transport streamable-http --host 0.0.0.0 --port 8000 --project-root .`",
      "  - it is bound to 127.0.0.1 only: a container on Docker's default network cannot reach that; bind 0.0.0.0 (token auth) or use host networking",
      `  - ${host} does not resolve or points elsewhere: the compose file needs extra_hosts "host.docker.internal:host-gateway" (Docker 20.10+)`,
      "Run `qms doctor --from-container` inside the container for a step-by-step check.",
    ].join("\n");
    if (s.strict) throw new EntrypointError(message, 3);
    log(`WARNING (QMS_WAIT_MODE=warn, going on): ${message}`);
  }
  if (!s.token) {
    throw new EntrypointError(
      "QMS_TOKEN is empty. `qms session up` writes it to docker/.env; by hand: `qms token create --user <agent>` on the host and put QMS_TOKEN=<token> in docker/.env.",
      4,
    );
  }

  // 2. .claude.json: repair, trust the project, clear stale entries (before claude touches the file).
  fs.mkdirSync(s.configDir, { recursive: true });
  fs.mkdirSync(path.join(s.configDir, "debug"), { recursive: true });
  const loaded = loadClaudeJson(s.configFile);
  if (loaded.corruptBackup) log(`WARNING: ${s.configFile} was not valid JSON; moved it to ${loaded.corruptBackup} and started a fresh one`);
  const prep = prepareClaudeJson(loaded.data, s.projectDir, SERVER_NAME);
  if (prep.removedStale.length > 0) log(`removed stale '${SERVER_NAME}' entries left by older runs for: ${prep.removedStale.join(", ")}`);
  if (prep.undisabled.length > 0) log(`cleared an old rejection of '${SERVER_NAME}' for: ${prep.undisabled.join(", ")}`);
  writeJsonAtomic(s.configFile, loaded.data);
  log(prep.trustedNow ? `marked ${s.projectDir} as trusted` : `${s.projectDir} already trusted`);
  clearNeedsAuthCache(s.configDir, log);
  if (!fs.existsSync(path.join(s.projectDir, ".mcp.json"))) log(`WARNING: ${path.join(s.projectDir, ".mcp.json")} is missing (the compose file mounts docker/.mcp.json there)`);
  if (!fs.existsSync(path.join(s.projectDir, ".claude", "settings.local.json"))) {
    log(`WARNING: ${path.join(s.projectDir, ".claude", "settings.local.json")} is missing: the project's qms server will wait for approval`);
  }

  // 3. User-scope registration, idempotent by fingerprint.
  const fp = registrationFingerprint(s.mode, s.url, s.token, s.proxyCommand);
  const markerFile = path.join(s.configDir, MARKER_FILE);
  const marker = readMarker(markerFile);
  const existing = userServer(loadClaudeJson(s.configFile).data, SERVER_NAME);
  if (existing && marker?.fingerprint === fp) {
    log(`'${SERVER_NAME}' already registered at user scope for ${s.url} (${s.mode})`);
  } else {
    if (existing) {
      log(marker ? "URL, token or mode changed: re-registering" : "an unknown user-scope registration exists: replacing it");
      const r = runClaudeCmd(s, ["mcp", "remove", SERVER_NAME, "--scope", "user"]);
      if (r.status !== 0) log(`WARNING: claude mcp remove failed: ${redact(r.output, s.token).trim()}`);
    }
    const r = runClaudeCmd(s, mcpAddArgs(s));
    if (r.status !== 0) {
      throw new EntrypointError(`claude mcp add failed (exit ${r.status}): ${redact(r.output, s.token).trim() || "no output"}`, 5);
    }
    if (!userServer(loadClaudeJson(s.configFile).data, SERVER_NAME)) {
      log(`WARNING: claude mcp add succeeded but ${s.configFile} has no user-scope '${SERVER_NAME}' entry`);
    }
    writeJsonAtomic(markerFile, { fingerprint: fp, url: s.url, mode: s.mode, registered: new Date().toISOString() });
    log(`registered '${SERVER_NAME}' at user scope (${s.mode}, ${s.url}, both auth headers)`);
  }
  log(`setup done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

function readMarker(file: string): { fingerprint?: string } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as { fingerprint?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/** Claude Code caches "needs auth" per server name (anthropics/claude-code#78220); a stale entry blocks us. */
function clearNeedsAuthCache(configDir: string, log: (m: string) => void): void {
  const file = path.join(configDir, "mcp-needs-auth-cache.json");
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      fs.rmSync(file, { force: true });
      log(`removed unreadable ${file}`);
    }
    return;
  }
  if (data && typeof data === "object" && SERVER_NAME in (data as object)) {
    delete (data as Record<string, unknown>)[SERVER_NAME];
    writeJsonAtomic(file, data);
    log(`cleared a cached "needs authentication" mark for '${SERVER_NAME}'`);
  }
}

function runClaudeCmd(s: Settings, args: string[]): { status: number; output: string } {
  const r = spawnSync(s.claudeBin, args, { cwd: s.projectDir, encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) return { status: 127, output: `${s.claudeBin}: ${r.error.message}` };
  return { status: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Run claude as our only child with the terminal, relay signals, and exit with its status (the `exec`). */
function runClaude(s: Settings, args: string[], env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(s.claudeBin, args, { stdio: "inherit", env, cwd: s.projectDir });
    const relay = (sig: NodeJS.Signals) => () => {
      child.kill(sig);
    };
    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ["SIGTERM", relay("SIGTERM")],
      ["SIGHUP", relay("SIGHUP")],
      // The terminal sends ^C to the whole foreground group; claude gets it itself.
      ["SIGINT", () => {}],
    ];
    for (const [sig, h] of handlers) process.on(sig, h);
    child.on("error", (e) => {
      log(`ERROR: cannot run ${s.claudeBin}: ${e.message}`);
      resolve(127);
    });
    child.on("exit", (code, signal) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 15) : 1));
    });
  });
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}
