import * as path from "node:path";
import { fail, type ServiceResult, success } from "../core/result.js";
import { parseVersion } from "../core/version.js";
import { exists, listDir, removeDirIfEmpty, removeIfExists } from "../store/fsio.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { relativeTo } from "./validation.js";

/** `cancel DOC_ID --confirm` (spec §5.13, REQ-DOC-010): delete a never-approved document entirely. */
export function cancel(ctx: ServiceContext, input: { docId: string; confirm: boolean }): ServiceResult<{ doc_id: string; deleted: string[] }> {
  return runService(() => {
    const actor = authorize(ctx, "cancel");
    const { project } = actor;
    const me = actor.user.name;
    return project.mutate(() => {
      const loaded = loadDoc(project, input.docId);
      const { doc, meta } = loaded;
      if (parseVersion(meta.version).major >= 1) {
        fail("invalid-state", `${doc.id} is v${meta.version}: only never-approved documents (v0.x) can be cancelled.`, `Retire it instead: check it out, route for review, then: qms --user ${me} route ${doc.id} --approval --retire`);
      }
      if (meta.checked_out) {
        fail("checked-out", `${doc.id} is checked out by ${meta.responsible_user}; it must be checked in before it can be cancelled.`, `Run: qms --user ${meta.responsible_user} checkin ${doc.id}`);
      }
      const children = listDir(project.docDir(doc)).filter((f) => f.startsWith(`${doc.id}-`) && !f.startsWith(`${doc.id}-draft`) && f.endsWith(".md"));
      if (children.length > 0) {
        fail("invalid-state", `${doc.id} has child documents (${children.join(", ")}); cancel them first.`);
      }
      const targets = [project.draftPath(doc), project.effectivePath(doc), project.metaPath(doc), project.auditPath(doc), project.sourcePath(doc)].filter(exists);
      const all = [...targets.map((f) => relativeTo(project, f)), ...project.users.workspaceCopiesOf(doc.id), ...project.users.tasksOf(doc.id)];
      if (!input.confirm) {
        fail("confirmation-required", `Cancelling ${doc.id} permanently deletes ${all.length} file(s):`, `Run again with --confirm: qms --user ${me} cancel ${doc.id} --confirm`, {
          details: all.map((f) => `  ${f}`),
        });
      }
      for (const file of targets) removeIfExists(file);
      project.users.removeWorkspaceCopies(doc.id);
      project.users.removeTasks(doc.id, "everyone");
      if (doc.spec.folderPerDoc) removeDirIfEmpty(project.docDir(doc));
      return success({ doc_id: doc.id, deleted: all }, [`Cancelled: ${doc.id}`, ...all.map((f) => `  deleted ${f}`)]);
    });
  });
}
