import type { AuditEvent } from "../core/audit-events.js";
import { isIdProblem, parseDocId } from "../core/ids.js";
import { type ServiceResult, success } from "../core/result.js";
import { auditFiles } from "../store/audit-tail.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { formatEvent } from "./history.js";

export interface FeedEvent {
  doc_id: string;
  event: AuditEvent;
}

export interface FeedData {
  events: FeedEvent[];
}

/**
 * The latest audit events across the project, newest first (web spec §2 audit feed), optionally only one
 * user's. Files are read newest first (by modification time) and reading stops once no older file can hold
 * a newer event, so a large project costs one stat per document and a few reads.
 */
export function recentEvents(ctx: ServiceContext, input: { limit?: number; user?: string } = {}): ServiceResult<FeedData> {
  return runService(() => {
    const { project } = authorize(ctx, "history", "feed");
    const limit = Math.max(1, Math.min(1000, Math.floor(input.limit ?? 100)));
    const user = input.user?.trim() || undefined;
    const files = auditFiles(project).sort((a, b) => b.mtime - a.mtime);
    const found: FeedEvent[] = [];
    for (const f of files) {
      if (found.length >= limit) {
        // audit times have whole seconds: a file last written before the oldest kept event holds nothing newer
        const oldest = Date.parse(found[limit - 1]!.event.ts);
        if (Number.isFinite(oldest) && f.mtime < oldest) break;
      }
      const doc = parseDocId(f.docId, () => project.namespaces());
      if (isIdProblem(doc)) continue;
      const events = project.readAudit(doc) ?? [];
      // newest first, so the stable sort keeps a file's order among events of the same second
      for (let i = events.length - 1; i >= 0; i--) {
        const event = events[i]!;
        if (user === undefined || event.user === user) found.push({ doc_id: doc.id, event });
      }
      found.sort((a, b) => b.event.ts.localeCompare(a.event.ts));
      if (found.length > limit) found.length = limit;
    }
    const lines = found.length === 0 ? ["No audit events."] : found.map((e) => `${e.doc_id} ${formatEvent(e.event)[0] ?? ""}`);
    return success({ events: found }, lines);
  });
}
