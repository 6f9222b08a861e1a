import { clearOwnership, clearReviewTracking } from "../core/meta.js";
import { type NextStep, step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import type { Status } from "../core/statuses.js";
import { parseVersion, previousMinor } from "../core/version.js";
import { auditEvent, newChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import { applyAs, authorize, runService, type ServiceContext } from "./context.js";

export interface DiscardData {
  doc_id: string;
  from_version: string;
  to_version: string;
  status: Status;
  draft_removed: boolean;
}

/**
 * What discarding would return to: a revision draft of an EFFECTIVE document goes back to the version in
 * force (its draft is dropped); a checked-out IN_EXECUTION document goes back to the version before the
 * checkout (its draft is still that version's text: a checkout never writes it). Undefined: not a revision.
 */
export function discardTarget(loaded: LoadedDoc): { status: Status; version: string; dropDraft: boolean } | undefined {
  const { meta } = loaded;
  const v = parseVersion(meta.version);
  if (v.major < 1 || v.minor < 1) return undefined;
  if (!meta.executable && meta.status === "DRAFT" && loaded.hasEffective && typeof meta.effective_version === "string" && meta.effective_version !== "") {
    return { status: "EFFECTIVE", version: meta.effective_version, dropDraft: true };
  }
  if (meta.executable && meta.status === "IN_EXECUTION") return { status: "IN_EXECUTION", version: previousMinor(meta.version), dropDraft: false };
  return undefined;
}

/** The way to abandon a revision, for other refusals to point at (cancel of a v1.0+ document). */
export function discardSteps(loaded: LoadedDoc, me: string): NextStep[] {
  const { doc, meta } = loaded;
  if (!loaded.hasDraft || (meta.status !== "DRAFT" && meta.status !== "IN_EXECUTION")) return [];
  const checkedOutByMe = meta.checked_out && meta.responsible_user === me;
  // checked in, an execution draft is already the text of its version: checking it out again starts the next one
  if (meta.status === "IN_EXECUTION" && !meta.checked_out) return [];
  return [
    step("checkout", doc.id, {
      args: { discard: true },
      lead: checkedOutByMe ? "To abandon this revision draft, discard it" : "To abandon this revision draft, check it out, then discard it",
    }),
  ];
}

/**
 * `checkout DOC_ID --discard` (qms.md §13 item 19, TS extension): the owner drops the checked-out N.X draft of
 * an EFFECTIVE or IN_EXECUTION document. Draft (when it is a revision of an effective text) and workspace
 * copy go, the meta returns to the previous state and version, and a `DISCARD` event records both versions.
 */
export function discard(ctx: ServiceContext, input: { docId: string }): ServiceResult<DiscardData> {
  return runService(() => {
    const actor = authorize(ctx, "checkout", "discard");
    const { project } = actor;
    const me = actor.user.name;
    return project.mutate(() => {
      const loaded = project.load(input.docId);
      const { doc, meta } = loaded;
      const target = discardTarget(loaded);
      if (!target) {
        const neverApproved = parseVersion(meta.version).major < 1;
        fail(
          "invalid-state",
          neverApproved
            ? `${doc.id} is v${meta.version}, never approved: there is no earlier version to return to.`
            : `${doc.id} is v${meta.version} ${meta.status}: only a revision draft (N.X of an EFFECTIVE document, or of one IN_EXECUTION) can be discarded.`,
          neverApproved
            ? step("cancel", doc.id, { args: { confirm: true }, lead: "A never-approved document is deleted instead (once checked in)" })
            : step("status", doc.id, { lead: "See its state with" }),
        );
      }
      if (!meta.checked_out) {
        fail(
          "not-checked-out",
          `${doc.id} v${meta.version} is not checked out: only the checked-out revision draft is discarded.`,
          step("checkout", doc.id, { lead: `Check it out first${meta.status === "DRAFT" ? "" : " (which withdraws a review or approval in progress)"}, then run again` }),
        );
      }
      if (meta.responsible_user !== me) {
        fail(
          "not-owner",
          `Only the owner (responsible user) may discard ${doc.id}; it is checked out by ${meta.responsible_user ?? "nobody"}, not ${me}.`,
          `Ask ${meta.responsible_user ?? "its owner"} to discard or check in the draft.`,
        );
      }
      const fromVersion = meta.version;
      const fromStatus = meta.status;
      const change = newChange(doc);
      if (target.dropDraft) change.draft = null;
      change.workspace.push({ user: me, text: null });
      change.removeTasks.push({ users: "everyone" });
      clearReviewTracking(meta);
      delete meta.retiring;
      meta.version = target.version;
      meta.status = target.status;
      if (target.status === "EFFECTIVE") clearOwnership(meta);
      else {
        meta.checked_out = false;
        meta.checked_out_date = null;
      }
      change.meta = meta;
      auditEvent(change, "DISCARD", me, target.version, { from_version: fromVersion, to_version: target.version });
      if (fromStatus !== target.status) auditEvent(change, "STATUS_CHANGE", me, target.version, { from_status: fromStatus, to_status: target.status });
      applyAs(actor, change);
      const lines = [
        `Discarded: ${doc.id} v${fromVersion}${target.dropDraft ? " (draft and workspace copy removed)" : " (workspace copy removed)"}`,
        `Back to: v${target.version} ${target.status}`,
      ];
      return success({ doc_id: doc.id, from_version: fromVersion, to_version: target.version, status: target.status, draft_removed: target.dropDraft }, lines);
    });
  });
}
