import * as fs from "node:fs";
import * as path from "node:path";
import type { AuditEvent } from "../core/audit-events.js";
import { checkChain } from "../core/audit-chain.js";
import { parseDocument } from "../core/frontmatter.js";
import type { DocFacts, RecordedHead, TaskFact } from "../core/integrity.js";
import type { ParsedId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { RefusalError } from "../core/result.js";
import { tailOf } from "./audit-file.js";
import { type FileHead, headsDigest } from "./head-store.js";
import { findTemps, intentDir, tempFileDirs } from "./intent.js";
import { listDir } from "./fsio.js";
import { normalizeAuditLine, type Project } from "./project.js";
import { findUser } from "./users.js";

/**
 * What `qms verify` looks at, read from disk (the checks themselves are pure: core/integrity.ts). Read-only:
 * nothing here writes, takes the lock or recovers anything.
 */
export interface ProjectFacts {
  docs: DocFacts[];
  /** Documents (by ID) whose source and stored text the VR check compares. */
  sources: Map<string, { sourcePath: string; source: unknown; textPath: string; text: string | undefined }>;
  /** Document files under QMS/ with no meta (and names that are document IDs). */
  orphans: Array<{ docId: string; path: string }>;
  /** Files in `.meta`/`.audit` whose names are not document IDs. */
  strays: Array<{ path: string }>;
  temps: Array<{ path: string; docId?: string; orphaned: boolean }>;
  intents: Array<{ path: string; failed: boolean }>;
  /** Whether this machine has a head store for the project. */
  headStore: boolean;
  headStorePath: string;
  /** This project has no head store of its own: it is a copy, compared with the store of the project at this root. */
  copiedFrom?: string;
  /** The head of every audit file now: for `--anchor`. */
  heads: FileHead[];
}

const TASK_NAME = /^task-(.+)-(review|approval|pre_review|pre_approval|post_review|post_approval)-v[\d-]+\.md$/;

export function gatherFacts(project: Project, only?: ReadonlySet<string>): ProjectFacts {
  const store = project.headStore.readForVerify();
  const recorded = store?.heads;
  const tasks = collectTasks(project);
  const workspace = collectWorkspaceFiles(project);
  const docs: DocFacts[] = [];
  const sources: ProjectFacts["sources"] = new Map();
  const strays: ProjectFacts["strays"] = [];
  const heads: FileHead[] = [];
  const seen = new Set<string>();

  const consider = (doc: ParsedId): void => {
    if (seen.has(doc.id)) return;
    seen.add(doc.id);
    const auditFile = project.auditPath(doc);
    const audit = readBytes(auditFile);
    if (audit) {
      const tail = tailOf(audit);
      heads.push({ file: project.auditKey(auditFile), lines: tail.lines, hash: tail.head });
    }
    if (only && !only.has(doc.id)) return;
    docs.push(docFacts(project, doc, audit, recorded?.get(project.auditKey(auditFile)), tasks.get(doc.id) ?? [], workspace.get(doc.id) ?? []));
    if (doc.spec.interactive) {
      const raw = readBytes(project.sourcePath(doc));
      if (raw) {
        const loaded = docs[docs.length - 1]!;
        const textFile = loaded.hasDraft ? project.draftPath(doc) : project.effectivePath(doc);
        let source: unknown;
        try {
          source = JSON.parse(Buffer.from(raw).toString("utf8"));
        } catch {
          source = undefined;
        }
        sources.set(doc.id, { sourcePath: project.relative(project.sourcePath(doc)), source, textPath: project.relative(textFile), text: readText(textFile) });
      }
    }
  };

  for (const { typeKey, name, file } of filesUnder(project.metaRoot, ".json")) {
    if (name.endsWith(".source.json") || (typeKey === "" && name === "sdlc_namespaces.json")) continue;
    const doc = parse(project, name.slice(0, -".json".length));
    if (doc && doc.typeKey === typeKey) consider(doc);
    else strays.push({ path: project.relative(file) });
  }
  for (const { typeKey, name, file } of filesUnder(project.auditRoot, ".jsonl")) {
    const doc = parse(project, name.slice(0, -".jsonl".length));
    if (doc && doc.typeKey === typeKey) consider(doc);
    else strays.push({ path: project.relative(file) });
  }

  const orphans: ProjectFacts["orphans"] = [];
  for (const file of documentFiles(project.qmsRoot)) {
    const base = path.basename(file);
    const doc = parse(project, base.replace(/(-draft)?\.md$/, ""));
    if (!doc || seen.has(doc.id) || (only && !only.has(doc.id))) continue;
    if (!fs.existsSync(project.metaPath(doc))) orphans.push({ docId: doc.id, path: project.relative(file) });
  }

  const temps = findTemps(tempFileDirs(project))
    .map((t) => ({ path: project.relative(t.file), orphaned: t.orphaned, ...docOfTemp(path.basename(t.file)) }))
    .filter((t) => !only || (t.docId !== undefined && only.has(t.docId)));
  const intents = listDir(intentDir(project))
    .filter((n) => n.endsWith(".json"))
    .map((n) => ({ path: project.relative(path.join(intentDir(project), n)), failed: n.endsWith(".failed.json") }));

  return {
    docs,
    sources,
    orphans,
    strays: only ? [] : strays,
    temps,
    intents,
    headStore: recorded !== undefined,
    headStorePath: store?.file ?? project.headStore.file,
    ...(store?.copiedFrom ? { copiedFrom: store.copiedFrom } : {}),
    heads,
  };
}

/** Whether a user exists: undefined when it does, else why not. */
export function userProblem(project: Project, name: string): string | undefined {
  try {
    return findUser(project, name) ? undefined : "is not a QMS user (no agent file, not a built-in administrator)";
  } catch (err) {
    if (err instanceof RefusalError) return `has a broken agent file: ${err.refusal.message}`;
    throw err;
  }
}

export function normalizeEvent(line: Record<string, unknown>): AuditEvent {
  return normalizeAuditLine(line);
}

export { headsDigest };

/** An audit file's line count and its chain value after `lines` lines (`count` undefined: no such file). */
export function auditHeadAt(project: Project, key: string, lines: number): { path: string; count?: number; hash?: string } {
  const file = path.join(project.auditRoot, key);
  const shown = project.relative(file);
  if (key.split("/").some((part) => part === ".." || part === "")) return { path: shown };
  const bytes = readBytes(file);
  if (!bytes) return { path: shown };
  const chain = checkChain(bytes);
  const hash = chain.headAt(lines);
  return { path: shown, count: chain.count, ...(hash ? { hash } : {}) };
}

function docFacts(project: Project, doc: ParsedId, audit: Uint8Array | undefined, head: FileHead | undefined, tasks: TaskFact[], workspace: Array<{ user: string; path: string }>): DocFacts {
  const metaFile = project.metaPath(doc);
  let meta: DocMeta | undefined;
  let metaProblem: string | undefined;
  const raw = readText(metaFile);
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) meta = parsed as DocMeta;
      else metaProblem = "the meta file is not a JSON object";
    } catch {
      metaProblem = "the meta file is not valid JSON (edited or torn)";
    }
  }
  const archiveDir = path.dirname(project.archivePath(doc, "0.0"));
  const prefix = `${doc.id}-v`;
  const archived = new Set<string>();
  for (const name of listDir(archiveDir)) {
    const m = /^(\d+\.\d+)\.md$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "");
    if (m) archived.add(m[1]!);
  }
  const recorded: RecordedHead | undefined = head ? { lines: head.lines, hash: head.hash, ...(head.deleted ? { deleted: true } : {}) } : undefined;
  return {
    docId: doc.id,
    executable: doc.spec.executable,
    attachment: doc.spec.attachment === true,
    metaPath: project.relative(metaFile),
    ...(meta ? { meta } : {}),
    ...(metaProblem ? { metaProblem } : {}),
    auditPath: project.relative(project.auditPath(doc)),
    ...(audit ? { audit } : {}),
    draftPath: project.pathOf(doc, "draft"),
    hasDraft: fs.existsSync(project.draftPath(doc)),
    effectivePath: project.pathOf(doc, "effective"),
    hasEffective: fs.existsSync(project.effectivePath(doc)),
    archived,
    archivePathOf: (v) => project.pathOf(doc, { archive: v }),
    tasks,
    workspace,
    ...(recorded ? { head: recorded } : {}),
  };
}

function collectTasks(project: Project): Map<string, TaskFact[]> {
  const out = new Map<string, TaskFact[]>();
  const { users } = project;
  for (const user of users.userFolders()) {
    for (const task of users.listTasks(user)) {
      const m = TASK_NAME.exec(task.name);
      if (!m) continue;
      const assignedBy = parseDocument(task.text).frontmatter.assigned_by;
      const list = out.get(m[1]!) ?? [];
      list.push({ user, name: task.name, path: task.path, ...(typeof assignedBy === "string" ? { assignedBy } : {}) });
      out.set(m[1]!, list);
    }
  }
  return out;
}

function collectWorkspaceFiles(project: Project): Map<string, Array<{ user: string; path: string }>> {
  const out = new Map<string, Array<{ user: string; path: string }>>();
  const { users } = project;
  for (const user of users.userFolders()) {
    for (const name of users.workspaceNames(user)) {
      const m = /^([A-Z][A-Z0-9_-]*)\.(md|interact)$/.exec(name);
      if (!m) continue;
      const list = out.get(m[1]!) ?? [];
      list.push({ user, path: users.relative(path.join(users.workspaceDir(user), name)) });
      out.set(m[1]!, list);
    }
  }
  return out;
}

/** `QMS/.meta/{TYPE}/{name}` (and files directly in the root, typeKey ""), not following links. */
function filesUnder(root: string, suffix: string): Array<{ typeKey: string; name: string; file: string }> {
  const out: Array<{ typeKey: string; name: string; file: string }> = [];
  for (const e of entries(root)) {
    if (e.name.startsWith(".")) continue;
    if (e.isDirectory()) {
      for (const f of entries(path.join(root, e.name))) {
        if (f.isFile() && f.name.endsWith(suffix) && !f.name.startsWith(".")) out.push({ typeKey: e.name, name: f.name, file: path.join(root, e.name, f.name) });
      }
    } else if (e.isFile() && e.name.endsWith(suffix)) {
      out.push({ typeKey: "", name: e.name, file: path.join(root, e.name) });
    }
  }
  return out;
}

/** Markdown files in the document folders under QMS/ (not the dot-folders: meta, audit, archive, intents). */
function documentFiles(qmsRoot: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of entries(dir)) {
      if (e.name.startsWith(".")) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(full, depth + 1);
      else if (e.isFile() && e.name.endsWith(".md")) out.push(full);
    }
  };
  walk(qmsRoot, 0);
  return out;
}

function parse(project: Project, id: string): ParsedId | undefined {
  try {
    return project.parseId(id);
  } catch {
    return undefined;
  }
}

/** The document a temp file belongs to, from its name (`.SOP-001.json.123.4.tmp` → SOP-001). */
function docOfTemp(name: string): { docId?: string } {
  const base = name.replace(/^\./, "").replace(/\.\d+\.\d+\.tmp$/, "");
  const task = TASK_NAME.exec(base);
  if (task) return { docId: task[1]! };
  const m = /^([A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*?)(?:-draft\.md|-v\d+\.\d+\.md|\.source\.json|\.json|\.jsonl|\.md|\.interact)$/.exec(base);
  return m ? { docId: m[1]! } : {};
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readBytes(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
