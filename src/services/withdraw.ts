import { fail, type ServiceResult, success } from "../core/result.js";
import { authorize, requireOwner, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { applyWithdraw, withdrawTarget } from "./effects.js";

/** `withdraw DOC_ID` (spec §5.9, REQ-WF-018). */
export function withdraw(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; from_status: string; to_status: string }> {
  return runService(() => {
    const actor = authorize(ctx, "withdraw");
    const { project } = actor;
    return project.mutate(() => {
      const loaded = loadDoc(project, input.docId);
      const { doc, meta } = loaded;
      requireOwner(actor, doc, meta, "withdraw");
      if (!loaded.hasDraft || !withdrawTarget(meta.status)) {
        fail("invalid-transition", `Cannot withdraw ${doc.id} from ${meta.status}: only a document in review or approval can be withdrawn.`, `See: qms --user ${actor.user.name} status ${doc.id}`);
      }
      const { from, to } = applyWithdraw(actor, loaded);
      project.writeMeta(doc, meta);
      return success({ doc_id: doc.id, from_status: from, to_status: to }, [`Withdrawn: ${doc.id}`, `Status: ${from} -> ${to}`]);
    });
  });
}
