import * as path from "node:path";
import { parseDocument } from "../core/frontmatter.js";
import type { ParsedId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { fail } from "../core/result.js";
import { type ExecutionPhase, inferExecutionPhase, isStatus } from "../core/statuses.js";
import { isVersionString } from "../core/version.js";
import { exists, readTextIfExists } from "./fsio.js";
import { unknownIdHelp } from "./id-help.js";
import type { Project } from "./project.js";

/** A document as the services see it: its ID, its meta, and which of its files exist. */
export interface LoadedDoc {
  doc: ParsedId;
  meta: DocMeta;
  /** False when the meta was derived from a pre-migration document without a `.meta` file. */
  metaOnDisk: boolean;
  hasDraft: boolean;
  hasEffective: boolean;
}

export type TextLocation = "draft" | "effective" | "archive";

/** Load a document or refuse with "not found" (checks the ID grammar first). */
export function loadDoc(project: Project, rawId: unknown): LoadedDoc {
  const doc = project.parseId(rawId);
  const loaded = tryLoadDoc(project, doc);
  if (!loaded) {
    const help = unknownIdHelp(project, doc.id);
    fail("not-found", `Document not found: ${doc.id}.${help.guess ? ` ${help.guess}` : ""}`, help.next, { details: help.details });
  }
  return loaded;
}

export function tryLoadDoc(project: Project, doc: ParsedId): LoadedDoc | undefined {
  const hasDraft = exists(project.draftPath(doc));
  const hasEffective = exists(project.effectivePath(doc));
  const meta = project.readMeta(doc);
  if (meta) return { doc, meta, metaOnDisk: true, hasDraft, hasEffective };
  if (!hasDraft && !hasEffective) return undefined;
  return { doc, meta: legacyMeta(project, doc, hasDraft), metaOnDisk: false, hasDraft, hasEffective };
}

/** Defaults for a document written before `.meta` existed, from what its frontmatter still says. */
function legacyMeta(project: Project, doc: ParsedId, hasDraft: boolean): DocMeta {
  const file = hasDraft ? project.draftPath(doc) : project.effectivePath(doc);
  const fm = parseDocument(readTextIfExists(file) ?? "").frontmatter;
  const status = isStatus(fm.status) ? fm.status : hasDraft ? "DRAFT" : doc.spec.executable ? "CLOSED" : "EFFECTIVE";
  const version = typeof fm.version === "string" && isVersionString(fm.version) ? fm.version : hasDraft ? "0.1" : "1.0";
  const phase: ExecutionPhase | null = doc.spec.executable ? inferExecutionPhase(status) : null;
  return {
    doc_id: doc.id,
    doc_type: doc.typeKey,
    version,
    status,
    executable: doc.spec.executable,
    execution_phase: phase,
    responsible_user: typeof fm.responsible_user === "string" ? fm.responsible_user : null,
    checked_out: false,
    checked_out_date: null,
    effective_version: status === "EFFECTIVE" ? version : null,
    pending_assignees: [],
  };
}

/** The execution phase, inferred from the status when an older meta lacks it (spec §6.3). */
export function executionPhaseOf(meta: DocMeta): ExecutionPhase | null {
  if (!meta.executable) return null;
  return meta.execution_phase ?? inferExecutionPhase(meta.status);
}

/** The file that holds the document's current text: draft, else effective, else its last archived version. */
export function currentFile(project: Project, loaded: LoadedDoc): { file: string; location: TextLocation } {
  if (loaded.hasDraft) return { file: project.draftPath(loaded.doc), location: "draft" };
  if (loaded.hasEffective) return { file: project.effectivePath(loaded.doc), location: "effective" };
  return { file: project.archivePath(loaded.doc, loaded.meta.version), location: "archive" };
}

/** The frontmatter title, else the effective file, else (RETIRED) the last archived version. */
export function titleOf(project: Project, loaded: LoadedDoc): string {
  const title = parseDocument(project.files.read(currentFile(project, loaded).file) ?? "").frontmatter.title;
  return typeof title === "string" ? title : "";
}

/** Child documents stored beside a family root (`CR-001-TP-001`, …): their IDs, from the file names. */
export function childIdsOf(project: Project, loaded: LoadedDoc): string[] {
  const { doc } = loaded;
  const ids = new Set<string>();
  for (const f of project.folderNames.names(path.join(project.qmsRoot, doc.dir))) {
    if (!f.startsWith(`${doc.id}-`) || f.startsWith(`${doc.id}-draft`) || !f.endsWith(".md")) continue;
    ids.add(f.replace(/-draft\.md$|\.md$/, ""));
  }
  return [...ids].sort();
}
