import type { Flash } from "./sessions.js";

/** What the hub reports about its agents (agents-and-hub spec §2–3); injected, may be absent. */
export interface HubAgent {
  name: string;
  /** Container state: running, stopped, starting, absent, error, ... */
  container: string;
  /** idle, "working on CR-005 review", "waiting for input", error, ... */
  activity: string;
  delivery?: string;
  open_tasks: Array<{ doc_id: string; task_type: string; version?: string }>;
  deliveries: Array<{ at: string; outcome: string; detail?: string; duration_ms?: number }>;
  transcript_tail: string[];
}

export interface HubSnapshot {
  taken_at?: string;
  agents: HubAgent[];
}

export type HubAction = "start" | "stop" | "nudge";

export interface IntegrityFinding {
  doc_id?: string;
  file?: string;
  line?: number;
  what: string;
  fix?: string;
}

/** The result of `qms verify` (integrity spec §3); injected, may be absent. */
export interface IntegrityReport {
  ok: boolean;
  findings: IntegrityFinding[];
  checked_at?: string;
  documents?: number;
}

/** The parts of every page that depend on who is signed in. */
export interface Chrome {
  project: string;
  user: string;
  group: string;
  csrf: string;
  active: "documents" | "inbox" | "workspace" | "agents" | "audit" | "integrity" | "document";
  /** Open integrity findings (a red banner on every page), when known. */
  openFindings?: number;
  flash?: Flash;
}
