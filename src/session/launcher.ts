/** The verbs of `qms session`: up, down, status, reset, composed of the server, token and container modules. */
import { readEnvFile, writeEnvFile } from "./compose.js";
import { AgentContainer, ensureMountPoints } from "./container.js";
import { detectEngine, findEngine } from "./engine.js";
import { ensureAgentToken, lookUpToken } from "./agent-token.js";
import { lastLines } from "./exec.js";
import { probeHealth } from "./http.js";
import { PACKAGE_ROOT } from "./kit.js";
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
  return `${c.envFile} written (mode 0600, outside the project; url ${c.dotenv.QMS_MCP_URL}, mode ${a.mode})`;
}

export async function sessionUp(opts: SessionOptions): Promise<number> {
  return up(sessionContext(opts), opts);
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
  await p.step("Image", async (note) => {
    const exists = container.hasImage();
    if (exists && !opts.rebuild) return { value: undefined, detail: `${container.image} present (use --rebuild to rebuild)` };
    note(exists ? `rebuilding ${container.image}` : `${container.image} missing: building it (first time takes a while)`);
    return { value: undefined, detail: await container.build() };
  });
  const name = await p.step("Container", async () => {
    const started = await container.startForSetup();
    return { value: started, detail: `container ${started} started (${container.engine.kind})` };
  });
  await p.step("Entrypoint ready", async () => {
    await container.waitForSetup(name, opts.readyTimeoutS ?? 60);
    return { value: undefined, detail: "setup complete (server registered, project trusted)" };
  });
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

export async function sessionDown(opts: SessionOptions): Promise<number> {
  return down(sessionContext(opts));
}

async function down(c: SessionContext): Promise<number> {
  const found = findEngine(c.env);
  if ("reason" in found) c.out.write(`container: ${found.reason}\n`);
  else {
    const r = new AgentContainer(c, found.engine).remove();
    c.out.write(r.status === 0 ? `container: stopped and removed (${found.engine.kind})\n` : `container: ${found.engine.kind} down failed:\n${lastLines(r.out, 8)}\n`);
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
    return 0;
  }
  const container = new AgentContainer(c, found.engine);
  w(`engine:    ${found.engine.kind}`);
  w(`image:     ${container.image} ${container.hasImage() ? "present" : "missing"}`);
  w(`container: ${container.describe()}`);
  return 0;
}

export async function sessionReset(opts: SessionOptions): Promise<number> {
  const c = sessionContext(opts);
  await down(c);
  const container = new AgentContainer(c, detectEngine(c.env));
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
  if (opts.up) return up(c, opts);
  c.out.write("Reset done. Start again with: qms session up\n");
  return r.status === 0 || absent ? 0 : 1;
}
