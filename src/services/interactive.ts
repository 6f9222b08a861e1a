/**
 * Interactive (VR) documents inside the ordinary operations (spec §5.1-5.3, §5.12, §9.2, REQ-INT-007,
 * -017..019, REQ-DOC-020): which template a source uses, the session a checkout seeds, the record a checkin or
 * a close compiles. Decisions only; the files are written by the store from the operation's change.
 */
import { serializeDocument } from "../core/frontmatter.js";
import { fail, RefusalError } from "../core/result.js";
import { parseVersion, previousMinor } from "../core/version.js";
import { compileDocument } from "../core/vr/compile.js";
import { createSource, loadSource, parseSourceJson, serializeSource, type VrSource } from "../core/vr/source.js";
import { selectTemplate, type Template } from "../core/vr/template.js";
import type { DocChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import type { Project } from "../store/project.js";
import { vrTemplateCandidates } from "../store/vr-files.js";

export interface ChosenTemplate {
  template: Template;
  /** Where its text came from, e.g. `QMS/TEMPLATE/TEMPLATE-VR.md`. */
  origin: string;
  /** False when no template of the source's version exists and the newest one stands in. */
  exact: boolean;
}

/** The template of spec §9.5: for a new VR (no source) the project's interactive one, else the source's version. */
export function templateFor(project: Project, source?: VrSource): ChosenTemplate {
  const wanted = source ? { name: source.template, version: source.template_version } : undefined;
  const choice = selectTemplate(vrTemplateCandidates(project), wanted);
  if (!choice.ok) fail("corrupt-data", choice.message, choice.hint);
  return { template: choice.template, origin: choice.origin, exact: choice.exact };
}

/** The session `.interact` of a user, parsed, or undefined when there is none. */
export function sessionOf(project: Project, user: string, loaded: LoadedDoc): VrSource | undefined {
  const text = project.users.readSession(user, loaded.doc.id);
  if (text === undefined) return undefined;
  const parsed = parseSourceJson(text);
  if (!parsed.ok) {
    fail("corrupt-data", `The session ${project.users.relative(project.users.sessionFile(user, loaded.doc.id))} is ${parsed.message}.`, "Restore it, or delete it and check the document out again (the last checked-in record seeds a new session).");
  }
  return parsed.source;
}

/** The checked-in source `.meta/VR/{ID}.source.json`, parsed, or undefined when there is none. */
export function storedSource(project: Project, loaded: LoadedDoc): VrSource | undefined {
  const raw = project.readSource(loaded.doc);
  if (raw === undefined) return undefined;
  const parsed = loadSource(raw);
  if (!parsed.ok) fail("corrupt-data", `QMS/.meta/${loaded.doc.typeKey}/${loaded.doc.id}.source.json is ${parsed.message}.`, "Restore it from version control.");
  return parsed.source;
}

/** A source with nothing answered, on the project's current template. */
export function freshSource(project: Project, docId: string, parentId: string, title: string): { source: VrSource; chosen: ChosenTemplate } {
  const chosen = templateFor(project);
  return { source: createSource(chosen.template, { docId, parentDocId: parentId, title }), chosen };
}

/** The workspace `.md` beside a session: says where the document is really written. Never checked in. */
export function placeholderText(docId: string, title: string): string {
  return serializeDocument(
    { title, revision_summary: "Initial draft" },
    [
      `# ${docId}: interactive document`,
      "",
      `This document is authored one prompt at a time through the interact operation (the qms_interact tool over MCP).`,
      `The answers live in the session file ${docId}.interact beside this one.`,
      "",
      "This file is only a placeholder: editing it changes nothing, and checkin compiles the record from the answers.",
      "",
    ].join("\n"),
  );
}

/** What `create VR` writes: the compiled empty record as the draft, the session and the placeholder. */
export function newInteractiveDocument(project: Project, docId: string, parentId: string, title: string): { draft: string; session: string; placeholder: string } {
  const { source, chosen } = freshSource(project, docId, parentId, title);
  return { draft: compileDocument(source, chosen.template).text, session: serializeSource(source), placeholder: placeholderText(docId, title) };
}

/** Checkout of an interactive document: a session seeded from the checked-in source, plus the placeholder. */
export function addCheckoutSession(change: DocChange, project: Project, loaded: LoadedDoc, user: string): void {
  const title = project.title(loaded);
  const source = storedSource(project, loaded) ?? freshSource(project, loaded.doc.id, loaded.doc.parentId ?? "", title).source;
  change.workspace.push({ user, text: placeholderText(loaded.doc.id, title) });
  change.sessions = [...(change.sessions ?? []), { user, text: serializeSource(source) }];
}

/**
 * Compile a source into the change: the record becomes the draft text returned, the source is stored as
 * `.source.json` (append-only: exactly the entries the session holds).
 */
export function compileInto(change: DocChange, project: Project, source: VrSource): string {
  const { template } = templateFor(project, source);
  change.source = serializeSource(source);
  return compileDocument(source, template).text;
}

/**
 * Where a session departs from the checked-in record, or undefined when it only adds to it. A session is a
 * file in a workspace an agent can write: entries and gate decisions that were checked in must still be there,
 * unchanged and in order (append-only, REQ-INT-008).
 */
export function departureFromStored(stored: VrSource | undefined, session: VrSource): string | undefined {
  if (!stored) return undefined;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const [key, entries] of Object.entries(stored.responses)) {
    const now = session.responses[key] ?? [];
    if (now.length < entries.length || !entries.every((e, i) => same(e, now[i]))) return `the checked-in responses of '${key}'`;
  }
  for (const [key, decision] of Object.entries(stored.gates)) if (!same(decision, session.gates[key])) return `the checked-in decision of gate '${key}'`;
  if (session.doc_id !== stored.doc_id) return "the document ID";
  return undefined;
}

/** The caller's session, refused when it drops or rewrites what was checked in. */
export function trustedSessionOf(project: Project, user: string, loaded: LoadedDoc): VrSource | undefined {
  const session = sessionOf(project, user, loaded);
  if (!session) return undefined;
  const departure = departureFromStored(storedSource(project, loaded), session);
  if (departure) {
    const shown = project.users.relative(project.users.sessionFile(user, loaded.doc.id));
    fail("corrupt-data", `The session ${shown} has lost or changed ${departure}: responses are append-only and the session is never edited by hand.`, "Delete the session file; interact then starts a new one from the last checked-in record.");
  }
  return session;
}

/** The source a checkin compiles: the caller's session, else (a lost session) the checked-in source. */
export function sourceToCheckIn(project: Project, user: string, loaded: LoadedDoc): VrSource {
  const source = trustedSessionOf(project, user, loaded) ?? storedSource(project, loaded);
  if (!source) {
    const shown = project.users.relative(project.users.sessionFile(user, loaded.doc.id));
    fail("not-checked-out", `${loaded.doc.id} is interactive and has no session for ${user} (expected ${shown}) and no checked-in record.`, "Close it to keep what it has, or ask an administrator to restore the session.");
  }
  return source;
}

/**
 * Close (by its owner or by the parent's cascade) of a checked-out interactive document: compile the owner's
 * session (else the checked-in source, else an empty one) into the record that becomes effective. The
 * draft it replaces is archived first, as a checkin would. Undefined when it is not checked out (the
 * checked-in draft is already the compiled record).
 */
export function closingRecord(change: DocChange, project: Project, loaded: LoadedDoc): string | undefined {
  const { meta, doc } = loaded;
  if (!meta.checked_out) return undefined;
  const owner = meta.responsible_user;
  const stored = storedSource(project, loaded);
  let session: VrSource | undefined;
  try {
    session = owner ? sessionOf(project, owner, loaded) : undefined;
  } catch (err) {
    if (!(err instanceof RefusalError)) throw err; // an unreadable session: the checked-in record closes
  }
  // a session that lost checked-in entries does not replace them
  if (session && departureFromStored(stored, session)) session = undefined;
  const source = session ?? stored ?? freshSource(project, doc.id, doc.parentId ?? "", project.title(loaded)).source;
  const current = project.readText(loaded, "draft");
  if (meta.status === "IN_EXECUTION" && parseVersion(meta.version).minor > 0 && current !== undefined) {
    change.archive.push({ version: previousMinor(meta.version), text: current });
  }
  return compileInto(change, project, source);
}

/**
 * `read` of an interactive document that is checked out (REQ-INT-019): the record compiled from its owner's
 * session, so readers see the answers given so far. Undefined when there is no readable session (the
 * stored draft is the compiled record then).
 */
export function liveRecord(project: Project, loaded: LoadedDoc): string | undefined {
  const { meta } = loaded;
  if (!loaded.doc.spec.interactive || !meta.checked_out || !meta.responsible_user) return undefined;
  try {
    const source = trustedSessionOf(project, meta.responsible_user, loaded);
    return source ? compileDocument(source, templateFor(project, source).template).text : undefined;
  } catch (err) {
    if (err instanceof RefusalError) return undefined; // a broken session: read shows the stored draft
    throw err;
  }
}
