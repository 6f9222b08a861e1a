import type { ExecutionPhase, Status } from "./statuses.js";

/**
 * `.meta/{TYPE}/{ID}.json` (spec §7.2). Unknown fields found on disk are kept as they are, so a file
 * written by the Python tool round-trips.
 */
export interface DocMeta {
  doc_id: string;
  doc_type: string;
  version: string;
  status: Status;
  executable: boolean;
  execution_phase?: ExecutionPhase | null;
  responsible_user: string | null;
  checked_out: boolean;
  checked_out_date?: string | null;
  effective_version?: string | null;
  pending_assignees: string[];
  review_outcomes?: Record<string, ReviewOutcome>;
  pending_reviewers?: string[];
  completed_reviewers?: string[];
  retiring?: boolean;
  supersedes?: string | null;
  approval_date?: string;
  [extra: string]: unknown;
}

export type ReviewOutcome = "RECOMMEND" | "UPDATES_REQUIRED";

/** Clear the review tracking fields (a new round, a checkin reset, a withdraw). */
export function clearReviewTracking(meta: DocMeta, keepOutcomes = false): void {
  meta.pending_assignees = [];
  if (!keepOutcomes) meta.review_outcomes = {};
  meta.completed_reviewers = [];
  if (meta.pending_reviewers !== undefined) meta.pending_reviewers = [];
}

export function clearOwnership(meta: DocMeta): void {
  meta.responsible_user = null;
  meta.checked_out = false;
  meta.checked_out_date = null;
}
