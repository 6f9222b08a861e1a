import { vrTemplateCandidates } from "../store/vr-files.js";
import { checkDocument, type Finding } from "../core/integrity.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { compileDocument } from "../core/vr/compile.js";
import { loadSource } from "../core/vr/source.js";
import { selectTemplate, type TemplateCandidate } from "../core/vr/template.js";
import { auditHeadAt, gatherFacts, headsDigest, normalizeEvent, type ProjectFacts, userProblem } from "../store/integrity-facts.js";
import type { Project } from "../store/project.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { taskId } from "./task-spec.js";

export type { Finding } from "../core/integrity.js";

export interface VerifyInput {
  /** Only these documents (all when absent or empty). */
  docIds?: string[];
  /** Also compute (and remember) one digest over every audit file's head. */
  anchor?: boolean;
  /** Check that this earlier `--anchor` digest is a prefix of today's record. */
  against?: string;
}

export interface VerifyOptions {
  /** The VR template lookup (the project's TEMPLATE-VR, its archive, the shipped one); absent: VRs cannot be checked. */
  vrTemplates?: (project: Project) => TemplateCandidate[];
}

export interface VerifyData {
  ok: boolean;
  findings: Finding[];
  /** Documents checked. */
  documents: number;
  checked_at: string;
  /** What could not be checked, and why (not findings). */
  notes: string[];
  /** The head store consulted, or null when this machine has none for the project. */
  head_store: string | null;
  anchor?: string;
  against?: { digest: string; known: boolean; ok: boolean };
}

const RESTORE = "restore it from version control (or a backup); QMS records are never edited by hand";

/** `verify [DOC_ID...] [--anchor] [--against DIGEST]` (integrity spec §3, §4): quality and administrators. */
export function verify(ctx: ServiceContext, input: VerifyInput = {}, options: VerifyOptions = {}): ServiceResult<VerifyData> {
  return runService(() => {
    const { project } = authorize(ctx, "verify");
    const data = verifyProject(project, ctx.now, input, options);
    return success(data, reportLines(data));
  });
}

/**
 * The checks without the caller's permission check, for the server's own integrity page and banner. Throws a
 * refusal (invalid or unknown ID, bad digest) like a service body.
 */
export function verifyProject(project: Project, now: Date, input: VerifyInput = {}, given: VerifyOptions = {}): VerifyData {
  // by default the VR records are checked against the templates the store finds (project, archive, shipped)
  const options: VerifyOptions = { vrTemplates: vrTemplateCandidates, ...given };
  const named = input.docIds ?? [];
  const only = named.length > 0 ? new Set(named.map((id) => project.parseId(id).id)) : undefined;
  const facts = gatherFacts(project, only);
  if (only) {
    for (const id of only) {
      if (!facts.docs.some((d) => d.docId === id) && !facts.orphans.some((o) => o.docId === id)) fail("not-found", `Document not found: ${id}.`, "Check the ID; run verify without IDs to check every document.");
    }
  }

  const env = { userProblem: (name: string) => userProblem(project, name), taskName: taskId, normalize: normalizeEvent };
  const findings: Finding[] = facts.docs.flatMap((d) => checkDocument(d, env));
  const notes: string[] = [];
  findings.push(...projectFindings(facts));
  findings.push(...vrFindings(project, facts, options, notes));
  if (facts.copiedFrom) notes.push(`This copy has no head store of its own: compared with the head store of the project it was copied from (${facts.copiedFrom}).`);
  if (!facts.headStore) notes.push(`No head store for this project on this machine (${facts.headStorePath}): truncation and whole-file replacement cannot be seen.`);

  const data: VerifyData = {
    ok: findings.length === 0,
    findings,
    documents: facts.docs.length,
    checked_at: now.toISOString(),
    notes,
    head_store: facts.headStore ? facts.headStorePath : null,
  };
  if (input.anchor) {
    data.anchor = headsDigest(facts.heads);
    project.headStore.saveCheckpoint({ digest: data.anchor, at: now.toISOString(), heads: facts.heads });
  }
  if (input.against !== undefined) {
    const result = checkAgainst(project, facts, String(input.against).trim().toLowerCase());
    data.against = result.summary;
    findings.push(...result.findings);
    data.ok = findings.length === 0;
  }
  return data;
}

function projectFindings(facts: ProjectFacts): Finding[] {
  const out: Finding[] = [];
  for (const o of facts.orphans) {
    out.push({ check: "orphan", doc_id: o.docId, file: o.path, what: "a document file without a meta file", fix: `${RESTORE} (the meta), or remove the file if the document never existed` });
  }
  for (const s of facts.strays) out.push({ check: "orphan", file: s.path, what: "a file in the record whose name is not a document ID", fix: "move it out of QMS/" });
  for (const t of facts.temps) {
    out.push({
      check: "temp",
      ...(t.docId ? { doc_id: t.docId } : {}),
      file: t.path,
      what: t.orphaned ? "a temp file left by an interrupted write" : "a temp file of a write in progress (its process is alive)",
      fix: t.orphaned ? "remove it (the next qms write or server start removes it too)" : "check again when that process is done",
    });
  }
  for (const i of facts.intents) {
    out.push({
      check: "intent",
      file: i.path,
      what: i.failed ? "an interrupted change that could not be finished or undone" : "an interrupted change waiting to be finished or undone",
      fix: i.failed ? "read the file: it lists every file of the change with its content before; restore them, then remove it" : "run any qms write (or start the server): it recovers the change first",
    });
  }
  return out;
}

function vrFindings(project: Project, facts: ProjectFacts, options: VerifyOptions, notes: string[]): Finding[] {
  const out: Finding[] = [];
  for (const [docId, s] of facts.sources) {
    const loaded = loadSource(s.source);
    if (!loaded.ok) {
      out.push({ check: "vr", doc_id: docId, file: s.sourcePath, what: `the stored VR source is ${loaded.message}`, fix: RESTORE });
      continue;
    }
    if (!options.vrTemplates) {
      notes.push(`${docId}: cannot verify the compiled VR against its source (no template lookup in this build).`);
      continue;
    }
    const choice = selectTemplate(options.vrTemplates(project), { name: loaded.source.template, version: Number(loaded.source.template_version) });
    if (!choice.ok || !choice.exact) {
      notes.push(`${docId}: cannot verify the compiled VR: ${choice.ok ? `template ${loaded.source.template} v${loaded.source.template_version} is not available` : choice.message}`);
      continue;
    }
    const compiled = compileDocument(loaded.source, choice.template).text;
    if (s.text === undefined) out.push({ check: "vr", doc_id: docId, file: s.textPath, what: "the VR has a source but no compiled document", fix: RESTORE });
    else if (compiled !== s.text) out.push({ check: "vr", doc_id: docId, file: s.textPath, what: `the stored VR document is not the compilation of ${s.sourcePath}`, fix: RESTORE });
  }
  return out;
}

function checkAgainst(project: Project, facts: ProjectFacts, digest: string): { summary: NonNullable<VerifyData["against"]>; findings: Finding[] } {
  const findings: Finding[] = [];
  if (!/^[0-9a-f]{64}$/.test(digest)) fail("invalid-argument", "--against takes a digest printed by verify --anchor (64 hex digits).");
  if (headsDigest(facts.heads) === digest) return { summary: { digest, known: true, ok: true }, findings };
  const checkpoint = project.headStore.findCheckpoint(digest);
  if (!checkpoint) {
    findings.push({ check: "anchor", what: `checkpoint ${digest.slice(0, 12)}… is not today's record and is not in this machine's head store, so it cannot be compared`, fix: "run verify --against on the machine that made the checkpoint" });
    return { summary: { digest, known: false, ok: false }, findings };
  }
  for (const head of checkpoint.heads) {
    const now = auditHeadAt(project, head.file, head.lines);
    const file = now.path;
    if (now.count === undefined) findings.push({ check: "anchor", file, what: `the audit trail was in the checkpoint of ${checkpoint.at} (${head.lines} lines) and is gone`, fix: RESTORE });
    else if (now.count < head.lines) findings.push({ check: "anchor", file, line: now.count + 1, what: `the audit trail is shorter than at the checkpoint of ${checkpoint.at} (${now.count} of ${head.lines} lines)`, fix: RESTORE });
    else if (now.hash !== head.hash) findings.push({ check: "anchor", file, line: head.lines, what: `the audit trail was rewritten since the checkpoint of ${checkpoint.at}: line ${head.lines} differs`, fix: RESTORE });
  }
  return { summary: { digest, known: true, ok: findings.length === 0 }, findings };
}

function reportLines(data: VerifyData): string[] {
  const lines: string[] = [];
  for (const f of data.findings) {
    const where = f.file ? `${f.file}${f.line !== undefined ? `:${f.line}` : ""}` : undefined;
    lines.push([f.doc_id ?? "-", where, `${f.what}. Fix: ${f.fix}.`].filter((p) => p !== undefined).join("  "));
  }
  const docs = `${data.documents} document${data.documents === 1 ? "" : "s"}`;
  lines.push(data.findings.length === 0 ? `Verified ${docs}: the record is intact.` : `Verified ${docs}: ${data.findings.length} finding${data.findings.length === 1 ? "" : "s"}.`);
  for (const n of data.notes) lines.push(`Note: ${n}`);
  if (data.anchor) lines.push(`Anchor: ${data.anchor}`);
  if (data.against) lines.push(`Against ${data.against.digest.slice(0, 12)}…: ${data.against.ok ? "a prefix of today's record" : "NOT a prefix of today's record"}.`);
  return lines;
}
