import type { Logger } from "../mcp/log.js";
import { type Clock, systemClock, type Timer } from "./clock.js";
import { renderNotification } from "./notification.js";
import type { InboxTask } from "./watcher.js";

export interface DeliveryRequest {
  agent: string;
  /** The batch: tasks new since the last delivery (for a nudge with nothing new: every open task). */
  tasks: InboxTask[];
  openCount: number;
  nudge: boolean;
  notification: string;
  /** Aborted when the run reaches its time limit; the runner then stops what it started. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface DeliveryOutcome {
  /** The agent received the notification (a headless run that exited 0, text typed into an idle pane). */
  delivered: boolean;
  exitCode?: number | null;
  durationMs: number;
  timedOut?: boolean;
  /** Tool names the agent called (headless: from the stream-json `tool_use` blocks). */
  toolsCalled?: string[];
  error?: string;
  /** What the agent looked like when delivery failed (interactive: `busy`, `waiting_for_input`). */
  agentState?: string;
}

export type DeliverFn = (req: DeliveryRequest) => Promise<DeliveryOutcome>;

export interface DeliveryRecord {
  agent: string;
  startedAt: number;
  endedAt: number;
  tasks: string[];
  nudge: boolean;
  outcome: DeliveryOutcome;
}

export interface RunningDelivery {
  startedAt: number;
  tasks: InboxTask[];
  nudge: boolean;
}

export interface DeliveryQueueOptions {
  deliver: DeliverFn;
  clock?: Clock;
  logger?: Logger;
  /** Deliveries allowed per agent in any sliding hour (default 20). */
  maxPerHour?: (agent: string) => number;
  /** Time limit of one run (default 15 minutes). */
  runTimeoutMs?: (agent: string) => number;
  /** After the time limit, how long a runner may take to stop before its slot is freed anyway. */
  killGraceMs?: number;
  /** Wait this long after the first trigger before starting, so tasks written together go in one run. */
  gatherMs?: number;
  /** After a failed delivery, wait this long before trying again. */
  retryBackoffMs?: number;
  onRunStart?(agent: string, run: RunningDelivery): void;
  onRunEnd?(record: DeliveryRecord): void;
}

export interface AgentQueueState {
  open: number;
  /** Open tasks not yet delivered. */
  pending: string[];
  running?: RunningDelivery;
  deliveriesLastHour: number;
  maxPerHour: number;
  /** Set while the rate limit holds deliveries back. */
  rateLimitedUntil?: number;
  available: boolean;
  last?: DeliveryRecord;
}

const HOUR = 60 * 60 * 1000;

interface AgentQueue {
  open: Map<string, InboxTask>;
  /** Tasks handed to the agent (id → mtime of the version delivered); a rewritten file is new again. */
  delivered: Map<string, number>;
  available: boolean;
  nudged: boolean;
  running?: RunningDelivery;
  gather?: Timer;
  /** Start times of the runs of the last hour. */
  starts: number[];
  limitTimer?: Timer;
  limitedUntil?: number;
  backoffTimer?: Timer;
  last?: DeliveryRecord;
}

/**
 * Per-agent delivery queue (agents-and-hub §3 "Deliver", "Loops and storms"): one run at a time per agent;
 * tasks that arrive during a run are batched into the next; a run time limit; at most N runs per agent per
 * sliding hour, with one clear log line when the limit holds deliveries back; a task delivered and still
 * open is not delivered again until something changes (a new task, or a nudge).
 */
export class DeliveryQueue {
  private readonly agents = new Map<string, AgentQueue>();
  private readonly clock: Clock;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: DeliveryQueueOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** The agent's open tasks, as the watcher last saw them. */
  update(agent: string, open: readonly InboxTask[]): void {
    const q = this.queue(agent);
    q.open = new Map(open.map((t) => [t.id, t]));
    for (const id of [...q.delivered.keys()]) if (!q.open.has(id)) q.delivered.delete(id);
    this.trigger(agent);
  }

  /** Whether the agent can take a delivery now (its container is running). */
  setAvailable(agent: string, available: boolean): void {
    const q = this.queue(agent);
    q.available = available;
    if (available) this.trigger(agent);
  }

  /** `qms agents nudge NAME`: deliver the open tasks again, even those delivered before (rate limit still applies). */
  nudge(agent: string): { queued: boolean; reason?: string } {
    const q = this.queue(agent);
    if (q.open.size === 0) return { queued: false, reason: `${agent} has no open tasks` };
    q.nudged = true;
    this.trigger(agent);
    if (q.running) return { queued: true, reason: "a run is in progress; the nudge follows it" };
    if (!q.available) return { queued: true, reason: `${agent} is not running; delivered when it is` };
    if (q.limitedUntil !== undefined) return { queued: true, reason: `rate limit reached; delivered after ${new Date(q.limitedUntil).toISOString()}` };
    return { queued: true };
  }

  state(agent: string): AgentQueueState {
    const q = this.queue(agent);
    this.pruneStarts(q);
    const s: AgentQueueState = {
      open: q.open.size,
      pending: this.pendingTasks(q).map((t) => t.id),
      deliveriesLastHour: q.starts.length,
      maxPerHour: this.maxPerHour(agent),
      available: q.available,
    };
    if (q.running) s.running = q.running;
    if (q.limitedUntil !== undefined) s.rateLimitedUntil = q.limitedUntil;
    if (q.last) s.last = q.last;
    return s;
  }

  isRunning(agent: string): boolean {
    return this.agents.get(agent)?.running !== undefined;
  }

  /** Resolves when no run is in flight (runs that start meanwhile are awaited too). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stop starting runs; runs in flight are aborted and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const q of this.agents.values()) {
      q.gather?.cancel();
      q.limitTimer?.cancel();
      q.backoffTimer?.cancel();
    }
    for (const c of this.controllers) c.abort();
    await this.whenIdle();
  }

  private readonly controllers = new Set<AbortController>();

  private queue(agent: string): AgentQueue {
    let q = this.agents.get(agent);
    if (!q) {
      q = { open: new Map(), delivered: new Map(), available: false, nudged: false, starts: [] };
      this.agents.set(agent, q);
    }
    return q;
  }

  private maxPerHour(agent: string): number {
    return this.opts.maxPerHour?.(agent) ?? 20;
  }

  private pendingTasks(q: AgentQueue): InboxTask[] {
    return [...q.open.values()].filter((t) => q.delivered.get(t.id) !== t.mtimeMs);
  }

  private pruneStarts(q: AgentQueue): void {
    const since = this.clock.now() - HOUR;
    while (q.starts.length > 0 && q.starts[0]! <= since) q.starts.shift();
  }

  private trigger(agent: string): void {
    const q = this.queue(agent);
    if (this.stopped || q.running || q.gather || q.backoffTimer || !q.available) return;
    if (this.pendingTasks(q).length === 0 && !q.nudged) return;
    this.pruneStarts(q);
    const limit = this.maxPerHour(agent);
    if (q.starts.length >= limit) {
      if (q.limitTimer) return; // already held back and logged once
      const until = q.starts[0]! + HOUR;
      q.limitedUntil = until;
      this.opts.logger?.log("hub_rate_limited", {
        agent,
        deliveries_last_hour: q.starts.length,
        limit,
        pending: this.pendingTasks(q).length,
        resume_at: new Date(until).toISOString(),
        message: `${agent}: ${q.starts.length} deliveries in the last hour reached the limit of ${limit}; further deliveries wait until ${new Date(until).toISOString()} (two agents handing a document back and forth? raise agents.${agent}.max_deliveries_per_hour if this is real work)`,
      });
      q.limitTimer = this.clock.setTimeout(() => {
        q.limitTimer = undefined;
        q.limitedUntil = undefined;
        this.trigger(agent);
      }, Math.max(0, until - this.clock.now()));
      return;
    }
    q.gather = this.clock.setTimeout(() => {
      q.gather = undefined;
      this.startRun(agent);
    }, this.opts.gatherMs ?? 0);
  }

  private startRun(agent: string): void {
    const q = this.queue(agent);
    if (this.stopped || q.running || !q.available) return;
    const fresh = this.pendingTasks(q);
    const nudge = q.nudged;
    if (fresh.length === 0 && !nudge) return;
    q.nudged = false;
    // a nudge hands over every open task; the notification names what is new, or all of them as a reminder
    const reminder = fresh.length === 0;
    const tasks = nudge ? [...q.open.values()] : fresh;
    const now = this.clock.now();
    q.starts.push(now);
    for (const t of tasks) q.delivered.set(t.id, t.mtimeMs);
    const run: RunningDelivery = { startedAt: now, tasks, nudge };
    q.running = run;
    const timeoutMs = this.opts.runTimeoutMs?.(agent) ?? 15 * 60 * 1000;
    const controller = new AbortController();
    this.controllers.add(controller);
    const notification = renderNotification({ agent, arrived: reminder ? tasks : fresh, openCount: q.open.size, reminder });
    this.opts.logger?.log("hub_delivery_start", { agent, tasks: tasks.map((t) => t.id), open: q.open.size, nudge, deliveries_last_hour: q.starts.length });
    this.opts.onRunStart?.(agent, run);

    let timedOut = false;
    let forced: ((o: DeliveryOutcome) => void) | undefined;
    const forcedEnd = new Promise<DeliveryOutcome>((resolve) => {
      forced = resolve;
    });
    let graceTimer: Timer | undefined;
    const limitTimer = this.clock.setTimeout(() => {
      timedOut = true;
      this.opts.logger?.log("hub_delivery_timeout", { agent, timeout_ms: timeoutMs });
      controller.abort();
      graceTimer = this.clock.setTimeout(() => {
        this.opts.logger?.log("hub_delivery_stuck", { agent, message: `${agent}: the run did not stop ${this.opts.killGraceMs ?? 10000} ms after its time limit; its slot is freed` });
        forced?.({ delivered: true, timedOut: true, durationMs: this.clock.now() - now, error: "did not stop after the time limit" });
      }, this.opts.killGraceMs ?? 10000);
    }, timeoutMs);

    let started: Promise<DeliveryOutcome>;
    try {
      started = this.opts.deliver({ agent, tasks, openCount: q.open.size, nudge, notification, signal: controller.signal, timeoutMs });
    } catch (e) {
      started = Promise.reject(e);
    }
    const done = Promise.race([started, forcedEnd])
      .catch((e: unknown): DeliveryOutcome => ({ delivered: false, durationMs: this.clock.now() - now, error: (e as Error)?.message ?? String(e) }))
      .then((outcome) => {
        limitTimer.cancel();
        graceTimer?.cancel();
        this.controllers.delete(controller);
        const final: DeliveryOutcome = timedOut ? { ...outcome, timedOut: true } : outcome;
        this.finishRun(agent, run, final);
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private finishRun(agent: string, run: RunningDelivery, outcome: DeliveryOutcome): void {
    const q = this.queue(agent);
    q.running = undefined;
    const record: DeliveryRecord = { agent, startedAt: run.startedAt, endedAt: this.clock.now(), tasks: run.tasks.map((t) => t.id), nudge: run.nudge, outcome };
    q.last = record;
    this.opts.logger?.log("hub_delivery_end", {
      agent,
      tasks: record.tasks,
      delivered: outcome.delivered,
      exit_code: outcome.exitCode ?? null,
      duration_ms: outcome.durationMs,
      timed_out: outcome.timedOut === true,
      tools: outcome.toolsCalled ?? [],
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.agentState ? { agent_state: outcome.agentState } : {}),
    });
    if (!outcome.delivered) {
      // not received: the batch is due again, after a pause so a broken agent is not hammered
      for (const t of run.tasks) if (q.delivered.get(t.id) === t.mtimeMs) q.delivered.delete(t.id);
      if (!this.stopped) {
        q.backoffTimer = this.clock.setTimeout(() => {
          q.backoffTimer = undefined;
          this.trigger(agent);
        }, this.opts.retryBackoffMs ?? 60000);
      }
    }
    this.opts.onRunEnd?.(record);
    this.trigger(agent);
  }
}
