import { TEXT_FIELDS, textFieldProblem } from "../core/fields.js";
import { minimalFrontmatterDocument, parseDocument, serializeDocument } from "../core/frontmatter.js";
import { clearReviewTracking } from "../core/meta.js";
import { step } from "../core/next.js";
import { fail } from "../core/result.js";
import type { Status } from "../core/statuses.js";
import { ACTIVE_STATE_RULES, CHECKIN_RESETS } from "../core/transitions.js";
import { parseVersion, previousMinor } from "../core/version.js";
import { auditEvent, type DocChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import type { VrSource } from "../core/vr/source.js";
import type { Actor } from "./context.js";
import { addCheckoutSession, compileInto, sourceToCheckIn } from "./interactive.js";

/**
 * Decisions shared by several operations (withdraw and checkout's auto-withdraw; checkin and route's
 * auto-checkin). Each mutates the meta and adds what must be written to the operation's change; nothing here
 * touches a file. Callers hold the project lock and have done every check first.
 */

/** Where a withdraw from the current status leads, or undefined when nothing is in progress. */
export function withdrawTarget(status: Status): Status | undefined {
  return ACTIVE_STATE_RULES[status]?.withdrawTo;
}

/** Undo an in-progress review/approval round (REQ-WF-018). */
export function withdrawInto(change: DocChange, actor: Actor, loaded: LoadedDoc): { from: Status; to: Status } {
  const { meta, doc } = loaded;
  const from = meta.status;
  const rule = ACTIVE_STATE_RULES[from];
  if (!rule) fail("invalid-state", `${doc.id} is ${from}: there is no review or approval in progress to withdraw.`);
  // TS: withdrawing an approval round keeps the review outcomes, so the owner can route for approval again.
  clearReviewTracking(meta, rule.kind === "approval");
  delete meta.retiring;
  meta.status = rule.withdrawTo;
  auditEvent(change, "WITHDRAW", actor.user.name, meta.version, { from_status: from, to_status: rule.withdrawTo });
  change.removeTasks.push({ users: "everyone" });
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
  /** An interactive document (VR): the session's source, compiled at checkin instead of a copy (REQ-INT-018). */
  interactive?: VrSource;
}

/** Check that a checkin can happen (a valid workspace copy exists) without changing anything. */
export function requireWorkspaceCopy(actor: Actor, loaded: LoadedDoc): WorkspaceEdit {
  const { users } = actor.project;
  const me = actor.user.name;
  if (loaded.doc.spec.interactive) return { frontmatter: {}, body: "", interactive: sourceToCheckIn(actor.project, me, loaded) };
  const shown = users.relative(users.workspaceFile(me, loaded.doc.id));
  const text = users.readWorkspaceCopy(me, loaded.doc.id);
  if (text === undefined) {
    fail("not-checked-out", `${loaded.doc.id} has no workspace copy for ${me} (expected ${shown}).`, [
      step("checkout", loaded.doc.id, { lead: "Check it out first" }),
      step("workspace", undefined, { lead: "see" }),
    ]);
  }
  const edited = parseDocument(text);
  for (const field of ["title", "revision_summary"] as const) {
    // an absent (or null) field keeps the draft's value at checkin; "undefined" and "null" pass every limit
    const problem = textFieldProblem(TEXT_FIELDS[field], String(edited.frontmatter[field]));
    if (problem) {
      fail(
        "invalid-argument",
        `The '${field}:' in ${shown} ${problem}; the same limit applies as to --${field.replace("_", "-")}.`,
        "Correct the frontmatter of the workspace copy, then check it in again.",
      );
    }
  }
  return edited;
}

/** Copy the workspace file back into the draft and release the checkout (REQ-DOC-008). */
export function checkinInto(change: DocChange, actor: Actor, loaded: LoadedDoc, edited: WorkspaceEdit): void {
  const { project } = actor;
  const { meta } = loaded;
  const me = actor.user.name;
  const current = project.readText(loaded, "draft");
  if (meta.status === "IN_EXECUTION" && parseVersion(meta.version).minor > 0 && current !== undefined) {
    change.archive.push({ version: previousMinor(meta.version), text: current });
  }
  const previous = parseDocument(current ?? "").frontmatter;
  if (edited.interactive) {
    // the session is compiled into the record and stored as .source.json; the session goes (REQ-INT-018)
    change.draft = compileInto(change, project, edited.interactive);
    change.sessions = [...(change.sessions ?? []), { user: me, text: null }];
  } else {
    change.draft = serializeDocument(
      { title: edited.frontmatter.title ?? previous.title, revision_summary: edited.frontmatter.revision_summary ?? previous.revision_summary },
      edited.body,
    );
  }
  meta.checked_out = false;
  meta.checked_out_date = null;
  auditEvent(change, "CHECKIN", me, meta.version);
  const next = statusAfterCheckin(meta.status);
  if (next !== meta.status) {
    // Integrity §2: every change of status is on the record (the Python tool reset silently).
    auditEvent(change, "STATUS_CHANGE", me, meta.version, { from_status: meta.status, to_status: next });
    meta.status = next;
    clearReviewTracking(meta);
  }
  change.workspace.push({ user: me, text: null });
}

/** What a checkout puts in the workspace: the draft's copy, or for an interactive document its session (REQ-INT-017). */
export function addCheckoutCopy(change: DocChange, actor: Actor, loaded: LoadedDoc, draftText?: string): void {
  const me = actor.user.name;
  if (loaded.doc.spec.interactive) addCheckoutSession(change, actor.project, loaded, me);
  else change.workspace.push({ user: me, text: workspaceCopyOf(actor, loaded, draftText) });
}

/** The workspace copy of a draft: its body with only title and revision_summary in the frontmatter. */
export function workspaceCopyOf(actor: Actor, loaded: LoadedDoc, draftText?: string): string {
  return minimalFrontmatterDocument(draftText ?? actor.project.readText(loaded, "draft") ?? "");
}
