import * as fs from "node:fs";
import * as path from "node:path";
import type { Json } from "./claude-config.js";
import { readEnvFile } from "./compose.js";
import { DEFAULT_MCP_URL } from "./entrypoint.js";
import { healthUrlFor } from "./http.js";
import { kitDirFor } from "./kit.js";
import { resolveProjectRoot } from "../store/root.js";
import { agentEnvFile, runDir } from "../store/state-dir.js";

export interface DoctorOptions {
  fromContainer: boolean;
  /** Check a Claude Code running on this machine instead of the container chain (doctor-local.ts). */
  local?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  projectRoot?: string;
  url?: string;
  token?: string;
  /** Host mode: how the agent's container reaches the host (bridge = Docker's default network). */
  containerNetwork?: "bridge" | "host";
  /** Host mode: also check a Claude Code config dir (container mode uses CLAUDE_CONFIG_DIR). */
  configDir?: string;
  out?: NodeJS.WritableStream;
}

/** What the checks look at, gathered once: as the container sees things, or as the host does. */
export interface DoctorFacts {
  mode: "container" | "host";
  /** The MCP endpoint as given (on the host, host.docker.internal becomes 127.0.0.1), and parsed. */
  endpoint: string;
  url: URL;
  health: string;
  port: number;
  token: string;
  projectDir: string;
  /** Where the launcher bound the server it started (host: its info file; container: QMS_SERVER_HOST). */
  serverHost?: string;
  /** Host mode: the kit and its compose file. */
  kitDir?: string;
  composeText?: string;
  containerNetwork: "bridge" | "host";
  /** The Claude Code config to check (CLAUDE_CONFIG_DIR of this environment). */
  claudeEnv: NodeJS.ProcessEnv;
  checkClaudeConfig: boolean;
  /** Resolver warnings (a QMS_PROJECT_ROOT that holds no project). */
  warnings: string[];
  /** Host mode: an agent container is set up for this project (docker/.env or the agent's env file names a URL or token). */
  containerSetUp: boolean;
}

export function readJson(file: string): Json | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch {
    return undefined;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function withUrl(endpoint: string): Pick<DoctorFacts, "endpoint" | "url" | "health" | "port"> {
  const url = new URL(endpoint);
  return { endpoint, url, health: healthUrlFor(endpoint), port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
}

export function gatherFacts(o: DoctorOptions): DoctorFacts {
  const common = {
    containerNetwork: o.containerNetwork ?? "bridge",
    claudeEnv: o.configDir ? { ...o.env, CLAUDE_CONFIG_DIR: o.configDir } : o.env,
    checkClaudeConfig: o.fromContainer || Boolean(o.configDir),
  } as const;
  if (o.fromContainer) {
    const host = o.env.QMS_SERVER_HOST?.trim();
    return {
      ...common,
      mode: "container",
      ...withUrl((o.url ?? o.env.QMS_MCP_URL?.trim() ?? DEFAULT_MCP_URL) || DEFAULT_MCP_URL),
      token: o.token ?? o.env.QMS_TOKEN?.trim() ?? "",
      // The in-container project path (the launcher's run files stay outside the mount: QMS_SERVER_HOST says the bind).
      projectDir: path.resolve(o.projectRoot ?? o.env.QMS_PROJECT_DIR?.trim() ?? o.cwd),
      serverHost: host || undefined,
      warnings: [],
      containerSetUp: true,
    };
  }
  const answer = resolveProjectRoot({ flag: o.projectRoot, env: o.env, cwd: o.cwd });
  // Without a project the server chain can still be checked: the working directory stands in.
  const root = answer.ok ? answer.root : path.resolve(o.cwd, o.projectRoot ?? ".");
  const kitDir = kitDirFor(root, o.env);
  const dotenv = { ...readEnvFile(path.join(kitDir, ".env")), ...readEnvFile(agentEnvFile(root, o.env.QMS_USER?.trim() || "claude", o.env)) };
  // On the host, the container's URL (host.docker.internal) is reached through loopback.
  const url = new URL(o.url ?? dotenv.QMS_MCP_URL ?? "http://host.docker.internal:8000/mcp");
  if (url.hostname === "host.docker.internal") url.hostname = "127.0.0.1";
  const info = readJson(path.join(runDir(root, o.env), "server.json"));
  return {
    ...common,
    mode: "host",
    ...withUrl(url.toString()),
    token: o.token ?? dotenv.QMS_TOKEN ?? o.env.QMS_TOKEN?.trim() ?? "",
    projectDir: root,
    serverHost: typeof info?.host === "string" ? info.host : undefined,
    kitDir,
    composeText: readText(path.join(kitDir, "docker-compose.yml")),
    warnings: answer.warnings,
    containerSetUp: Boolean(dotenv.QMS_MCP_URL || dotenv.QMS_TOKEN),
  };
}
