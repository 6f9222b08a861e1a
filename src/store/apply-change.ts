import * as path from "node:path";
import { type AuditEvent, auditTimestamp } from "../core/audit-events.js";
import { EMPTY_CHAIN } from "../core/audit-chain.js";
import { fail, RefusalError } from "../core/result.js";
import type { DocChange } from "./change.js";
import { exists, recordWrites, removeDirIfEmpty, removeIfExists, writeFileAtomic } from "./fsio.js";
import type { FileHead } from "./head-store.js";
import { runChange } from "./intent.js";
import type { Project } from "./project.js";

/**
 * See Project.apply: checks that can refuse, then files, meta, tasks, workspaces, audit (the commit point).
 * The file steps are planned first (recorded, not done), so the whole change goes through the intent journal
 * of store/intent.ts: a crash at any point leaves it finished or undone, never half done.
 */
export function applyChange(project: Project, change: DocChange, stamp: { now: Date; via?: string }): AuditEvent[] {
  const { doc } = change;
  try {
    return planAndRun(project, change, stamp);
  } catch (err) {
    if (err instanceof RefusalError) throw err;
    // planning reads and checks only; a failure there (a folder that vanished or became a file) changed nothing
    const e = err as NodeJS.ErrnoException;
    fail("write-failed", `Could not change ${doc.id}: ${e.code ?? "error"} on ${e.path ? project.relative(e.path) : "a file of the project"}. Nothing was changed.`, "Check that folder, then run the command again.");
  }
}

function planAndRun(project: Project, change: DocChange, stamp: { now: Date; via?: string }): AuditEvent[] {
  const { doc } = change;
  const ops = recordWrites(() => writeDocumentFiles(project, change));

  // the audit trail: chained onto the file's tail, appended last in one write
  const via = stamp.via ? { via: stamp.via } : {};
  const ts = auditTimestamp(stamp.now);
  const events = change.deleteDocument ? [] : change.audit.map((e) => ({ ts, event: e.event, user: e.user, version: e.version, ...e.extra, ...via }));
  const auditFile = project.auditPath(doc);
  const audit = events.length > 0 ? project.auditTails.plan(auditFile, events) : undefined;
  const heads: FileHead[] = audit ? [{ file: project.auditKey(auditFile), lines: audit.lines, hash: audit.head }] : [];
  for (const op of ops) {
    if (op.kind === "remove" && op.file.startsWith(project.auditRoot + path.sep)) heads.push({ file: project.auditKey(op.file), lines: 0, hash: EMPTY_CHAIN, deleted: true });
  }
  if (ops.length === 0 && !audit) return [];
  runChange(project, { docId: doc.id, ops, ...(audit ? { audit } : {}), heads });
  return (audit?.events ?? []) as AuditEvent[];
}

/** Every file the change writes or removes, in order (recorded by recordWrites while planning). */
function writeDocumentFiles(project: Project, change: DocChange): void {
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

  // 5. a cancelled document goes entirely (it has no audit events to append)
  if (change.deleteDocument) {
    for (const file of [project.draftPath(doc), project.effectivePath(doc), project.metaPath(doc), project.auditPath(doc), project.sourcePath(doc)]) {
      removeIfExists(file);
    }
    if (doc.spec.folderPerDoc) removeDirIfEmpty(path.join(project.qmsRoot, doc.dir));
  }
}
