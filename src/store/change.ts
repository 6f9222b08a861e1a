import type { AuditEventType } from "../core/audit-events.js";
import type { ParsedId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import type { TaskFilter } from "./user-area.js";

/**
 * What one operation changes about one document, decided by a service and applied by the store in one
 * place (store.apply): files, archive snapshots, meta, tasks, workspace copies, then the audit events. A
 * service never writes a file itself.
 */
export interface DocChange {
  doc: ParsedId;
  /** New meta (`null`: delete it, with the document). */
  meta?: DocMeta | null;
  /** New draft text (`null`: remove the draft file). */
  draft?: string | null;
  /** New effective text (`null`: remove the effective file). */
  effective?: string | null;
  /** Archive snapshots, write-once: an existing snapshot is never replaced (spec §3.6). */
  archive: Array<{ version: string; text: string }>;
  /** Workspace copies to write (`text`) or remove (`null`). */
  workspace: Array<{ user: string; text: string | null }>;
  /** Remove this document's copies from every workspace. */
  clearWorkspaces?: boolean;
  /** Task files to write. */
  writeTasks: Array<{ user: string; taskId: string; text: string }>;
  /** Task files to remove (before any are written). */
  removeTasks: Array<{ users: "everyone" | string; which?: TaskFilter }>;
  /** Users whose owner tasks of this document (`task-{DOC_ID}-owner_*`) are removed, before tasks are written. */
  removeOwnerTasks?: string[];
  /** Audit events, appended last, in order. */
  audit: Array<{ event: AuditEventType; user: string; version: string; extra?: Record<string, unknown> }>;
  /** The interactive (VR) source `.meta/{TYPE}/{ID}.source.json` to write (spec §7.4). */
  source?: string;
  /** Interactive sessions `{ID}.interact` in workspaces to write (`text`) or remove (`null`) (spec §9.2). */
  sessions?: Array<{ user: string; text: string | null }>;
  /** Delete the document entirely (cancel): draft, effective, meta, audit, VR source; its folder if empty. */
  deleteDocument?: boolean;
}

/** A change to fill in, step by step (checkout's auto-withdraw, route's auto-checkin, then the operation). */
export function newChange(doc: ParsedId): DocChange {
  return { doc, archive: [], workspace: [], writeTasks: [], removeTasks: [], audit: [] };
}

export function auditEvent(
  change: DocChange,
  event: AuditEventType,
  user: string,
  version: string,
  extra?: Record<string, unknown>,
): void {
  change.audit.push({ event, user, version, ...(extra ? { extra } : {}) });
}
