import * as fs from "node:fs";
import * as path from "node:path";
import { faultPoint } from "./faults.js";

/** Read a text file, or undefined when it does not exist. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * File text remembered by identity (inode, mtime, size) for a long-lived process such as the MCP server:
 * one stat instead of a read when nothing changed. Our writes are atomic renames (a new inode), so any
 * change by this or another process is seen.
 */
export class FileTextCache {
  private readonly entries = new Map<string, { ino: number; mtimeMs: number; size: number; text: string }>();

  constructor(private readonly maxEntries = 4096) {}

  read(file: string): string | undefined {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      this.entries.delete(file);
      return undefined;
    }
    const hit = this.entries.get(file);
    if (hit && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
    const text = readTextIfExists(file);
    if (text === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(file, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  }
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Temp names are unique per process (pid) and per write (counter); "wx" refuses any collision anyway. */
let tempCounter = 0;

/** `.{name}.{pid}.{n}.tmp` beside the target: the one temp-name layout (see TEMP_FILE, which finds leftovers). */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tempCounter}.tmp`);
}

/** A temp file of an atomic write (ours, the lock's, a workspace copy's): its pid is group 1. */
export const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

/**
 * Write a file atomically: a temp file beside it, fsync, then rename it over `file`, so a reader sees either
 * the old or the new content and a crash never leaves half a file (inside an operation: recorded in its intent).
 */
export function writeFileAtomic(file: string, content: string): void {
  if (active) {
    active.record({ kind: "write", file, text: content, contained: false });
    return;
  }
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  replaceViaTemp(file, content, "wx");
}

/**
 * The temp file, fsync and rename of an atomic write. `opened` checks the temp file before anything is written
 * to it (the contained area makes sure it did not land outside through a swapped folder).
 */
export function replaceViaTemp(file: string, content: string, flags: string | number, opened?: (tmp: string, fd: number) => void): void {
  const tmp = tempNameFor(file);
  const fd = fs.openSync(tmp, flags, 0o644);
  try {
    opened?.(tmp, fd);
    faultPoint("write:temp");
    fs.writeFileSync(fd, content, "utf8");
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    faultPoint("write:rename");
    // rename replaces a link or FIFO planted at the target itself; it never writes through it
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Copy via an atomic write (archive snapshots, workspace copies). */
export function copyFileAtomic(from: string, to: string): void {
  writeFileAtomic(to, fs.readFileSync(from, "utf8"));
}

/**
 * Append one whole line with a single O_APPEND write, fsynced. Concurrent appenders (other processes) cannot
 * interleave inside a line: the kernel positions each O_APPEND write at the end atomically.
 */
export function appendLine(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "a", 0o644);
  try {
    fs.writeSync(fd, line.endsWith("\n") ? line : `${line}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function removeIfExists(file: string): boolean {
  if (active) return active.record({ kind: "remove", file, contained: false });
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

/** Remove a directory only if it is empty (e.g. a CR folder after `cancel`). */
export function removeDirIfEmpty(dir: string): void {
  if (active) {
    active.record({ kind: "rmdir", file: dir, contained: false });
    return;
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty or already gone: both fine
  }
}

// ---- planning a change (store/intent.ts) ----

/** One file operation of a change, recorded instead of done while the change is planned. */
export type PlannedOp = (
  | { kind: "write"; file: string; text: string; contained: boolean }
  | { kind: "remove"; file: string; contained: boolean }
  | { kind: "rmdir"; file: string; contained: false }
) & {
  /** Whether something was at `file` before this operation (as the earlier operations leave it); set by the recorder. */
  existed?: boolean;
};

/** Collects the writes of a change; knows which files the plan so far leaves in place. */
export class WriteRecorder {
  readonly ops: PlannedOp[] = [];
  private readonly present = new Map<string, boolean>();

  /** Record an operation; for a remove, whether there was a file to remove (as the plan so far leaves it). */
  record(op: PlannedOp): boolean {
    const existed = op.kind === "rmdir" ? true : this.exists(op.file);
    if (op.kind === "remove" && !existed) return false;
    this.ops.push({ ...op, existed });
    if (op.kind !== "rmdir") this.present.set(op.file, op.kind === "write");
    return existed;
  }

  exists(file: string): boolean {
    const planned = this.present.get(file);
    if (planned !== undefined) return planned;
    return fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  }
}

let active: WriteRecorder | undefined;

/** Run `fn` with every write and removal of fsio and contained-fs recorded, not done; returns the plan. */
export function recordWrites(fn: () => void): PlannedOp[] {
  if (active) throw new Error("recordWrites: already planning a change");
  const recorder = new WriteRecorder();
  active = recorder;
  try {
    fn();
  } finally {
    active = undefined;
  }
  return recorder.ops;
}

/** The recorder while a change is being planned (contained-fs records through it too). */
export function activeRecorder(): WriteRecorder | undefined {
  return active;
}

/** Up to `length` bytes of `file` from `start`; undefined when it cannot be opened. */
export function readFileRange(file: string, start: number, length: number): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, start);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}
