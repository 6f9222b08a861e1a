/** `qms agents` (alias `qms session status` for its table), `qms agents set|nudge|start|stop`, `qms session attach`. */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pythonJsonPretty } from "../core/pyjson.js";
import { type AgentSettingsPatch, discoverRoster, loadHubConfig, setAgentSettings, agentSettings } from "../hub/config.js";
import { agentContainerName } from "../hub/delivery.js";
import type { AgentStatus, HubSnapshot } from "../hub/hub.js";
import { CONFIG_FILE, resolveProjectRoot } from "../store/root.js";
import { projectStateDir } from "../store/state-dir.js";
import { projectKey } from "../store/tokens.js";
import { readEnvFile } from "./compose.js";
import { PROJECT_LABEL } from "./container.js";
import { mintAgentToken, storeFor } from "./agent-token.js";
import { findEngine } from "./engine.js";
import { probeHealth } from "./http.js";
import { SessionError } from "./progress.js";
import { type SessionContext, sessionContext, type SessionOptions } from "./session-context.js";

function portOf(c: SessionContext, opts: SessionOptions): number {
  if (opts.port !== undefined) return opts.port;
  try {
    const u = new URL(c.dotenv.QMS_MCP_URL ?? "");
    if (u.port) return Number(u.port);
  } catch {
    /* no URL yet */
  }
  return 8000;
}

/**
 * The CLI's administrator token for the hub API: `lead` (a built-in administrator), label `lead-cli`, kept in the
 * project's state dir (mode 0600, outside the project). Whoever runs the CLI on the host can mint tokens anyway.
 */
export function cliAdminToken(root: string, env: NodeJS.ProcessEnv): string {
  const file = path.join(projectStateDir(root, env), "hub-cli.token");
  const store = storeFor(env);
  try {
    const token = fs.readFileSync(file, "utf8").trim();
    if (token && store.verify(root, token)?.user === "lead") return token;
  } catch {
    /* none yet */
  }
  const token = mintAgentToken(root, "lead", store, "lead-cli");
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

interface HubAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A request to the running server's hub API, or undefined when no server answers on the port. */
async function hubRequest(c: SessionContext, port: number, method: "GET" | "POST", route: string): Promise<HubAnswer | undefined> {
  if (!(await probeHealth(`http://127.0.0.1:${port}/healthz`, 2000)).ok) return undefined;
  const token = cliAdminToken(c.root, c.env);
  try {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { message: text.slice(0, 200) };
    }
    return { status: res.status, body };
  } catch {
    return undefined;
  }
}

function lastDeliveryText(a: AgentStatus): string {
  const d = a.last_delivery;
  if (!d) return "-";
  const what = a.delivery === "none" ? "counted, not sent" : d.delivered ? "delivered" : `not delivered${d.error ? ` (${d.error.slice(0, 60)})` : ""}`;
  const tools = d.tools.length > 0 ? `, tools ${d.tools.map((t) => t.replace(/^mcp__qms__/, "")).join(" ")}` : "";
  return `${d.ended.slice(11, 19)} ${d.tasks.length} task${d.tasks.length === 1 ? "" : "s"}${d.nudge ? " (nudge)" : ""}: ${what}, exit ${d.exit_code ?? "-"}, ${(d.duration_ms / 1000).toFixed(1)}s${tools}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** Rows from the hub's own snapshot (GET /hub/agents). */
function hubRows(snap: HubSnapshot): string[] {
  const rows = [["AGENT", "CONTAINER", "IDENTITY", "POLICY", "INBOX", "ACTIVITY", "LAST DELIVERY"]];
  for (const a of snap.agents) {
    const policy = `${a.launch}/${a.shutdown}/${a.delivery}`;
    const activity = a.rate_limited_until ? `${a.activity} (rate limited until ${a.rate_limited_until.slice(11, 19)})` : a.activity;
    rows.push([a.name, `${a.container}${a.started_by_hub ? " (hub)" : ""}`, a.identity, policy, String(a.inbox), activity, lastDeliveryText(a)]);
  }
  return table(rows);
}

/** Without a hub: container states from the engine, inbox counts from the files, identity from the env files. */
function localRows(c: SessionContext): string[] {
  const found = findEngine(c.env);
  const running = new Set<string>();
  if (!("reason" in found)) {
    const r = spawnSync(found.engine.cli, ["ps", "--filter", `label=${PROJECT_LABEL}=${projectKey(c.root)}`, "--format", "{{.Names}}"], { encoding: "utf8", env: c.env, timeout: 15000 });
    if (r.status === 0) for (const l of r.stdout.split("\n")) if (l.trim()) running.add(l.trim());
  }
  const config = loadHubConfig(c.root);
  const rows = [["AGENT", "CONTAINER", "IDENTITY", "POLICY", "INBOX", "ACTIVITY", "LAST DELIVERY"]];
  for (const agent of discoverRoster(c.root)) {
    let inbox = 0;
    try {
      inbox = fs.readdirSync(path.join(c.root, ".claude", "users", agent, "inbox")).filter((f) => /^task-.+\.md$/.test(f)).length;
    } catch {
      inbox = 0;
    }
    const envUser = readEnvFile(sessionContext({ projectRoot: c.root, agent, env: c.env, out: c.out }).envFile).QMS_USER;
    const s = config.ok ? agentSettings(config.config, agent) : undefined;
    rows.push([
      agent,
      "reason" in found ? "no engine" : running.has(agentContainerName(agent)) ? "running" : "stopped",
      envUser ?? "-",
      s ? `${s.launch}/${s.shutdown}/${s.delivery}` : "(qms.config.json invalid)",
      String(inbox),
      "unknown (no hub)",
      "-",
    ]);
  }
  return table(rows);
}

/** `qms agents`: each agent's container, identity, policies, inbox, activity and last delivery. */
export async function agentsStatus(opts: SessionOptions, c: SessionContext = sessionContext(opts)): Promise<number> {
  const port = portOf(c, opts);
  const answer = await hubRequest(c, port, "GET", "/hub/agents");
  if (answer?.status === 200) {
    const snap = answer.body as unknown as HubSnapshot;
    c.out.write(`agents (hub of the server on port ${port}, owner tasks ${snap.owner_tasks ? "on" : "off"}):\n`);
    for (const line of hubRows(snap)) c.out.write(`  ${line}\n`);
    return 0;
  }
  const why = answer === undefined ? `no server on port ${port}` : answer.status === 503 ? "the server runs with --no-hub" : `the hub answered HTTP ${answer.status}`;
  c.out.write(`agents (${why}: container states and inboxes only):\n`);
  for (const line of localRows(c)) c.out.write(`  ${line}\n`);
  return 0;
}

/** `qms agents start|stop|nudge NAME` through the running server's hub. */
export async function agentsAction(opts: SessionOptions, action: "start" | "stop" | "nudge", agent: string): Promise<number> {
  const c = sessionContext(opts);
  const port = portOf(c, opts);
  const answer = await hubRequest(c, port, "POST", `/hub/agents/${encodeURIComponent(agent)}/${action}`);
  if (!answer) throw new SessionError(`No QMS server answers on port ${port}: the hub runs inside it (start it with qms session up, or qms mcp --transport streamable-http).`);
  c.out.write(`${String(answer.body.message ?? JSON.stringify(answer.body))}\n`);
  return answer.status === 200 ? 0 : 1;
}

/** `qms agents set NAME --launch ... --shutdown ... --delivery ...`: edits qms.config.json, other keys kept. */
export function agentsSet(opts: { projectRoot?: string; env?: NodeJS.ProcessEnv; cwd?: string; out?: NodeJS.WritableStream }, agent: string, patch: AgentSettingsPatch): number {
  const env = opts.env ?? process.env;
  const out = opts.out ?? process.stdout;
  const answer = resolveProjectRoot({ flag: opts.projectRoot, env, cwd: opts.cwd ?? process.cwd() });
  if (!answer.ok) throw new SessionError(answer.message, 2);
  const roster = discoverRoster(answer.root);
  if (!roster.includes(agent)) throw new SessionError(`No agent named '${agent.slice(0, 40)}': the agents are ${roster.join(", ")} (claude, and every user with .claude/agents/NAME.md; lead is the human).`, 2);
  if (Object.values(patch).every((v) => v === undefined)) throw new SessionError("Nothing to set: give --launch, --shutdown, --delivery or --idle-minutes.", 2);
  const file = path.join(answer.root, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
      raw = parsed as Record<string, unknown>;
    } catch (e) {
      throw new SessionError(`${file} is not valid JSON (${(e as Error).message}); fix it first.`);
    }
  }
  const next = setAgentSettings(raw, agent, patch);
  if (!next.ok) throw new SessionError(`Not changed: ${next.errors.join("; ")}`, 2);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${pythonJsonPretty(next.raw)}\n`);
  fs.renameSync(tmp, file);
  const loaded = loadHubConfig(answer.root);
  const s = loaded.ok ? agentSettings(loaded.config, agent) : undefined;
  out.write(`${agent}: launch ${s?.launch}, shutdown ${s?.shutdown}, delivery ${s?.delivery}, idle ${s?.idle_minutes} min (${CONFIG_FILE}; a running hub applies it at its next tick)\n`);
  return 0;
}

/**
 * `qms session attach NAME`: the agent's interactive Claude Code. In its container through tmux (session
 * `agent`: detach with Ctrl-b d, attach again later), else plain `claude`; in HOST MODE (no container, the hub
 * prepared the agent on this machine) its Claude Code with its own config dir, in tmux when there is one.
 */
export async function sessionAttach(opts: SessionOptions): Promise<number> {
  const c = sessionContext(opts);
  const name = agentContainerName(c.agent);
  const found = findEngine(c.env);
  if (!("reason" in found)) {
    const state = spawnSync(found.engine.cli, ["inspect", "-f", "{{.State.Running}}", name], { encoding: "utf8", env: c.env, timeout: 15000 });
    if (state.status === 0 && state.stdout.trim() === "true") {
      const tty = process.stdin.isTTY === true;
      const script = "if command -v tmux >/dev/null 2>&1; then exec tmux new-session -A -s agent claude --continue; else exec claude --continue; fi";
      return inherit(found.engine.cli, ["exec", ...(tty ? ["-it"] : ["-i"]), name, "sh", "-c", script], c.env);
    }
  }
  const agentDir = path.join(projectStateDir(c.root, c.env), "agents", c.agent);
  const mcpConfig = path.join(agentDir, "mcp.json");
  if (fs.existsSync(mcpConfig)) {
    const claude = c.env.QMS_HUB_CLAUDE_BIN?.trim() || "claude";
    const args = ["--continue", "--mcp-config", mcpConfig, "--strict-mcp-config"];
    const env = { ...c.env, CLAUDE_CONFIG_DIR: path.join(agentDir, "claude-config"), QMS_USER: c.agent };
    const hasTmux = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
    if (hasTmux && process.stdin.isTTY) return inherit("tmux", ["new-session", "-A", "-s", name, "-c", c.root, "env", `CLAUDE_CONFIG_DIR=${env.CLAUDE_CONFIG_DIR}`, claude, ...args], env);
    return inherit(claude, args, env, c.root);
  }
  throw new SessionError(`${c.agent} is not running: no container ${name}${"reason" in found ? ` (${found.reason})` : ""} and no HOST MODE session. Start it with: qms session up ${c.agent}`);
}

function inherit(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<number> {
  const child = spawn(cmd, args, { stdio: "inherit", env, ...(cwd ? { cwd } : {}) });
  return new Promise<number>((resolve) => {
    child.on("exit", (code) => resolve(code ?? 1));
    child.on("error", () => resolve(127));
  });
}
