import * as fs from "node:fs";
import * as path from "node:path";
import type { AuditEvent } from "../core/audit-events.js";
import { listDir } from "./fsio.js";
import { normalizeAuditLine, type Project } from "./project.js";

export interface TailedEvent {
  doc_id: string;
  event: AuditEvent;
}

/** Every audit file of the project (`QMS/.audit/{TYPE}/{ID}.jsonl`) with its document ID and last write time. */
export function auditFiles(project: Project): Array<{ docId: string; file: string; mtime: number }> {
  const out: Array<{ docId: string; file: string; mtime: number }> = [];
  for (const dir of listDir(project.auditRoot)) {
    if (dir.startsWith(".")) continue;
    for (const name of listDir(path.join(project.auditRoot, dir))) {
      if (!name.endsWith(".jsonl") || name.startsWith(".")) continue;
      const file = path.join(project.auditRoot, dir, name);
      out.push({ docId: name.slice(0, -".jsonl".length), file, mtime: fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 });
    }
  }
  return out;
}

/**
 * Follows the project's audit files and reports each line appended after `start()` (the live audit feed of
 * the web view). fs.watch tells which file grew; a periodic rescan catches what a watch missed (a network
 * filesystem, a folder created later). Lines are read from the last known length, whole lines only.
 */
export class AuditTail {
  private readonly sizes = new Map<string, number>();
  private watcher: fs.FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<string>();

  constructor(
    private readonly project: Project,
    private readonly onEvents: (events: TailedEvent[]) => void,
    private readonly rescanMs = 10000,
  ) {}

  get running(): boolean {
    return this.rescanTimer !== undefined;
  }

  start(): void {
    if (this.running) return;
    for (const { file } of auditFiles(this.project)) this.sizes.set(file, fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0);
    this.watch();
    this.rescanTimer = setInterval(() => this.rescan(), this.rescanMs);
    this.rescanTimer.unref();
  }

  stop(): void {
    this.stopWatching();
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.rescanTimer = undefined;
    this.flushTimer = undefined;
    this.sizes.clear();
    this.dirty.clear();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private rescan(): void {
    for (const { file } of auditFiles(this.project)) {
      const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (size !== (this.sizes.get(file) ?? 0)) this.dirty.add(file);
    }
    if (!this.watcher) this.watch();
    this.flush();
  }

  private watch(): void {
    if (!fs.existsSync(this.project.auditRoot)) return;
    try {
      this.watcher = fs.watch(this.project.auditRoot, { recursive: true, persistent: false }, (_type, name) => {
        if (typeof name !== "string" || !name.endsWith(".jsonl")) return;
        this.dirty.add(path.join(this.project.auditRoot, name));
        this.flushTimer ??= setTimeout(() => this.flush(), 50);
      });
      this.watcher.on("error", () => this.stopWatching());
    } catch {
      this.watcher = undefined; // no recursive watch here: the rescan serves
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    const events: TailedEvent[] = [];
    for (const file of this.dirty) events.push(...this.readNew(file));
    this.dirty.clear();
    events.sort((a, b) => a.event.ts.localeCompare(b.event.ts));
    if (events.length > 0) this.onEvents(events);
  }

  private readNew(file: string): TailedEvent[] {
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    const from = this.sizes.get(file) ?? 0;
    if (size <= from) {
      this.sizes.set(file, size);
      return [];
    }
    const buf = Buffer.alloc(size - from);
    const fd = fs.openSync(file, "r");
    try {
      fs.readSync(fd, buf, 0, buf.length, from);
    } finally {
      fs.closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return [];
    this.sizes.set(file, from + end + 1);
    const docId = path.basename(file, ".jsonl");
    const out: TailedEvent[] = [];
    for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        out.push({ doc_id: docId, event: normalizeAuditLine(JSON.parse(line) as Record<string, unknown>) });
      } catch {
        // a torn or foreign line: `qms verify` reports it; the feed skips it
      }
    }
    return out;
  }
}
