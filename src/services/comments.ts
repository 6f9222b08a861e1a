import type { AuditEvent } from "../core/audit-events.js";
import { type ServiceResult, success } from "../core/result.js";
import { REVIEW_STATES } from "../core/statuses.js";
import { checkVersionArg } from "./validation.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface CommentEntry {
  version: string;
  user: string;
  /** REVIEW or REJECT. */
  event: "REVIEW" | "REJECT";
  /** RECOMMEND / UPDATES_REQUIRED for reviews, REJECTED for rejections. */
  outcome: string;
  ts: string;
  comment: string;
}

/**
 * `comments DOC_ID [--version V]` (spec §5.15, REQ-QRY-004): the REVIEW and REJECT events that carry a
 * comment, in audit order, optionally only those made on version V.
 *
 * TS rule (the Python tool meant it but read the status from frontmatter, so it never applied): while the
 * document's meta status is IN_REVIEW / IN_PRE_REVIEW / IN_POST_REVIEW, the REVIEW comments of the current
 * review round — those recorded after the last ROUTE_REVIEW event — are hidden from everyone, so reviewers
 * judge independently. Comments of earlier rounds and rejections stay visible; the output says how many
 * were hidden. Once the round completes (or is withdrawn) every comment shows again.
 */
export function comments(ctx: ServiceContext, input: { docId: string; version?: string }): ServiceResult<CommentEntry[]> {
  return runService(() => {
    const { project } = authorize(ctx, "comments");
    const version = input.version;
    checkVersionArg(version);
    const { doc, meta } = project.load(input.docId);
    const events = project.readAudit(doc) ?? [];

    // in review, the REVIEW events after this index are the current round's; out of review, none are
    const roundStart = REVIEW_STATES.includes(meta.status) ? lastRouteReview(events) : events.length;

    const shown: CommentEntry[] = [];
    let hidden = 0;
    events.forEach((e: AuditEvent, i: number) => {
      if (e.legacy_action !== undefined || (e.event !== "REVIEW" && e.event !== "REJECT")) return;
      if (typeof e.comment !== "string" || e.comment === "") return;
      if (version !== undefined && e.version !== version) return;
      if (e.event === "REVIEW" && i > roundStart) {
        hidden++;
        return;
      }
      shown.push({
        version: String(e.version),
        user: String(e.user),
        event: e.event,
        outcome: e.event === "REJECT" ? "REJECTED" : String(e.outcome ?? ""),
        ts: String(e.ts),
        comment: e.comment,
      });
    });

    const scope = version !== undefined ? ` on version ${version}` : "";
    const lines: string[] = [];
    if (shown.length === 0) lines.push(`No comments for ${doc.id}${scope}.`);
    else {
      lines.push(`Comments for ${doc.id}${scope}:`);
      for (const c of shown) lines.push("", `[v${c.version}] ${c.user} (${c.outcome}) - ${c.ts}`, c.comment);
    }
    if (hidden > 0) {
      lines.push(
        "",
        `${hidden} review comment${hidden === 1 ? "" : "s"} of the current round ${hidden === 1 ? "is" : "are"} hidden while ${doc.id} is ${meta.status}; they show once the review completes.`,
      );
    }
    return success(shown, lines);
  });
}

/** Index of the last ROUTE_REVIEW recorded by this tool (not a Python-era line), or -1. */
function lastRouteReview(events: AuditEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]!.event === "ROUTE_REVIEW" && events[i]!.legacy_action === undefined) return i;
  }
  return -1;
}
