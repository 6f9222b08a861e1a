import { describePlaceholder, findPlaceholders } from "../core/placeholders.js";
import { type NextStep, step } from "../core/next.js";
import { fail } from "../core/result.js";
import type { RouteKind } from "../core/transitions.js";
import type { LoadedDoc } from "../store/documents.js";
import { executionPhaseOf } from "../store/documents.js";
import type { Actor } from "./context.js";

/** At most this many placeholders are listed (and recorded); the count says how many there are. */
const SHOWN = 40;

/**
 * `route` refuses a text that still holds template placeholders (qms.md §13 item 18): `{{…}}` always, the
 * `[UPPERCASE]` execution markers too except before release (a CR's plan keeps them for execution).
 * TEMPLATE documents are exempt: their placeholders are their content. Checked when routing for review: an
 * approval needs a review of the very same text (a checkin ends a review), so the review routing was the
 * check. With `allow`, the placeholders found are returned for the ROUTE event instead.
 */
export function checkPlaceholders(
  actor: Actor,
  loaded: LoadedDoc,
  kind: RouteKind,
  allow: boolean,
  autoCheckin: boolean,
): { allow_placeholders: true; placeholders: string[] } | undefined {
  const { project } = actor;
  const { doc, meta } = loaded;
  if (doc.typeKey === "TEMPLATE" || kind !== "review") return undefined;
  const me = actor.user.name;
  const text = autoCheckin ? project.users.readWorkspaceCopy(me, doc.id) : project.readText(loaded, "draft");
  if (text === undefined) return undefined;
  const markers = !(meta.executable && executionPhaseOf(meta) === "pre_release");
  const found = findPlaceholders(text, { markers }).map(describePlaceholder);
  if (found.length === 0) return undefined;
  if (allow) return { allow_placeholders: true, placeholders: found.slice(0, SHOWN) };
  const where = autoCheckin ? project.users.relative(project.users.workspaceFile(me, doc.id)) : project.pathOf(loaded, "draft");
  const listed = found.slice(0, SHOWN).map((p) => `  ${p}`);
  if (found.length > SHOWN) listed.push(`  … and ${found.length - SHOWN} more`);
  const routeAnyway = step("route", doc.id, { args: { route_type: kind, allow_placeholders: true }, lead: "or, to route it as it is (recorded in the audit trail)" });
  const next: NextStep[] = autoCheckin
    ? [step("route", doc.id, { args: { route_type: kind }, lead: `Fill them in (or delete them) in ${where}, then` }), routeAnyway]
    : [step("checkout", doc.id, { lead: "Fill them in (or delete them): check it out with" }), routeAnyway];
  fail(
    "placeholders",
    `${doc.id} still contains ${found.length} template placeholder${found.length === 1 ? "" : "s"} (${where}); the template says none may remain when it is routed for review:`,
    next,
    { details: listed },
  );
}

/**
 * Why a document with no review outcomes on record cannot go to approval: never reviewed, or reviewed and
 * then checked in again (a checkin ends a review, since the text may have changed).
 */
export function noReviewRefusal(actor: Actor, loaded: LoadedDoc, autoCheckin: boolean): never {
  const { doc } = loaded;
  const events = actor.project.readAudit(doc) ?? [];
  let lastReview = -1;
  events.forEach((e, i) => {
    if (e.event === "REVIEW") lastReview = i;
  });
  const review = events[lastReview];
  const since = lastReview >= 0 ? events.slice(lastReview + 1) : [];
  // a review round routed since then is a new round that has no review yet: the plain message says that
  const checkinAfter = since.some((e) => e.event === "CHECKIN") && !since.some((e) => e.event === "ROUTE_REVIEW");
  const again = step("route", doc.id, { args: { route_type: "review" }, lead: "Route it for review again" });
  if (review && (checkinAfter || autoCheckin)) {
    const who = `${String(review.user)} at v${String(review.version)}, ${String(review.ts).slice(0, 10)}`;
    fail(
      "approval-gate",
      autoCheckin && !checkinAfter
        ? `${doc.id} was reviewed (last review by ${who}), but it is checked out: routing checks it in, and a checked-in text counts as changed since its review, so that review no longer applies.`
        : `${doc.id} was reviewed (last review by ${who}), but it was checked out and checked in since: the text changed since its review, so that review no longer applies.`,
      again,
    );
  }
  fail("approval-gate", `No reviews on record for ${doc.id}: a document is routed for approval only after a review.`, step("route", doc.id, { args: { route_type: "review" }, lead: "Route it for review first" }));
}
