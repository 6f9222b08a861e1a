import type { ParsedId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import type { NextStep } from "../core/next.js";
import { whoActsNext } from "../core/next-steps.js";
import { creatableTypeKeys } from "../core/doctypes.js";
import { didYouMean, FEW } from "../core/did-you-mean.js";
import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES, REVIEW_STATES, STATUSES } from "../core/statuses.js";
import type { Project } from "../store/project.js";
import { listUsers } from "../store/users.js";
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

/**
 * `list [--type T] [--status S] [--owner U] [--mine]`: every document of the project with its state, sorted
 * by ID (children after their parent), filtered (web spec §2 documents page; `qms list`, `qms_list`).
 */
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
    checkFilters(actor.project, all, { type, status, owner });
    const documents = all.filter(
      (d) =>
        (type === undefined || d.doc_type === type) &&
        (status === undefined || d.status === status) &&
        (owner === undefined || d.responsible_user === owner) &&
        (!input.mine || d.next.some((n) => n.user === me)) &&
        (query === undefined || d.doc_id.toLowerCase().includes(query) || d.title.toLowerCase().includes(query)),
    );
    const lines = documents.length === 0 ? [all.length === 0 ? "No documents." : `No documents match (${all.length} in the project).`] : listingTable(documents);
    return success({ documents, total: all.length }, lines, { warnings: index.warnings });
  });
}

/** A filter naming no type, status or user of the project is refused, with the closest valid ones. */
function checkFilters(project: Project, rows: DocumentRow[], f: { type?: string; status?: string; owner?: string }): void {
  const check = (what: string, value: string | undefined, valid: string[], listAll: boolean): void => {
    if (value === undefined || valid.includes(value)) return;
    const guess = didYouMean(value, valid);
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    fail("invalid-argument", `Unknown ${what} '${shown}'.${guess ? ` ${guess}` : ""}${listAll ? ` Valid: ${valid.join(", ")}.` : ""}`, step("list", undefined, { lead: "See every document with" }));
  };
  check("document type", f.type, [...new Set([...creatableTypeKeys(project.namespaces()), ...rows.map((r) => r.doc_type)])], true);
  check("status", f.status, [...STATUSES], true);
  const users = [...new Set([...listUsers(project).map((u) => u.name), ...rows.flatMap((r) => (r.responsible_user ? [r.responsible_user] : []))])];
  check("owner", f.owner, users, users.length <= FEW);
}

const COLUMNS: Array<{ title: string; cell: (d: DocumentRow) => string }> = [
  { title: "ID", cell: (d) => d.doc_id },
  { title: "TYPE", cell: (d) => d.doc_type },
  { title: "VERSION", cell: (d) => d.version },
  { title: "STATUS", cell: (d) => d.status },
  { title: "OWNER", cell: (d) => d.responsible_user ?? "-" },
  { title: "CHECKED OUT BY", cell: (d) => d.checkout_holder ?? "-" },
  { title: "TITLE", cell: (d) => d.title },
];

/** One row per document under a header, columns padded to their widest cell (no trailing blanks after the title). */
function listingTable(documents: DocumentRow[]): string[] {
  const cells = [COLUMNS.map((c) => c.title), ...documents.map((d) => COLUMNS.map((c) => c.cell(d)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** The next steps of one document (until the `status` service returns them itself). */
export function next(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; next: NextStep[] }> {
  return runService(() => {
    const { project } = authorize(ctx, "status", "next");
    const loaded = project.load(input.docId);
    const steps = stepsOf(loaded.doc, loaded.meta);
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
    next: stepsOf(doc, meta),
  };
}

/** Who acts next on a document (its executable flag does not change that; an attachment is closed, not routed). */
function stepsOf(doc: ParsedId, meta: DocMeta): NextStep[] {
  return whoActsNext({ ...meta, doc_id: doc.id, executable: meta.executable === true, attachment: doc.spec.attachment === true });
}
