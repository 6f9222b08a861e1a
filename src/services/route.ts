import type { ReviewOutcome } from "../core/meta.js";
import { clearReviewTracking } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { resolveRoute, type RouteKind } from "../core/transitions.js";
import { parseVersion } from "../core/version.js";
import { findUser } from "../store/users.js";
import type { Actor } from "./context.js";
import { applyAs, requireDocPermission, changeDoc, type ServiceContext } from "./context.js";
import { parseDocument } from "../core/frontmatter.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { executionPhaseOf, type LoadedDoc } from "../store/documents.js";
import { validateAssignees } from "./assignees.js";
import { checkinInto, requireWorkspaceCopy, statusAfterCheckin } from "./effects.js";
import { checkPlaceholders, noReviewRefusal } from "./route-checks.js";
import { tasksInto } from "./tasks.js";

export interface RouteInput {
  docId: string;
  kind: RouteKind | undefined;
  assign?: string[];
  retire?: boolean;
  /** Route even though template placeholders remain (recorded in the ROUTE event). */
  allowPlaceholders?: boolean;
}

export interface RouteData {
  doc_id: string;
  workflow: string;
  from_status: string;
  to_status: string;
  assignees: string[];
  version: string;
  auto_checked_in: boolean;
  retiring: boolean;
}

/** `route DOC_ID (--review|--approval) [--assign U...] [--retire]` (spec §5.4, REQ-WF-005, -012, -015, -023). */
export function route(ctx: ServiceContext, input: RouteInput): ServiceResult<RouteData> {
  return changeDoc(
    ctx,
    "route",
    input.docId,
    ({ actor, project, me, loaded, input: { kind } }) => {
      const { doc, meta } = loaded;
      if (!loaded.hasDraft) {
        fail("not-found", `No draft found for ${doc.id} (status ${meta.status}).`, meta.status === "EFFECTIVE" ? step("checkout", doc.id, { lead: "Check it out to revise it" }) : undefined);
      }
      requireDocPermission(actor, "route", loaded);
      // Everything is checked against the state after the auto-checkin, before anything is written.
      const autoCheckin = meta.checked_out;
      const edited = autoCheckin ? requireWorkspaceCopy(actor, loaded) : undefined;
      const statusNow = autoCheckin ? statusAfterCheckin(meta.status) : meta.status;
      const outcomes = autoCheckin && statusNow !== meta.status ? {} : (meta.review_outcomes ?? {});
      if (kind === "approval") checkApprovalGate(actor, loaded, outcomes, autoCheckin);
      const rule = resolveRoute(kind, statusNow, meta.executable, executionPhaseOf(meta));
      if (!rule) {
        fail(
          "invalid-transition",
          `Cannot route_${kind} from ${statusNow} (${meta.executable ? `executable, ${executionPhaseOf(meta)}` : "non-executable"}).`,
          kind === "approval" && statusNow === "DRAFT"
            ? step("route", doc.id, { args: { route_type: "review" }, lead: "Route it for review first" })
            : step("status", doc.id, { lead: "See" }),
        );
      }
      const retire = input.retire === true;
      if (retire) {
        if (rule.workflow !== "APPROVAL" && rule.workflow !== "POST_APPROVAL") {
          fail("invalid-argument", `--retire only applies to an approval (or post-approval) routing, not ${rule.workflow}.`, step("route", doc.id, { args: { route_type: "approval", retire: true }, lead: "Run" }));
        }
        if (parseVersion(meta.version).major < 1) {
          fail("invalid-state", `${doc.id} is v${meta.version}: only documents approved at least once (v1.0+) can be retired.`, step("cancel", doc.id, { args: { confirm: true }, lead: "A never-approved document is cancelled instead" }));
        }
      }
      const assignees = validateAssignees(project, input.assign && input.assign.length > 0 ? input.assign : ["qa"], kind);
      const placeholders = checkPlaceholders(actor, loaded, kind, input.allowPlaceholders === true, autoCheckin);

      const change = newChange(doc);
      const lines: string[] = [];
      if (edited) {
        checkinInto(change, actor, loaded, edited);
        lines.push(`Auto-checked-in: ${doc.id} (v${meta.version})`);
      }
      const from = meta.status;
      meta.status = rule.to;
      // TS (spec §13.2): a new review round starts clean, so old outcomes never satisfy a later gate.
      if (kind === "review") clearReviewTracking(meta);
      meta.pending_assignees = assignees;
      if (retire) meta.retiring = true;
      else delete meta.retiring;
      change.meta = meta;
      auditEvent(change, "STATUS_CHANGE", me, meta.version, { from_status: from, to_status: rule.to });
      auditEvent(
        change,
        kind === "review" ? "ROUTE_REVIEW" : "ROUTE_APPROVAL",
        me,
        meta.version,
        { ...(kind === "review" ? { assignees, review_type: rule.workflow } : { assignees, approval_type: rule.workflow }), ...placeholders },
      );
      // the title as checked in now (an auto-checkin may have changed it)
      tasksInto(change, project, loaded, { workflow: rule.workflow, assignedBy: me, now: actor.now, title: titleIn(change.draft) ?? project.title(loaded) }, assignees);
      applyAs(actor, change);
      lines.push(`Routed: ${doc.id} for ${rule.workflow}${retire ? " (retirement)" : ""}`, `Status: ${from} -> ${rule.to}`, `Assigned to: ${assignees.join(", ")}`);
      return success(
        { doc_id: doc.id, workflow: rule.workflow, from_status: from, to_status: rule.to, assignees, version: meta.version, auto_checked_in: autoCheckin, retiring: retire },
        lines,
      );
    },
    () => {
      if (input.kind !== "review" && input.kind !== "approval") {
        fail("invalid-argument", "Say which workflow: exactly one of --review or --approval.", step("route", String(input.docId), { args: { route_type: "review" }, lead: "Run" }));
      }
      const kind = input.kind;
      return { kind } as const;
    },
  );
}

/** REQ-WF-005: every recorded review recommends, and at least one came from the quality group. */
function checkApprovalGate(actor: Actor, loaded: LoadedDoc, outcomes: Record<string, ReviewOutcome>, autoCheckin: boolean): void {
  const docId = loaded.doc.id;
  const reviewers = Object.keys(outcomes);
  if (reviewers.length === 0) noReviewRefusal(actor, loaded, autoCheckin);
  const blocking = reviewers.find((r) => outcomes[r] === "UPDATES_REQUIRED");
  if (blocking) {
    fail("approval-gate", `Cannot route ${docId} for approval: ${blocking} requested updates.`, step("checkout", docId, { lead: "Check out, revise and route for review again" }));
  }
  if (!reviewers.some((r) => findUser(actor.project, r)?.group === "quality")) {
    fail("approval-gate", `Cannot route ${docId} for approval: no quality review on record (reviewed by ${reviewers.join(", ")}).`, step("route", docId, { args: { route_type: "review", assignees: ["qa"] }, lead: "Route it for review with QA" }));
  }
}

function titleIn(text: string | null | undefined): string | undefined {
  if (typeof text !== "string") return undefined;
  const title = parseDocument(text).frontmatter.title;
  return typeof title === "string" ? title : undefined;
}
