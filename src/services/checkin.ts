import { fail, type ServiceResult, success } from "../core/result.js";
import { authorize, requireOwner, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { applyCheckin, requireWorkspaceCopy } from "./effects.js";

export interface CheckinData {
  doc_id: string;
  version: string;
  status: string;
}

/** `checkin DOC_ID` (spec §5.3; REQ-DOC-008, -009, REQ-WF-021). */
export function checkin(ctx: ServiceContext, input: { docId: string }): ServiceResult<CheckinData> {
  return runService(() => {
    const actor = authorize(ctx, "checkin");
    const { project } = actor;
    return project.mutate(() => {
      const loaded = loadDoc(project, input.docId);
      const { doc, meta } = loaded;
      requireOwner(actor, doc, meta, "check in");
      if (!meta.checked_out) {
        fail("not-checked-out", `${doc.id} is not checked out.`, `Check it out first: qms --user ${actor.user.name} checkout ${doc.id}`);
      }
      const edited = requireWorkspaceCopy(actor, loaded);
      applyCheckin(actor, loaded, edited);
      project.writeMeta(doc, meta);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [
        `Checked in: ${doc.id} (v${meta.version})`,
        `Status: ${meta.status}`,
      ]);
    });
  });
}
