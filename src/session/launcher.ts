/** The verbs of `qms session`: up, down, status, reset, composed of the server, token and container modules. */
import * as fs from "node:fs";
import * as path from "node:path";
import { discoverRoster } from "../hub/config.js";
import { agentContainerName } from "../hub/delivery.js";
import { projectStateDir } from "../store/state-dir.js";
import { readEnvFile, writeEnvFile } from "./compose.js";
import { AgentContainer, ensureMountPoints, writeAgentOverride } from "./container.js";
import { detectEngine, type Engine, findEngine } from "./engine.js";
import { ensureAgentToken, lookUpToken } from "./agent-token.js";
import { lastLines } from "./exec.js";
import { probeHealth } from "./http.js";
import { PACKAGE_ROOT } from "./kit.js";
import { agentsStatus } from "./agents.js";
import { Progress } from "./progress.js";
import { ensureServer, recordedServer, stopServer } from "./server-process.js";
import { composeUsesHostNetwork, type SessionContext, sessionContext, type SessionOptions } from "./session-context.js";

export type { SessionOptions } from "./session-context.js";

function portOf(c: SessionContext, opts: SessionOptions): number {
  return opts.port ?? portFromUrl(c.dotenv.QMS_MCP_URL) ?? 8000;
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

/** Write the agent env file compose hands to the container; returns the step's detail line. */
function writeAgentEnv(c: SessionContext, opts: SessionOptions, a: { token: string; port: number; mode: "http" | "proxy"; serverHost: string }, note: (l: string) => void): string {
  const nonRoot = (process.getuid?.() ?? 1000) !== 0;
  const uid = nonRoot ? (process.getuid?.() ?? 1000) : 1000;
  const gid = nonRoot ? (process.getgid?.() ?? 1000) : 1000;
  const defaultUrl = `http://host.docker.internal:${a.port}/mcp`;
  const values: Record<string, string> = {
    QMS_USER: c.agent,
    QMS_TOKEN: a.token,
    QMS_MCP_URL: opts.mcpUrl ?? (opts.port !== undefined ? defaultUrl : (c.dotenv.QMS_MCP_URL ?? defaultUrl)),
    QMS_MCP_MODE: a.mode,
    QMS_MCP_CONFIG_FILE: a.mode === "proxy" ? ".mcp.proxy.json" : ".mcp.json",
    QMS_PROJECT_DIR: c.root,
    QMS_BUILD_CONTEXT: PACKAGE_ROOT,
    QMS_UID: String(uid),
    QMS_GID: String(gid),
    QMS_SERVER_HOST: a.serverHost,
  };
  writeEnvFile(c.envFile, values, ["Written by `qms session up`. Holds the agent's MCP token: kept outside the project, readable by you only."]);
  c.dotenv = readEnvFile(c.envFile);
  ensureMountPoints(c.root, c.agent, uid, note);
  const override = writeAgentOverride(c.root, c.agent, c.env);
  if (!c.composeFiles.includes(override)) c.composeFiles.push(override);
  return `${c.envFile} written (mode 0600, outside the project; url ${c.dotenv.QMS_MCP_URL}, mode ${a.mode})`;
}

/** The agents a verb names (`AGENT...`, else `--agent`), without repeats; empty: none named. */
function namedAgents(opts: SessionOptions): string[] {
  const list = opts.agents && opts.agents.length > 0 ? opts.agents : opts.agent ? [opts.agent] : [];
  return [...new Set(list)];
}

export async function sessionUp(opts: SessionOptions): Promise<number> {
  const agents = namedAgents(opts);
  if (agents.length <= 1) return up(sessionContext({ ...opts, agent: agents[0] }), opts);
  return upMany(agents, opts);
}

/**
 * `qms session up A B ...` (agents-and-hub §2): the engine and the one host server once, then each agent's
 * token, env file, image, container and readiness. One agent failing does not stop the others; the summary
 * says which are up. Nothing is attached (`qms session attach NAME`).
 */
async function upMany(agents: string[], opts: SessionOptions): Promise<number> {
  const first = sessionContext({ ...opts, agent: agents[0] });
  const port = portOf(first, opts);
  const bind = opts.bind ?? first.env.QMS_SERVER_HOST ?? "0.0.0.0";
  first.out.write(`qms session up: project ${first.root}, agents ${agents.join(", ")}, kit ${first.kitDir}\n`);
  const shared = new Progress(2, first.out);
  const engine = await shared.step("Container engine", async () => {
    const e = detectEngine(first.env);
    return { value: e, detail: e.kind };
  });
  const server = await shared.step("MCP server", (note) =>
    ensureServer({ root: first.root, runDir: first.runDir, env: first.env, port, bind, timeoutS: opts.serverTimeoutS ?? 10, hostNetwork: composeUsesHostNetwork(first) }, note),
  );
  const results: Array<{ agent: string; ok: boolean; detail: string }> = [];
  for (const agent of agents) {
    first.out.write(`\n${agent}:\n`);
    try {
      const c = sessionContext({ ...opts, agent });
      const mode = opts.mode ?? (c.dotenv.QMS_MCP_MODE === "proxy" ? "proxy" : "http");
      const name = await upAgent(c, opts, new Progress(5, c.out), new AgentContainer(c, engine), { port, mode, serverHost: server?.host ?? bind });
      results.push({ agent, ok: true, detail: name });
    } catch (err) {
      const message = (err as Error).message;
      first.out.write(`      ✘ ${agent} is not up: ${message.split("\n")[0]}\n`);
      results.push({ agent, ok: false, detail: message.split("\n")[0] ?? message });
    }
  }
  const upNow = results.filter((r) => r.ok);
  const failed = results.filter((r) => !r.ok);
  first.out.write(`\nUp: ${upNow.length > 0 ? upNow.map((r) => `${r.agent} (${agentContainerName(r.agent)})`).join(", ") : "none"}\n`);
  if (failed.length > 0) first.out.write(`Not up: ${failed.map((r) => `${r.agent} (${r.detail})`).join("; ")}\n`);
  shared.done(upNow.length > 0 ? `Attach with: qms session attach NAME   (stop with: qms session down [NAME...])` : "No agent is up.");
  return failed.length > 0 ? 1 : 0;
}

/** One agent's steps after engine and server: token, env file, image, container, entrypoint ready. */
async function upAgent(c: SessionContext, opts: SessionOptions, p: Progress, container: AgentContainer, a: { port: number; mode: "http" | "proxy"; serverHost: string }): Promise<string> {
  const token = await p.step("Agent token", async (note) =>
    ensureAgentToken({ root: c.root, agent: c.agent, env: c.env, envFile: c.envFile, current: c.dotenv.QMS_TOKEN, currentUser: c.dotenv.QMS_USER }, note),
  );
  await p.step("Agent env file", async (note) => ({ value: undefined, detail: writeAgentEnv(c, opts, { token, port: a.port, mode: a.mode, serverHost: a.serverHost }, note) }));
  await p.step("Image", async (note) => imageStep(container, opts, note));
  return startContainer(container, opts, p);
}

/** The Container and Entrypoint ready steps: the agent's container started and its setup finished. */
async function startContainer(container: AgentContainer, opts: SessionOptions, p: Progress): Promise<string> {
  const name = await p.step("Container", async () => {
    const started = await container.startForSetup();
    return { value: started, detail: `container ${started} started (${container.engine.kind})` };
  });
  await p.step("Entrypoint ready", async () => {
    await container.waitForSetup(name, opts.readyTimeoutS ?? 60);
    return { value: undefined, detail: "setup complete (server registered, project trusted)" };
  });
  return name;
}

async function imageStep(container: AgentContainer, opts: SessionOptions, note: (l: string) => void): Promise<{ value: undefined; detail: string }> {
  const exists = container.hasImage();
  if (exists && !opts.rebuild) return { value: undefined, detail: `${container.image} present (use --rebuild to rebuild)` };
  note(exists ? `rebuilding ${container.image}` : `${container.image} missing: building it (first time takes a while)`);
  return { value: undefined, detail: await container.build() };
}

async function up(c: SessionContext, opts: SessionOptions): Promise<number> {
  const attach = opts.attach !== false;
  const p = new Progress(attach ? 8 : 7, c.out);
  const port = portOf(c, opts);
  const bind = opts.bind ?? c.env.QMS_SERVER_HOST ?? "0.0.0.0";
  const mode = opts.mode ?? (c.dotenv.QMS_MCP_MODE === "proxy" ? "proxy" : "http");
  c.out.write(`qms session up: project ${c.root}, agent '${c.agent}', kit ${c.kitDir}\n`);

  const container = await p.step("Container engine", async () => {
    const engine = detectEngine(c.env);
    return { value: new AgentContainer(c, engine), detail: engine.kind };
  });
  const token = await p.step("Agent token", async (note) =>
    ensureAgentToken({ root: c.root, agent: c.agent, env: c.env, envFile: c.envFile, current: c.dotenv.QMS_TOKEN, currentUser: c.dotenv.QMS_USER }, note),
  );
  const server = await p.step("MCP server", (note) =>
    ensureServer({ root: c.root, runDir: c.runDir, env: c.env, port, bind, timeoutS: opts.serverTimeoutS ?? 10, hostNetwork: composeUsesHostNetwork(c) }, note),
  );
  await p.step("Agent env file", async (note) => ({ value: undefined, detail: writeAgentEnv(c, opts, { token, port, mode, serverHost: server?.host ?? bind }, note) }));
  await p.step("Image", async (note) => imageStep(container, opts, note));
  const name = await startContainer(container, opts, p);
  const cli = container.engine.cli;
  if (!attach) {
    p.done(`Ready. Attach with: ${cli} exec -it ${name} claude   (stop with: qms session down)`);
    return 0;
  }
  const code = await p.step("Claude Code", async (note) => {
    note(`attaching: ${cli} exec -it ${name} claude`);
    const status = await container.attach(name);
    if (!opts.keep) container.remove();
    return { value: status, detail: `session ended (exit ${status}); container ${opts.keep ? "kept (--keep)" : "removed"}` };
  });
  p.done(server ? `Server still running (pid ${server.pid}); stop it with: qms session down` : "The MCP server is still running.");
  return code;
}

/**
 * `qms session down [AGENT...]`: the named agents' containers; none named: every agent's container and the
 * server `session up` started.
 */
export async function sessionDown(opts: SessionOptions): Promise<number> {
  const named = namedAgents(opts);
  if (named.length === 0) return down(sessionContext(opts), true);
  const first = sessionContext({ ...opts, agent: named[0] });
  const found = findEngine(first.env);
  if ("reason" in found) {
    first.out.write(`container: ${found.reason}\n`);
    return 1;
  }
  for (const agent of named) first.out.write(`${removeLine(sessionContext({ ...opts, agent }), found.engine, true)}\n`);
  first.out.write("server: left running (stop everything with: qms session down)\n");
  return 0;
}

/** Stop and remove one agent's container; the line saying what happened. */
function removeLine(c: SessionContext, engine: Engine, named: boolean): string {
  const container = new AgentContainer(c, engine);
  const what = named ? `container ${agentContainerName(c.agent)}` : "container";
  if (named && !container.id()) return `${what}: none`;
  const r = container.remove();
  return r.status === 0 ? `${what}: stopped and removed (${engine.kind})` : `${what}: ${engine.kind} down failed:\n${lastLines(r.out, 8)}`;
}

async function down(c: SessionContext, everyAgent: boolean): Promise<number> {
  const found = findEngine(c.env);
  if ("reason" in found) c.out.write(`container: ${found.reason}\n`);
  else {
    c.out.write(`${removeLine(c, found.engine, false)}\n`);
    if (everyAgent) {
      for (const agent of discoverRoster(c.root).filter((a) => a !== c.agent)) {
        const line = removeLine(sessionContext({ projectRoot: c.root, agent, env: c.env, out: c.out }), found.engine, true);
        if (!line.endsWith(": none")) c.out.write(`${line}\n`);
      }
    }
  }
  c.out.write(`${await stopServer(c.runDir)}\n`);
  return 0;
}

export async function sessionStatus(opts: SessionOptions): Promise<number> {
  const c = sessionContext(opts);
  const w = (l: string): void => {
    c.out.write(`${l}\n`);
  };
  const port = portOf(c, opts);
  const h = await probeHealth(`http://127.0.0.1:${port}/healthz`, 2000);
  const { pid, ours, info } = recordedServer(c.runDir);
  if (h.ok) {
    w(`server:    up on port ${port} (${h.body?.name} ${h.body?.version ?? ""}, project ${h.body?.project ?? "?"}, uptime ${h.body?.uptime_s ?? "?"}s)${ours ? `, pid ${pid} bound to ${info?.host ?? "?"}` : ", not started by qms session"}`);
  } else if (h.status !== undefined) w(`server:    port ${port} is held by another program (HTTP ${h.status})`);
  else w(`server:    down (${h.error?.code ?? "no answer"} on 127.0.0.1:${port})${pid !== undefined && !ours ? `; stale pid file ${pid}` : ""}`);
  w(`last health: ${new Date().toISOString()} ${h.ok ? "ok" : "failed"}`);
  const token = c.dotenv.QMS_TOKEN;
  if (!token) w(`token:     none in ${c.envFile} (qms session up writes one)`);
  else {
    const entry = lookUpToken(c.root, token, c.env);
    w(`token:     ${entry ? `valid for '${entry.user}' (label ${entry.label}, created ${entry.created})` : "NOT in the token store (revoked?) — qms session up mints a new one"}`);
  }
  const found = findEngine(c.env);
  if ("reason" in found) {
    w(`engine:    ${found.reason}`);
    return agentsStatus(opts, c);
  }
  const container = new AgentContainer(c, found.engine);
  w(`engine:    ${found.engine.kind}`);
  w(`image:     ${container.image} ${container.hasImage() ? "present" : "missing"}`);
  w(`container: ${container.describe()}`);
  return agentsStatus(opts, c);
}

/**
 * `qms session reset [NAME]`: remove one agent's container and its Claude Code config volume (login and MCP
 * registration; in HOST MODE its config dir), optionally start it again. The server and other agents stay.
 */
export async function sessionReset(opts: SessionOptions): Promise<number> {
  const c = sessionContext({ ...opts, agent: namedAgents(opts)[0] });
  const engine = detectEngine(c.env);
  c.out.write(`${removeLine(c, engine, c.agent !== "claude")}\n`);
  const container = new AgentContainer(c, engine);
  const volume = container.configVolume;
  const r = container.cli(["volume", "rm", volume]);
  const absent = r.status !== 0 && /no such volume|not found|no volume/i.test(r.out);
  c.out.write(
    r.status === 0
      ? `volume: removed ${volume} (Claude Code login and MCP registration are gone)\n`
      : absent
        ? `volume: ${volume} did not exist\n`
        : `volume: could not remove ${volume}:\n${lastLines(r.out, 5)}\n`,
  );
  const hostConfig = path.join(projectStateDir(c.root, c.env), "agents", c.agent, "claude-config");
  if (fs.existsSync(hostConfig)) {
    fs.rmSync(hostConfig, { recursive: true, force: true });
    c.out.write(`host mode: removed ${hostConfig}\n`);
  }
  if (opts.up) return up(c, opts);
  c.out.write(`Reset done. Start again with: qms session up${c.agent === "claude" ? "" : ` ${c.agent}`}\n`);
  return r.status === 0 || absent ? 0 : 1;
}
