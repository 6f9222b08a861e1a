import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import type { Logger } from "../mcp/log.js";
import { presentedTokens } from "../mcp/token-auth.js";
import { ContainerAgents } from "../session/agent-control.js";
import { HostAgents } from "../session/host-agents.js";
import type { Project } from "../store/project.js";
import type { TokenStore } from "../store/tokens.js";
import { findUser } from "../store/users.js";
import type { HubSnapshot as WebHubSnapshot } from "../web/types.js";
import { type AgentSettings, discoverRoster, type HubConfig, loadHubConfig } from "./config.js";
import { Hub, type HubActionResult, type HubOptions } from "./hub.js";
import { type Caller, createHubRoutes } from "./routes.js";
import { agentRunDir, createRunnerFactory } from "./runners.js";

/** `container`: one container per agent (`qms-agent-NAME`); `host`: each agent's Claude Code on this machine. */
export type HubMode = "container" | "host";
export const HUB_MODES: readonly HubMode[] = ["container", "host"];

export interface HubHookOptions {
  project: Project;
  log: Logger;
  /** The server's token store: who calls /hub/, and (HOST MODE) where each agent's token is minted. */
  store: TokenStore;
  mode: HubMode;
  env?: NodeJS.ProcessEnv;
  /** The Claude Code binary: `claude` in the container; in HOST MODE default QMS_HUB_CLAUDE_BIN, else `claude`. */
  claudeBin?: string;
  /** Test knobs: tick, watcher and queue timing. */
  timing?: Pick<HubOptions, "tickMs" | "watcher" | "queue" | "policyTiming">;
}

/** What the HTTP server needs from the hub: its routes, the web view's providers, start and stop. */
export interface HubHook {
  readonly hub: Hub;
  readonly mode: HubMode;
  /** `GET /hub/agents`, `POST /hub/agents/NAME/{start,stop,nudge}`; false for any other path. */
  routes(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  /** For the web view (`createWebUi`): the agents page and its buttons. */
  ui: {
    hubSnapshot(): WebHubSnapshot;
    hubControl(action: "start" | "stop" | "nudge", agent: string, byUser: string): Promise<{ ok: boolean; message: string }>;
  };
  /** Start watching and delivering, once the server listens at `mcpUrl` (`http://HOST:PORT/mcp`). */
  start(mcpUrl: string): Promise<void>;
  /** Stop delivering (runs in flight are aborted); HOST MODE agents' tokens are revoked. Containers stay. */
  stop(): Promise<void>;
}

/** The caller of a /hub/ request: the user of its token and that user's group (routes.ts admits administrators). */
export function hubCaller(project: Project, store: TokenStore, req: http.IncomingMessage): Caller | null {
  let user: string | undefined;
  for (const t of presentedTokens(req)) {
    const entry = store.verify(project.root, t);
    if (!entry) continue;
    if (user !== undefined && user !== entry.user) return null; // two users' tokens in one request
    user = entry.user;
  }
  if (user === undefined) return null;
  try {
    const known = findUser(project, user);
    return known ? { user: known.name, group: known.group } : null;
  } catch {
    return null; // a broken agent file: no group, no access
  }
}

/** The last lines of an agent's transcript, shortened for the web view. */
function transcriptTail(projectRoot: string, agent: string, lines = 6): string[] {
  const file = path.join(agentRunDir(projectRoot, agent), "transcript.jsonl");
  let text: string;
  try {
    const st = fs.statSync(file);
    const fd = fs.openSync(file, "r");
    try {
      const size = Math.min(st.size, 64 * 1024);
      const buf = Buffer.alloc(size);
      fs.readSync(fd, buf, 0, size, st.size - size);
      text = buf.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
}

/**
 * Build the hub of one project for the host server (agents-and-hub §3): roster from `.claude/agents`, settings
 * from `qms.config.json` (read again on every tick), containers through `qms-agent-NAME` or, in HOST MODE,
 * each agent's Claude Code on this machine, deliveries logged as JSON lines through the server's logger.
 */
export function createHubHook(opts: HubHookOptions): HubHook {
  const root = opts.project.root;
  const env = opts.env ?? process.env;
  let port: number | undefined;
  const host = opts.mode === "host" ? new HostAgents({ root, env, store: opts.store, log: opts.log }) : undefined;
  const control = host ?? new ContainerAgents({ root, env, port: () => port, log: opts.log });
  let started = false;
  const initial = loadHubConfig(root);
  if (!initial.ok) opts.log.log("hub_config_error", { errors: initial.errors, message: "using the defaults until qms.config.json is fixed" });
  else for (const w of initial.warnings) opts.log.log("hub_config_warning", { message: w });
  /** Read on every tick: an invalid file keeps the settings in force (the hub logs it), the defaults at first. */
  const config = (): HubConfig => {
    const r = loadHubConfig(root);
    if (r.ok) return r.config;
    if (!started) return { owner_tasks: false, agents: {} };
    throw new Error(`qms.config.json: ${r.errors.join("; ")}`);
  };

  const runnerFor = (agent: string, settings: AgentSettings) =>
    createRunnerFactory({
      projectRoot: root,
      logger: opts.log,
      ...(host
        ? {
            claudeBin: opts.claudeBin ?? (env.QMS_HUB_CLAUDE_BIN?.trim() || "claude"),
            allowedTools: ["mcp__qms"],
            hostConfigDir: (a: string) => host.configDir(a),
            hostEnv: (a: string) => host.claudeEnv(a),
            hostArgs: (a: string) => host.claudeArgs(a),
          }
        : { engineCli: (control as ContainerAgents).cli ?? "docker", ...(opts.claudeBin ? { claudeBin: opts.claudeBin } : {}) }),
    })(agent, settings);

  const hub = new Hub({
    projectRoot: root,
    roster: () => discoverRoster(root),
    config,
    control,
    runnerFor,
    logger: opts.log,
    ...opts.timing,
  });

  const routes = createHubRoutes({ hub, authorize: (req) => hubCaller(opts.project, opts.store, req) });

  const act = async (action: "start" | "stop" | "nudge", agent: string, byUser: string): Promise<HubActionResult> => {
    opts.log.log("hub_admin_action", { action, agent, by: byUser });
    return action === "start" ? hub.startAgent(agent) : action === "stop" ? hub.stopAgent(agent) : hub.nudge(agent);
  };

  return {
    hub,
    mode: opts.mode,
    routes,
    ui: {
      hubSnapshot: () => {
        const snap = hub.snapshot();
        return {
          taken_at: new Date().toISOString(),
          agents: snap.agents.map((a) => ({
            name: a.name,
            container: a.container,
            activity: a.activity,
            delivery: a.delivery,
            open_tasks: hub.openTasks(a.name).map((t) => ({ doc_id: t.doc_id ?? "?", task_type: t.task_type ?? t.workflow_type ?? "TASK", ...(t.version ? { version: t.version } : {}) })),
            deliveries: a.last_delivery
              ? [
                  {
                    at: a.last_delivery.ended,
                    outcome: a.last_delivery.delivered ? "delivered" : "not delivered",
                    detail: [a.last_delivery.tasks.join(", "), a.last_delivery.tools.join(", "), a.last_delivery.error ?? ""].filter(Boolean).join(" · "),
                    duration_ms: a.last_delivery.duration_ms,
                  },
                ]
              : [],
            transcript_tail: transcriptTail(root, a.name),
          })),
        };
      },
      hubControl: async (action, agent, byUser) => {
        const r = await act(action, agent, byUser);
        return { ok: r.ok, message: r.message };
      },
    },
    async start(mcpUrl: string) {
      const u = new URL(mcpUrl);
      port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
      host?.setServerUrl(mcpUrl);
      started = true;
      await hub.start();
      opts.log.log("hub_mode", { mode: opts.mode, ...(host ? {} : { engine: (control as ContainerAgents).cli ?? "none" }) });
    },
    async stop() {
      await hub.stop();
      await host?.stopAll();
    },
  };
}

/** The hub part of the host server, on or off (`--no-hub`: the /hub/ API answers 503, nothing is watched). */
export interface ServerHub {
  routes(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  ui?: HubHook["ui"];
  start(mcpUrl: string): Promise<void>;
  stop(): Promise<void>;
}

/** What `qms mcp --transport streamable-http` calls (src/mcp/run.ts): `enabled: false` is `--no-hub`. */
export function createServerHub(opts: Omit<HubHookOptions, "mode"> & { enabled: boolean; mode?: string }): ServerHub {
  if (!opts.enabled) {
    const routes = createHubRoutes({ hub: undefined, authorize: (req) => hubCaller(opts.project, opts.store, req) });
    return { routes, start: async () => opts.log.log("hub_disabled", { message: "started with --no-hub: no inbox watch, no deliveries" }), stop: async () => undefined };
  }
  const wanted = (opts.mode ?? opts.env?.QMS_HUB_MODE ?? process.env.QMS_HUB_MODE ?? "container").trim().toLowerCase();
  if (!(HUB_MODES as readonly string[]).includes(wanted)) throw new Error(`unknown hub mode '${wanted}': use ${HUB_MODES.join(" or ")}`);
  return createHubHook({ ...opts, mode: wanted as HubMode });
}
