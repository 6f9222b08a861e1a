import type { NextStep } from "../core/next.js";
import { whoActsNext } from "../core/next-steps.js";
import { type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES, REVIEW_STATES } from "../core/statuses.js";
import type { IndexedDoc } from "../store/document-index.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export type { NextStep };
export { whoActsNext as nextSteps };

export interface DocumentRow {
  doc_id: string;
  title: string;
  doc_type: string;
  version: string;
  status: string;
  executable: boolean;
  responsible_user: string | null;
  checked_out: boolean;
  /** Who holds the checkout (the owner while checked out), else null. */
  checkout_holder: string | null;
  pending_reviewers: string[];
  pending_approvers: string[];
  /** When the document's state last changed (its meta file was last written), ISO. */
  last_change: string;
  /** Direct parent of a family member (CR-001-TP-001 → CR-001), else null. */
  parent_id: string | null;
  /** 0 for top-level documents, 1 for a CR's TP, 2 for that TP's ER, ... */
  depth: number;
  next: NextStep[];
}

export interface ListInput {
  type?: string;
  status?: string;
  owner?: string;
  /** Only documents waiting for the caller: a pending review/approval, or the owner's next step. */
  mine?: boolean;
  /** Case-insensitive part of the ID or the title. */
  query?: string;
}

export interface ListData {
  documents: DocumentRow[];
  /** Documents in the project before filtering. */
  total: number;
}

/** `list`: every document of the project with its state, filtered (web spec §2 documents page). */
export function list(ctx: ServiceContext, input: ListInput = {}): ServiceResult<ListData> {
  return runService(() => {
    const actor = authorize(ctx, "status", "list");
    const me = actor.user.name;
    const index = actor.project.index.all(ctx.now.getTime());
    const all = index.documents.map(rowOf);
    const type = input.type?.trim().toUpperCase() || undefined;
    const status = input.status?.trim().toUpperCase() || undefined;
    const owner = input.owner?.trim() || undefined;
    const query = input.query?.trim().toLowerCase() || undefined;
    const documents = all.filter(
      (d) =>
        (type === undefined || d.doc_type === type) &&
        (status === undefined || d.status === status) &&
        (owner === undefined || d.responsible_user === owner) &&
        (!input.mine || d.next.some((n) => n.user === me)) &&
        (query === undefined || d.doc_id.toLowerCase().includes(query) || d.title.toLowerCase().includes(query)),
    );
    const lines =
      documents.length === 0
        ? ["No documents."]
        : documents.map((d) => `${"  ".repeat(d.depth)}${d.doc_id}  v${d.version}  ${d.status}${d.title ? `  ${d.title}` : ""}`);
    return success({ documents, total: all.length }, lines, { warnings: index.warnings });
  });
}

/** The next steps of one document (until the `status` service returns them itself). */
export function next(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; next: NextStep[] }> {
  return runService(() => {
    const { project } = authorize(ctx, "status", "next");
    const loaded = project.load(input.docId);
    const steps = whoActsNext({ ...loaded.meta, doc_id: loaded.doc.id, executable: loaded.meta.executable === true, attachment: loaded.doc.spec.attachment === true });
    return success({ doc_id: loaded.doc.id, next: steps }, steps.map((s) => `${s.user ?? "anyone"}: ${s.action}${s.args?.route_type ? ` --${s.args.route_type}` : ""} ${loaded.doc.id}`));
  });
}

/** A listing row: the document's state and who acts next (rows of unchanged documents are rebuilt cheaply). */
function rowOf(entry: IndexedDoc): DocumentRow {
  const { doc, loaded, title, mtime } = entry;
  const { meta } = loaded;
  const pending = [...(meta.pending_assignees ?? [])];
  return {
    doc_id: doc.id,
    title,
    doc_type: meta.doc_type ?? doc.typeKey,
    version: meta.version,
    status: meta.status,
    executable: meta.executable === true,
    responsible_user: meta.responsible_user ?? null,
    checked_out: meta.checked_out === true,
    checkout_holder: meta.checked_out === true ? (meta.responsible_user ?? null) : null,
    pending_reviewers: REVIEW_STATES.includes(meta.status) ? pending : [],
    pending_approvers: APPROVAL_STATES.includes(meta.status) ? pending : [],
    last_change: mtime.toISOString(),
    parent_id: doc.parentId ?? null,
    depth: doc.rootId ? (doc.id.slice(doc.rootId.length).split("-").length - 1) / 2 : 0,
    next: whoActsNext({ ...meta, doc_id: doc.id, executable: meta.executable === true, attachment: doc.spec.attachment === true }),
  };
}
