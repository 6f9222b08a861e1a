import type { AgentSettings } from "./config.js";

/** What the hub knows about an agent's container. */
export type ContainerState = "running" | "stopped" | "starting" | "stopping" | "unknown";

export interface PolicyInput {
  settings: Pick<AgentSettings, "launch" | "shutdown" | "idle_minutes">;
  container: ContainerState;
  /** The hub started this container itself (it never stops any other). */
  startedByHub: boolean;
  openTasks: number;
  /** Open tasks not yet delivered. */
  pendingTasks: number;
  runActive: boolean;
  /** Since when the inbox has been empty (undefined while it holds tasks). */
  inboxEmptySince?: number;
  /** The end of the last delivery, or when the hub started the container if none since. */
  lastActivityAt?: number;
  /** The hub's last attempt to start this container (failed or not). */
  lastStartAttemptAt?: number;
  /** An administrator stopped the agent: no automatic start until a new task arrives. */
  autoStartSuppressed?: boolean;
}

export interface PolicyTiming {
  /** `on_inbox_empty` waits this long after the inbox empties (a follow-up task often comes at once). */
  emptyGraceMs: number;
  /** No new automatic start within this time of the last attempt (a container that dies at once). */
  restartBackoffMs: number;
}

export const DEFAULT_POLICY_TIMING: Readonly<PolicyTiming> = { emptyGraceMs: 5000, restartBackoffMs: 60000 };

export type PolicyDecision = { action: "start"; reason: string } | { action: "stop"; reason: string } | { action: "none"; reason: string };

/**
 * Launch and shutdown policies (agents-and-hub §3 "Policies"), as a pure decision on the current state and
 * time: `launch: manual | auto_on_task | always_on`, `shutdown: manual | on_inbox_empty | idle_timeout`.
 */
export function decidePolicy(input: PolicyInput, now: number, timing: PolicyTiming = DEFAULT_POLICY_TIMING): PolicyDecision {
  const { settings } = input;
  if (input.container === "starting" || input.container === "stopping" || input.container === "unknown") {
    return { action: "none", reason: `container is ${input.container}` };
  }

  if (input.container === "stopped") {
    const wanted =
      settings.launch === "always_on"
        ? "launch always_on"
        : settings.launch === "auto_on_task" && input.pendingTasks > 0 && !input.autoStartSuppressed
          ? `launch auto_on_task: ${input.pendingTasks} task${input.pendingTasks === 1 ? "" : "s"} waiting`
          : undefined;
    if (!wanted) return { action: "none", reason: `stopped, launch ${settings.launch}` };
    if (input.lastStartAttemptAt !== undefined && now - input.lastStartAttemptAt < timing.restartBackoffMs) {
      return { action: "none", reason: `${wanted}, but the last start was ${Math.round((now - input.lastStartAttemptAt) / 1000)} s ago` };
    }
    return { action: "start", reason: wanted };
  }

  // running
  if (!input.startedByHub) return { action: "none", reason: "not started by the hub" };
  if (settings.launch === "always_on") return { action: "none", reason: "launch always_on" };
  if (input.runActive) return { action: "none", reason: "a delivery is running" };
  if (input.pendingTasks > 0) return { action: "none", reason: "tasks waiting for delivery" };
  if (settings.shutdown === "on_inbox_empty") {
    if (input.openTasks > 0 || input.inboxEmptySince === undefined) return { action: "none", reason: "inbox not empty" };
    if (now - input.inboxEmptySince < timing.emptyGraceMs) return { action: "none", reason: "inbox just emptied" };
    return { action: "stop", reason: "shutdown on_inbox_empty: inbox empty, no delivery running" };
  }
  if (settings.shutdown === "idle_timeout") {
    const idleMs = settings.idle_minutes * 60000;
    if (input.lastActivityAt === undefined || now - input.lastActivityAt < idleMs) return { action: "none", reason: "not idle long enough" };
    return { action: "stop", reason: `shutdown idle_timeout: no delivery for ${settings.idle_minutes} min` };
  }
  return { action: "none", reason: "shutdown manual" };
}
