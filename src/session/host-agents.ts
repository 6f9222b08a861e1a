import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "../core/frontmatter.js";
import type { ContainerControl } from "../hub/hub.js";
import type { Logger } from "../mcp/log.js";
import { projectStateDir } from "../store/state-dir.js";
import type { TokenStore } from "../store/tokens.js";
import { mintAgentToken } from "./agent-token.js";
import { writeJsonAtomic } from "./claude-config.js";

export interface HostAgentsOptions {
  root: string;
  /** The server's environment: what the agents' Claude Code inherits (API settings), minus QMS secrets. */
  env?: NodeJS.ProcessEnv;
  /** The store the server checks tokens against: each agent gets its own token there. */
  store: TokenStore;
  log?: Logger;
}

/** Variables of the server's environment an agent's Claude Code must not inherit. */
const NOT_INHERITED = ["QMS_TOKEN", "QMS_USER", "QMS_MCP_URL", "CLAUDE_CONFIG_DIR", "QMS_TOKEN_STORE"];

/**
 * HOST MODE (agents-and-hub §4, machines without a container engine): each agent's Claude Code runs on this
 * machine, with its own config dir, its own token (label `NAME-host`) and its own MCP config, all in the
 * project's state dir (outside the project). "Running" means prepared for deliveries: `start` mints the token
 * and writes the config, `stop` revokes the token. Nothing runs between deliveries.
 */
export class HostAgents implements ContainerControl {
  private readonly running = new Set<string>();
  private mcpUrl: string | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: HostAgentsOptions) {
    this.env = opts.env ?? process.env;
  }

  /** The server's MCP endpoint (known once it listens). */
  setServerUrl(url: string): void {
    this.mcpUrl = url;
  }

  /** `<state dir>/agents/NAME/`: config dir, MCP config (with the token, mode 0600). */
  agentDir(agent: string): string {
    return path.join(projectStateDir(this.opts.root, this.env), "agents", agent);
  }

  configDir(agent: string): string {
    return path.join(this.agentDir(agent), "claude-config");
  }

  mcpConfigFile(agent: string): string {
    return path.join(this.agentDir(agent), "mcp.json");
  }

  label(agent: string): string {
    return `${agent}-host`;
  }

  async isRunning(agent: string): Promise<boolean> {
    return this.running.has(agent);
  }

  async start(agent: string): Promise<void> {
    if (!this.mcpUrl) throw new Error("the server's URL is not known yet");
    const token = mintAgentToken(this.opts.root, agent, this.opts.store, this.label(agent));
    fs.mkdirSync(this.configDir(agent), { recursive: true, mode: 0o700 });
    writeJsonAtomic(this.mcpConfigFile(agent), { mcpServers: { qms: { type: "http", url: this.mcpUrl, headers: { Authorization: `Bearer ${token}`, "X-API-Key": token } } } });
    this.running.add(agent);
    this.opts.log?.log("hub_host_agent_ready", { agent, config_dir: this.configDir(agent), label: this.label(agent) });
  }

  async stop(agent: string): Promise<void> {
    this.running.delete(agent);
    this.opts.store.revoke(this.opts.root, this.label(agent));
    fs.rmSync(this.mcpConfigFile(agent), { force: true });
  }

  /** Stop every agent this process prepared (server shutdown): their tokens go with it. */
  async stopAll(): Promise<void> {
    for (const agent of [...this.running]) await this.stop(agent);
  }

  /** The environment of the agent's Claude Code: the server's, without QMS secrets, with its own config dir. */
  claudeEnv(agent: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(this.env)) if (!NOT_INHERITED.includes(k)) env[k] = v;
    return { ...env, CLAUDE_CONFIG_DIR: this.configDir(agent), QMS_USER: agent, DISABLE_AUTOUPDATER: env.DISABLE_AUTOUPDATER ?? "1" };
  }

  /**
   * Arguments every run of the agent gets: only our MCP server (its own token), and for agents other than
   * `claude` their `.claude/agents/NAME.md` instructions (on the host nothing can be mounted over CLAUDE.md).
   */
  claudeArgs(agent: string): string[] {
    const args = ["--mcp-config", this.mcpConfigFile(agent), "--strict-mcp-config"];
    if (agent !== "claude") {
      const instructions = readAgentInstructions(this.opts.root, agent);
      if (instructions) args.push("--append-system-prompt", instructions);
    }
    return args;
  }
}

/** The body of `.claude/agents/NAME.md` (without its frontmatter), or undefined. */
export function readAgentInstructions(root: string, agent: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, ".claude", "agents", `${agent}.md`), "utf8");
  } catch {
    return undefined;
  }
  const body = parseDocument(text).body.trim();
  return body === "" ? undefined : `You are the QMS agent '${agent}'. Your instructions (.claude/agents/${agent}.md):\n\n${body}`;
}
