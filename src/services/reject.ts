import { fail, type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES } from "../core/statuses.js";
import { ACTIVE_STATE_RULES } from "../core/transitions.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { authorizeApprover } from "./approver-help.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { checkTextArg } from "./validation.js";

/** `reject DOC_ID --comment C` (spec §5.8; REQ-WF-007, REQ-SEC-005, REQ-TASK-003). */
export function reject(ctx: ServiceContext, input: { docId: string; comment: string }): ServiceResult<{ doc_id: string; from_status: string; to_status: string; version: string }> {
  return changeDoc(
    ctx,
    "reject",
    input.docId,
    ({ actor, me, loaded, input: { comment } }) => {
      const { doc, meta } = loaded;
      if (!APPROVAL_STATES.includes(meta.status)) {
        fail("invalid-state", `${doc.id} is ${meta.status}, not in approval: only a document in approval can be rejected.`, step("inbox", undefined, { lead: "See" }));
      }
      requireDocPermission(actor, "reject", loaded);
      const change = newChange(doc);
      const from = meta.status;
      const to = ACTIVE_STATE_RULES[from]!.completesTo;
      auditEvent(change, "REJECT", me, meta.version, { comment });
      auditEvent(change, "STATUS_CHANGE", me, meta.version, { from_status: from, to_status: to });
      meta.status = to;
      meta.pending_assignees = [];
      // TS (spec §13.16): the retirement request ends with the round that carried it.
      delete meta.retiring;
      change.meta = meta;
      change.removeTasks.push({ users: "everyone", which: "approval" });
      applyAs(actor, change);
      return success({ doc_id: doc.id, from_status: from, to_status: to, version: meta.version }, [
        `Rejected: ${doc.id} (v${meta.version})`,
        `Status: ${from} -> ${to}`,
      ]);
    },
    () => {
      const comment = checkTextArg("--comment", input.comment, "comment");
      return { comment } as const;
    },
    (c) => authorizeApprover(c, "reject", input.docId),
  );
}
