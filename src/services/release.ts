import { fail, type ServiceResult, success } from "../core/result.js";
import { RELEASE_TRANSITION } from "../core/transitions.js";
import { authorize, requireOwner, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";

/** `release DOC_ID` (spec §5.10, REQ-WF-008). */
export function release(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; version: string; status: string }> {
  return runService(() => {
    const actor = authorize(ctx, "release");
    const { project } = actor;
    return project.mutate(() => {
      const { doc, meta } = loadDoc(project, input.docId);
      requireOwner(actor, doc, meta, "release");
      if (!meta.executable) fail("invalid-type", `${doc.id} is not executable: only executable documents (CR, INV, TP, ...) are released.`);
      if (meta.status !== RELEASE_TRANSITION.from) {
        fail("invalid-transition", `Cannot release ${doc.id} from ${meta.status}: it must be ${RELEASE_TRANSITION.from}.`, `See: qms --user ${actor.user.name} status ${doc.id}`);
      }
      project.appendAudit(doc, "RELEASE", actor.user.name, meta.version, {}, actor.now);
      project.appendAudit(doc, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: meta.status, to_status: RELEASE_TRANSITION.to }, actor.now);
      meta.status = RELEASE_TRANSITION.to;
      meta.execution_phase = "post_release";
      project.writeMeta(doc, meta);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [
        `Released: ${doc.id} (v${meta.version})`,
        `Status: ${RELEASE_TRANSITION.from} -> ${RELEASE_TRANSITION.to}`,
        `Execute it: qms --user ${actor.user.name} checkout ${doc.id}`,
      ]);
    });
  });
}
