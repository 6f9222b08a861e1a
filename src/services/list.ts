import * as fs from "node:fs";
import * as path from "node:path";
import { isIdProblem, type ParsedId, parseDocId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { RefusalError, type ServiceResult, success } from "../core/result.js";
import { APPROVAL_STATES, REVIEW_STATES, REVIEWED_STATES } from "../core/statuses.js";
import { listDir } from "../store/fsio.js";
import type { Project } from "../store/project.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { loadDoc, titleOf, tryLoadDoc } from "./documents.js";

/** What happens next and who must act (the shape the lead's structured next steps take). */
export interface NextStep {
  action: string;
  doc_id?: string;
  args?: Record<string, string | boolean | string[]>;
  /** Who must act; absent when nobody in particular (e.g. an EFFECTIVE document anyone may check out). */
  user?: string;
}

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

/** The state `nextSteps` looks at: a document's meta, or the `status` service's data. */
export type NextStepState = Pick<DocMeta, "status" | "responsible_user" | "checked_out" | "pending_assignees" | "review_outcomes"> & {
  doc_id: string;
  executable: boolean;
  attachment?: boolean;
};

/**
 * The next step of a document and who takes it (web spec §2 status card, "needs me"): the pending
 * reviewers/approvers during a round, otherwise the owner's move for the status.
 */
export function nextSteps(s: NextStepState): NextStep[] {
  const id = s.doc_id;
  const owner = s.responsible_user ?? undefined;
  const who = (step: NextStep): NextStep => (owner ? { ...step, user: owner } : step);
  if (REVIEW_STATES.includes(s.status)) {
    return (s.pending_assignees ?? []).map((user) => ({ action: "review", doc_id: id, user }));
  }
  if (APPROVAL_STATES.includes(s.status)) {
    return (s.pending_assignees ?? []).map((user) => ({ action: "approve", doc_id: id, user }));
  }
  if (REVIEWED_STATES.includes(s.status)) {
    const updates = Object.values(s.review_outcomes ?? {}).includes("UPDATES_REQUIRED");
    return [who(updates ? { action: "checkout", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "approval" } })];
  }
  switch (s.status) {
    case "DRAFT":
      return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "review" } })];
    case "PRE_APPROVED":
      return [who({ action: "release", doc_id: id })];
    case "IN_EXECUTION":
      if (s.attachment) return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "close", doc_id: id })];
      return [who(s.checked_out ? { action: "checkin", doc_id: id } : { action: "route", doc_id: id, args: { route_type: "review" } })];
    case "POST_APPROVED":
      return [who({ action: "close", doc_id: id })];
    default:
      return [];
  }
}

interface Memo {
  /** mtimes of the `.meta/{TYPE}` folders: every meta write is an atomic rename, which changes them. */
  dirSig: string;
  checkedAt: number;
  rows: Map<string, { sig: string; row: DocumentRow }>;
  sorted: DocumentRow[];
  warnings: string[];
}

/** Rows are remembered per project and rebuilt only for meta files that changed (one stat each). */
const memos = new WeakMap<Project, Memo>();
/** Past this age the rows are re-checked file by file even when no folder changed (a file edited in place). */
const FULL_CHECK_MS = 5000;
const collator = new Intl.Collator("en", { numeric: true });

function metaDirs(project: Project): string[] {
  return listDir(project.metaRoot)
    .filter((name) => !name.startsWith(".") && fs.statSync(path.join(project.metaRoot, name), { throwIfNoEntry: false })?.isDirectory())
    .sort();
}

function dirSignature(project: Project, dirs: string[]): string {
  return dirs.map((d) => `${d}:${fs.statSync(path.join(project.metaRoot, d), { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join("|");
}

function buildRow(project: Project, doc: ParsedId, mtime: Date): DocumentRow | undefined {
  const loaded = tryLoadDoc(project, doc);
  if (!loaded) return undefined;
  const { meta } = loaded;
  const pending = [...(meta.pending_assignees ?? [])];
  const holder = meta.checked_out === true ? (meta.responsible_user ?? null) : null;
  return {
    doc_id: doc.id,
    title: titleOf(project, loaded),
    doc_type: meta.doc_type ?? doc.typeKey,
    version: meta.version,
    status: meta.status,
    executable: meta.executable === true,
    responsible_user: meta.responsible_user ?? null,
    checked_out: meta.checked_out === true,
    checkout_holder: holder,
    pending_reviewers: REVIEW_STATES.includes(meta.status) ? pending : [],
    pending_approvers: APPROVAL_STATES.includes(meta.status) ? pending : [],
    last_change: mtime.toISOString(),
    parent_id: doc.parentId ?? null,
    depth: doc.rootId ? (doc.id.slice(doc.rootId.length).split("-").length - 1) / 2 : 0,
    next: nextSteps({ ...meta, doc_id: doc.id, executable: meta.executable === true, attachment: doc.spec.attachment === true }),
  };
}

/** Every document with a `.meta` file, sorted by ID (children right after their parent). */
function allRows(project: Project, now: number): Memo {
  const dirs = metaDirs(project);
  const dirSig = dirSignature(project, dirs);
  const memo = memos.get(project);
  if (memo && memo.dirSig === dirSig && now - memo.checkedAt < FULL_CHECK_MS && now >= memo.checkedAt) return memo;

  const previous = memo?.rows ?? new Map<string, { sig: string; row: DocumentRow }>();
  const rows = new Map<string, { sig: string; row: DocumentRow }>();
  const warnings: string[] = [];
  let changed = !memo;
  for (const dir of dirs) {
    const folder = path.join(project.metaRoot, dir);
    for (const file of listDir(folder)) {
      if (!file.endsWith(".json") || file.endsWith(".source.json") || file.startsWith(".")) continue;
      const full = path.join(folder, file);
      const st = fs.statSync(full, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      const sig = `${st.ino}:${st.mtimeMs}:${st.size}`;
      const known = previous.get(full);
      if (known && known.sig === sig) {
        rows.set(full, known);
        continue;
      }
      changed = true;
      const doc = parseDocId(file.slice(0, -".json".length), () => project.namespaces());
      if (isIdProblem(doc) || doc.typeKey !== dir) continue;
      try {
        const row = buildRow(project, doc, st.mtime);
        if (row) rows.set(full, { sig, row });
      } catch (err) {
        if (!(err instanceof RefusalError)) throw err;
        warnings.push(`${doc.id}: ${err.refusal.message}`);
      }
    }
  }
  if (rows.size !== previous.size) changed = true;
  const sorted = !changed && memo ? memo.sorted : [...rows.values()].map((r) => r.row).sort((a, b) => collator.compare(a.doc_id, b.doc_id));
  const fresh: Memo = { dirSig, checkedAt: now, rows, sorted, warnings };
  memos.set(project, fresh);
  return fresh;
}

/** `list`: every document of the project with its state, filtered (web spec §2 documents page). */
export function list(ctx: ServiceContext, input: ListInput = {}): ServiceResult<ListData> {
  return runService(() => {
    const actor = authorize(ctx, "status", "list");
    const me = actor.user.name;
    const memo = allRows(actor.project, ctx.now.getTime());
    const type = input.type?.trim().toUpperCase() || undefined;
    const status = input.status?.trim().toUpperCase() || undefined;
    const owner = input.owner?.trim() || undefined;
    const query = input.query?.trim().toLowerCase() || undefined;
    const documents = memo.sorted.filter(
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
    return success({ documents, total: memo.sorted.length }, lines, memo.warnings);
  });
}

/** The next steps of one document (until the `status` service returns them itself). */
export function next(ctx: ServiceContext, input: { docId: string }): ServiceResult<{ doc_id: string; next: NextStep[] }> {
  return runService(() => {
    const { project } = authorize(ctx, "status", "next");
    const loaded = loadDoc(project, input.docId);
    const steps = nextSteps({ ...loaded.meta, doc_id: loaded.doc.id, executable: loaded.meta.executable === true, attachment: loaded.doc.spec.attachment === true });
    return success({ doc_id: loaded.doc.id, next: steps }, steps.map((s) => `${s.user ?? "anyone"}: ${s.action}${s.args?.route_type ? ` --${s.args.route_type}` : ""} ${loaded.doc.id}`));
  });
}
