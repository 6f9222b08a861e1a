/**
 * The 16 audit event types of REQ-AUDIT-002, plus `DISCARD` (a TS extension, qms.md §13 item 19: an abandoned
 * revision draft).
 */
export const AUDIT_EVENTS = [
  "CREATE",
  "CHECKOUT",
  "CHECKIN",
  "ROUTE_REVIEW",
  "ROUTE_APPROVAL",
  "ASSIGN",
  "REVIEW",
  "APPROVE",
  "REJECT",
  "EFFECTIVE",
  "RELEASE",
  "REVERT",
  "CLOSE",
  "RETIRE",
  "WITHDRAW",
  "STATUS_CHANGE",
  "DISCARD",
] as const;
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

/** One line of `.audit/{TYPE}/{ID}.jsonl`. Common fields first, then event-specific extras. */
export interface AuditEvent {
  ts: string;
  event: AuditEventType;
  user: string;
  version: string;
  [extra: string]: unknown;
}

/** ISO-8601 UTC with seconds and a `+00:00` suffix, as the Python tool wrote it. */
export function auditTimestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19)}+00:00`;
}

export function isoDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}
