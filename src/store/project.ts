import * as path from "node:path";
import { auditTimestamp, type AuditEvent, type AuditEventType } from "../core/audit-events.js";
import { BASE_DOC_TYPES, BUILTIN_NAMESPACES } from "../core/doctypes.js";
import { formatSequence, isIdProblem, type ParsedId, parseDocId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { pythonJsonPretty } from "../core/pyjson.js";
import { step } from "../core/next.js";
import { fail, RefusalError } from "../core/result.js";
import { ensureDir, exists, FileTextCache, readTextIfExists, writeFileAtomic } from "./fsio.js";
import { holdsLock, withLock } from "./lock.js";
import { type AuditAppend, AuditTails } from "./audit-file.js";
import { type FileHead, HeadStore } from "./head-store.js";
import { withoutFaults } from "./faults.js";
import { recoverIntents } from "./intent.js";
import { resolveProjectRoot, type RootQuery } from "./root.js";
import { UserArea } from "./user-area.js";
import { applyChange } from "./apply-change.js";
import { DocumentIndex } from "./document-index.js";
import { FolderNames } from "./folder-names.js";
import { unknownIdHelp } from "./id-help.js";
import type { DocChange } from "./change.js";
import { childIdsOf, currentFile, type LoadedDoc, loadDoc, type TextLocation, titleOf, tryLoadDoc } from "./documents.js";

export type Namespaces = Record<string, { path: string }>;

/** A QMS project on disk: its root and every path derived from it (spec §2.1, §3.3). */
export class Project {
  readonly qmsRoot: string;
  readonly metaRoot: string;
  readonly auditRoot: string;
  readonly archiveRoot: string;
  readonly agentsRoot: string;
  /** Workspaces and inboxes: written by agents' containers, so never followed (see contained-fs). */
  readonly users: UserArea;
  private namespaceCache: { raw: string | undefined; value: Namespaces } | undefined;
  /** Meta and document text for long-lived processes (the MCP server); re-validated by stat on every read. */
  readonly files = new FileTextCache();
  /** Every document's state, for listings (re-validated by stat on every call). */
  readonly index: DocumentIndex = new DocumentIndex(this);
  /** The names in the folders the writers look up (ID allocation, attachments), kept in step by `apply`. */
  readonly folderNames = new FolderNames();
  /** Where each audit file ends (its chain value), so an append does not reread the file. */
  readonly auditTails = new AuditTails();
  private heads: HeadStore | undefined;

  constructor(readonly root: string) {
    this.qmsRoot = path.join(root, "QMS");
    this.metaRoot = path.join(this.qmsRoot, ".meta");
    this.auditRoot = path.join(this.qmsRoot, ".audit");
    this.archiveRoot = path.join(this.qmsRoot, ".archive");
    this.users = new UserArea(root);
    this.agentsRoot = path.join(root, ".claude", "agents");
  }

  /** Find the project from a directory (at or above it), or refuse with the way out. */
  static discover(start: string): Project {
    return Project.open({ flag: start, cwd: start });
  }

  /** Open the project the one resolver names (store/root.ts: --project-root, QMS_PROJECT_ROOT, walking up). */
  static open(query: RootQuery): Project {
    const answer = resolveProjectRoot(query);
    if (!answer.ok) {
      fail("not-project", answer.message, step("init", undefined, { lead: "cd into a QMS project, pass --project-root, or create one in this directory with" }));
    }
    return new Project(answer.root);
  }

  // ---- namespaces ----
  get namespacesFile(): string {
    return path.join(this.metaRoot, "sdlc_namespaces.json");
  }

  /** Built-in namespaces merged with the registered ones (spec §3.5). */
  namespaces(): Namespaces {
    const raw = this.files.read(this.namespacesFile);
    if (this.namespaceCache && this.namespaceCache.raw === raw) return this.namespaceCache.value;
    const merged: Namespaces = { ...BUILTIN_NAMESPACES };
    if (raw !== undefined) {
      const parsed = safeJson(raw, this.namespacesFile);
      if (parsed && typeof parsed === "object") {
        for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
          const p = (entry as { path?: unknown } | null)?.path;
          if (typeof p === "string" && /^SDLC-[A-Z0-9_]+$/.test(p)) merged[name] = { path: p };
        }
      }
    }
    this.namespaceCache = { raw, value: merged };
    return merged;
  }


  // ---- documents ----
  /** Validate an ID and resolve where the document lives; refuses before any path is built. */
  parseId(raw: unknown): ParsedId {
    const parsed = parseDocId(raw, () => this.namespaces());
    if (isIdProblem(parsed)) {
      const shown = typeof raw === "string" ? JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw) : String(raw);
      const help = unknownIdHelp(this, raw);
      fail("invalid-id", `Invalid document ID ${shown}: ${parsed.reason}.${help.guess ? ` ${help.guess}` : ""}`, help.next, { details: help.details });
    }
    return this.locateLegacy(parsed);
  }

  /**
   * A Python-era top-level child (VAR-001) lives in `QMS/VAR/` or, as the Python tool wrote it, in its type's
   * folder (`QMS/CR/VAR-001-draft.md`): point the ID at the folder that holds its files.
   */
  private locateLegacy(doc: ParsedId): ParsedId {
    if (!doc.legacyDirs) return doc;
    const holds = (dir: string): boolean =>
      exists(path.join(this.qmsRoot, dir, `${doc.id}-draft.md`)) || exists(path.join(this.qmsRoot, dir, `${doc.id}.md`));
    if (holds(doc.dir)) return doc;
    const found = doc.legacyDirs.find(holds);
    return found ? { ...doc, dir: found, archiveDir: found } : doc;
  }

  docDir(doc: ParsedId): string {
    return path.join(this.qmsRoot, doc.dir);
  }
  draftPath(doc: ParsedId): string {
    return path.join(this.qmsRoot, doc.dir, `${doc.id}-draft.md`);
  }
  effectivePath(doc: ParsedId): string {
    return path.join(this.qmsRoot, doc.dir, `${doc.id}.md`);
  }
  metaPath(doc: ParsedId): string {
    return path.join(this.metaRoot, doc.typeKey, `${doc.id}.json`);
  }
  sourcePath(doc: ParsedId): string {
    return path.join(this.metaRoot, doc.typeKey, `${doc.id}.source.json`);
  }
  auditPath(doc: ParsedId): string {
    return path.join(this.auditRoot, doc.typeKey, `${doc.id}.jsonl`);
  }
  archivePath(doc: ParsedId, version: string): string {
    return path.join(this.archiveRoot, doc.archiveDir, `${doc.id}-v${version}.md`);
  }

  agentFile(user: string): string {
    return path.join(this.agentsRoot, `${user}.md`);
  }

  // ---- meta (tier 2) ----
  readMeta(doc: ParsedId): DocMeta | undefined {
    const file = this.metaPath(doc);
    const raw = this.files.read(file);
    if (raw === undefined) return undefined;
    const parsed = safeJson(raw, file);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      fail("corrupt-data", `${path.relative(this.root, file)} is not a JSON object.`, "Restore it from version control.");
    }
    return parsed as DocMeta;
  }

  writeMeta(doc: ParsedId, meta: DocMeta): void {
    writeFileAtomic(this.metaPath(doc), pythonJsonPretty(meta));
  }

  // ---- audit (tier 3) ----
  /** Append one event on its own (changes go through apply, which appends with the rest of the change). */
  appendAudit(doc: ParsedId, event: AuditEventType, user: string, version: string, extra: Record<string, unknown> = {}, now = new Date()): AuditEvent {
    const entry: AuditEvent = { ts: auditTimestamp(now), event, user, version, ...extra };
    const plan = this.auditTails.plan(this.auditPath(doc), [entry]);
    this.commitAudit(plan);
    this.recordHeads([{ file: this.auditKey(plan.file), lines: plan.lines, hash: plan.head }]);
    return plan.events[0] as AuditEvent;
  }

  /** Append chained lines planned by `auditTails.plan` (one write, fsynced: a change's commit point). */
  commitAudit(plan: AuditAppend): void {
    this.auditTails.append(plan);
  }

  forgetAuditTails(): void {
    this.auditTails.forget();
  }

  /** An audit file's name in the head store: relative to `QMS/.audit/`, forward slashes. */
  auditKey(file: string): string {
    return path.relative(this.auditRoot, file).split(path.sep).join("/");
  }

  /** The head store of this project (outside it, see store/head-store.ts). */
  get headStore(): HeadStore {
    this.heads ??= new HeadStore(this.root);
    return this.heads;
  }

  /** Record audit heads outside the project; best effort (a read-only home must not stop a write). */
  recordHeads(heads: readonly FileHead[]): void {
    this.headStore.record(heads);
  }

  /** Every line of the audit file, in order; legacy `seed` lines are normalized (spec §2.3 TS note). */
  readAudit(doc: ParsedId): AuditEvent[] | undefined {
    const raw = readTextIfExists(this.auditPath(doc));
    if (raw === undefined) return undefined;
    const events: AuditEvent[] = [];
    for (const line of raw.split("\n")) {
      if (line.trim() === "") continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      events.push(normalizeAuditLine(parsed));
    }
    return events;
  }

  // ---- registries: agent files, namespaces ----
  hasAgentFile(user: string): boolean {
    return exists(this.agentFile(user));
  }

  /** Write a new user's agent file; returns its relative path. */
  writeAgentFile(user: string, text: string): string {
    writeFileAtomic(this.agentFile(user), text);
    return this.relative(this.agentFile(user));
  }

  /** Register an SDLC namespace: its folder and its entry (the built-ins are never persisted). */
  registerNamespace(name: string, folder: string): void {
    const stored: Record<string, { path: string }> = {};
    const raw = readTextIfExists(this.namespacesFile);
    if (raw !== undefined) {
      for (const [k, v] of Object.entries(safeJson(raw, this.namespacesFile) as Record<string, { path: string }>)) {
        if (!(k in BUILTIN_NAMESPACES)) stored[k] = v;
      }
    }
    stored[name] = { path: folder };
    ensureDir(path.join(this.qmsRoot, folder));
    writeFileAtomic(this.namespacesFile, pythonJsonPretty(stored));
  }

  // ---- documents: loading and reading (the services never build a path) ----
  /** Load a document by a raw ID (validated first), or refuse with "not found". */
  load(rawId: unknown): LoadedDoc {
    return loadDoc(this, rawId);
  }

  tryLoad(doc: ParsedId): LoadedDoc | undefined {
    return tryLoadDoc(this, doc);
  }

  /** The text of the draft, the effective file or an archived version, or undefined when it is not there. */
  readText(loaded: LoadedDoc, where: "draft" | "effective" | { archive: string }): string | undefined {
    return this.files.read(this.fileOf(loaded.doc, where));
  }

  /** Project-relative path of one of a document's files, for messages and results. */
  pathOf(of: LoadedDoc | ParsedId, where: "draft" | "effective" | { archive: string }): string {
    return this.relative(this.fileOf("doc" in of ? of.doc : of, where));
  }

  /** Where the document's current text is: the draft, else the effective file, else its last archived version. */
  current(loaded: LoadedDoc): { location: TextLocation; path: string; text: string | undefined } {
    const { file, location } = currentFile(this, loaded);
    return { location, path: this.relative(file), text: this.files.read(file) };
  }

  title(loaded: LoadedDoc): string {
    return titleOf(this, loaded);
  }

  childIds(loaded: LoadedDoc): string[] {
    return childIdsOf(this, loaded);
  }

  /** Whether any file or meta already holds this ID (create never overwrites). */
  isTaken(doc: ParsedId): boolean {
    return exists(this.draftPath(doc)) || exists(this.effectivePath(doc)) || exists(this.metaPath(doc));
  }

  /**
   * The highest sequence number used by `{prefix}-NNN` among the files of a folder under `QMS/` and the metas
   * of a type (numbers in meta are never reused, even when their files are gone). Served from the remembered
   * folder names (store/folder-names.ts: validated by each folder's stat, kept in step by `apply`), so it does
   * not grow with the number of documents; and never trusted over the files: when the next number turns out
   * to be taken on disk, both folders are read again.
   */
  highestSequence(prefix: string, folders: { docs: string; metaType: string }): number {
    const docs = path.join(this.qmsRoot, folders.docs);
    const metas = path.join(this.metaRoot, folders.metaType);
    const highest = (): number => Math.max(this.folderNames.highest(docs, prefix), this.folderNames.highest(metas, prefix));
    const max = highest();
    const next = `${prefix}-${formatSequence(max + 1)}`;
    const taken = [next, `${next}-draft.md`, `${next}.md`].some((name) => exists(path.join(docs, name))) || exists(path.join(metas, `${next}.json`));
    if (!taken) return max;
    this.folderNames.forget(docs);
    this.folderNames.forget(metas);
    return highest();
  }

  /** The project's own template for a type (`QMS/TEMPLATE/TEMPLATE-{TYPE}.md`, else its draft), if any. */
  templateText(typeKey: string): string | undefined {
    if (!/^[A-Z0-9_-]+$/.test(typeKey)) return undefined;
    const dir = path.join(this.qmsRoot, "TEMPLATE");
    return readTextIfExists(path.join(dir, `TEMPLATE-${typeKey}.md`)) ?? readTextIfExists(path.join(dir, `TEMPLATE-${typeKey}-draft.md`));
  }

  /** The attachment children (`{ID}-VR-NNN`) of a document that have a meta, in ID order (REQ-DOC-020). */
  attachmentsOf(parentId: string): LoadedDoc[] {
    const found: LoadedDoc[] = [];
    for (const type of Object.values(BASE_DOC_TYPES).filter((t) => t.attachment)) {
      const pattern = new RegExp(`^${parentId}-${type.key}-\\d+\\.json$`);
      for (const file of [...this.folderNames.names(path.join(this.metaRoot, type.key))].sort()) {
        if (!pattern.test(file)) continue;
        const child = this.tryLoad(this.parseId(file.slice(0, -".json".length)));
        if (child) found.push(child);
      }
    }
    return found;
  }

  /** The interactive (VR) source of a document, parsed, or undefined when it has none. */
  readSource(doc: ParsedId): unknown {
    const raw = this.files.read(this.sourcePath(doc));
    return raw === undefined ? undefined : safeJson(raw, this.sourcePath(doc));
  }

  /** Every file that deleting the document would remove (relative paths), for `cancel`'s confirmation. */
  documentFiles(loaded: LoadedDoc): string[] {
    const { doc } = loaded;
    return [this.draftPath(doc), this.effectivePath(doc), this.metaPath(doc), this.auditPath(doc), this.sourcePath(doc)].filter(exists).map((f) => this.relative(f));
  }

  relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join("/");
  }

  private fileOf(doc: ParsedId, where: "draft" | "effective" | { archive: string }): string {
    if (where === "draft") return this.draftPath(doc);
    if (where === "effective") return this.effectivePath(doc);
    return this.archivePath(doc, where.archive);
  }

  /**
   * Apply one operation's change (the one write path of the store). Everything that can refuse is checked
   * first (workspace and inbox folders are never followed), then: archive snapshots, draft and effective
   * files, meta, tasks, workspace copies, and the audit events last.
   */
  apply(change: DocChange, stamp: { now: Date; via?: string }): AuditEvent[] {
    const write = (): AuditEvent[] => applyChange(this, change, stamp);
    // under the lock no other QMS writer changes these folders, so the remembered names can follow the change
    return holdsLock(this.lockFile) ? this.folderNames.keepInStep(this.namesTouchedBy(change.doc), write) : write();
  }

  /** The names a change to `doc` can add or remove in the folders FolderNames remembers. */
  private namesTouchedBy(doc: ParsedId): Array<{ dir: string; name: string }> {
    const files = [this.draftPath(doc), this.effectivePath(doc), this.metaPath(doc), this.sourcePath(doc)];
    if (doc.spec.folderPerDoc) files.push(this.docDir(doc));
    return files.map((file) => ({ dir: path.dirname(file), name: path.basename(file) }));
  }

  // ---- locking ----
  /** In `QMS/` itself, which every project has, so taking the lock never creates a directory. */
  get lockFile(): string {
    return path.join(this.qmsRoot, ".lock");
  }

  /** `QMS/.intent/`: changes in progress, and the lock's owner file before it is linked into place. */
  get intentDir(): string {
    return path.join(this.qmsRoot, ".intent");
  }

  /**
   * Serialize a change against every other writer of this project, in this process or another. Before the
   * first write, an interrupted change of a process that died is finished or undone (store/intent.ts); when
   * that process's lock had to be broken, its leftover temp files are removed too.
   */
  mutate<T>(fn: () => T): T {
    return withLock(this.lockFile, fn, { tempDir: this.intentDir, onAcquired: ({ brokeStale }) => this.recoverInterrupted({ sweep: brokeStale }) });
  }

  /** Finish or undo interrupted changes (see mutate); `sweep`: remove every orphaned temp file. Returns what was done. */
  recover(options: { sweep?: boolean } = {}): string[] {
    let report: string[] = [];
    withoutFaults(() =>
      withLock(this.lockFile, () => undefined, { tempDir: this.intentDir, onAcquired: ({ brokeStale }) => (report = this.recoverInterrupted({ sweep: options.sweep === true || brokeStale })) }),
    );
    return report;
  }

  private recoverInterrupted(options: { sweep?: boolean }): string[] {
    let report: string[];
    try {
      report = withoutFaults(() => recoverIntents(this, options));
    } catch (err) {
      if (err instanceof RefusalError) throw err;
      fail("write-failed", `Could not finish or undo an interrupted change in ${this.relative(path.join(this.qmsRoot, ".intent"))}: ${(err as Error).message}. Nothing was changed.`, "Make the project writable, then run the command again.");
    }
    return report;
  }
}

/** Python-era seed lines use `timestamp/action/details`; present them as normal events. */
export function normalizeAuditLine(line: Record<string, unknown>): AuditEvent {
  if (typeof line.event === "string" && typeof line.ts === "string") return line as AuditEvent;
  const details = (line.details ?? {}) as Record<string, unknown>;
  const ts = typeof line.timestamp === "string" ? `${line.timestamp.slice(0, 19)}+00:00` : "";
  return {
    ts,
    event: "CREATE",
    user: typeof line.user === "string" ? line.user : "system",
    version: typeof details.version === "string" ? details.version : "1.0",
    legacy_action: line.action,
    ...(typeof details.message === "string" ? { title: details.message } : {}),
    ...(typeof details.status === "string" ? { status: details.status } : {}),
  };
}

export function safeJson(raw: string, file: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    fail("corrupt-data", `${file} is not valid JSON.`, "Restore it from version control; QMS files are never edited by hand.");
  }
}
