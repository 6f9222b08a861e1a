import { clearOwnership } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES, type Status } from "../core/statuses.js";
import { ACTIVE_STATE_RULES } from "../core/transitions.js";
import { nextMajor } from "../core/version.js";
import { exists, readTextIfExists, removeIfExists, writeFileAtomic } from "../store/fsio.js";
import { authorize, requireAssigned, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { archiveSnapshot } from "./effects.js";

export interface ApproveData {
  doc_id: string;
  version: string;
  status: Status;
  remaining: string[];
  completed: boolean;
}

/** `approve DOC_ID` (spec §5.7; REQ-WF-006, -013). */
export function approve(ctx: ServiceContext, input: { docId: string }): ServiceResult<ApproveData> {
  return runService<ApproveData>(() => {
    const actor = authorize(ctx, "approve");
    const { project } = actor;
    const me = actor.user.name;
    return project.mutate(() => {
      const loaded = loadDoc(project, input.docId);
      const { doc, meta } = loaded;
      if (!APPROVAL_STATES.includes(meta.status)) {
        fail("invalid-state", `${doc.id} is ${meta.status}, not in approval.`, `See: qms --user ${me} inbox`);
      }
      requireAssigned(actor, doc, meta, "approve");
      if (!loaded.hasDraft) fail("corrupt-data", `${doc.id} is ${meta.status} but has no draft file.`, "Restore the draft from version control.");
      project.appendAudit(doc, "APPROVE", me, meta.version, {}, actor.now);
      meta.pending_assignees = meta.pending_assignees.filter((u) => u !== me);
      project.users.removeTasks(doc.id, me);
      const lines = [`Approved: ${doc.id} (v${meta.version}) by ${me}`];
      if (meta.pending_assignees.length > 0) {
        project.writeMeta(doc, meta);
        lines.push(`Waiting for: ${meta.pending_assignees.join(", ")}`);
        return success({ doc_id: doc.id, version: meta.version, status: meta.status, remaining: [...meta.pending_assignees], completed: false }, lines);
      }

      const oldVersion = meta.version;
      const newVersion = nextMajor(oldVersion);
      const approvedStatus = ACTIVE_STATE_RULES[meta.status]!.approvedTo!;
      const draftFile = project.draftPath(doc);
      const effectiveFile = project.effectivePath(doc);
      archiveSnapshot(actor, loaded, oldVersion, draftFile);
      project.appendAudit(doc, "STATUS_CHANGE", me, newVersion, { from_status: meta.status, to_status: approvedStatus }, actor.now);
      meta.version = newVersion;
      meta.status = approvedStatus;

      if (meta.retiring) {
        // the version in force until now is archived too, so no approved text is ever lost
        if (meta.effective_version && exists(effectiveFile)) archiveSnapshot(actor, loaded, meta.effective_version, effectiveFile);
        archiveSnapshot(actor, loaded, newVersion, draftFile);
        removeIfExists(draftFile);
        removeIfExists(effectiveFile);
        clearOwnership(meta);
        delete meta.retiring;
        meta.status = "RETIRED";
        project.appendAudit(doc, "RETIRE", me, newVersion, { from_version: oldVersion }, actor.now);
        project.appendAudit(doc, "STATUS_CHANGE", me, newVersion, { from_status: approvedStatus, to_status: "RETIRED" }, actor.now);
        lines.push(`Retired: ${doc.id} (v${newVersion})`, `Archived: v${oldVersion}, v${newVersion}`);
      } else if (!meta.executable) {
        if (meta.effective_version && exists(effectiveFile)) archiveSnapshot(actor, loaded, meta.effective_version, effectiveFile);
        writeFileAtomic(effectiveFile, readTextIfExists(draftFile) ?? "");
        removeIfExists(draftFile);
        clearOwnership(meta);
        meta.status = "EFFECTIVE";
        meta.effective_version = newVersion;
        project.appendAudit(doc, "EFFECTIVE", me, newVersion, { from_version: oldVersion }, actor.now);
        project.appendAudit(doc, "STATUS_CHANGE", me, newVersion, { from_status: approvedStatus, to_status: "EFFECTIVE" }, actor.now);
        lines.push(`${doc.id} is now EFFECTIVE (v${oldVersion} -> v${newVersion})`);
      } else {
        lines.push(`All approvals complete. Status: ${approvedStatus} (v${newVersion})`);
        lines.push(
          approvedStatus === "PRE_APPROVED"
            ? `Next: qms --user ${meta.responsible_user} release ${doc.id}`
            : `Next: qms --user ${meta.responsible_user} close ${doc.id}`,
        );
      }
      meta.pending_assignees = [];
      project.writeMeta(doc, meta);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status, remaining: [], completed: true }, lines);
    });
  });
}
