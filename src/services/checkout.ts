import { isoDate } from "../core/audit-events.js";
import { clearReviewTracking } from "../core/meta.js";
import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isActiveWorkflow, isTerminal } from "../core/statuses.js";
import { CHECKOUT_TRANSITIONS } from "../core/transitions.js";
import { formatVersion, nextMinor, parseVersion } from "../core/version.js";
import { auditEvent, newChange } from "../store/change.js";
import { applyAs, changeDoc, type ServiceContext } from "./context.js";
import { type DiscardData, discard } from "./discard.js";
import { addCheckoutCopy, withdrawInto } from "./effects.js";

export interface CheckoutData {
  doc_id: string;
  version: string;
  status: string;
  workspace_path: string;
  auto_withdrawn?: { from: string; to: string };
  transitioned?: { from: string; to: string };
  from_version?: string;
}

/** `checkout DOC_ID [--discard]` (discard: discard.ts; spec §5.2; REQ-DOC-007, -019, REQ-WF-016, -017, -020, -021, -022). */
export function checkout(ctx: ServiceContext, input: { docId: string; discard?: boolean }): ServiceResult<CheckoutData | DiscardData> {
  if (input.discard === true) return discard(ctx, input);
  return changeDoc(ctx, "checkout", input.docId, ({ actor, project, me, loaded }) => {
    const { doc, meta } = loaded;
    if (isTerminal(meta.status)) {
      fail(
        "invalid-state",
        `${doc.id} is ${meta.status}: a ${meta.status.toLowerCase()} document cannot be checked out.`,
        meta.status === "CLOSED" ? step("create", undefined, { args: { doc_type: "ADD", parent: doc.id }, lead: "To correct it, create an addendum" }) : undefined,
      );
    }
    const lines: string[] = [];
    const data: Partial<CheckoutData> = { doc_id: doc.id };
    const change = newChange(doc);
    let draftText: string | undefined;

    if (loaded.hasDraft) {
      if (meta.checked_out) {
        if (meta.responsible_user === me) {
          fail("checked-out", `You already have ${doc.id} checked out.`, step("checkin", doc.id, { lead: `Edit ${project.users.relative(project.users.workspaceFile(me, doc.id))}, then` }));
        }
        fail("checked-out", `${doc.id} is checked out by ${meta.responsible_user}.`, `Ask ${meta.responsible_user} to check it in first.`);
      }
      if (isActiveWorkflow(meta.status)) {
        if (meta.responsible_user !== me) {
          fail(
            "not-owner",
            `${doc.id} is ${meta.status}; only its owner (responsible user) ${meta.responsible_user} may check it out, which withdraws the review or approval.`,
            step("withdraw", doc.id, { user: meta.responsible_user ?? undefined, lead: `Ask ${meta.responsible_user} to withdraw it` }),
          );
        }
        const withdrawn = withdrawInto(change, actor, loaded);
        data.auto_withdrawn = withdrawn;
        lines.push(`Auto-withdrawn: ${withdrawn.from} -> ${withdrawn.to}`);
      }
      const versionBefore = meta.version;
      const statusBefore = meta.status;
      const next = CHECKOUT_TRANSITIONS[meta.status];
      if (next) {
        clearReviewTracking(meta);
        meta.status = next;
        data.transitioned = { from: statusBefore, to: next };
        lines.push(`Transitioned from ${statusBefore} to ${next}`);
      }
      if (meta.status === "IN_EXECUTION") meta.version = nextMinor(meta.version);
      meta.responsible_user = me;
      meta.checked_out = true;
      meta.checked_out_date = isoDate(actor.now);
      // Integrity §2: the version a checkout moves to is on the record too (the event keeps the old one).
      auditEvent(change, "CHECKOUT", me, versionBefore, meta.version !== versionBefore ? { to_version: meta.version } : undefined);
      if (next) auditEvent(change, "STATUS_CHANGE", me, meta.version, { from_status: statusBefore, to_status: next });
    } else if (loaded.hasEffective && !meta.executable) {
      // EFFECTIVE: a new N.1 draft beside the N.0 in force (REQ-WF-020); archiving waits for approval.
      const effectiveVersion = formatVersion({ major: parseVersion(meta.version).major, minor: 0 });
      const draftVersion = formatVersion({ major: parseVersion(meta.version).major, minor: 1 });
      draftText = project.readText(loaded, "effective") ?? "";
      change.draft = draftText;
      const statusBefore = meta.status;
      clearReviewTracking(meta);
      meta.status = "DRAFT";
      meta.version = draftVersion;
      meta.effective_version = effectiveVersion;
      meta.responsible_user = me;
      meta.checked_out = true;
      meta.checked_out_date = isoDate(actor.now);
      auditEvent(change, "CHECKOUT", me, draftVersion, { from_version: effectiveVersion });
      if (statusBefore !== "DRAFT") auditEvent(change, "STATUS_CHANGE", me, draftVersion, { from_status: statusBefore, to_status: "DRAFT" });
      data.from_version = effectiveVersion;
    } else {
      fail("not-found", `${doc.id} has no draft to check out (status ${meta.status}).`, step("status", doc.id, { lead: "See" }));
    }
    change.meta = meta;
    addCheckoutCopy(change, actor, loaded, draftText);
    applyAs(actor, change);
    const result: CheckoutData = {
      ...data,
      doc_id: doc.id,
      version: meta.version,
      status: meta.status,
      workspace_path: project.users.relative(project.users.workspaceFile(me, doc.id)),
    };
    lines.push(`Checked out: ${doc.id} (v${meta.version}, ${meta.status})`, `Workspace: ${result.workspace_path}`);
    const next = doc.spec.interactive ? step("interact", doc.id, { lead: "Answer its prompts with" }) : step("checkin", doc.id, { lead: "Edit it, then" });
    return success(result, lines, { next: [next] });
  });
}
