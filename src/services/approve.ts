import { clearOwnership } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES, type Status } from "../core/statuses.js";
import { ACTIVE_STATE_RULES } from "../core/transitions.js";
import { nextMajor } from "../core/version.js";
import { type NextStep, step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { authorizeApprover } from "./approver-help.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";

export interface ApproveData {
  doc_id: string;
  version: string;
  status: Status;
  remaining: string[];
  completed: boolean;
}

/** `approve DOC_ID` (spec §5.7; REQ-WF-006, -013). */
export function approve(ctx: ServiceContext, input: { docId: string }): ServiceResult<ApproveData> {
  return changeDoc<ApproveData>(ctx, "approve", input.docId, ({ actor, project, me, loaded }) => {
    const { doc, meta } = loaded;
    if (!APPROVAL_STATES.includes(meta.status)) {
      fail("invalid-state", `${doc.id} is ${meta.status}, not in approval.`, step("inbox", undefined, { lead: "See" }));
    }
    requireDocPermission(actor, "approve", loaded);
    if (!loaded.hasDraft) fail("corrupt-data", `${doc.id} is ${meta.status} but has no draft file.`, "Restore the draft from version control.");
    const change = newChange(doc);
    auditEvent(change, "APPROVE", me, meta.version);
    meta.pending_assignees = meta.pending_assignees.filter((u) => u !== me);
    change.removeTasks.push({ users: me });
    change.meta = meta;
    const lines = [`Approved: ${doc.id} (v${meta.version}) by ${me}`];
    if (meta.pending_assignees.length > 0) {
      applyAs(actor, change);
      lines.push(`Waiting for: ${meta.pending_assignees.join(", ")}`);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status, remaining: [...meta.pending_assignees], completed: false }, lines);
    }

    const oldVersion = meta.version;
    const newVersion = nextMajor(oldVersion);
    const approvedStatus = ACTIVE_STATE_RULES[meta.status]!.approvedTo!;
    const draft = project.readText(loaded, "draft") ?? "";
    const effective = loaded.hasEffective ? project.readText(loaded, "effective") : undefined;
    const archive = change.archive;
    archive.push({ version: oldVersion, text: draft });
    auditEvent(change, "STATUS_CHANGE", me, newVersion, { from_status: meta.status, to_status: approvedStatus });
    meta.version = newVersion;
    meta.status = approvedStatus;
    const next: NextStep[] = [];

    if (meta.retiring) {
      // the version in force until now is archived too, so no approved text is ever lost
      if (meta.effective_version && effective !== undefined) archive.push({ version: meta.effective_version, text: effective });
      archive.push({ version: newVersion, text: draft });
      change.draft = null;
      change.effective = null;
      clearOwnership(meta);
      delete meta.retiring;
      meta.status = "RETIRED";
      auditEvent(change, "RETIRE", me, newVersion, { from_version: oldVersion });
      auditEvent(change, "STATUS_CHANGE", me, newVersion, { from_status: approvedStatus, to_status: "RETIRED" });
      lines.push(`Retired: ${doc.id} (v${newVersion})`, `Archived: v${oldVersion}, v${newVersion}`);
    } else if (!meta.executable) {
      if (meta.effective_version && effective !== undefined) archive.push({ version: meta.effective_version, text: effective });
      change.effective = draft;
      change.draft = null;
      clearOwnership(meta);
      meta.status = "EFFECTIVE";
      meta.effective_version = newVersion;
      auditEvent(change, "EFFECTIVE", me, newVersion, { from_version: oldVersion });
      auditEvent(change, "STATUS_CHANGE", me, newVersion, { from_status: approvedStatus, to_status: "EFFECTIVE" });
      lines.push(`${doc.id} is now EFFECTIVE (v${oldVersion} -> v${newVersion})`);
    } else {
      lines.push(`All approvals complete. Status: ${approvedStatus} (v${newVersion})`);
      const owner = meta.responsible_user ?? undefined;
      next.push(step(approvedStatus === "PRE_APPROVED" ? "release" : "close", doc.id, { user: owner, lead: "Next" }));
    }
    meta.pending_assignees = [];
    applyAs(actor, change);
    return success({ doc_id: doc.id, version: meta.version, status: meta.status, remaining: [], completed: true }, lines, { next });
  }, undefined, (c) => authorizeApprover(c, "approve", input.docId));
}
