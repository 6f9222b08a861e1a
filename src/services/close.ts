import { clearOwnership } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isTerminal } from "../core/statuses.js";
import { CLOSE_TRANSITION } from "../core/transitions.js";
import { step } from "../core/next.js";
import { auditEvent, type DocChange, newChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import { closingRecord } from "./interactive.js";
import { type Actor, applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";

export interface CloseData {
  doc_id: string;
  version: string;
  cascade_closed: string[];
}

/** `close DOC_ID` (spec §5.12; REQ-WF-010, REQ-DOC-018, -020). */
export function close(ctx: ServiceContext, input: { docId: string }): ServiceResult<CloseData> {
  return changeDoc(ctx, "close", input.docId, ({ actor, loaded }) => {
    const { doc, meta } = loaded;
    requireDocPermission(actor, "close", loaded);
    if (!meta.executable) fail("invalid-type", `${doc.id} is not executable: only executable documents are closed (non-executables become EFFECTIVE).`);
    const attachment = doc.spec.attachment === true;
    if (attachment ? isTerminal(meta.status) : meta.status !== CLOSE_TRANSITION.from) {
      fail(
        "invalid-transition",
        `Cannot close ${doc.id} from ${meta.status}: ${attachment ? "it is already terminal" : `it must be ${CLOSE_TRANSITION.from}`}.`,
        step("status", doc.id, { lead: "See" }),
      );
    }
    if (!loaded.hasDraft) fail("corrupt-data", `${doc.id} has no draft file to close.`, "Restore the draft from version control.");
    const change = closeChange(actor, loaded);
    change.workspace.push({ user: actor.user.name, text: null });
    applyAs(actor, change);
    const lines = [`Closed: ${doc.id} (v${meta.version})`];
    const cascaded = cascadeClose(actor, doc.id);
    for (const child of cascaded) lines.push(`Cascade closed: ${child}`);
    return success({ doc_id: doc.id, version: meta.version, cascade_closed: cascaded }, lines);
  });
}

/**
 * Promote the draft to the effective path and mark the document CLOSED. A checked-out interactive document
 * is compiled from its session first (spec §5.12, REQ-DOC-020), and every session of it goes.
 */
function closeChange(actor: Actor, loaded: LoadedDoc): DocChange {
  const { meta, doc } = loaded;
  const change = newChange(doc);
  const compiled = doc.spec.interactive ? closingRecord(change, actor.project, loaded) : undefined;
  if (doc.spec.interactive) change.clearWorkspaces = true;
  change.effective = compiled ?? actor.project.readText(loaded, "draft") ?? "";
  change.draft = null;
  const from = meta.status;
  auditEvent(change, "CLOSE", actor.user.name, meta.version);
  auditEvent(change, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: from, to_status: "CLOSED" });
  meta.status = "CLOSED";
  clearOwnership(meta);
  meta.pending_assignees = [];
  change.meta = meta;
  return change;
}

/** Close every non-terminal attachment child `{ID}-{PREFIX}-NNN` of a closing parent (REQ-DOC-020). */
function cascadeClose(actor: Actor, parentId: string): string[] {
  const closed: string[] = [];
  for (const child of actor.project.attachmentsOf(parentId)) {
    if (isTerminal(child.meta.status) || !child.hasDraft) continue;
    const change = closeChange(actor, child);
    change.clearWorkspaces = true;
    applyAs(actor, change);
    closed.push(child.doc.id);
  }
  return closed;
}
