import * as fs from "node:fs";
import * as path from "node:path";

/** Claude Code's main config file: `$CLAUDE_CONFIG_DIR/.claude.json`, else `$HOME/.claude.json`. */
export function claudeJsonPath(env: NodeJS.ProcessEnv): string {
  const dir = env.CLAUDE_CONFIG_DIR?.trim();
  if (dir) return path.join(dir, ".claude.json");
  return path.join(env.HOME?.trim() || "/", ".claude.json");
}

export type Json = Record<string, unknown>;

export interface LoadedConfig {
  data: Json;
  existed: boolean;
  /** Set when the file was not valid JSON: where the broken copy was moved. */
  corruptBackup?: string;
}

/**
 * Read `.claude.json`. Missing → `{}`. Not a JSON object → the broken file is moved aside to
 * `.claude.json.corrupt-<time>` (kept for the user) and we start from `{}` (Claude Code recreates what it needs;
 * the login lives in `.credentials.json`, which we never touch).
 */
export function loadClaudeJson(file: string): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { data: {}, existed: false };
    throw err;
  }
  if (text.trim() === "") return { data: {}, existed: true };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { data: parsed as Json, existed: true };
  } catch {
    /* fall through */
  }
  const backup = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  fs.renameSync(file, backup);
  return { data: {}, existed: false, corruptBackup: backup };
}

/** Write JSON atomically (temp file in the same directory, fsync, rename), keeping it private (0600). */
export function writeJsonAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export interface PrepareResult {
  /** Project-scope (`projects[*].mcpServers`) entries named like our server that were removed. */
  removedStale: string[];
  /** Projects where our server had been rejected (disabledMcpjsonServers) and was un-rejected. */
  undisabled: string[];
  trustedNow: boolean;
}

/**
 * Mark `projectDir` trusted (the `.mcp.json` there is then used without a prompt) and clear what older runs left
 * behind for `serverName`: local-scope entries under `projects[*].mcpServers` (they shadow the user-scope
 * registration with stale URLs/tokens) and a recorded rejection in `projects[*].disabledMcpjsonServers`.
 * Everything else (login, onboarding, history, other servers) is kept.
 */
export function prepareClaudeJson(data: Json, projectDir: string, serverName: string): PrepareResult {
  const result: PrepareResult = { removedStale: [], undisabled: [], trustedNow: false };
  if (!isObject(data.projects)) data.projects = {};
  const projects = data.projects as Json;
  for (const [dir, entry] of Object.entries(projects)) {
    if (!isObject(entry)) continue;
    if (isObject(entry.mcpServers) && serverName in entry.mcpServers) {
      delete entry.mcpServers[serverName];
      result.removedStale.push(dir);
    }
    if (Array.isArray(entry.disabledMcpjsonServers) && entry.disabledMcpjsonServers.includes(serverName)) {
      entry.disabledMcpjsonServers = entry.disabledMcpjsonServers.filter((n) => n !== serverName);
      result.undisabled.push(dir);
    }
  }
  const key = path.resolve(projectDir);
  const project = isObject(projects[key]) ? (projects[key] as Json) : {};
  if (project.hasTrustDialogAccepted !== true) result.trustedNow = true;
  project.hasTrustDialogAccepted = true;
  if (project.hasCompletedProjectOnboarding === undefined) project.hasCompletedProjectOnboarding = true;
  projects[key] = project;
  return result;
}

/** The user-scope registration of `name`, if any. */
export function userServer(data: Json, name: string): Json | undefined {
  const servers = data.mcpServers;
  if (!isObject(servers)) return undefined;
  const s = servers[name];
  return isObject(s) ? s : undefined;
}

/** Is `name` enabled for a project by its settings file(s)? */
export function projectEnables(projectDir: string, name: string): { enabled: boolean; file?: string; reason: string } {
  const files = [path.join(projectDir, ".claude", "settings.local.json"), path.join(projectDir, ".claude", "settings.json")];
  let seen: string | undefined;
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      return { enabled: false, file, reason: `${file} is not valid JSON` };
    }
    seen = file;
    if (!isObject(parsed)) continue;
    if (Array.isArray(parsed.disabledMcpjsonServers) && parsed.disabledMcpjsonServers.includes(name)) {
      return { enabled: false, file, reason: `${file} lists "${name}" in disabledMcpjsonServers` };
    }
    if (parsed.enableAllProjectMcpServers === true) return { enabled: true, file, reason: "enableAllProjectMcpServers" };
    if (Array.isArray(parsed.enabledMcpjsonServers) && parsed.enabledMcpjsonServers.includes(name)) {
      return { enabled: true, file, reason: "enabledMcpjsonServers" };
    }
  }
  return { enabled: false, file: seen, reason: seen ? `${seen} does not list "${name}" in enabledMcpjsonServers` : "no .claude/settings.local.json" };
}
