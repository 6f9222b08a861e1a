import { fail, type ServiceResult, success } from "../core/result.js";
import { REVERT_TRANSITION } from "../core/transitions.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { checkTextArg } from "./validation.js";

const DEPRECATION = "WARNING: 'revert' is deprecated. Use 'checkout' on a POST_REVIEWED document instead (REQ-WF-017).";

/** `revert DOC_ID --reason R` (spec §5.11, REQ-WF-009, -019): deprecated but working. */
export function revert(ctx: ServiceContext, input: { docId: string; reason: string }): ServiceResult<{ doc_id: string; version: string; status: string }> {
  return changeDoc(
    ctx,
    "revert",
    input.docId,
    ({ actor, loaded, input: { reason } }) => {
      const { doc, meta } = loaded;
      requireDocPermission(actor, "revert", loaded);
      const change = newChange(doc);
      if (meta.status !== REVERT_TRANSITION.from) {
        fail("invalid-transition", `Cannot revert ${doc.id} from ${meta.status}: it must be ${REVERT_TRANSITION.from}.`, step("status", doc.id, { lead: "See" }));
      }
      auditEvent(change, "REVERT", actor.user.name, meta.version, { reason });
      auditEvent(change, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: meta.status, to_status: REVERT_TRANSITION.to });
      meta.status = REVERT_TRANSITION.to;
      change.meta = meta;
      applyAs(actor, change);
      return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [
        DEPRECATION,
        `Reverted: ${doc.id}`,
        `Status: ${REVERT_TRANSITION.from} -> ${REVERT_TRANSITION.to}`,
      ]);
    },
    () => {
      const reason = checkTextArg("--reason", input.reason, "reason");
      return { reason } as const;
    },
  );
}
