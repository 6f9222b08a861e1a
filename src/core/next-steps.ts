import type { DocMeta } from "./meta.js";
import type { NextStep } from "./next.js";
import { APPROVAL_STATES, REVIEW_STATES, REVIEWED_STATES } from "./statuses.js";

/** The state `nextSteps` looks at: a document's meta, or the `status` service's data. */
export type NextStepState = Pick<DocMeta, "status" | "responsible_user" | "checked_out" | "pending_assignees" | "review_outcomes"> & {
  doc_id: string;
  executable: boolean;
  attachment?: boolean;
};

/**
 * The next step of a document and who takes it (web spec §2 status card, "needs me"): the pending
 * reviewers/approvers during a round, otherwise the owner's move for the status.
 */
export function whoActsNext(s: NextStepState): NextStep[] {
  const id = s.doc_id;
  const owner = s.responsible_user ?? undefined;
  const who = (step: NextStep): NextStep => (owner ? { ...step, user: owner } : step);
  if (REVIEW_STATES.includes(s.status)) {
    return (s.pending_assignees ?? []).map((user) => ({ action: "review", doc_id: id, user }));
  }
  if (APPROVAL_STATES.includes(s.status)) {
    return (s.pending_assignees ?? []).map((user) => ({ action: "approve", doc_id: id, user }));
  }
  if (REVIEWED_STATES.includes(s.status)) {
    const updates = Object.values(s.review_outcomes ?? {}).includes("UPDATES_REQUIRED");
    return [who(updates ? { action: "checkout", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "approval" } })];
  }
  switch (s.status) {
    case "DRAFT":
      return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "review" } })];
    case "PRE_APPROVED":
      return [who({ action: "release", doc_id: id })];
    case "IN_EXECUTION":
      if (s.attachment) return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "close", doc_id: id })];
      return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "review" } })];
    case "POST_APPROVED":
      return [who({ action: "close", doc_id: id })];
    default:
      return [];
  }
}
