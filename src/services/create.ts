import * as path from "node:path";
import { BASE_DOC_TYPES, creatableTypeKeys, type DocTypeSpec, SDLC_KINDS, sdlcTypeSpec } from "../core/doctypes.js";
import { formatSequence, type ParsedId, TEMPLATE_NAME_PATTERN } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isoDate } from "../core/audit-events.js";
import { ensureDir, exists, listDir, writeFileAtomic } from "../store/fsio.js";
import type { Project } from "../store/project.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { newDocumentContent } from "./templates.js";
import { checkTextArg, relativeTo } from "./validation.js";

export interface CreateInput {
  type: string;
  title?: string;
  parent?: string;
  name?: string;
}

export interface CreateData {
  doc_id: string;
  doc_type: string;
  version: string;
  status: string;
  title: string;
  path: string;
  workspace_path: string;
  responsible_user: string;
}

/** `create TYPE [--title T] [--parent ID] [--name N]` (spec §5.1). */
export function create(ctx: ServiceContext, input: CreateInput): ServiceResult<CreateData> {
  return runService(() => {
    const actor = authorize(ctx, "create");
    const { project } = actor;
    const typeKey = String(input.type ?? "").trim().toUpperCase();
    const spec = resolveType(project, typeKey);
    const title = input.title === undefined ? `${typeKey} - [Title]` : checkTextArg("--title", input.title, "title");
    const parent = input.parent === undefined || input.parent === "" ? undefined : checkParent(project, spec, input.parent);
    if (spec.parentTypes && !parent) {
      fail("invalid-parent", `${typeKey} documents need a parent (${spec.parentTypes.join(" or ")}).`, `Run: qms create ${typeKey} --parent <ID> --title "..."`);
    }
    if (!spec.parentTypes && parent) {
      fail("invalid-parent", `${typeKey} documents have no parent; --parent is only for ${childTypes().join(", ")}.`, `Run: qms create ${typeKey} --title "..."`);
    }
    if (spec.named && (input.name === undefined || input.name.trim() === "")) {
      fail("invalid-argument", "TEMPLATE documents are named: --name is required.", 'Run: qms create TEMPLATE --name CR --title "..."');
    }

    return project.mutate(() => {
      const doc = project.parseId(allocateId(project, spec, parent, input.name));
      if (exists(project.draftPath(doc)) || exists(project.effectivePath(doc)) || exists(project.metaPath(doc))) {
        fail("already-exists", `${doc.id} already exists.`, `See it with: qms status ${doc.id}`);
      }
      const vr = spec.attachment === true;
      const version = vr ? "1.0" : "0.1";
      const status = vr ? "IN_EXECUTION" : "DRAFT";
      const { content } = newDocumentContent(project, doc.typeKey, doc.id, title);
      const meta: DocMeta = {
        doc_id: doc.id,
        doc_type: doc.typeKey,
        version,
        status,
        executable: spec.executable,
        execution_phase: spec.executable ? (vr ? "post_release" : "pre_release") : null,
        responsible_user: actor.user.name,
        checked_out: true,
        checked_out_date: isoDate(actor.now),
        effective_version: null,
        pending_assignees: [],
      };
      project.users.prepareWorkspaceCopy(actor.user.name, doc.id);
      ensureDir(project.docDir(doc));
      writeFileAtomic(project.draftPath(doc), content);
      project.writeMeta(doc, meta);
      project.appendAudit(doc, "CREATE", actor.user.name, version, { title }, actor.now);
      const workspacePath = project.users.writeWorkspaceCopy(actor.user.name, doc.id, content);
      const data: CreateData = {
        doc_id: doc.id,
        doc_type: doc.typeKey,
        version,
        status,
        title,
        path: relativeTo(project, project.draftPath(doc)),
        workspace_path: workspacePath,
        responsible_user: actor.user.name,
      };
      return success(data, [
        `Created: ${doc.id} (v${version}, ${status})`,
        `Location: ${data.path}`,
        `Workspace: ${data.workspace_path}`,
        `Responsible: ${actor.user.name}`,
        "",
        `Edit the workspace copy, then: qms --user ${actor.user.name} checkin ${doc.id}`,
      ]);
    });
  });
}

/** "An ADD", "A CR": the article as the type's name is spoken. */
function article(typeKey: string): string {
  return /^[AEFHILMNORSX]/.test(typeKey) ? "An" : "A";
}

function childTypes(): string[] {
  return Object.values(BASE_DOC_TYPES)
    .filter((t) => t.parentTypes)
    .map((t) => t.key);
}

function resolveType(project: Project, typeKey: string): DocTypeSpec {
  const base = BASE_DOC_TYPES[typeKey];
  if (base) return base;
  const sdlc = /^([A-Z][A-Z0-9_]*)-(RS|RTM)$/.exec(typeKey);
  const ns = sdlc ? project.namespaces()[sdlc[1]!] : undefined;
  if (sdlc && ns && (SDLC_KINDS as readonly string[]).includes(sdlc[2]!)) return sdlcTypeSpec(sdlc[1]!, sdlc[2]!, ns.path);
  const shown = typeKey.length > 40 ? `${typeKey.slice(0, 40)}…` : typeKey;
  fail("invalid-type", `Unknown document type '${shown}'. Valid types: ${creatableTypeKeys(project.namespaces()).join(", ")}.`, "Register an SDLC namespace with: qms namespace add NAME");
}

function checkParent(project: Project, spec: DocTypeSpec, rawParent: string): ParsedId {
  const parent = loadDoc(project, rawParent);
  if (!spec.parentTypes?.includes(parent.doc.typeKey)) {
    fail(
      "invalid-parent",
      `${article(spec.key)} ${spec.key} cannot be created under ${parent.doc.id} (a ${parent.doc.typeKey}); its parent must be a ${spec.parentTypes?.join(" or ") ?? "nothing"}.`,
      "Pick a parent of the right type (see: qms status <ID>).",
    );
  }
  if (spec.parentStatus && parent.meta.status !== spec.parentStatus) {
    fail(
      "invalid-parent",
      `${article(spec.key)} ${spec.key} needs its parent ${parent.doc.id} to be ${spec.parentStatus}; it is ${parent.meta.status}.`,
      spec.parentStatus === "CLOSED" ? `Close ${parent.doc.id} first, or amend it another way.` : `Release ${parent.doc.id} first: qms release ${parent.doc.id}`,
    );
  }
  return parent.doc;
}

/** Next free ID (REQ-DOC-004, -005, -011); numbers already used by any file or meta are never reused. */
function allocateId(project: Project, spec: DocTypeSpec, parent: ParsedId | undefined, name: string | undefined): string {
  if (spec.named) {
    const upper = String(name).trim().toUpperCase();
    if (!TEMPLATE_NAME_PATTERN.test(upper)) {
      fail("invalid-argument", `Invalid template name '${upper.slice(0, 40)}': use letters, digits and '_' only.`, "Run: qms create TEMPLATE --name CR");
    }
    return `TEMPLATE-${upper}`;
  }
  if (spec.singleton) return `SDLC-${spec.key}`;
  const prefix = parent ? `${parent.id}-${spec.key}` : spec.key;
  const scanDirs = parent
    ? [path.join(project.qmsRoot, parent.dir), path.join(project.metaRoot, spec.key)]
    : [path.join(project.qmsRoot, spec.path), path.join(project.metaRoot, spec.key)];
  const pattern = new RegExp(`^${prefix}-(\\d+)(?:$|[-.])`);
  let max = 0;
  for (const dir of scanDirs) {
    for (const entry of listDir(dir)) {
      const m = pattern.exec(entry);
      if (m) max = Math.max(max, Number(m[1]));
    }
  }
  return `${prefix}-${formatSequence(max + 1)}`;
}
