import type { AuditEvent, AuditEventType } from "../core/audit-events.js";
import type { ParsedId } from "../core/ids.js";
import { Project } from "../store/project.js";

/**
 * The project as the web view's services see it: every audit event they write carries `via: "web"`
 * (web spec §3). A stopgap until the audit writer takes `via` from the service context (`WebServiceContext`):
 * then this class goes and the plain project is used.
 */
export class WebProject extends Project {
  override appendAudit(doc: ParsedId, event: AuditEventType, user: string, version: string, extra: Record<string, unknown> = {}, now = new Date()): AuditEvent {
    return super.appendAudit(doc, event, user, version, { ...extra, via: "web" }, now);
  }
}
