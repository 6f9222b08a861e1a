import { fail, type ServiceResult, success } from "../core/result.js";
import { step } from "../core/next.js";
import { newChange } from "../store/change.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { withdrawInto, withdrawTarget } from "./effects.js";

/** `withdraw DOC_ID` (spec §5.9, REQ-WF-018). */
export function withdraw(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; from_status: string; to_status: string }> {
  return changeDoc(ctx, "withdraw", input.docId, ({ actor, loaded }) => {
    const { doc, meta } = loaded;
    requireDocPermission(actor, "withdraw", loaded);
    if (!loaded.hasDraft || !withdrawTarget(meta.status)) {
      fail("invalid-transition", `Cannot withdraw ${doc.id} from ${meta.status}: only a document in review or approval can be withdrawn.`, step("status", doc.id, { lead: "See" }));
    }
    const change = newChange(doc);
    const { from, to } = withdrawInto(change, actor, loaded);
    change.meta = meta;
    applyAs(actor, change);
    return success({ doc_id: doc.id, from_status: from, to_status: to }, [`Withdrawn: ${doc.id}`, `Status: ${from} -> ${to}`]);
  });
}
