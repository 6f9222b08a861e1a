import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "../core/frontmatter.js";
import type { Logger } from "../mcp/log.js";
import { type Clock, systemClock, type Timer } from "./clock.js";

/** One open task file in `.claude/users/{user}/inbox/`. */
export interface InboxTask {
  /** The file name without `.md` (`task-SOP-001-review-v0-1`). */
  id: string;
  user: string;
  file: string;
  /** A task rewritten under the same name (a new round at the same version) is a new task. */
  mtimeMs: number;
  doc_id?: string;
  task_type?: string;
  workflow_type?: string;
  assigned_by?: string;
  version?: string;
  /** Owner tasks only (src/core/owner-tasks.ts). */
  step?: string;
}

export interface InboxChange {
  user: string;
  /** Every open task of the user, sorted by id. */
  open: InboxTask[];
  /** Tasks not known before (new files, or rewritten ones). */
  added: InboxTask[];
  /** Ids of tasks that are gone. */
  removed: string[];
  /** True for the first scan after `start()`. */
  initial: boolean;
}

export interface InboxWatcherOptions {
  /** `.claude/users` of the project. */
  usersRoot: string;
  onChange(change: InboxChange): void;
  clock?: Clock;
  /** The fallback rescan of every inbox (finds what fs.watch missed, e.g. on a network filesystem). */
  rescanMs?: number;
  /** Many events for one inbox within this window become one scan. */
  debounceMs?: number;
  /** false: rescans only. */
  useFsWatch?: boolean;
  logger?: Logger;
}

const TASK_FILE = /^task-.+\.md$/;
const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/**
 * Knows each user's open tasks (agents-and-hub §3 "Watch"): fs.watch on every inbox (and on the users
 * folder, for new users), debounced per inbox, plus a periodic rescan. Changes are found by comparing
 * scans with what is known, so a task is reported once however many events its write fires.
 */
export class InboxWatcher {
  private readonly known = new Map<string, Map<string, InboxTask>>();
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly pending = new Map<string, Timer>();
  private readonly clock: Clock;
  private readonly rescanMs: number;
  private readonly debounceMs: number;
  private rescanTimer: Timer | undefined;
  private running = false;
  private firstScan = true;

  constructor(private readonly opts: InboxWatcherOptions) {
    this.clock = opts.clock ?? systemClock;
    this.rescanMs = opts.rescanMs ?? 5000;
    this.debounceMs = opts.debounceMs ?? 150;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.opts.useFsWatch !== false) this.watch(this.opts.usersRoot, () => this.schedule("*"));
    this.rescan();
    this.firstScan = false;
    this.armRescan();
  }

  stop(): void {
    this.running = false;
    this.rescanTimer?.cancel();
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Every user's open tasks as last scanned. */
  snapshot(): Map<string, InboxTask[]> {
    const out = new Map<string, InboxTask[]>();
    for (const [user, tasks] of this.known) out.set(user, sorted(tasks));
    return out;
  }

  openTasks(user: string): InboxTask[] {
    return sorted(this.known.get(user) ?? new Map());
  }

  /** Scan every inbox now (also what the periodic fallback does). */
  rescan(): void {
    const users = new Set(listDir(this.opts.usersRoot).filter((u) => isDir(path.join(this.opts.usersRoot, u))));
    for (const user of this.known.keys()) users.add(user);
    for (const user of [...users].sort()) this.scanUser(user);
  }

  private armRescan(): void {
    if (!this.running) return;
    this.rescanTimer = this.clock.setTimeout(() => {
      try {
        this.rescan();
      } catch (e) {
        this.opts.logger?.log("hub_watch_error", { error: (e as Error).message });
      }
      this.armRescan();
    }, this.rescanMs);
  }

  /** Debounce: one scan per inbox (or of everything, "*") after the events stop for debounceMs. */
  private schedule(user: string): void {
    if (!this.running) return;
    this.pending.get(user)?.cancel();
    this.pending.set(
      user,
      this.clock.setTimeout(() => {
        this.pending.delete(user);
        if (!this.running) return;
        if (user === "*") this.rescan();
        else this.scanUser(user);
      }, this.debounceMs),
    );
  }

  private inboxDir(user: string): string {
    return path.join(this.opts.usersRoot, user, "inbox");
  }

  private scanUser(user: string): void {
    const dir = this.inboxDir(user);
    if (this.running && this.opts.useFsWatch !== false && !this.watchers.has(dir) && isDir(dir)) {
      this.watch(dir, () => this.schedule(user));
    }
    const before = this.known.get(user) ?? new Map<string, InboxTask>();
    const now = new Map<string, InboxTask>();
    const added: InboxTask[] = [];
    for (const file of listDir(dir)) {
      if (!TASK_FILE.test(file)) continue;
      const full = path.join(dir, file);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(full);
      } catch {
        continue; // removed between listing and stat
      }
      if (!stat.isFile()) continue;
      const id = file.slice(0, -3);
      const old = before.get(id);
      if (old && old.mtimeMs === stat.mtimeMs) {
        now.set(id, old);
        continue;
      }
      const task = readTask(user, id, full, stat.mtimeMs);
      now.set(id, task);
      added.push(task);
    }
    const removed = [...before.keys()].filter((id) => !now.has(id));
    if (now.size > 0) this.known.set(user, now);
    else this.known.delete(user);
    if (added.length === 0 && removed.length === 0) return;
    added.sort((a, b) => a.id.localeCompare(b.id));
    this.opts.onChange({ user, open: sorted(now), added, removed: removed.sort(), initial: this.firstScan });
  }

  private watch(dir: string, onEvent: () => void): void {
    try {
      const w = fs.watch(dir, { persistent: false }, onEvent);
      w.on("error", () => {
        // the folder went away (or the filesystem cannot watch): the rescan keeps working
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch (e) {
      this.opts.logger?.log("hub_watch_unavailable", { dir, error: (e as Error).message });
    }
  }
}

function readTask(user: string, id: string, file: string, mtimeMs: number): InboxTask {
  const task: InboxTask = { id, user, file, mtimeMs };
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch {
    return task;
  }
  const fm = parseDocument(content).frontmatter;
  const fields = { doc_id: text(fm.doc_id), task_type: text(fm.task_type), workflow_type: text(fm.workflow_type), assigned_by: text(fm.assigned_by), version: text(fm.version), step: text(fm.step) };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== "") (task as unknown as Record<string, unknown>)[k] = v;
  return task;
}

function sorted(tasks: Map<string, InboxTask>): InboxTask[] {
  return [...tasks.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
