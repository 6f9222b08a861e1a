import { isIdProblem, parseDocId } from "../core/ids.js";
import { type ServiceResult, success } from "../core/result.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface WorkspaceEntry {
  doc_id: string;
  title: string;
  /** From the document's `.meta` (null when the file names no known document). */
  version: string | null;
  status: string | null;
  responsible_user: string | null;
  checked_out: boolean;
  path: string;
  /** Set when the entry is not a regular file (a link, FIFO, folder): it is listed, never opened. */
  problem?: string;
}

export interface WorkspaceData {
  user: string;
  documents: WorkspaceEntry[];
}

/**
 * `workspace` (spec §5.15, REQ-QRY-006, REQ-SEC-008): the `.md` files of the caller's own workspace. Version
 * and status come from `.meta` (TS; the Python tool read them from frontmatter and printed `?`).
 */
export function workspace(ctx: ServiceContext): ServiceResult<WorkspaceData> {
  return runService(() => {
    const actor = authorize(ctx, "workspace");
    const { project } = actor;
    const user = actor.user.name;
    const documents: WorkspaceEntry[] = [];
    for (const copy of project.users.listWorkspaceFrontmatter(user)) {
      const docId = copy.name.slice(0, -3);
      const title = "frontmatter" in copy ? copy.frontmatter.title : undefined;
      const entry: WorkspaceEntry = {
        doc_id: docId,
        title: typeof title === "string" ? title : "",
        version: null,
        status: null,
        responsible_user: null,
        checked_out: false,
        path: copy.path,
        ...("problem" in copy ? { problem: copy.problem } : {}),
      };
      const parsed = parseDocId(docId, () => project.namespaces());
      if (!isIdProblem(parsed)) {
        entry.doc_id = parsed.id;
        try {
          const loaded = project.tryLoad(parsed);
          if (loaded) {
            entry.version = loaded.meta.version;
            entry.status = loaded.meta.status;
            entry.responsible_user = loaded.meta.responsible_user ?? null;
            entry.checked_out = loaded.meta.checked_out === true;
          }
        } catch {
          // a corrupt meta file: list the copy anyway, without state
        }
      }
      documents.push(entry);
    }
    if (documents.length === 0) return success({ user, documents }, ["Workspace is empty"]);
    const lines = [`Workspace for ${user}: ${documents.length} document${documents.length === 1 ? "" : "s"}`];
    for (const d of documents) {
      const state = d.problem ? "not a regular file (ignored)" : d.version !== null ? `v${d.version} ${d.status}` : "not a known document";
      const stale = d.version !== null && !(d.checked_out && d.responsible_user === user) ? " (not checked out to you)" : "";
      lines.push(`  ${d.doc_id} - ${state}${d.title ? ` - ${d.title}` : ""}${stale}`);
    }
    return success({ user, documents }, lines);
  });
}
