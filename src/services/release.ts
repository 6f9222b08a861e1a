import { fail, type ServiceResult, success } from "../core/result.js";
import { RELEASE_TRANSITION } from "../core/transitions.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";

/** `release DOC_ID` (spec §5.10, REQ-WF-008). */
export function release(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; version: string; status: string }> {
  return changeDoc(ctx, "release", input.docId, ({ actor, loaded }) => {
    const { doc, meta } = loaded;
    requireDocPermission(actor, "release", loaded);
    const change = newChange(doc);
    if (!meta.executable) fail("invalid-type", `${doc.id} is not executable: only executable documents (CR, INV, TP, ...) are released.`);
    if (meta.status !== RELEASE_TRANSITION.from) {
      fail("invalid-transition", `Cannot release ${doc.id} from ${meta.status}: it must be ${RELEASE_TRANSITION.from}.`, step("status", doc.id, { lead: "See" }));
    }
    auditEvent(change, "RELEASE", actor.user.name, meta.version);
    auditEvent(change, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: meta.status, to_status: RELEASE_TRANSITION.to });
    meta.status = RELEASE_TRANSITION.to;
    meta.execution_phase = "post_release";
    change.meta = meta;
    applyAs(actor, change);
    return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [
      `Released: ${doc.id} (v${meta.version})`,
      `Status: ${RELEASE_TRANSITION.from} -> ${RELEASE_TRANSITION.to}`,
    ], { next: [step("checkout", doc.id, { lead: "Execute it" })] });
  });
}
