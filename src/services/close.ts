import * as path from "node:path";
import { clearOwnership } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isTerminal } from "../core/statuses.js";
import { CLOSE_TRANSITION } from "../core/transitions.js";
import { BASE_DOC_TYPES } from "../core/doctypes.js";
import { listDir, readTextIfExists, removeIfExists, writeFileAtomic } from "../store/fsio.js";
import type { Actor } from "./context.js";
import { authorize, requireOwner, runService, type ServiceContext } from "./context.js";
import { type LoadedDoc, loadDoc, tryLoadDoc } from "./documents.js";

export interface CloseData {
  doc_id: string;
  version: string;
  cascade_closed: string[];
}

/** `close DOC_ID` (spec §5.12; REQ-WF-010, REQ-DOC-018, -020). */
export function close(ctx: ServiceContext, input: { docId: string }): ServiceResult<CloseData> {
  return runService(() => {
    const actor = authorize(ctx, "close");
    const { project } = actor;
    return project.mutate(() => {
      const loaded = loadDoc(project, input.docId);
      const { doc, meta } = loaded;
      requireOwner(actor, doc, meta, "close");
      if (!meta.executable) fail("invalid-type", `${doc.id} is not executable: only executable documents are closed (non-executables become EFFECTIVE).`);
      const attachment = doc.spec.attachment === true;
      if (attachment ? isTerminal(meta.status) : meta.status !== CLOSE_TRANSITION.from) {
        fail(
          "invalid-transition",
          `Cannot close ${doc.id} from ${meta.status}: ${attachment ? "it is already terminal" : `it must be ${CLOSE_TRANSITION.from}`}.`,
          `See: qms --user ${actor.user.name} status ${doc.id}`,
        );
      }
      if (!loaded.hasDraft) fail("corrupt-data", `${doc.id} has no draft file to close.`, "Restore the draft from version control.");
      closeOne(actor, loaded);
      project.users.removeWorkspaceCopy(actor.user.name, doc.id);
      const lines = [`Closed: ${doc.id} (v${meta.version})`];
      const cascaded = cascadeClose(actor, doc.id);
      for (const child of cascaded) lines.push(`Cascade closed: ${child}`);
      return success({ doc_id: doc.id, version: meta.version, cascade_closed: cascaded }, lines);
    });
  });
}

/** Promote the draft to the effective path and mark the document CLOSED. */
function closeOne(actor: Actor, loaded: LoadedDoc): void {
  const { project } = actor;
  const { doc, meta } = loaded;
  const draftFile = project.draftPath(doc);
  writeFileAtomic(project.effectivePath(doc), readTextIfExists(draftFile) ?? "");
  removeIfExists(draftFile);
  const from = meta.status;
  project.appendAudit(doc, "CLOSE", actor.user.name, meta.version, {}, actor.now);
  project.appendAudit(doc, "STATUS_CHANGE", actor.user.name, meta.version, { from_status: from, to_status: "CLOSED" }, actor.now);
  meta.status = "CLOSED";
  clearOwnership(meta);
  meta.pending_assignees = [];
  project.writeMeta(doc, meta);
}

/** Close every non-terminal attachment child `{ID}-{PREFIX}-NNN` of a closing parent (REQ-DOC-020). */
function cascadeClose(actor: Actor, parentId: string): string[] {
  const closed: string[] = [];
  const attachmentTypes = Object.values(BASE_DOC_TYPES).filter((t) => t.attachment);
  for (const type of attachmentTypes) {
    const pattern = new RegExp(`^${parentId}-${type.key}-\\d+\\.json$`);
    for (const file of listDir(path.join(actor.project.metaRoot, type.key)).sort()) {
      if (!pattern.test(file)) continue;
      const child = tryLoadDoc(actor.project, actor.project.parseId(file.slice(0, -".json".length)));
      if (!child || isTerminal(child.meta.status) || !child.hasDraft) continue;
      closeOne(actor, child);
      actor.project.users.removeWorkspaceCopies(child.doc.id);
      closed.push(child.doc.id);
    }
  }
  return closed;
}
