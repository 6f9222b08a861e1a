import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fail } from "../core/result.js";

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

const held = new Map<string, number>();

export interface LockOptions {
  /** How long to wait for another process before refusing (ms). */
  timeoutMs?: number;
}

/**
 * Run `fn` holding the project's write lock: a lock file created with O_EXCL, so it also excludes other
 * processes (two CLIs, a CLI and the server). Re-entrant within one process. A lock left by a process that
 * died is broken after checking its pid.
 */
export function withLock<T>(lockFile: string, fn: () => T, options: LockOptions = {}): T {
  const depth = held.get(lockFile) ?? 0;
  if (depth > 0) {
    held.set(lockFile, depth + 1);
    try {
      return fn();
    } finally {
      held.set(lockFile, depth);
    }
  }
  acquire(lockFile, options.timeoutMs ?? Number(process.env.QMS_LOCK_TIMEOUT_MS ?? 15000));
  held.set(lockFile, 1);
  try {
    return fn();
  } finally {
    held.delete(lockFile);
    release(lockFile);
  }
}

/** Whether this process holds the lock (taken by withLock and not yet released). */
export function holdsLock(lockFile: string): boolean {
  return (held.get(lockFile) ?? 0) > 0;
}

function acquire(lockFile: string, timeoutMs: number): void {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const stamp = `${process.pid} ${os.hostname()} ${Date.now()}\n`;
  const deadline = Date.now() + timeoutMs;
  let pause = 1;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, "wx", 0o644);
      fs.writeSync(fd, stamp);
      fs.closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    breakIfStale(lockFile);
    if (Date.now() >= deadline) {
      const owner = readOwner(lockFile);
      fail(
        "locked",
        `Another QMS process${owner ? ` (pid ${owner.pid})` : ""} is still changing this project; waited ${timeoutMs} ms.`,
        `Retry in a moment. If no qms process is running, remove ${lockFile}.`,
      );
    }
    sleepSync(pause);
    pause = Math.min(pause * 2, 20);
  }
}

function release(lockFile: string): void {
  try {
    fs.unlinkSync(lockFile);
  } catch {
    // already gone (broken as stale by someone else): nothing to do
  }
}

interface LockOwner {
  pid: number;
  host: string;
  raw: string;
}

function readOwner(lockFile: string): LockOwner | undefined {
  try {
    const raw = fs.readFileSync(lockFile, "utf8");
    const [pid, host] = raw.trim().split(" ");
    return { pid: Number(pid), host: host ?? "", raw };
  } catch {
    return undefined;
  }
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

/** Remove a lock whose owner on this host is dead. A second O_EXCL file makes the break itself exclusive. */
function breakIfStale(lockFile: string): void {
  const owner = readOwner(lockFile);
  if (!owner || owner.host !== os.hostname() || processAlive(owner.pid)) return;
  const breaker = `${lockFile}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, "wx");
  } catch {
    return;
  }
  try {
    if (readOwner(lockFile)?.raw === owner.raw) fs.unlinkSync(lockFile);
  } catch {
    // someone else removed it
  } finally {
    fs.closeSync(fd);
    fs.unlinkSync(breaker);
  }
}
