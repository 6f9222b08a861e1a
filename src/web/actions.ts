import { refuse, type Refusal, type ServiceResult } from "../core/result.js";
import type { ServiceContext } from "../services/context.js";
import { approve } from "../services/approve.js";
import { assign } from "../services/assign.js";
import { close } from "../services/close.js";
import { reject } from "../services/reject.js";
import { release } from "../services/release.js";
import { review } from "../services/review.js";
import { route } from "../services/route.js";
import { status } from "../services/status.js";
import { withdraw } from "../services/withdraw.js";

/** The service context of a web request: `via` marks the audit events it causes (the lead's audit writer adds it). */
export interface WebServiceContext extends ServiceContext {
  via: "web";
}

export const ACTIONS = ["review", "approve", "reject", "route", "assign", "release", "close", "withdraw"] as const;
export type WebAction = (typeof ACTIONS)[number];

export function isWebAction(value: string): value is WebAction {
  return (ACTIONS as readonly string[]).includes(value);
}

const names = (value: string | null): string[] => (value ?? "").split(/[\s,]+/).filter((s) => s !== "");

/** Signatures are confirmed on the form that states their meaning. */
const CONFIRMED: ReadonlySet<WebAction> = new Set(["approve", "reject"]);

/**
 * Run one form's action through the same service as the CLI and MCP. Two checks belong to the form, not to
 * the QMS rules: the document must still be in the version and status the page showed (so the meaning the
 * user confirmed is the one signed), and a signature needs its confirmation box.
 */
export function runAction(ctx: WebServiceContext, action: WebAction, docId: string, form: URLSearchParams): ServiceResult<unknown> {
  const expect = form.get("expect");
  if (expect !== null) {
    const now = status(ctx, { docId });
    if (!now.ok) return now;
    if (expect !== `${now.data.version}|${now.data.status}`) {
      return refuse(
        "invalid-state",
        `${now.data.doc_id} changed since the page was shown: it is now v${now.data.version} ${now.data.status}.`,
        "Look at its current state below and act again if it still applies.",
      );
    }
  }
  if (CONFIRMED.has(action) && form.get("confirm") !== "yes") {
    return refuse("confirmation-required", `Tick the confirmation box to ${action} ${docId}: it states what your signature means.`, "Read the statement on the form, tick it, and submit again.");
  }
  switch (action) {
    case "review": {
      const outcome = form.get("outcome");
      return review(ctx, { docId, outcome: outcome === "recommend" || outcome === "request-updates" ? outcome : undefined, comment: form.get("comment") ?? "" });
    }
    case "approve":
      return approve(ctx, { docId });
    case "reject":
      return reject(ctx, { docId, comment: form.get("comment") ?? "" });
    case "route": {
      const kind = form.get("route_type");
      return route(ctx, { docId, kind: kind === "review" || kind === "approval" ? kind : undefined, assign: names(form.get("assign")), retire: form.get("retire") === "yes" });
    }
    case "assign":
      return assign(ctx, { docId, assignees: names(form.get("assignees")) });
    case "release":
      return release(ctx, { docId });
    case "close":
      return close(ctx, { docId });
    case "withdraw":
      return withdraw(ctx, { docId });
  }
}

/** HTTP status for a refusal shown on a page. */
export function refusalStatus(r: Refusal): number {
  if (r.code === "permission-denied" || r.code === "not-owner" || r.code === "not-assigned") return 403;
  if (r.code === "not-found" || r.code === "invalid-id") return 404;
  if (r.code === "invalid-argument" || r.code === "confirmation-required") return 400;
  return 409;
}
