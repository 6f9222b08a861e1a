import type { ExecutionPhase, Status } from "./statuses.js";

/** Workflow kinds as they appear in audit events, task files and messages (spec §6.3). */
export type WorkflowType = "REVIEW" | "APPROVAL" | "PRE_REVIEW" | "PRE_APPROVAL" | "POST_REVIEW" | "POST_APPROVAL";
export type RouteKind = "review" | "approval";

export interface RouteRule {
  kind: RouteKind;
  from: Status;
  executable: boolean;
  /** Executables only; undefined for non-executables. */
  phase?: ExecutionPhase;
  to: Status;
  workflow: WorkflowType;
}

/** `route` resolution table (spec §6.3); anything not listed is rejected (REQ-WF-001). */
export const ROUTE_RULES: readonly RouteRule[] = [
  { kind: "review", from: "DRAFT", executable: false, to: "IN_REVIEW", workflow: "REVIEW" },
  { kind: "review", from: "DRAFT", executable: true, phase: "pre_release", to: "IN_PRE_REVIEW", workflow: "PRE_REVIEW" },
  {
    kind: "review",
    from: "DRAFT",
    executable: true,
    phase: "post_release",
    to: "IN_POST_REVIEW",
    workflow: "POST_REVIEW",
  },
  {
    kind: "review",
    from: "IN_EXECUTION",
    executable: true,
    phase: "post_release",
    to: "IN_POST_REVIEW",
    workflow: "POST_REVIEW",
  },
  { kind: "approval", from: "REVIEWED", executable: false, to: "IN_APPROVAL", workflow: "APPROVAL" },
  {
    kind: "approval",
    from: "PRE_REVIEWED",
    executable: true,
    phase: "pre_release",
    to: "IN_PRE_APPROVAL",
    workflow: "PRE_APPROVAL",
  },
  {
    kind: "approval",
    from: "POST_REVIEWED",
    executable: true,
    phase: "post_release",
    to: "IN_POST_APPROVAL",
    workflow: "POST_APPROVAL",
  },
];

export function resolveRoute(
  kind: RouteKind,
  from: Status,
  executable: boolean,
  phase: ExecutionPhase | null,
): RouteRule | undefined {
  return ROUTE_RULES.find(
    (r) => r.kind === kind && r.from === from && r.executable === executable && (!executable || r.phase === phase),
  );
}

/** The workflow an active state belongs to, and where it goes when it completes or is undone. */
export interface ActiveStateRule {
  workflow: WorkflowType;
  kind: RouteKind;
  /** After the last review (review states) or after a rejection (approval states). */
  completesTo: Status;
  /** `withdraw` and owner checkout (auto-withdraw), REQ-WF-018. */
  withdrawTo: Status;
  /** After the last approval (approval states only); APPROVED is transient for non-executables. */
  approvedTo?: Status;
}

export const ACTIVE_STATE_RULES: Readonly<Partial<Record<Status, ActiveStateRule>>> = {
  IN_REVIEW: { workflow: "REVIEW", kind: "review", completesTo: "REVIEWED", withdrawTo: "DRAFT" },
  IN_PRE_REVIEW: { workflow: "PRE_REVIEW", kind: "review", completesTo: "PRE_REVIEWED", withdrawTo: "DRAFT" },
  IN_POST_REVIEW: {
    workflow: "POST_REVIEW",
    kind: "review",
    completesTo: "POST_REVIEWED",
    withdrawTo: "IN_EXECUTION",
  },
  IN_APPROVAL: {
    workflow: "APPROVAL",
    kind: "approval",
    completesTo: "REVIEWED",
    withdrawTo: "REVIEWED",
    approvedTo: "APPROVED",
  },
  IN_PRE_APPROVAL: {
    workflow: "PRE_APPROVAL",
    kind: "approval",
    completesTo: "PRE_REVIEWED",
    withdrawTo: "PRE_REVIEWED",
    approvedTo: "PRE_APPROVED",
  },
  IN_POST_APPROVAL: {
    workflow: "POST_APPROVAL",
    kind: "approval",
    completesTo: "POST_REVIEWED",
    withdrawTo: "POST_REVIEWED",
    approvedTo: "POST_APPROVED",
  },
};

/** Status changes made by `checkout` itself (REQ-WF-016, REQ-WF-017). */
export const CHECKOUT_TRANSITIONS: Readonly<Partial<Record<Status, Status>>> = {
  PRE_APPROVED: "DRAFT",
  POST_REVIEWED: "IN_EXECUTION",
};

/** `checkin` from a reviewed state sends the document back to DRAFT (REQ-DOC-009). */
export const CHECKIN_RESETS: readonly Status[] = ["REVIEWED", "PRE_REVIEWED", "POST_REVIEWED"];

/** Single-step transitions triggered by owner commands. */
export const RELEASE_TRANSITION = { from: "PRE_APPROVED", to: "IN_EXECUTION" } as const;
export const REVERT_TRANSITION = { from: "POST_REVIEWED", to: "IN_EXECUTION" } as const;
export const CLOSE_TRANSITION = { from: "POST_APPROVED", to: "CLOSED" } as const;

export function taskTypeOf(workflow: WorkflowType): "REVIEW" | "APPROVAL" {
  return workflow.endsWith("APPROVAL") ? "APPROVAL" : "REVIEW";
}
