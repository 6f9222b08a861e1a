import type { AuditEvent } from "../core/audit-events.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { step } from "../core/next.js";

export interface HistoryData {
  doc_id: string;
  /** Every audit line in file order (legacy `seed` lines normalized, see Project.readAudit). */
  events: AuditEvent[];
}

/** `history DOC_ID` (spec §5.15, REQ-QRY-003): `Audit History: ID`, then one line per event in file order. */
export function history(ctx: ServiceContext, input: { docId: string }): ServiceResult<HistoryData> {
  return runService(() => {
    const { project } = authorize(ctx, "history");
    const doc = project.parseId(input.docId);
    const events = project.readAudit(doc);
    if (events === undefined) {
      if (!project.tryLoad(doc)) project.load(doc.id); // refuses with "not found"
      fail("not-found", `No audit history for ${doc.id} (QMS/.audit/${doc.typeKey}/${doc.id}.jsonl is missing).`, step("status", doc.id, { lead: "See its current state with" }));
    }
    const lines = [`Audit History: ${doc.id}`];
    if (events.length === 0) lines.push("(no events)");
    for (const event of events) lines.push(...formatEvent(event));
    return success({ doc_id: doc.id, events }, lines);
  });
}

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
const list = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(", ") : str(v));

/** A routing that overrode the placeholder check says so (TS extension). */
function placeholdersNote(e: AuditEvent): string {
  return e.allow_placeholders === true ? ` (placeholders allowed: ${Array.isArray(e.placeholders) ? e.placeholders.length : "?"})` : "";
}

/** Comment text, indented under its event line. */
function indented(text: unknown): string[] {
  const s = str(text);
  if (s === "") return [];
  return s.split(/\r?\n/).map((l) => `    ${l}`);
}

/** The formats of spec §5.15, e.g. `[ts] ROUTE PRE_REVIEW by u - v0.1 - to: qa`. */
export function formatEvent(e: AuditEvent): string[] {
  const head = `[${str(e.ts)}]`;
  const by = `by ${str(e.user) || "?"}`;
  const v = `v${str(e.version)}`;
  if (e.legacy_action !== undefined) {
    // A Python-era line ({timestamp, action, details}), e.g. the seed line of the documents of the old init.
    const message = str(e.title);
    const status = str(e.status);
    return [`${head} ${str(e.legacy_action).toUpperCase() || "LEGACY"} by ${str(e.user) || "system"} - ${v}${status ? ` - ${status}` : ""}${message ? ` - ${message}` : ""}`];
  }
  switch (e.event) {
    case "CREATE":
      return [`${head} CREATE ${by} - ${v} - ${JSON.stringify(str(e.title))}`];
    case "ROUTE_REVIEW":
      return [`${head} ROUTE ${str(e.review_type) || "REVIEW"} ${by} - ${v} - to: ${list(e.assignees)}${placeholdersNote(e)}`];
    case "ROUTE_APPROVAL":
      return [`${head} ROUTE ${str(e.approval_type) || "APPROVAL"} ${by} - ${v} - to: ${list(e.assignees)}${e.retiring === true ? " (retirement)" : ""}${placeholdersNote(e)}`];
    case "ASSIGN":
      return [`${head} ASSIGN ${by} - ${v} - added: ${list(e.assignees)}`];
    case "REVIEW":
      return [`${head} REVIEW ${by} - ${v} - ${str(e.outcome)}`, ...indented(e.comment)];
    case "REJECT":
      return [`${head} REJECT ${by} - ${v}`, ...indented(e.comment)];
    case "REVERT":
      return [`${head} REVERT ${by} - ${v}`, ...indented(e.reason)];
    case "EFFECTIVE":
      // seeded documents become effective at their first version: no "from" to show
      return [str(e.from_version) && str(e.from_version) !== str(e.version) ? `${head} EFFECTIVE - v${str(e.from_version)} -> ${v}` : `${head} EFFECTIVE - ${v}`];
    case "DISCARD":
      return [`${head} DISCARD ${by} - v${str(e.from_version)} -> v${str(e.to_version)}`];
    case "RETIRE":
      return [`${head} RETIRE ${by} - v${str(e.from_version)} -> ${v}`];
    case "CHECKOUT":
      return [`${head} CHECKOUT ${by} - ${v}${e.from_version !== undefined ? ` (from v${str(e.from_version)})` : ""}`];
    case "STATUS_CHANGE":
      return [`${head} STATUS ${by} - ${v} - ${str(e.from_status)} -> ${str(e.to_status)}`];
    case "WITHDRAW":
      return [`${head} WITHDRAW ${by} - ${v} - ${str(e.from_status)} -> ${str(e.to_status)}`];
    default:
      return [`${head} ${str(e.event) || "UNKNOWN"} ${by} - ${v}`];
  }
}
