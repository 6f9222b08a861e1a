import { fail, type ServiceResult, success } from "../core/result.js";
import { isActiveWorkflow } from "../core/statuses.js";
import { ACTIVE_STATE_RULES } from "../core/transitions.js";
import { applyAs, changeDoc, type ServiceContext } from "./context.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { validateAssignees } from "./assignees.js";
import { tasksInto } from "./tasks.js";

/** `assign DOC_ID --assignees U...` (spec §5.5, REQ-TASK-004, REQ-SEC-007). */
export function assign(ctx: ServiceContext, input: { docId: string; assignees: string[] }): ServiceResult<{ doc_id: string; added: string[]; already_assigned: string[] }> {
  return changeDoc(ctx, "assign", input.docId, ({ actor, project, loaded }) => {
    const { doc, meta } = loaded;
    const rule = ACTIVE_STATE_RULES[meta.status];
    if (!loaded.hasDraft || !isActiveWorkflow(meta.status) || !rule) {
      fail("invalid-state", `${doc.id} is ${meta.status}, not in an active workflow: assignees can only be added during a review or approval.`, step("status", doc.id, { lead: "See" }));
    }
    const wanted = validateAssignees(project, Array.isArray(input.assignees) ? input.assignees : [], rule.kind);
    const added = wanted.filter((u) => !meta.pending_assignees.includes(u));
    const already = wanted.filter((u) => meta.pending_assignees.includes(u));
    const lines = already.map((u) => `Note: ${u} is already assigned.`);
    if (added.length === 0) {
      lines.push(`No new assignees for ${doc.id}.`);
      return success({ doc_id: doc.id, added, already_assigned: already }, lines);
    }
    meta.pending_assignees = [...meta.pending_assignees, ...added];
    const change = newChange(doc);
    change.meta = meta;
    auditEvent(change, "ASSIGN", actor.user.name, meta.version, { assignees: added });
    tasksInto(change, project, loaded, { workflow: rule.workflow, assignedBy: actor.user.name, now: actor.now }, added);
    applyAs(actor, change);
    lines.push(`Assigned to ${doc.id} (${rule.workflow}): ${added.join(", ")}`, `Pending: ${meta.pending_assignees.join(", ")}`);
    return success({ doc_id: doc.id, added, already_assigned: already }, lines);
  });
}
