import * as path from "node:path";
import { auditTimestamp, type AuditEvent, type AuditEventType } from "../core/audit-events.js";
import { BUILTIN_NAMESPACES } from "../core/doctypes.js";
import { isIdProblem, type ParsedId, parseDocId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { pythonJsonLine, pythonJsonPretty } from "../core/pyjson.js";
import { fail } from "../core/result.js";
import { appendLine, exists, FileTextCache, readTextIfExists, writeFileAtomic } from "./fsio.js";
import { withLock } from "./lock.js";
import { findProjectRoot } from "./root.js";
import { UserArea } from "./user-area.js";

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

  constructor(readonly root: string) {
    this.qmsRoot = path.join(root, "QMS");
    this.metaRoot = path.join(this.qmsRoot, ".meta");
    this.auditRoot = path.join(this.qmsRoot, ".audit");
    this.archiveRoot = path.join(this.qmsRoot, ".archive");
    this.users = new UserArea(root);
    this.agentsRoot = path.join(root, ".claude", "agents");
  }

  /** Find the project from a directory, or refuse with the way out. */
  static discover(start: string): Project {
    const root = findProjectRoot(start);
    if (!root) {
      fail(
        "not-project",
        `No QMS project found at or above ${path.resolve(start)} (looked for qms.config.json, then a QMS/ folder).`,
        "cd into a QMS project, pass --project-root, or create one with: qms init --root <DIR>",
      );
    }
    return new Project(root);
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
      fail("invalid-id", `Invalid document ID ${shown}: ${parsed.reason}.`, "Use an ID such as SOP-001 or CR-001 (see: qms inbox, qms workspace).");
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
  appendAudit(doc: ParsedId, event: AuditEventType, user: string, version: string, extra: Record<string, unknown> = {}, now = new Date()): AuditEvent {
    const entry: AuditEvent = { ts: auditTimestamp(now), event, user, version, ...extra };
    appendLine(this.auditPath(doc), pythonJsonLine(entry));
    return entry;
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

  // ---- locking ----
  /** In `QMS/` itself, which every project has, so taking the lock never creates a directory. */
  get lockFile(): string {
    return path.join(this.qmsRoot, ".lock");
  }

  /** Serialize a change against every other writer of this project, in this process or another. */
  mutate<T>(fn: () => T): T {
    return withLock(this.lockFile, fn);
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

function safeJson(raw: string, file: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    fail("corrupt-data", `${file} is not valid JSON.`, "Restore it from version control; QMS files are never edited by hand.");
  }
}
