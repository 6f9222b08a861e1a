import * as fs from "node:fs";
import * as path from "node:path";
import { RefusalError, refuse } from "../core/result.js";
import type { AuditAppend } from "./audit-file.js";
import { ContainedArea } from "./contained-fs.js";
import { faultPoint, faultsArmed } from "./faults.js";
import { type PlannedOp, readFileRange, removeDirIfEmpty, removeIfExists, TEMP_FILE, writeFileAtomic } from "./fsio.js";
import type { FileHead } from "./head-store.js";
import { processAlive } from "./lock.js";

/**
 * Crash consistency of a change that writes several files (integrity spec §5, issue 14 item 4). Before the
 * first write, an intent record with every planned operation and the before-image of every file it touches
 * is written to `QMS/.intent/` (fsynced). Then the operations run, then the audit lines are appended in one
 * write: the commit point. Then the intent is removed. After a crash, the next process that opens the project
 * for writing finds the intent: committed (its audit lines are in the file) means every file was written
 * before, so only the intent goes; not committed means the change never happened: each touched file gets its
 * before-image back (in reverse order) and a torn audit append is cut off. So meta, files, tasks and audit
 * agree again, and what a client saw acknowledged (only after the commit) is never taken back.
 */

/** `null`: the file did not exist; `{ special }`: something we do not copy (a link planted in a workspace). */
type BeforeImage = string | null | { special: true };

interface JournalOp {
  kind: PlannedOp["kind"];
  /** Project-relative, forward slashes. */
  path: string;
  contained: boolean;
  text?: string;
  before: BeforeImage;
}

interface IntentRecord {
  v: 1;
  id: string;
  pid: number;
  at: string;
  doc: string;
  ops: JournalOp[];
  /** `existed`: whether the audit file was there before (an undo removes one the change created). */
  audit?: { path: string; size: number; data: string; existed: boolean };
  /** Heads to record in the head store once committed. */
  heads: FileHead[];
  /** Folders the change creates (project-relative): an undo removes them again when they are empty. */
  dirs?: string[];
}

export interface PlannedChange {
  docId: string;
  ops: PlannedOp[];
  audit?: AuditAppend;
  heads: FileHead[];
}

/** What the change runner needs of a project (kept small: Project implements it). */
export interface JournalHost {
  readonly root: string;
  readonly qmsRoot: string;
  commitAudit(plan: AuditAppend): void;
  recordHeads(heads: readonly FileHead[]): void;
  forgetAuditTails(): void;
}

let intentCounter = 0;

export function intentDir(host: Pick<JournalHost, "qmsRoot">): string {
  return path.join(host.qmsRoot, ".intent");
}

/** Run a planned change: intent, operations, commit, heads, intent removed. A failure undoes what was done. */
export function runChange(host: JournalHost, change: PlannedChange): void {
  const area = new ContainedArea(host.root);
  const journaled = change.ops.length + (change.audit ? 1 : 0) > 1;
  const record: IntentRecord = {
    v: 1,
    id: `${Date.now()}-${process.pid}-${++intentCounter}`,
    pid: process.pid,
    at: new Date().toISOString(),
    doc: change.docId,
    ops: beforeImages(host, area, change.ops),
    ...(change.audit ? { audit: { path: rel(host, change.audit.file), size: change.audit.size, data: change.audit.data, existed: change.audit.existed } } : {}),
    heads: change.heads,
    dirs: missingDirs(host, change.audit ? [...change.ops, { kind: "write", file: change.audit.file, text: "", contained: false, existed: change.audit.existed }] : change.ops),
  };
  let intentFile: string | undefined;
  if (journaled) {
    try {
      intentFile = writeIntent(host, record);
    } catch (err) {
      throw writeFailure(err, rel(host, intentDir(host)), []);
    }
  }
  let done = 0;
  try {
    faultPoint("apply:intent");
    for (const op of record.ops) {
      faultPoint(`apply:op:${done}`);
      runOp(host, area, op);
      done++;
    }
    faultPoint("apply:commit");
    if (change.audit) host.commitAudit(change.audit);
  } catch (err) {
    const undone = undoOps(host, area, record.ops.slice(0, done + 1), record.audit, record.dirs);
    if (undone.length === 0 && intentFile) fs.rmSync(intentFile, { force: true });
    throw writeFailure(err, done < record.ops.length ? record.ops[done]!.path : record.audit?.path, undone);
  }
  // committed: what follows cannot take the change back; if it fails, the next recovery sees the commit
  faultPoint("apply:committed", { failable: false });
  try {
    host.recordHeads(change.heads);
    if (intentFile) fs.unlinkSync(intentFile);
  } catch {
    // the intent stays: recovery finds it committed and removes it
  }
  faultPoint("apply:done", { failable: false });
}

/**
 * Finish or undo every interrupted change of the project (call holding the project lock, before any write).
 * Returns one line per intent handled. `sweep`: also remove every leftover temp file of a dead process.
 */
export function recoverIntents(host: JournalHost, options: { sweep?: boolean } = {}): string[] {
  const dir = intentDir(host);
  const found = entriesOrMissing(dir);
  const entries = found ?? [];
  const names = entries
    .map((e) => e.name)
    .filter((n) => n.endsWith(".json") && !n.endsWith(".failed.json"))
    .sort();
  const report: string[] = [];
  // a project never written to has no intent folder: a killed locker's file is then beside the lock
  const touched = new Set<string>(found ? [] : [host.qmsRoot]);
  if (names.length > 0) host.forgetAuditTails();
  const area = new ContainedArea(host.root);
  for (const name of names) {
    const file = path.join(dir, name);
    let record: IntentRecord | undefined;
    try {
      record = JSON.parse(fs.readFileSync(file, "utf8")) as IntentRecord;
      if (record?.v !== 1 || !Array.isArray(record.ops)) record = undefined;
    } catch {
      record = undefined;
    }
    if (!record) {
      // torn while it was written: nothing of the change was done yet
      fs.rmSync(file, { force: true });
      report.push(`${name}: incomplete intent removed (the change had not started)`);
      continue;
    }
    for (const op of record.ops) touched.add(path.dirname(path.join(host.root, op.path)));
    if (record.audit) touched.add(path.dirname(path.join(host.root, record.audit.path)));
    try {
      if (isCommitted(host, record)) {
        host.recordHeads(record.heads ?? []);
        report.push(`${record.doc}: interrupted change finished (it was committed)`);
      } else {
        const problems = undoOps(host, area, record.ops, record.audit, record.dirs);
        if (problems.length > 0) throw new Error(problems.join("; "));
        report.push(`${record.doc}: interrupted change undone (it was not committed)`);
      }
      fs.rmSync(file, { force: true });
    } catch (err) {
      fs.renameSync(file, file.replace(/\.json$/, ".failed.json"));
      report.push(`${record.doc}: interrupted change could not be recovered (${(err as Error).message}); kept as ${rel(host, file.replace(/\.json$/, ".failed.json"))}`);
    }
  }
  if (names.length > 0) host.forgetAuditTails();
  // the intent folder itself (read above): where a writer killed while taking the lock leaves its owner file
  let swept = 0;
  for (const e of entries) {
    const m = TEMP_FILE.exec(e.name);
    if (!m || (Number(m[1]) !== process.pid && processAlive(Number(m[1])))) continue;
    fs.rmSync(path.join(dir, e.name), { force: true });
    swept++;
  }
  touched.delete(dir);
  swept += sweepTemps(host, options.sweep ? undefined : touched);
  if (swept > 0) report.push(`${swept} leftover temp file(s) of interrupted writes removed`);
  return report;
}

/** Every place a temp file of an interrupted write can be left: QMS/ (all of it), the user area, agents, the root. */
export function tempFileDirs(host: Pick<JournalHost, "root" | "qmsRoot">): string[] {
  const dirs: string[] = [host.root, path.join(host.root, ".claude", "agents")];
  const walk = (dir: string): void => {
    dirs.push(dir);
    for (const e of safeEntries(dir)) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(host.qmsRoot);
  const usersRoot = path.join(host.root, ".claude", "users");
  for (const e of safeEntries(usersRoot)) {
    if (!e.isDirectory()) continue;
    for (const sub of ["workspace", "inbox"]) dirs.push(path.join(usersRoot, e.name, sub));
  }
  return dirs;
}

/** Leftover temp files (`.{name}.{pid}.{n}.tmp`) in the given folders, with whether their writer is gone. */
export function findTemps(dirs: Iterable<string>): Array<{ file: string; pid: number; orphaned: boolean }> {
  const out: Array<{ file: string; pid: number; orphaned: boolean }> = [];
  for (const dir of dirs) {
    for (const e of safeEntries(dir)) {
      const m = TEMP_FILE.exec(e.name);
      if (!m || !e.isFile()) continue;
      const pid = Number(m[1]);
      out.push({ file: path.join(dir, e.name), pid, orphaned: pid === process.pid || !processAlive(pid) });
    }
  }
  return out;
}

function sweepTemps(host: JournalHost, dirs: Set<string> | undefined): number {
  let removed = 0;
  for (const t of findTemps(dirs ?? tempFileDirs(host))) {
    if (!t.orphaned) continue;
    fs.rmSync(t.file, { force: true });
    removed++;
  }
  return removed;
}

function entriesOrMissing(dir: string): fs.Dirent[] | undefined {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return [];
  }
}

function safeEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function rel(host: Pick<JournalHost, "root">, file: string): string {
  return path.relative(host.root, file).split(path.sep).join("/");
}

function abs(host: Pick<JournalHost, "root">, relPath: string): string {
  const file = path.resolve(host.root, relPath);
  const back = path.relative(host.root, file);
  if (back.startsWith("..") || path.isAbsolute(back)) throw new Error(`intent names a path outside the project: ${relPath}`);
  return file;
}

/** The state of every file before each operation (earlier operations of the same change taken into account). */
function beforeImages(host: JournalHost, area: ContainedArea, ops: readonly PlannedOp[]): JournalOp[] {
  const planned = new Map<string, BeforeImage>();
  return ops.map((op) => {
    const before = planned.has(op.file) ? planned.get(op.file)! : op.kind === "rmdir" || op.existed === false ? null : readImage(area, op);
    if (op.kind === "write") planned.set(op.file, op.text);
    else if (op.kind === "remove") planned.set(op.file, null);
    return { kind: op.kind, path: rel(host, op.file), contained: op.contained, ...(op.kind === "write" ? { text: op.text } : {}), before };
  });
}

function readImage(area: ContainedArea, op: PlannedOp): BeforeImage {
  const st = fs.lstatSync(op.file, { throwIfNoEntry: false });
  if (!st) return null;
  if (!st.isFile()) return { special: true };
  try {
    return op.contained ? (area.read(op.file) ?? null) : fs.readFileSync(op.file, "utf8");
  } catch {
    return { special: true };
  }
}

function writeIntent(host: JournalHost, record: IntentRecord): string {
  const dir = intentDir(host);
  const file = path.join(dir, `${record.id}.json`);
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    fs.mkdirSync(dir, { recursive: true });
    fd = fs.openSync(file, "wx", 0o644);
  }
  try {
    const bytes = Buffer.from(JSON.stringify(record), "utf8");
    // in two halves only when a test may stop the process between them (a torn intent)
    const half = faultsArmed() ? bytes.length >> 1 : bytes.length;
    writeAll(fd, bytes.subarray(0, half));
    faultPoint("apply:intent-half");
    writeAll(fd, bytes.subarray(half));
    if (replacesContent(record)) fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return file;
}

/**
 * Whether the change replaces or removes content that exists (a meta rewritten, a task removed): then its
 * intent must reach the disk before any file does, so that even after a power cut the before-images are there
 * to undo it. A change that only adds (create: new files, a new audit file) needs no fsync of its intent: a kill
 * leaves the intent in the page cache for the next process; a power cut can at worst leave new files with no
 * meta, which verify reports; nothing that existed can be lost. (Every file itself is still fsynced.)
 */
function replacesContent(record: IntentRecord): boolean {
  return record.ops.some((op) => op.before !== null || op.kind === "rmdir") || (record.audit?.existed ?? false);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

function runOp(host: JournalHost, area: ContainedArea, op: JournalOp): void {
  const file = abs(host, op.path);
  if (op.kind === "write") {
    if (op.contained) area.write(file, op.text ?? "");
    else writeFileAtomic(file, op.text ?? "");
  } else if (op.kind === "remove") {
    if (op.contained) area.remove(file);
    else removeIfExists(file);
  } else {
    removeDirIfEmpty(file);
  }
}

/**
 * Put every touched file back as it was before the change (the before-image of the first operation on it);
 * returns what could not be restored. Files the change created go first, so a full disk has room again for
 * the files put back.
 */
function undoOps(host: JournalHost, area: ContainedArea, ops: readonly JournalOp[], audit: IntentRecord["audit"], dirs: readonly string[] = []): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  if (audit) attempt(audit.path, () => cutTornAppend(host, audit));
  const first = new Map<string, JournalOp>();
  for (const op of ops) if (op.kind !== "rmdir" && !first.has(op.path)) first.set(op.path, op);
  for (const op of first.values()) {
    // not there before (or something we never copy, such as a planted link): take ours away
    if (op.kind === "write" && typeof op.before !== "string") {
      attempt(op.path, () => (op.contained ? area.remove(abs(host, op.path)) : removeIfExists(abs(host, op.path))));
    }
  }
  for (const op of ops) if (op.kind === "rmdir") attempt(op.path, () => fs.mkdirSync(abs(host, op.path), { recursive: true }));
  for (const op of first.values()) {
    const before = op.before;
    if (typeof before !== "string" || currentText(area, abs(host, op.path), op.contained) === before) continue;
    attempt(op.path, () => (op.contained ? area.write(abs(host, op.path), before) : writeFileAtomic(abs(host, op.path), before)));
  }
  // deepest first; a folder someone else filled meanwhile stays
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      fs.rmdirSync(abs(host, dir));
    } catch {
      // not empty, or already gone
    }
  }
  return problems;
}

function currentText(area: ContainedArea, file: string, contained: boolean): string | undefined {
  try {
    return contained ? area.read(file) : fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Folders seen to exist (they are almost never removed; a stale entry only leaves an empty folder after an undo). */
const existingDirs = new Set<string>();

/** The folders that writing these files will create (each missing ancestor up to the project root). */
function missingDirs(host: JournalHost, ops: readonly PlannedOp[]): string[] {
  const found = new Set<string>();
  for (const op of ops) {
    if (op.kind !== "write" || op.existed) continue;
    for (let dir = path.dirname(op.file); dir.startsWith(host.root + path.sep) && !found.has(dir); dir = path.dirname(dir)) {
      if (existingDirs.has(dir)) break;
      if (fs.existsSync(dir)) {
        if (existingDirs.size > 10_000) existingDirs.clear();
        existingDirs.add(dir);
        break;
      }
      found.add(dir);
    }
  }
  return [...found].map((d) => rel(host, d));
}

/** Whether the intent's audit lines are in the file, exactly where they were to go. */
function isCommitted(host: JournalHost, record: IntentRecord): boolean {
  if (!record.audit) return false;
  const file = abs(host, record.audit.path);
  const want = Buffer.from(record.audit.data, "utf8");
  const got = readFileRange(file, record.audit.size, want.length);
  return got?.equals(want) === true;
}

/** An append cut short (power loss, disk full) leaves a prefix of our lines after `size`: cut it off. */
function cutTornAppend(host: JournalHost, audit: NonNullable<IntentRecord["audit"]>): void {
  const file = abs(host, audit.path);
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) return;
  if (size === 0 && audit.existed === false) {
    fs.unlinkSync(file); // created by the append that never happened
    return;
  }
  if (size <= audit.size) return;
  const extra = readFileRange(file, audit.size, size - audit.size);
  const want = Buffer.from(audit.data, "utf8");
  if (extra && extra.length < want.length && want.subarray(0, extra.length).equals(extra)) {
    if (audit.size === 0 && audit.existed === false) fs.unlinkSync(file);
    else fs.truncateSync(file, audit.size);
  }
}

/** A write that could not complete: a refusal naming the file, saying whether everything was put back. */
function writeFailure(err: unknown, where: string | undefined, undone: string[]): RefusalError {
  const rest = undone.length === 0 ? "Nothing was changed." : `Some files could not be put back (${undone.join("; ")}); the next qms write finishes the clean-up.`;
  if (err instanceof RefusalError) return new RefusalError({ ...err.refusal, message: `${err.refusal.message} ${rest}` });
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? "error";
  const why =
    code === "ENOSPC" || code === "EDQUOT"
      ? "the disk is full"
      : code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? "it is not writable"
        : code === "ENOENT" || code === "ENOTDIR"
          ? "a folder on its way vanished"
          : (e?.message ?? String(err));
  return new RefusalError(
    refuse("write-failed", `Could not write ${where ?? "the project"}: ${why} (${code}). ${rest}`, "Free space or make the folder writable, then run the command again."),
  );
}
