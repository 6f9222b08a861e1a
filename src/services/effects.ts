import * as path from "node:path";
import { minimalFrontmatterDocument, parseDocument, serializeDocument } from "../core/frontmatter.js";
import { clearReviewTracking, type DocMeta } from "../core/meta.js";
import { fail } from "../core/result.js";
import type { Status } from "../core/statuses.js";
import { ACTIVE_STATE_RULES, CHECKIN_RESETS } from "../core/transitions.js";
import { parseVersion, previousMinor } from "../core/version.js";
import { exists, listDir, readTextIfExists, removeIfExists, writeFileAtomic } from "../store/fsio.js";
import type { Actor } from "./context.js";
import type { LoadedDoc } from "./documents.js";
import { removeTasks } from "./tasks.js";

/**
 * State changes shared by several operations (withdraw and checkout's auto-withdraw; checkin and route's
 * auto-checkin; archiving). Callers hold the project lock and have done every check first.
 */

/** Archives are write-once: an existing snapshot is never replaced (spec §3.6). */
export function archiveSnapshot(actor: Actor, loaded: LoadedDoc, version: string, sourceFile: string): void {
  const target = actor.project.archivePath(loaded.doc, version);
  if (exists(target)) return;
  const content = readTextIfExists(sourceFile);
  if (content !== undefined) writeFileAtomic(target, content);
}

/** Where a withdraw from the current status leads, or undefined when nothing is in progress. */
export function withdrawTarget(status: Status): Status | undefined {
  return ACTIVE_STATE_RULES[status]?.withdrawTo;
}

/** Undo an in-progress review/approval round (REQ-WF-018). Mutates `meta`; the caller writes it. */
export function applyWithdraw(actor: Actor, loaded: LoadedDoc): { from: Status; to: Status } {
  const { meta, doc } = loaded;
  const from = meta.status;
  const rule = ACTIVE_STATE_RULES[from];
  if (!rule) fail("invalid-state", `${doc.id} is ${from}: there is no review or approval in progress to withdraw.`);
  // TS: withdrawing an approval round keeps the review outcomes, so the owner can route for approval again.
  clearReviewTracking(meta, rule.kind === "approval");
  delete meta.retiring;
  meta.status = rule.withdrawTo;
  actor.project.appendAudit(doc, "WITHDRAW", actor.user.name, meta.version, { from_status: from, to_status: rule.withdrawTo }, actor.now);
  removeTasks(actor.project, doc.id, "everyone");
  return { from, to: rule.withdrawTo };
}

/** Status a checkin leaves the document in (REQ-DOC-009). */
export function statusAfterCheckin(status: Status): Status {
  return CHECKIN_RESETS.includes(status) ? "DRAFT" : status;
}

/** Check that a checkin can happen (the workspace copy exists) without changing anything. */
export function requireWorkspaceCopy(actor: Actor, loaded: LoadedDoc): string {
  const file = actor.project.workspacePath(actor.user.name, loaded.doc.id);
  if (!exists(file)) {
    fail(
      "not-checked-out",
      `${loaded.doc.id} has no workspace copy for ${actor.user.name} (expected ${path.relative(actor.project.root, file)}).`,
      `Check it out first: qms --user ${actor.user.name} checkout ${loaded.doc.id} (see: qms --user ${actor.user.name} workspace)`,
    );
  }
  return file;
}

/** Copy the workspace file back into the draft and release the checkout (REQ-DOC-008). Mutates `meta`. */
export function applyCheckin(actor: Actor, loaded: LoadedDoc, workspaceFile: string): void {
  const { project } = actor;
  const { doc, meta } = loaded;
  const draftFile = project.draftPath(doc);
  const current = readTextIfExists(draftFile);
  if (meta.status === "IN_EXECUTION" && parseVersion(meta.version).minor > 0 && current !== undefined) {
    archiveSnapshot(actor, loaded, previousMinor(meta.version), draftFile);
  }
  const edited = parseDocument(readTextIfExists(workspaceFile) ?? "");
  const previous = parseDocument(current ?? "").frontmatter;
  const fields = {
    title: edited.frontmatter.title ?? previous.title,
    revision_summary: edited.frontmatter.revision_summary ?? previous.revision_summary,
  };
  writeFileAtomic(draftFile, serializeDocument(fields, edited.body));
  meta.checked_out = false;
  meta.checked_out_date = null;
  const next = statusAfterCheckin(meta.status);
  if (next !== meta.status) {
    meta.status = next;
    clearReviewTracking(meta);
  }
  project.appendAudit(doc, "CHECKIN", actor.user.name, meta.version, {}, actor.now);
  removeIfExists(workspaceFile);
}

/** The workspace copy of a draft: its body with only title and revision_summary in the frontmatter. */
export function writeWorkspaceCopy(actor: Actor, loaded: LoadedDoc): string {
  const file = actor.project.workspacePath(actor.user.name, loaded.doc.id);
  writeFileAtomic(file, minimalFrontmatterDocument(readTextIfExists(actor.project.draftPath(loaded.doc)) ?? ""));
  return file;
}

/** Remove a document's workspace copies (and interactive sessions) from every user's workspace. */
export function removeWorkspaceCopies(actor: Actor, docId: string): string[] {
  const removed: string[] = [];
  for (const user of listDir(actor.project.usersRoot)) {
    for (const suffix of [".md", ".interact"]) {
      const file = path.join(actor.project.workspaceDir(user), `${docId}${suffix}`);
      if (removeIfExists(file)) removed.push(file);
    }
  }
  return removed;
}

export function describeMeta(meta: DocMeta): string {
  return `v${meta.version}, ${meta.status}`;
}
