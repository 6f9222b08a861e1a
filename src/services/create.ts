import { BASE_DOC_TYPES, creatableTypeKeys, type DocTypeSpec, SDLC_KINDS, sdlcTypeSpec } from "../core/doctypes.js";
import { formatSequence, type ParsedId, TEMPLATE_NAME_PATTERN } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isoDate } from "../core/audit-events.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import type { Project } from "../store/project.js";
import { applyAs, authorize, runService, type ServiceContext } from "./context.js";
import { newInteractiveDocument } from "./interactive.js";
import { newDocumentContent } from "./templates.js";
import { checkTextArg } from "./validation.js";
import { didYouMean } from "../core/did-you-mean.js";

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
      fail("invalid-parent", `${typeKey} documents need a parent (${spec.parentTypes.join(" or ")}).`, step("create", undefined, { args: { doc_type: typeKey, parent: "<ID>", title: "..." }, lead: "Run" }));
    }
    if (spec.named && (input.name === undefined || input.name.trim() === "")) {
      fail("invalid-argument", "TEMPLATE documents are named: --name is required.", step("create", undefined, { args: { doc_type: "TEMPLATE", name: "CR", title: "..." }, lead: "Run" }));
    }

    return project.mutate(() => {
      const doc = project.parseId(allocateId(project, spec, parent, input.name));
      if (project.isTaken(doc)) fail("already-exists", `${doc.id} already exists.`, step("status", doc.id, { lead: "See it with" }));
      const vr = spec.attachment === true;
      const version = vr ? "1.0" : "0.1";
      const status = vr ? "IN_EXECUTION" : "DRAFT";
      // an interactive document (VR): the draft is the compiled empty record, the workspace gets a session (spec §9.2)
      const interactive = spec.interactive && parent ? newInteractiveDocument(project, doc.id, parent.id, title) : undefined;
      const content = interactive?.draft ?? newDocumentContent(project, doc.typeKey, doc.id, title).content;
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
      const change = newChange(doc);
      change.draft = content;
      change.meta = meta;
      change.workspace.push({ user: actor.user.name, text: interactive?.placeholder ?? content });
      if (interactive) change.sessions = [{ user: actor.user.name, text: interactive.session }];
      auditEvent(change, "CREATE", actor.user.name, version, { title });
      applyAs(actor, change);
      const workspacePath = project.users.relative(project.users.workspaceFile(actor.user.name, doc.id));
      const data: CreateData = {
        doc_id: doc.id,
        doc_type: doc.typeKey,
        version,
        status,
        title,
        path: project.pathOf(doc, "draft"),
        workspace_path: workspacePath,
        responsible_user: actor.user.name,
      };
      return success(data, [
        `Created: ${doc.id} (v${version}, ${status})`,
        `Location: ${data.path}`,
        `Workspace: ${data.workspace_path}`,
        `Responsible: ${actor.user.name}`,
        "",
      ], { next: [interactive ? step("interact", doc.id, { lead: "Answer its first prompt with" }) : step("checkin", doc.id, { lead: "Edit the workspace copy, then" })] });
    });
  });
}

/** "An ADD", "A CR": the article as the type's name is spoken. */
function article(typeKey: string): string {
  return /^[AEFHILMNORSX]/.test(typeKey) ? "An" : "A";
}

function resolveType(project: Project, typeKey: string): DocTypeSpec {
  const base = BASE_DOC_TYPES[typeKey];
  if (base) return base;
  const sdlc = /^([A-Z][A-Z0-9_]*)-(RS|RTM)$/.exec(typeKey);
  const ns = sdlc ? project.namespaces()[sdlc[1]!] : undefined;
  if (sdlc && ns && (SDLC_KINDS as readonly string[]).includes(sdlc[2]!)) return sdlcTypeSpec(sdlc[1]!, sdlc[2]!, ns.path);
  const shown = typeKey.length > 40 ? `${typeKey.slice(0, 40)}…` : typeKey;
  const valid = creatableTypeKeys(project.namespaces());
  const guess = didYouMean(typeKey, valid);
  fail(
    "invalid-type",
    `Unknown document type '${shown}'.${guess ? ` ${guess}` : ""} Valid types: ${valid.join(", ")}.`,
    sdlc ? step("namespace", undefined, { args: { add: sdlc[1]! }, lead: `${sdlc[1]} is not a registered SDLC namespace; an administrator registers it with` }) : undefined,
  );
}

function checkParent(project: Project, spec: DocTypeSpec, rawParent: string): ParsedId {
  const parent = project.load(rawParent);
  if (!spec.parentTypes?.includes(parent.doc.typeKey)) {
    fail(
      "invalid-parent",
      `${article(spec.key)} ${spec.key} cannot be created under ${parent.doc.id} (a ${parent.doc.typeKey}); its parent must be a ${spec.parentTypes?.join(" or ") ?? "nothing"}.`,
      step("status", "<ID>", { lead: "Pick a parent of the right type; see" }),
    );
  }
  if (spec.parentStatus && parent.meta.status !== spec.parentStatus) {
    fail(
      "invalid-parent",
      `${article(spec.key)} ${spec.key} needs its parent ${parent.doc.id} to be ${spec.parentStatus}; it is ${parent.meta.status}.`,
      spec.parentStatus === "CLOSED" ? `Close ${parent.doc.id} first, or amend it another way.` : step("release", parent.doc.id, { lead: `Release ${parent.doc.id} first` }),
    );
  }
  return parent.doc;
}

/** Next free ID (REQ-DOC-004, -005, -011); numbers already used by any file or meta are never reused. */
function allocateId(project: Project, spec: DocTypeSpec, parent: ParsedId | undefined, name: string | undefined): string {
  if (spec.named) {
    const upper = String(name).trim().toUpperCase();
    if (!TEMPLATE_NAME_PATTERN.test(upper)) {
      fail("invalid-argument", `Invalid template name '${upper.slice(0, 40)}': use letters, digits and '_' only.`, step("create", undefined, { args: { doc_type: "TEMPLATE", name: "CR" }, lead: "Run" }));
    }
    return `TEMPLATE-${upper}`;
  }
  if (spec.singleton) return `SDLC-${spec.key}`;
  const prefix = parent ? `${parent.id}-${spec.key}` : spec.key;
  const max = project.highestSequence(prefix, { docs: parent ? parent.dir : spec.path, metaType: spec.key });
  return `${prefix}-${formatSequence(max + 1)}`;
}
