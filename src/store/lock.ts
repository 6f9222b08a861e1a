import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fail } from "../core/result.js";
import { faultPoint } from "./faults.js";

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

const held = new Map<string, { depth: number }>();
const HOST = os.hostname();
let lockCounter = 0;

export interface LockOptions {
  /** How long to wait for another process before refusing (ms). */
  timeoutMs?: number;
  /** Where the owner's temp file is written before it is linked into place (same filesystem; default: beside the lock). */
  tempDir?: string;
  /** Called once the lock is taken (not on re-entry); `brokeStale`: a dead writer's lock was broken first. */
  onAcquired?: (info: { brokeStale: boolean }) => void;
}

/** A lock from another host (a container sharing the folder) is taken as abandoned after this long. */
const FOREIGN_STALE_MS = 60_000;
/** An empty or unreadable lock (never ours: ours is complete before it appears) younger than this is waited for. */
const UNREADABLE_GRACE_MS = 200;

/**
 * Run `fn` holding the project's write lock, which also excludes other processes (two CLIs, a CLI and the
 * server). Re-entrant within one process. The lock file appears complete: its owner (pid, host, time) is
 * written to a temp file first, which is then hard-linked into place (link fails if the lock exists), so it
 * is never empty. A lock whose owner is dead (or whose pid now belongs to a younger process), or that is
 * empty or unreadable, is broken.
 */
export function withLock<T>(lockFile: string, fn: () => T, options: LockOptions = {}): T {
  const mine = held.get(lockFile);
  if (mine) {
    mine.depth++;
    try {
      return fn();
    } finally {
      mine.depth--;
    }
  }
  const { brokeStale } = acquire(lockFile, options.timeoutMs ?? Number(process.env.QMS_LOCK_TIMEOUT_MS ?? 15000), options.tempDir);
  held.set(lockFile, { depth: 1 });
  try {
    options.onAcquired?.({ brokeStale });
    return fn();
  } finally {
    held.delete(lockFile);
    release(lockFile);
  }
}

/** Whether this process holds the lock now. */
export function holdsLock(lockFile: string): boolean {
  return held.has(lockFile);
}

function acquire(lockFile: string, timeoutMs: number, tempDir?: string): { stamp: string; brokeStale: boolean } {
  const stamp = `${process.pid} ${HOST} ${Date.now()} ${++lockCounter}\n`;
  const name = `.${path.basename(lockFile).replace(/^\./, "")}.${process.pid}.${lockCounter}.tmp`;
  let tmp = path.join(tempDir ?? path.dirname(lockFile), name);
  try {
    try {
      fs.writeFileSync(tmp, stamp, { flag: "wx", mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      // no temp folder yet (a project never written to): beside the lock, creating nothing else
      tmp = path.join(path.dirname(lockFile), name);
      fs.mkdirSync(path.dirname(lockFile), { recursive: true });
      fs.writeFileSync(tmp, stamp, { flag: "wx", mode: 0o644 });
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // created but not filled (a full disk)
    cannotLock(lockFile, err);
  }
  const deadline = Date.now() + timeoutMs;
  let pause = 1;
  let brokeStale = false;
  try {
    for (;;) {
      try {
        faultPoint("lock:link");
        fs.linkSync(tmp, lockFile);
        return { stamp, brokeStale };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") cannotLock(lockFile, err);
      }
      if (breakIfStale(lockFile)) {
        brokeStale = true;
        continue;
      }
      if (Date.now() >= deadline) {
        const read = readOwner(lockFile);
        const owner = read === "unreadable" ? undefined : read;
        fail(
          "locked",
          `Another QMS process${owner?.pid ? ` (pid ${owner.pid}${owner.host !== HOST ? ` on ${owner.host}` : ""})` : ""} is still changing this project; waited ${timeoutMs} ms.`,
          `Retry in a moment. If no qms process is running, remove ${lockFile}.`,
        );
      }
      sleepSync(pause);
      pause = Math.min(pause * 2, 20);
    }
  } finally {
    fs.unlinkSync(tmp);
  }
}

/** The lock cannot be created at all (a read-only or full disk): a refusal naming the file, nothing changed. */
function cannotLock(lockFile: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code ?? "error";
  const why = code === "ENOSPC" ? "the disk is full" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "its folder is not writable" : (err as Error).message;
  fail("write-failed", `Cannot take the project lock ${lockFile}: ${why} (${code}). Nothing was changed.`, "Free space or make the folder writable, then run the command again.");
}

function release(lockFile: string): void {
  try {
    fs.unlinkSync(lockFile);
  } catch {
    // already gone: nothing to do
  }
}

interface LockOwner {
  pid: number;
  host: string;
  /** When the lock was taken (ms since the epoch). */
  since: number;
  raw: string;
}

function readOwner(lockFile: string): LockOwner | "unreadable" | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(lockFile, "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "unreadable";
  }
  const [pid, host, since] = raw.trim().split(" ");
  if (!pid || !/^\d+$/.test(pid) || !host) return "unreadable";
  return { pid: Number(pid), host, since: Number(since) || 0, raw };
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Linux: when the process with this pid started (ms since the epoch), from /proc; undefined elsewhere. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    bootMs ??= Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))?.[1]) * 1000;
    return Number.isFinite(ticks) && Number.isFinite(bootMs) ? bootMs + (ticks * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}
let bootMs: number | undefined;

function isStale(owner: LockOwner | "unreadable", lockFile: string): boolean {
  if (owner === "unreadable") {
    const age = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age >= UNREADABLE_GRACE_MS;
  }
  if (owner.host !== HOST) return owner.since > 0 && Date.now() - owner.since > FOREIGN_STALE_MS;
  if (!processAlive(owner.pid)) return true;
  // the pid is alive, but a process that started after the lock was taken cannot own it (pid reused)
  const started = processStartMs(owner.pid);
  return started !== undefined && owner.since > 0 && started > owner.since + 2000;
}

/**
 * Remove a stale lock; true when it was removed. The break itself is exclusive (a `.break` file linked into
 * place the same way), so two processes never both break and one of them remove a fresh lock; a `.break`
 * left by a process that died while breaking is removed after a few seconds.
 */
function breakIfStale(lockFile: string): boolean {
  const owner = readOwner(lockFile);
  if (!owner || !isStale(owner, lockFile)) return false;
  const breaker = `${lockFile}.break`;
  const stamp = `${process.pid} ${HOST} ${Date.now()}\n`;
  const tmp = `${path.join(path.dirname(lockFile), `.${path.basename(breaker).replace(/^\./, "")}`)}.${process.pid}.${++lockCounter}.tmp`;
  try {
    fs.writeFileSync(tmp, stamp, { flag: "wx" });
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  try {
    try {
      fs.linkSync(tmp, breaker);
    } catch {
      const age = Date.now() - (fs.statSync(breaker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5000) fs.rmSync(breaker, { force: true });
      return false;
    }
    try {
      const now = readOwner(lockFile);
      const same = owner === "unreadable" ? now === "unreadable" : now !== undefined && now !== "unreadable" && now.raw === owner.raw;
      if (!same) return false;
      fs.unlinkSync(lockFile);
      return true;
    } catch {
      return false; // someone else removed it
    } finally {
      fs.rmSync(breaker, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
