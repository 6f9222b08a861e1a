import type { InboxTask } from "./watcher.js";

/** The task fields a notification names; an InboxTask has them all. */
export type NotifiedTask = Pick<InboxTask, "id"> & Partial<Pick<InboxTask, "doc_id" | "workflow_type" | "task_type" | "assigned_by" | "version" | "step">>;

export interface NotificationInput {
  agent: string;
  /** What arrived since the last delivery (empty for a nudge with nothing new). */
  arrived: readonly NotifiedTask[];
  /** How many tasks the agent has open in all. */
  openCount: number;
  /** A nudge: `arrived` lists tasks already delivered once and still open. */
  reminder?: boolean;
}

/** At most this many tasks are spelt out; the rest are counted. */
const LISTED = 5;

/** "SOP-001 v0.1: review, from claude" / "SOP-001 v1.0: owner step close, caused by qa". */
export function describeTask(t: NotifiedTask): string {
  const doc = t.doc_id ?? t.id;
  const version = t.version ? ` v${t.version}` : "";
  const step = t.task_type === "OWNER" ? `owner step ${(t.step ?? t.workflow_type ?? "?").toLowerCase().replace(/_/g, " ")}` : (t.workflow_type ?? t.task_type ?? "task").toLowerCase().replace(/_/g, " ");
  const by = t.assigned_by ? `, ${t.task_type === "OWNER" ? "caused" : "sent"} by ${t.assigned_by}` : "";
  return `${doc}${version}: ${step}${by}`;
}

/**
 * The text an agent receives (agents-and-hub §3): starts with `Task notification:`, says what arrived
 * (document, step, by whom), how many tasks are open, and that `qms_inbox` lists them.
 */
export function renderNotification(input: NotificationInput): string {
  const { arrived, openCount } = input;
  const open = `You have ${openCount} open task${openCount === 1 ? "" : "s"}; call the qms_inbox tool to list them, then work through them.`;
  if (arrived.length === 0) return `Task notification: reminder for ${input.agent}, nothing new arrived. ${open}`;
  const listed = arrived.slice(0, LISTED).map(describeTask);
  const more = arrived.length > LISTED ? ` and ${arrived.length - LISTED} more` : "";
  const n = arrived.length;
  const head = input.reminder ? `reminder, ${n === 1 ? "1 task is" : `${n} tasks are`} still open` : n === 1 ? "1 new task arrived" : `${n} new tasks arrived`;
  return `Task notification: ${head} for ${input.agent}: ${listed.join("; ")}${more}. ${open}`;
}
