import { fail, type ServiceResult, success } from "../core/result.js";
import { REVIEW_STATES } from "../core/statuses.js";
import { ACTIVE_STATE_RULES } from "../core/transitions.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { checkTextArg } from "./validation.js";

export interface ReviewData {
  doc_id: string;
  outcome: "RECOMMEND" | "UPDATES_REQUIRED";
  status: string;
  remaining: string[];
}

/** `review DOC_ID (--recommend|--request-updates) --comment C` (spec §5.6, REQ-WF-004, REQ-AUDIT-004). */
export function review(ctx: ServiceContext, input: { docId: string; outcome: "recommend" | "request-updates" | undefined; comment: string }): ServiceResult<ReviewData> {
  return changeDoc(
    ctx,
    "review",
    input.docId,
    ({ actor, me, loaded, input: { comment, outcome } }) => {
      const { doc, meta } = loaded;
      if (!REVIEW_STATES.includes(meta.status)) {
        fail("invalid-state", `${doc.id} is ${meta.status}, not in review.`, step("inbox", undefined, { lead: "See" }));
      }
      requireDocPermission(actor, "review", loaded);
      const change = newChange(doc);
      auditEvent(change, "REVIEW", me, meta.version, { outcome, comment });
      meta.pending_assignees = meta.pending_assignees.filter((u) => u !== me);
      meta.review_outcomes = { ...(meta.review_outcomes ?? {}), [me]: outcome };
      const lines = [`Review submitted: ${doc.id} (${outcome})`];
      if (meta.pending_assignees.length === 0) {
        const from = meta.status;
        meta.status = ACTIVE_STATE_RULES[from]!.completesTo;
        auditEvent(change, "STATUS_CHANGE", me, meta.version, { from_status: from, to_status: meta.status });
        lines.push(`All reviews complete. Status: ${from} -> ${meta.status}`);
      } else {
        lines.push(`Waiting for: ${meta.pending_assignees.join(", ")}`);
      }
      change.meta = meta;
      change.removeTasks.push({ users: me });
      applyAs(actor, change);
      return success({ doc_id: doc.id, outcome, status: meta.status, remaining: [...meta.pending_assignees] }, lines);
    },
    () => {
      if (input.outcome !== "recommend" && input.outcome !== "request-updates") {
        fail("invalid-argument", "Give exactly one outcome: --recommend or --request-updates.", step("review", String(input.docId), { args: { outcome: "recommend", comment: "..." }, lead: "Run" }));
      }
      const comment = checkTextArg("--comment", input.comment, "comment");
      const outcome = input.outcome === "recommend" ? "RECOMMEND" : "UPDATES_REQUIRED";
      return { comment, outcome } as const;
    },
  );
}
