import * as fs from "node:fs";
import * as path from "node:path";

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

/** The temp file an atomic write of `file` goes through: hidden, beside it, unique per process and write. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tempCounter}.tmp`);
}

/**
 * Write `content` to a fresh temp file beside `file` (opened with `flags`, exclusive), fsync, then rename it
 * over `file`, so a reader sees either the old or the new content and a crash never leaves half a file.
 * `check` may refuse the opened temp file before anything is written; the temp file never outlives a failure.
 */
export function writeThroughTemp(file: string, content: string, options: { flags?: number | string; check?: (tmp: string, fd: number) => void } = {}): void {
  const tmp = tempPathFor(file);
  const fd = fs.openSync(tmp, options.flags ?? "wx", 0o644);
  try {
    options.check?.(tmp, fd);
    fs.writeFileSync(fd, content, "utf8");
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    // rename replaces a link or FIFO planted at the target itself; it never writes through it
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Write a file atomically (see writeThroughTemp), creating its folder. */
export function writeFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeThroughTemp(file, content);
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
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty or already gone: both fine
  }
}
