import * as fs from "node:fs";
import * as path from "node:path";
import { chainEvents, EMPTY_CHAIN, sha256Hex } from "../core/audit-chain.js";
import { faultPoint } from "./faults.js";

/** Where an audit file ends: its size, complete lines and chain value (what the next event's `prev` is). */
export interface AuditTail {
  size: number;
  lines: number;
  head: string;
  /** False when the last line has no line end (a torn write): the next append starts a new line first. */
  endsClean: boolean;
  /** Whether the file exists at all. */
  exists: boolean;
}

/** Lines to append to one audit file in one write, chained onto its tail; `size` is the file size they expect. */
export interface AuditAppend {
  file: string;
  size: number;
  /** Whether the file existed before (an undone append removes a file it created). */
  existed: boolean;
  data: string;
  /** Lines and chain value after the append. */
  lines: number;
  head: string;
  events: Array<Record<string, unknown>>;
}

/**
 * The tails of the audit files a process appends to, cached by identity (inode, size, mtime), so a long-lived
 * server computes `prev` without reading the file again; any append by another process changes the size and
 * the file is read once more.
 */
export class AuditTails {
  private readonly cache = new Map<string, { ino: number; size: number; mtimeMs: number; tail: AuditTail }>();

  tail(file: string): AuditTail {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) return { size: 0, lines: 0, head: EMPTY_CHAIN, endsClean: true, exists: false };
    const hit = this.cache.get(file);
    if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.tail;
    const bytes = fs.readFileSync(file);
    const tail = tailOf(bytes);
    this.remember(file, tail);
    return tail;
  }

  /** Chain events onto a file's tail: the exact bytes to append and the tail after them. */
  plan(file: string, events: ReadonlyArray<Record<string, unknown>>): AuditAppend {
    const tail = this.tail(file);
    const { lines, head } = chainEvents(events, tail.head);
    const data = `${tail.endsClean ? "" : "\n"}${lines.map((l) => `${l}\n`).join("")}`;
    return {
      file,
      size: tail.size,
      existed: tail.exists,
      data,
      lines: tail.lines + (tail.endsClean ? 0 : 1) + lines.length,
      head,
      events: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  /**
   * Append the planned lines with one O_APPEND write, fsynced: the commit point of a change. A write the disk
   * cuts short is taken back (the file is truncated to where it was) and reported.
   */
  append(plan: AuditAppend): void {
    fs.mkdirSync(path.dirname(plan.file), { recursive: true });
    const fd = fs.openSync(plan.file, "a", 0o644);
    try {
      const bytes = Buffer.from(plan.data, "utf8");
      let written = 0;
      try {
        faultPoint("audit:append");
        written = fs.writeSync(fd, bytes);
      } finally {
        if (written !== bytes.length) fs.ftruncateSync(fd, plan.size);
      }
      if (written !== bytes.length) {
        const err = new Error(`short write (${written} of ${bytes.length} bytes)`) as NodeJS.ErrnoException;
        err.code = "ENOSPC";
        throw err;
      }
      fs.fsyncSync(fd);
      const st = fs.fstatSync(fd);
      this.cache.set(plan.file, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, tail: { size: st.size, lines: plan.lines, head: plan.head, endsClean: true, exists: true } });
    } finally {
      fs.closeSync(fd);
    }
  }

  forget(file?: string): void {
    if (file === undefined) this.cache.clear();
    else this.cache.delete(file);
  }

  private remember(file: string, tail: AuditTail): void {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && st.size === tail.size) this.cache.set(file, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, tail });
  }
}

/** The tail of an audit file's bytes: the last chained event's hash, else the SHA-256 of the legacy prefix. */
export function tailOf(bytes: Buffer): AuditTail {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lines++;
  const endsClean = bytes.length === 0 || bytes[bytes.length - 1] === 0x0a;
  let end = endsClean ? bytes.length - 1 : bytes.lastIndexOf(0x0a);
  while (end > 0) {
    const start = bytes.lastIndexOf(0x0a, end - 1) + 1;
    const hash = hashOf(bytes.subarray(start, end).toString("utf8"));
    if (hash) return { size: bytes.length, lines, head: hash, endsClean, exists: true };
    end = start - 1;
  }
  const prefix = endsClean ? bytes : Buffer.concat([bytes, Buffer.from("\n")]);
  return { size: bytes.length, lines, head: sha256Hex(prefix), endsClean, exists: true };
}

function hashOf(line: string): string | undefined {
  if (!line.includes('"hash"')) return undefined;
  try {
    const e = JSON.parse(line) as { hash?: unknown };
    return typeof e.hash === "string" ? e.hash : undefined;
  } catch {
    return undefined;
  }
}
