import * as path from "node:path";
import type { Logger } from "../mcp/log.js";
import { type Clock, systemClock, type Timer } from "./clock.js";
import { type AgentSettings, agentSettings, type HubConfig } from "./config.js";
import type { DeliveryRunner } from "./delivery.js";
import { describeTask } from "./notification.js";
import { type ContainerState, DEFAULT_POLICY_TIMING, decidePolicy, type PolicyTiming } from "./policies.js";
import { type DeliveryQueueOptions, type DeliveryRecord, DeliveryQueue } from "./queue.js";
import { type InboxChange, type InboxTask, InboxWatcher, type InboxWatcherOptions } from "./watcher.js";

/** What the hub needs from the container launcher (src/session), by agent name. */
export interface ContainerControl {
  isRunning(agent: string): Promise<boolean>;
  /** Start the agent's container; resolve once it is ready for deliveries (the entrypoint's readiness line). */
  start(agent: string): Promise<void>;
  /** Stop the agent's container, by the name the hub started it under. */
  stop(agent: string): Promise<void>;
}

/** HOST MODE (no container engine): every agent counts as running; nothing is started or stopped. */
export const hostModeControl: ContainerControl = {
  isRunning: async () => true,
  start: async () => undefined,
  stop: async () => undefined,
};

export interface HubOptions {
  projectRoot: string;
  /** Default `<projectRoot>/.claude/users`. */
  usersRoot?: string;
  /** The agents (src/hub/config.ts `discoverRoster`); read again on every tick. */
  roster: () => readonly string[];
  /** The hub part of qms.config.json; read again on every tick, so `qms agents set` applies live. */
  config: () => HubConfig;
  control: ContainerControl;
  /** The runner for an agent's delivery mode; asked again when the mode changes. */
  runnerFor(agent: string, settings: AgentSettings): DeliveryRunner;
  clock?: Clock;
  logger?: Logger;
  /** Container states are polled and policies applied this often (default 5 s). */
  tickMs?: number;
  watcher?: Partial<Pick<InboxWatcherOptions, "rescanMs" | "debounceMs" | "useFsWatch">>;
  queue?: Partial<Pick<DeliveryQueueOptions, "gatherMs" | "retryBackoffMs" | "killGraceMs">>;
  policyTiming?: PolicyTiming;
}

export interface LastDelivery {
  started: string;
  ended: string;
  tasks: string[];
  nudge: boolean;
  delivered: boolean;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  tools: string[];
  error?: string;
  agent_state?: string;
}

/** One row of `qms agents` (agents-and-hub §2). */
export interface AgentStatus {
  name: string;
  container: ContainerState;
  started_by_hub: boolean;
  /** The QMS user the agent acts as (its token's user). */
  identity: string;
  launch: string;
  shutdown: string;
  delivery: string;
  inbox: number;
  pending: number;
  /** `idle`, `working on CR-005 review`, `waiting for input`, `busy`, `error`, `stopped`, `starting`, `stopping`. */
  activity: string;
  deliveries_last_hour: number;
  max_deliveries_per_hour: number;
  rate_limited_until?: string;
  last_delivery?: LastDelivery;
  error?: string;
}

export interface HubSnapshot {
  running: boolean;
  started_at: string | null;
  owner_tasks: boolean;
  agents: AgentStatus[];
}

/** An administrator's request (routes.ts turns it into an HTTP answer). */
export interface HubActionResult {
  ok: boolean;
  /** 200 done (or nothing to do), 404 unknown agent, 409 refused in this state, 500 failed. */
  status: 200 | 404 | 409 | 500;
  message: string;
}

interface AgentRuntime {
  name: string;
  container: ContainerState;
  startedByHub: boolean;
  lastStartAttemptAt?: number;
  startedAt?: number;
  inboxEmptySince?: number;
  lastActivityAt?: number;
  autoStartSuppressed: boolean;
  runner?: DeliveryRunner;
  runnerMode?: string;
  busy: boolean;
  error?: string;
}

/**
 * The hub (agents-and-hub §3): watcher → queue → runners, with launch/shutdown policies, inside the server
 * process. Everything outside (containers, clock, log, runners) is injected.
 */
export class Hub {
  private readonly clock: Clock;
  private readonly agents = new Map<string, AgentRuntime>();
  private readonly watcher: InboxWatcher;
  private readonly queue: DeliveryQueue;
  private tickTimer: Timer | undefined;
  private startedAt: number | undefined;
  private config: HubConfig;
  private roster: string[] = [];
  private readonly work = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly opts: HubOptions) {
    this.clock = opts.clock ?? systemClock;
    this.config = opts.config();
    this.queue = new DeliveryQueue({
      ...opts.queue,
      clock: this.clock,
      ...(opts.logger ? { logger: opts.logger } : {}),
      maxPerHour: (agent) => this.settings(agent).max_deliveries_per_hour,
      runTimeoutMs: (agent) => this.settings(agent).run_timeout_minutes * 60000,
      deliver: (req) => {
        const runner = this.runtime(req.agent).runner;
        if (!runner) return Promise.resolve({ delivered: false, durationMs: 0, error: "no runner" });
        return runner.deliver(req);
      },
      onRunEnd: (record) => this.onRunEnd(record),
    });
    this.watcher = new InboxWatcher({
      ...opts.watcher,
      usersRoot: opts.usersRoot ?? path.join(opts.projectRoot, ".claude", "users"),
      clock: this.clock,
      ...(opts.logger ? { logger: opts.logger } : {}),
      onChange: (change) => this.onInboxChange(change),
    });
  }

  async start(): Promise<void> {
    if (this.startedAt !== undefined) return;
    this.startedAt = this.clock.now();
    this.refreshRoster();
    await this.refreshContainers();
    this.watcher.start();
    this.opts.logger?.log("hub_started", { agents: this.roster, owner_tasks: this.config.owner_tasks });
    for (const name of this.roster) this.evaluate(name);
    this.armTick();
  }

  /** Stop watching and delivering (runs in flight are aborted). Containers are left as they are. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    this.watcher.stop();
    await this.queue.stop();
    await this.settle();
    this.startedAt = undefined;
    this.stopping = false;
    this.opts.logger?.log("hub_stopped", {});
  }

  /**
   * One round of container polling and policies (the timer calls it; tests too). Starts and stops it
   * decides run on (see `settle`); it does not wait for them, nor for deliveries.
   */
  async tick(): Promise<void> {
    this.reloadConfig();
    this.refreshRoster();
    await this.refreshContainers();
    for (const name of this.roster) this.evaluate(name);
  }

  /** Wait until the start/stop actions and deliveries under way have finished. */
  async settle(): Promise<void> {
    for (;;) {
      if (this.work.size > 0) {
        await Promise.allSettled([...this.work]);
        continue;
      }
      await this.queue.whenIdle();
      if (this.work.size === 0) return;
    }
  }

  snapshot(): HubSnapshot {
    return {
      running: this.startedAt !== undefined,
      started_at: this.startedAt !== undefined ? new Date(this.startedAt).toISOString() : null,
      owner_tasks: this.config.owner_tasks,
      agents: this.roster.map((name) => this.status(name)),
    };
  }

  /** An agent's open tasks, as the watcher last saw them. */
  openTasks(name: string): InboxTask[] {
    return this.watcher.openTasks(name);
  }

  async startAgent(name: string): Promise<HubActionResult> {
    if (!this.known(name)) return unknownAgent(name, this.roster);
    const rt = this.runtime(name);
    if (rt.container === "running") return { ok: true, status: 200, message: `${name} is already running` };
    if (rt.busy) return { ok: false, status: 409, message: `${name} is ${rt.container}; try again in a moment` };
    rt.autoStartSuppressed = false;
    const ok = await this.track(this.startContainer(rt, "requested by an administrator"));
    return ok ? { ok: true, status: 200, message: `${name} started` } : { ok: false, status: 500, message: `${name} did not start: ${rt.error ?? "unknown error"}` };
  }

  async stopAgent(name: string): Promise<HubActionResult> {
    if (!this.known(name)) return unknownAgent(name, this.roster);
    const rt = this.runtime(name);
    if (rt.container === "stopped") return { ok: true, status: 200, message: `${name} is not running` };
    if (!rt.startedByHub) {
      return { ok: false, status: 409, message: `${name}'s container was not started by the hub, so the hub does not stop it (use: qms session down ${name})` };
    }
    if (rt.busy) return { ok: false, status: 409, message: `${name} is ${rt.container}; try again in a moment` };
    rt.autoStartSuppressed = true;
    const ok = await this.track(this.stopContainer(rt, "requested by an administrator"));
    return ok ? { ok: true, status: 200, message: `${name} stopped` } : { ok: false, status: 500, message: `${name} did not stop: ${rt.error ?? "unknown error"}` };
  }

  nudge(name: string): HubActionResult {
    if (!this.known(name)) return unknownAgent(name, this.roster);
    const r = this.queue.nudge(name);
    this.opts.logger?.log("hub_nudge", { agent: name, queued: r.queued, ...(r.reason ? { reason: r.reason } : {}) });
    if (r.queued) this.evaluate(name); // a stopped auto_on_task agent is started for it
    return { ok: r.queued, status: r.queued ? 200 : 409, message: r.queued ? `nudge queued for ${name}${r.reason ? ` (${r.reason})` : ""}` : (r.reason ?? "nothing to nudge") };
  }

  // ---- internals --------------------------------------------------------------------------------------

  private settings(agent: string): AgentSettings {
    return agentSettings(this.config, agent);
  }

  private known(name: string): boolean {
    return this.roster.includes(name);
  }

  private runtime(name: string): AgentRuntime {
    let rt = this.agents.get(name);
    if (!rt) {
      rt = { name, container: "unknown", startedByHub: false, autoStartSuppressed: false, busy: false };
      this.agents.set(name, rt);
    }
    const settings = this.settings(name);
    if (rt.runnerMode !== settings.delivery && !this.queue.isRunning(name)) {
      rt.runner = this.opts.runnerFor(name, settings);
      rt.runnerMode = settings.delivery;
    }
    return rt;
  }

  private reloadConfig(): void {
    try {
      this.config = this.opts.config();
    } catch (e) {
      this.opts.logger?.log("hub_config_error", { error: (e as Error).message, message: "keeping the previous hub settings" });
    }
  }

  private refreshRoster(): void {
    const before = new Set(this.roster);
    this.roster = [...this.opts.roster()].sort();
    for (const name of this.roster) {
      this.runtime(name);
      // an agent added since (a new .claude/agents/NAME.md): its inbox is already known to the watcher
      if (this.startedAt !== undefined && !before.has(name)) this.queue.update(name, this.watcher.openTasks(name));
    }
  }

  private armTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      void this.tick()
        .catch((e: unknown) => this.opts.logger?.log("hub_tick_error", { error: (e as Error).message }))
        .finally(() => {
          if (this.startedAt !== undefined && !this.stopping) this.armTick();
        });
    }, this.opts.tickMs ?? 5000);
  }

  private available(rt: AgentRuntime): boolean {
    return this.settings(rt.name).delivery === "none" || rt.container === "running";
  }

  private async refreshContainers(): Promise<void> {
    await Promise.all(
      this.roster.map(async (name) => {
        const rt = this.runtime(name);
        if (rt.busy) return;
        let running: boolean;
        try {
          running = await this.opts.control.isRunning(name);
        } catch (e) {
          rt.error = (e as Error).message;
          return;
        }
        if (rt.busy) return;
        const before = rt.container;
        rt.container = running ? "running" : "stopped";
        if (!running && before === "running") {
          this.opts.logger?.log("hub_container_gone", { agent: name, started_by_hub: rt.startedByHub });
          // died or stopped from outside: a fresh start counts from when it was started
          if (rt.startedByHub && rt.startedAt !== undefined) rt.lastStartAttemptAt = rt.startedAt;
          rt.startedByHub = false;
        }
        this.queue.setAvailable(name, this.available(rt));
      }),
    );
  }

  private onInboxChange(change: InboxChange): void {
    if (!this.known(change.user)) return;
    const rt = this.runtime(change.user);
    if (change.added.length > 0) rt.autoStartSuppressed = false;
    if (change.open.length === 0) rt.inboxEmptySince ??= this.clock.now();
    else rt.inboxEmptySince = undefined;
    this.queue.update(change.user, change.open);
    if (this.startedAt !== undefined) this.evaluate(change.user);
  }

  private onRunEnd(record: DeliveryRecord): void {
    const rt = this.runtime(record.agent);
    rt.lastActivityAt = record.endedAt;
    this.evaluate(record.agent);
  }

  private evaluate(name: string): void {
    const rt = this.runtime(name);
    if (rt.busy || this.startedAt === undefined || this.stopping) return;
    const q = this.queue.state(name);
    const decision = decidePolicy(
      {
        settings: this.settings(name),
        container: rt.container,
        startedByHub: rt.startedByHub,
        openTasks: q.open,
        pendingTasks: q.pending.length,
        runActive: q.running !== undefined,
        ...(rt.inboxEmptySince !== undefined ? { inboxEmptySince: rt.inboxEmptySince } : {}),
        ...(rt.lastActivityAt !== undefined ? { lastActivityAt: rt.lastActivityAt } : {}),
        ...(rt.lastStartAttemptAt !== undefined ? { lastStartAttemptAt: rt.lastStartAttemptAt } : {}),
        autoStartSuppressed: rt.autoStartSuppressed,
      },
      this.clock.now(),
      this.opts.policyTiming ?? DEFAULT_POLICY_TIMING,
    );
    if (decision.action === "start") void this.track(this.startContainer(rt, decision.reason));
    else if (decision.action === "stop") void this.track(this.stopContainer(rt, decision.reason));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const done = p.then(
      () => undefined,
      () => undefined,
    );
    this.work.add(done);
    void done.finally(() => this.work.delete(done));
    return p;
  }

  private async startContainer(rt: AgentRuntime, reason: string): Promise<boolean> {
    rt.busy = true;
    rt.container = "starting";
    rt.lastStartAttemptAt = this.clock.now();
    this.opts.logger?.log("hub_agent_start", { agent: rt.name, reason });
    try {
      await this.opts.control.start(rt.name);
      const running = await this.opts.control.isRunning(rt.name);
      if (!running) throw new Error("the container is not running after start");
      rt.container = "running";
      rt.startedByHub = true;
      rt.startedAt = this.clock.now();
      rt.lastActivityAt = rt.startedAt;
      rt.lastStartAttemptAt = undefined;
      rt.error = undefined;
      this.opts.logger?.log("hub_agent_started", { agent: rt.name });
      return true;
    } catch (e) {
      rt.container = "stopped";
      rt.error = (e as Error).message;
      this.opts.logger?.log("hub_agent_start_failed", { agent: rt.name, error: rt.error });
      return false;
    } finally {
      rt.busy = false;
      this.queue.setAvailable(rt.name, this.available(rt));
    }
  }

  private async stopContainer(rt: AgentRuntime, reason: string): Promise<boolean> {
    if (!rt.startedByHub) return false; // never a container someone else started
    rt.busy = true;
    rt.container = "stopping";
    this.queue.setAvailable(rt.name, this.available(rt));
    this.opts.logger?.log("hub_agent_stop", { agent: rt.name, reason });
    try {
      await this.opts.control.stop(rt.name);
      rt.container = "stopped";
      rt.startedByHub = false;
      rt.startedAt = undefined;
      rt.error = undefined;
      this.opts.logger?.log("hub_agent_stopped", { agent: rt.name });
      return true;
    } catch (e) {
      rt.error = (e as Error).message;
      rt.container = (await this.opts.control.isRunning(rt.name).catch(() => true)) ? "running" : "stopped";
      this.opts.logger?.log("hub_agent_stop_failed", { agent: rt.name, error: rt.error });
      return false;
    } finally {
      rt.busy = false;
      this.queue.setAvailable(rt.name, this.available(rt));
    }
  }

  private status(name: string): AgentStatus {
    const rt = this.runtime(name);
    const settings = this.settings(name);
    const q = this.queue.state(name);
    const status: AgentStatus = {
      name,
      container: rt.container,
      started_by_hub: rt.startedByHub,
      identity: name,
      launch: settings.launch,
      shutdown: settings.shutdown,
      delivery: settings.delivery,
      inbox: q.open,
      pending: q.pending.length,
      activity: this.activity(rt, q.running?.tasks, q.last),
      deliveries_last_hour: q.deliveriesLastHour,
      max_deliveries_per_hour: q.maxPerHour,
    };
    if (q.rateLimitedUntil !== undefined) status.rate_limited_until = new Date(q.rateLimitedUntil).toISOString();
    if (q.last) status.last_delivery = lastDelivery(q.last);
    if (rt.error) status.error = rt.error;
    return status;
  }

  private activity(rt: AgentRuntime, running: readonly { doc_id?: string; workflow_type?: string; task_type?: string; step?: string; id: string }[] | undefined, last: DeliveryRecord | undefined): string {
    if (running && running.length > 0) {
      const first = running[0]!;
      const what = describeTask(first).replace(/, (sent|caused) by .*$/, "").replace(/ v[\d.]+:/, "");
      return `working on ${what}${running.length > 1 ? ` (+${running.length - 1} more)` : ""}`;
    }
    if (running) return "working (reminder)";
    if (rt.container === "starting" || rt.container === "stopping") return rt.container;
    if (rt.container === "stopped" && this.settings(rt.name).delivery !== "none") return rt.error ? "error" : "stopped";
    if (last && !last.outcome.delivered) {
      const seen = last.outcome.agentState;
      if (seen === "waiting_for_input") return "waiting for input";
      // interactive: a person is using the session; the notification waits for the idle prompt
      if (seen === "busy" || seen === "typing") return "busy";
      return "error";
    }
    if (last && last.outcome.exitCode !== undefined && last.outcome.exitCode !== 0 && last.outcome.exitCode !== null) return "error";
    return "idle";
  }
}

function lastDelivery(r: DeliveryRecord): LastDelivery {
  const o = r.outcome;
  return {
    started: new Date(r.startedAt).toISOString(),
    ended: new Date(r.endedAt).toISOString(),
    tasks: r.tasks,
    nudge: r.nudge,
    delivered: o.delivered,
    exit_code: o.exitCode ?? null,
    duration_ms: o.durationMs,
    timed_out: o.timedOut === true,
    tools: o.toolsCalled ?? [],
    ...(o.error ? { error: o.error } : {}),
    ...(o.agentState ? { agent_state: o.agentState } : {}),
  };
}

function unknownAgent(name: string, roster: readonly string[]): HubActionResult {
  return { ok: false, status: 404, message: `No agent named ${name.slice(0, 64)}; agents: ${roster.join(", ") || "(none)"}` };
}
