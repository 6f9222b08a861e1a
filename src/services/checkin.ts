import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { newChange } from "../store/change.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { checkinInto, requireWorkspaceCopy } from "./effects.js";

export interface CheckinData {
  doc_id: string;
  version: string;
  status: string;
}

/** `checkin DOC_ID` (spec §5.3; REQ-DOC-008, -009, REQ-WF-021). */
export function checkin(ctx: ServiceContext, input: { docId: string }): ServiceResult<CheckinData> {
  return changeDoc(ctx, "checkin", input.docId, ({ actor, loaded }) => {
    const { doc, meta } = loaded;
    requireDocPermission(actor, "checkin", loaded);
    if (!meta.checked_out) fail("not-checked-out", `${doc.id} is not checked out.`, step("checkout", doc.id, { lead: "Check it out first" }));
    const edited = requireWorkspaceCopy(actor, loaded);
    const change = newChange(doc);
    checkinInto(change, actor, loaded, edited);
    change.meta = meta;
    applyAs(actor, change);
    return success({ doc_id: doc.id, version: meta.version, status: meta.status }, [`Checked in: ${doc.id} (v${meta.version})`, `Status: ${meta.status}`]);
  });
}
