/** Workflow statuses (spec §6.1). */
export const STATUSES = [
  "DRAFT",
  "IN_REVIEW",
  "REVIEWED",
  "IN_APPROVAL",
  "APPROVED",
  "EFFECTIVE",
  "IN_PRE_REVIEW",
  "PRE_REVIEWED",
  "IN_PRE_APPROVAL",
  "PRE_APPROVED",
  "IN_EXECUTION",
  "IN_POST_REVIEW",
  "POST_REVIEWED",
  "IN_POST_APPROVAL",
  "POST_APPROVED",
  "CLOSED",
  "RETIRED",
] as const;
export type Status = (typeof STATUSES)[number];

export type ExecutionPhase = "pre_release" | "post_release";

export const TERMINAL_STATUSES: readonly Status[] = ["CLOSED", "RETIRED"];
export const REVIEW_STATES: readonly Status[] = ["IN_REVIEW", "IN_PRE_REVIEW", "IN_POST_REVIEW"];
export const APPROVAL_STATES: readonly Status[] = ["IN_APPROVAL", "IN_PRE_APPROVAL", "IN_POST_APPROVAL"];
export const ACTIVE_WORKFLOW_STATES: readonly Status[] = [...REVIEW_STATES, ...APPROVAL_STATES];
export const REVIEWED_STATES: readonly Status[] = ["REVIEWED", "PRE_REVIEWED", "POST_REVIEWED"];

/** Statuses that belong to the pre-release half of an executable lifecycle (spec §6.3). */
const PRE_RELEASE_STATES: readonly Status[] = [
  "DRAFT",
  "IN_PRE_REVIEW",
  "PRE_REVIEWED",
  "IN_PRE_APPROVAL",
  "PRE_APPROVED",
];

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}
export function isActiveWorkflow(status: Status): boolean {
  return ACTIVE_WORKFLOW_STATES.includes(status);
}

export function inferExecutionPhase(status: Status): ExecutionPhase {
  return PRE_RELEASE_STATES.includes(status) ? "pre_release" : "post_release";
}

export function isStatus(value: unknown): value is Status {
  return typeof value === "string" && (STATUSES as readonly string[]).includes(value);
}
