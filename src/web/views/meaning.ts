import type { AuditEvent } from "../../core/audit-events.js";
import type { NextStep } from "../../services/list.js";

/**
 * Plain-language wording of what a step or a signature means, shown on forms and in the timeline. Wording
 * only: which step is allowed is the services' business.
 */

/** What approving a document in this status signs for. */
export function approvalMeaning(docId: string, version: string, status: string, retiring: boolean): string {
  if (retiring) return `approve the retirement of ${docId} v${version}`;
  if (status === "IN_PRE_APPROVAL") return `approve ${docId} v${version} for execution`;
  if (status === "IN_POST_APPROVAL") return `approve the executed ${docId} v${version} for closure`;
  return `approve ${docId} v${version} to become effective`;
}

export function rejectMeaning(docId: string, version: string): string {
  return `reject ${docId} v${version}: it goes back to its owner for revision`;
}

export function reviewMeaning(docId: string, version: string, outcome: "recommend" | "request-updates"): string {
  return outcome === "recommend" ? `recommend ${docId} v${version} for approval` : `request updates to ${docId} v${version}`;
}

const STEP_WORDS: Record<string, string> = {
  review: "review",
  approve: "approve or reject",
  checkin: "check in the working copy",
  checkout: "check out and revise (updates were requested)",
  release: "release for execution",
  close: "close",
};

export function describeStep(step: NextStep): string {
  if (step.action === "route") return `route for ${step.args?.route_type === "approval" ? "approval" : "review"}`;
  return STEP_WORDS[step.action] ?? step.action;
}

/** The meaning of a signature in the audit trail, given the workflow it was made in. */
export function signatureMeaning(e: AuditEvent, workflow: string | undefined, docId: string): string | undefined {
  const v = String(e.version);
  switch (e.event) {
    case "APPROVE":
      if (workflow === "PRE_APPROVAL") return `approved ${docId} v${v} for execution`;
      if (workflow === "POST_APPROVAL") return `approved the executed ${docId} v${v} for closure`;
      return `approved ${docId} v${v} to become effective`;
    case "REJECT":
      return `rejected ${docId} v${v}`;
    case "REVIEW":
      return e.outcome === "RECOMMEND" ? `recommended ${docId} v${v} for approval` : `requested updates to ${docId} v${v}`;
    default:
      return undefined;
  }
}
