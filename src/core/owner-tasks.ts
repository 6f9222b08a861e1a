import { isoDate } from "./audit-events.js";
import { yamlScalar } from "./frontmatter.js";
import type { DocMeta } from "./meta.js";
import { APPROVAL_STATES, REVIEW_STATES, type Status } from "./statuses.js";
import { ACTIVE_STATE_RULES } from "./transitions.js";

/**
 * Owner tasks (agents-and-hub §3): with `owner_tasks: true`, whenever the next step of a workflow is the
 * owner's, the engine puts a task in the owner's inbox, so every hand-off is an inbox task. Pure: the
 * service that ran an operation passes the document's meta before and after it, and writes/removes the
 * files this module describes.
 */

/** The parts of a document's meta the rules read. */
export type OwnerMetaView = Pick<DocMeta, "doc_id" | "status" | "version" | "responsible_user" | "pending_assignees" | "executable"> &
  Partial<Pick<DocMeta, "review_outcomes" | "execution_phase">>;

export type OwnerStep = "route_approval" | "revise" | "release" | "close";

/** Same shape as `NextStep` in src/core/result.ts after issue #7 (an MCP tool call by operation name). */
export interface NextStep {
  action: string;
  doc_id?: string;
  args?: Record<string, string | boolean | string[]>;
  user?: string;
}

export interface OwnerTask {
  task_id: string;
  owner: string;
  doc_id: string;
  version: string;
  /** The document's status when the task was written. */
  status: Status;
  step: OwnerStep;
  caused_by: string;
  /** Why the step is the owner's, in words ("all reviews recommend", "approval rejected by qa"). */
  reason: string;
  next: NextStep;
}

/** What the caller does: remove each listed owner's task for the document first, then write `write`. */
export interface OwnerTaskEffects {
  remove: { owner: string; doc_id: string }[];
  write?: OwnerTask;
}

export interface OwnerTaskInput {
  /** null when the document did not exist before (create). */
  before: OwnerMetaView | null;
  /** null when the operation deleted the document (cancel). */
  after: OwnerMetaView | null;
  actor: string;
}

interface StepInfo {
  workflowType: string;
  /** What the owner does, as the task's heading says it. */
  label: string;
  next(docId: string): NextStep;
  cli(docId: string): string;
}

export const OWNER_STEPS: Readonly<Record<OwnerStep, StepInfo>> = {
  route_approval: {
    workflowType: "ROUTE_APPROVAL",
    label: "route it for approval",
    next: (doc_id) => ({ action: "route", doc_id, args: { doc_id, route_type: "approval" } }),
    cli: (id) => `route ${id} --approval`,
  },
  revise: {
    workflowType: "REVISE",
    label: "check it out, revise it and route it for review again",
    next: (doc_id) => ({ action: "checkout", doc_id, args: { doc_id } }),
    cli: (id) => `checkout ${id}`,
  },
  release: {
    workflowType: "RELEASE",
    label: "release it for execution",
    next: (doc_id) => ({ action: "release", doc_id, args: { doc_id } }),
    cli: (id) => `release ${id}`,
  },
  close: {
    workflowType: "CLOSE",
    label: "close it",
    next: (doc_id) => ({ action: "close", doc_id, args: { doc_id } }),
    cli: (id) => `close ${id}`,
  },
};

interface OwnerRule {
  step: OwnerStep;
  /** The reason text when the rule applies to this change, else undefined. */
  match(before: OwnerMetaView, after: OwnerMetaView, actor: string): string | undefined;
}

/** A review round just finished: the last pending reviewer submitted and the status moved on. */
function reviewRoundCompleted(before: OwnerMetaView, after: OwnerMetaView): boolean {
  if (!REVIEW_STATES.includes(before.status)) return false;
  return ACTIVE_STATE_RULES[before.status]?.completesTo === after.status;
}

function outcomesOf(meta: OwnerMetaView): [string, string][] {
  return Object.entries(meta.review_outcomes ?? {});
}

/** The rule table: the first rule that matches the change names the owner's step. */
export const OWNER_RULES: readonly OwnerRule[] = [
  {
    step: "route_approval",
    match(before, after) {
      if (!reviewRoundCompleted(before, after)) return undefined;
      const outcomes = outcomesOf(after);
      if (outcomes.length === 0 || outcomes.some(([, o]) => o !== "RECOMMEND")) return undefined;
      return `all reviews recommend (${outcomes.map(([u]) => u).join(", ")})`;
    },
  },
  {
    step: "revise",
    match(before, after) {
      if (!reviewRoundCompleted(before, after)) return undefined;
      const blocking = outcomesOf(after).filter(([, o]) => o === "UPDATES_REQUIRED").map(([u]) => u);
      return blocking.length > 0 ? `updates requested by ${blocking.join(", ")}` : undefined;
    },
  },
  {
    step: "revise",
    // A rejection, told from the owner's own withdraw (same transition) by who acted: an approver.
    match(before, after, actor) {
      if (!APPROVAL_STATES.includes(before.status)) return undefined;
      if (ACTIVE_STATE_RULES[before.status]?.completesTo !== after.status) return undefined;
      return (before.pending_assignees ?? []).includes(actor) ? `approval rejected by ${actor}` : undefined;
    },
  },
  {
    step: "release",
    match: (before, after) => (before.status === "IN_PRE_APPROVAL" && after.status === "PRE_APPROVED" ? "pre-approved" : undefined),
  },
  {
    step: "close",
    match: (before, after) => (before.status === "IN_POST_APPROVAL" && after.status === "POST_APPROVED" ? "post-approved" : undefined),
  },
];

/** Statuses in which some owner step is waiting; in any other status no owner task can still be due. */
const OWNER_STEP_STATES: readonly Status[] = ["REVIEWED", "PRE_REVIEWED", "POST_REVIEWED", "PRE_APPROVED", "POST_APPROVED"];

/** `task-{DOC_ID}-owner_{step}-v{N-X}`, beside the review/approval tasks' `task-{DOC_ID}-{workflow}-v{N-X}`. */
export function ownerTaskId(docId: string, step: OwnerStep, version: string): string {
  return `task-${docId}-owner_${step}-v${version.replace(/\./g, "-")}`;
}

const OWNER_TASK_REST = /^owner_(route_approval|revise|release|close)-v[\d-]+\.md$/;

/** Is `fileName` (in an inbox) an owner task of exactly `docId` (never of `docId`-TP-001)? */
export function isOwnerTaskFile(docId: string, fileName: string): boolean {
  const prefix = `task-${docId}-`;
  return fileName.startsWith(prefix) && OWNER_TASK_REST.test(fileName.slice(prefix.length));
}

/** Decide which owner task to write and which to remove after one operation on one document. */
export function ownerTaskEffects(input: OwnerTaskInput): OwnerTaskEffects {
  const { before, after, actor } = input;
  const docId = after?.doc_id ?? before?.doc_id;
  if (docId === undefined) return { remove: [] };
  const owner = after?.responsible_user ?? null;

  let write: OwnerTask | undefined;
  if (before && after && owner && owner !== actor) {
    for (const rule of OWNER_RULES) {
      const reason = rule.match(before, after, actor);
      if (reason === undefined) continue;
      write = {
        task_id: ownerTaskId(docId, rule.step, after.version),
        owner,
        doc_id: docId,
        version: after.version,
        status: after.status,
        step: rule.step,
        caused_by: actor,
        reason,
        next: { ...OWNER_STEPS[rule.step].next(docId), user: owner },
      };
      break;
    }
  }

  const remove: OwnerTaskEffects["remove"] = [];
  const candidates = new Set([before?.responsible_user, after?.responsible_user].filter((u): u is string => typeof u === "string"));
  for (const user of candidates) {
    const stillDue = user === owner && user !== actor && after !== null && OWNER_STEP_STATES.includes(after.status);
    // the new task replaces whatever step the owner had for this document
    if (write?.owner === user || !stillDue) remove.push({ owner: user, doc_id: docId });
  }
  return write ? { remove, write } : { remove };
}

/** The task file: frontmatter the inbox lists, and a body naming document, version, step, cause and call. */
export function renderOwnerTask(task: OwnerTask, doc: { title: string; now: Date }): string {
  const info = OWNER_STEPS[task.step];
  const tool = `qms_${task.next.action}`;
  const args = JSON.stringify(task.next.args ?? {});
  const frontmatter = [
    "---",
    `task_id: ${task.task_id}`,
    "task_type: OWNER",
    `workflow_type: ${info.workflowType}`,
    `step: ${task.step}`,
    `doc_id: ${task.doc_id}`,
    `title: ${yamlScalar(doc.title)}`,
    `status: ${task.status}`,
    `responsible_user: ${task.owner}`,
    `assigned_by: ${task.caused_by}`,
    `caused_by: ${task.caused_by}`,
    `assigned_date: ${isoDate(doc.now)}`,
    `version: ${task.version}`,
    `next_tool: ${tool}`,
    `next_args: ${yamlScalar(args)}`,
    "---",
    "",
  ].join("\n");
  const body = [
    `# Owner task: ${task.doc_id} v${task.version} - ${info.label}`,
    "",
    `${task.doc_id} (${doc.title}) is ${task.status}: ${task.reason}; caused by ${task.caused_by}.`,
    `You own it, so the next step is yours: ${info.label}.`,
    "",
    `Tool call: ${tool} ${args}`,
    `CLI: qms --user ${task.owner} ${info.cli(task.doc_id)}`,
    "",
    "This task is removed when you act on the document.",
    "",
  ].join("\n");
  return `${frontmatter}\n${body}`;
}
