import { minimalFrontmatterDocument, parseDocument, serializeDocument } from "../core/frontmatter.js";
import { clearReviewTracking, type DocMeta } from "../core/meta.js";
import { fail } from "../core/result.js";
import type { Status } from "../core/statuses.js";
import { ACTIVE_STATE_RULES, CHECKIN_RESETS } from "../core/transitions.js";
import { parseVersion, previousMinor } from "../core/version.js";
import { TEXT_FIELDS, textFieldProblem } from "../core/fields.js";
import { exists, readTextIfExists, writeFileAtomic } from "../store/fsio.js";
import type { Actor } from "./context.js";
import type { LoadedDoc } from "./documents.js";

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
  actor.project.users.removeTasks(doc.id, "everyone");
  return { from, to: rule.withdrawTo };
}

/** Status a checkin leaves the document in (REQ-DOC-009). */
export function statusAfterCheckin(status: Status): Status {
  return CHECKIN_RESETS.includes(status) ? "DRAFT" : status;
}

/** The edited workspace copy, read and checked (safe file, field limits) before anything is written. */
export interface WorkspaceEdit {
  frontmatter: Record<string, unknown>;
  body: string;
}

/** Check that a checkin can happen (a valid workspace copy exists) without changing anything. */
export function requireWorkspaceCopy(actor: Actor, loaded: LoadedDoc): WorkspaceEdit {
  const { users } = actor.project;
  const me = actor.user.name;
  const text = users.readWorkspaceCopy(me, loaded.doc.id);
  if (text === undefined) {
    fail(
      "not-checked-out",
      `${loaded.doc.id} has no workspace copy for ${me} (expected ${users.relative(users.workspaceFile(me, loaded.doc.id))}).`,
      `Check it out first: qms --user ${me} checkout ${loaded.doc.id} (see: qms --user ${me} workspace)`,
    );
  }
  const edited = parseDocument(text);
  for (const field of ["title", "revision_summary"] as const) {
    const value = edited.frontmatter[field];
    if (value === undefined || value === null) continue;
    const problem = textFieldProblem(TEXT_FIELDS[field], String(value));
    if (problem) {
      fail(
        "invalid-argument",
        `The '${field}:' in ${users.relative(users.workspaceFile(me, loaded.doc.id))} ${problem}; the same limit applies as to --${field.replace("_", "-")}.`,
        `Correct the frontmatter of the workspace copy, then check it in again.`,
      );
    }
  }
  return edited;
}

/** Copy the workspace file back into the draft and release the checkout (REQ-DOC-008). Mutates `meta`. */
export function applyCheckin(actor: Actor, loaded: LoadedDoc, edited: WorkspaceEdit): void {
  const { project } = actor;
  const { doc, meta } = loaded;
  const draftFile = project.draftPath(doc);
  const current = readTextIfExists(draftFile);
  if (meta.status === "IN_EXECUTION" && parseVersion(meta.version).minor > 0 && current !== undefined) {
    archiveSnapshot(actor, loaded, previousMinor(meta.version), draftFile);
  }
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
  project.users.removeWorkspaceCopy(actor.user.name, doc.id);
}

/** The workspace copy of a draft: its body with only title and revision_summary in the frontmatter. */
export function writeWorkspaceCopy(actor: Actor, loaded: LoadedDoc): string {
  return actor.project.users.writeWorkspaceCopy(actor.user.name, loaded.doc.id, minimalFrontmatterDocument(readTextIfExists(actor.project.draftPath(loaded.doc)) ?? ""));
}

export function describeMeta(meta: DocMeta): string {
  return `v${meta.version}, ${meta.status}`;
}
