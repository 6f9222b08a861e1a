import { fail, type ServiceResult, success } from "../core/result.js";
import { REVERT_TRANSITION } from "../core/transitions.js";
import { authorize, requireOwner, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { checkTextArg } from "./validation.js";

const DEPRECATION = "WARNING: 'revert' is deprecated. Use 'checkout' on a POST_REVIEWED document instead (REQ-WF-017).";

/** `revert DOC_ID --reason R` (spec §5.11, REQ-WF-009, -019): deprecated but working. */
export function revert(ctx: ServiceContext, input: { docId: string; reason: string }): ServiceResult<{ doc_id: string; version: string; status: string }> {
  return runService(() => {
    const actor = authorize(ctx, "revert");
    const { project } = actor;
    const reason = checkTextArg("--reason", input.reason, "reason");
    return project.mutate(() => {
      const { doc, meta } = loadDoc(project, input.docId);
      requireOwner(actor, doc, meta, "revert");
      if (meta.status !== REVERT_TRANSITION.from) {
        fail("invalid-transition", `Cannot revert ${doc.id} from ${meta.status}: it must be ${REVERT_TRANSITION.from}.`, `See: qms --user ${actor.user.name} status ${doc.id}`);
      }
      project.appendAudit(doc, "REVERT", actor.user.name, meta.version, { reason }, actor.now);
      project.appendAudit(doc, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: meta.status, to_status: REVERT_TRANSITION.to }, actor.now);
      meta.status = REVERT_TRANSITION.to;
      project.writeMeta(doc, meta);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [
        DEPRECATION,
        `Reverted: ${doc.id}`,
        `Status: ${REVERT_TRANSITION.from} -> ${REVERT_TRANSITION.to}`,
      ]);
    });
  });
}
