import * as path from "node:path";
import type { AuditEvent } from "../core/audit-events.js";
import type { DocChange } from "./change.js";
import { exists, removeDirIfEmpty, removeIfExists, writeFileAtomic } from "./fsio.js";
import type { Project } from "./project.js";

/** See Project.apply: checks that can refuse, then files, meta, tasks, workspaces, audit (the commit point). */
export function applyChange(project: Project, change: DocChange, stamp: { now: Date; via?: string }): AuditEvent[] {
  const { doc } = change;
  const { users } = project;
  // 1. everything that can refuse, before the first write
  for (const copy of change.workspace ?? []) if (copy.text !== null) users.prepareWorkspaceCopy(copy.user, doc.id);
  for (const task of change.writeTasks ?? []) users.prepareTasks([task.user], task.taskId);
  for (const session of change.sessions ?? []) if (session.text !== null) users.prepareSession(session.user, doc.id);

  // 2. archive (write-once), then the document's own files
  for (const snapshot of change.archive ?? []) {
    const target = project.archivePath(doc, snapshot.version);
    if (!exists(target)) writeFileAtomic(target, snapshot.text);
  }
  if (typeof change.effective === "string") writeFileAtomic(project.effectivePath(doc), change.effective);
  if (typeof change.draft === "string") writeFileAtomic(project.draftPath(doc), change.draft);
  if (change.draft === null) removeIfExists(project.draftPath(doc));
  if (change.effective === null) removeIfExists(project.effectivePath(doc));
  if (typeof change.source === "string") writeFileAtomic(project.sourcePath(doc), change.source);

  // 3. meta
  if (change.meta) project.writeMeta(doc, change.meta);

  // 4. tasks and workspace copies
  for (const r of change.removeTasks ?? []) users.removeTasks(doc.id, r.users, r.which ?? "all");
  for (const owner of change.removeOwnerTasks ?? []) users.removeOwnerTasks(doc.id, owner);
  for (const task of change.writeTasks ?? []) users.writeTask(task.user, task.taskId, task.text);
  if (change.clearWorkspaces) users.removeWorkspaceCopies(doc.id);
  for (const copy of change.workspace ?? []) {
    if (copy.text === null) users.removeWorkspaceCopy(copy.user, doc.id);
    else users.writeWorkspaceCopy(copy.user, doc.id, copy.text);
  }
  for (const session of change.sessions ?? []) {
    if (session.text === null) users.removeSession(session.user, doc.id);
    else users.writeSession(session.user, doc.id, session.text);
  }

  // 5. the audit trail
  const via = stamp.via ? { via: stamp.via } : {};
  const written = change.audit.map((e) => project.appendAudit(doc, e.event, e.user, e.version, { ...e.extra, ...via }, stamp.now));

  if (change.deleteDocument) {
    for (const file of [project.draftPath(doc), project.effectivePath(doc), project.metaPath(doc), project.auditPath(doc), project.sourcePath(doc)]) {
      removeIfExists(file);
    }
    if (doc.spec.folderPerDoc) removeDirIfEmpty(path.join(project.qmsRoot, doc.dir));
  }
  return written;
}
