import type * as fs from "node:fs";
import * as path from "node:path";
import type { ContainedArea } from "./contained-fs.js";
import { readTextIfExists, writeFileAtomic } from "./fsio.js";

/**
 * Listings of the folders agents' containers write (inboxes, workspaces), remembered and re-validated by stat
 * so that listing 1,000 tasks reads one folder, not 1,000 files, when nothing changed:
 *
 * - the folder: every component checked by ContainedArea (no link on the way), then its own stat; its names
 *   are read again only when that stat changed;
 * - each wanted entry: its own lstat (a link is described, never followed or opened); a regular file whose
 *   identity (inode, size, mtime, ctime) is what it was when it was read is served from memory, anything else
 *   is read again through ContainedArea (no-follow, non-blocking, capped) and its identity taken from the
 *   descriptor that was read;
 * - while the folder's stat is unchanged, the entries checked less than ENTRY_CHECK_MS ago are not lstat-ed
 *   again (1,000 lstats cost more than the rest of an inbox call). Adding, removing, renaming or replacing an
 *   entry (the QMS's own atomic writes, a link or FIFO put in a file's place) changes the folder and is seen at
 *   once; only a file edited in place by another program can show its old frontmatter, for at most that long.
 *
 * Racily clean entries are not trusted: a file or folder that changed less than RACY_MS before it was read
 * could change again within the same timestamp tick, so it is read again next time.
 *
 * A long-lived process (the MCP server) keeps the listings in memory; a CLI process can also keep them in a
 * file outside the project (persistIn), loaded when it starts, so `qms inbox` does not read every task either.
 * Only listings of at least PERSIST_MIN entries are written: below that, reading the files is as cheap.
 */
export const RACY_MS = 2000;
export const ENTRY_CHECK_MS = 1000;
export const PERSIST_MIN = 64;
const FORMAT = 1;

interface Identity {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface Remembered<T> extends Identity {
  value: T;
}

interface FolderMemo<T> {
  /** The folder's identity when its names were read; undefined: read them again. */
  folder: Identity | undefined;
  names: string[];
  entries: Map<string, Remembered<T>>;
  /** The last listing, every entry checked at `at`, while the folder did not change (see ENTRY_CHECK_MS). */
  last?: { wanted: (name: string) => boolean; at: number; out: Array<Listed<T>> };
}

export type Listed<T> = { name: string; value: T } | { name: string; problem: string };

/** Where a listing is kept between processes, and the version of what it holds (a new version: start over). */
export interface PersistedListing {
  file: string;
  version: string;
}

export class ListingCache<T> {
  private readonly folders = new Map<string, FolderMemo<T>>();
  /** Files read (not served from memory) since this cache was made; for tests and benchmarks. */
  fileReads = 0;

  private readonly racyMs: number;
  private readonly entryCheckMs: number;

  constructor(
    private readonly area: ContainedArea,
    /** What is kept of a file's text; must be a pure function of the text, and JSON for persisted listings. */
    private readonly derive: (text: string) => T,
    options: { racyMs?: number; entryCheckMs?: number } = {},
  ) {
    this.racyMs = options.racyMs ?? RACY_MS;
    this.entryCheckMs = options.entryCheckMs ?? ENTRY_CHECK_MS;
  }

  /** The sorted names in a folder (empty when it does not exist), re-read only when the folder changed. */
  names(dir: string, now = Date.now()): string[] {
    return this.folder(dir, now)?.names ?? [];
  }

  /**
   * The wanted entries of a folder in name order: each regular file with what `derive` made of its text, each
   * other entry (a link, FIFO, folder, an oversized file) with the refusal that reading it gives. The array
   * may be the one returned last time (when nothing changed): callers must not modify it.
   */
  list(dir: string, wanted: (name: string) => boolean, persisted?: PersistedListing): Array<Listed<T>> {
    const now = Date.now();
    if (persisted && !this.folders.has(dir)) this.load(dir, persisted);
    const memo = this.folder(dir, now);
    if (!memo) return [];
    const last = memo.last;
    if (last && last.wanted === wanted && now >= last.at && now - last.at < this.entryCheckMs) return last.out;
    memo.last = undefined;
    let changed = false;
    let settled = true;
    const out: Array<Listed<T>> = [];
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const name of memo.names) {
      if (!wanted(name)) continue;
      const file = prefix + name;
      const st = this.area.entryStat(file);
      if (!st) {
        changed = memo.entries.delete(name) || changed;
        continue;
      }
      const known = memo.entries.get(name);
      if (known && st.isFile() && sameIdentity(known, st)) {
        out.push({ name, value: known.value });
        continue;
      }
      changed = true;
      memo.entries.delete(name);
      try {
        const read = this.area.readWithStat(file);
        this.fileReads++;
        if (read === undefined) continue; // gone between the lstat and the open
        const value = this.derive(read.text);
        if (this.racy(read.stat, now)) settled = false;
        else memo.entries.set(name, { ...identityOf(read.stat), value });
        out.push({ name, value });
      } catch (err) {
        out.push({ name, problem: err instanceof Error ? err.message : String(err) });
      }
    }
    if (persisted && changed) this.save(dir, memo, persisted);
    // a folder read again next time (changed while read, or racily clean) keeps no shortcut either
    if (settled && memo.folder) memo.last = { wanted, at: now, out };
    return out;
  }

  private racy(st: Identity, now: number): boolean {
    return now - Math.max(st.mtimeMs, st.ctimeMs) < this.racyMs;
  }

  private folder(dir: string, now: number): FolderMemo<T> | undefined {
    const st = this.area.folderStat(dir);
    if (!st) {
      this.folders.delete(dir);
      return undefined;
    }
    let memo = this.folders.get(dir);
    if (memo?.folder && sameIdentity(memo.folder, st)) return memo;
    const names = this.area.namesIn(dir);
    const present = new Set(names);
    const entries = memo?.entries ?? new Map<string, Remembered<T>>();
    for (const name of entries.keys()) if (!present.has(name)) entries.delete(name);
    // a folder that changed while (or just before) it was read is read again next time
    const after = this.area.folderStat(dir);
    const stable = after !== undefined && sameIdentity(identityOf(st), after) && !this.racy(after, now);
    memo = { folder: stable ? identityOf(after) : undefined, names, entries };
    this.folders.set(dir, memo);
    return memo;
  }

  private load(dir: string, persisted: PersistedListing): void {
    try {
      const raw = readTextIfExists(persisted.file);
      if (raw === undefined) return;
      const saved = JSON.parse(raw) as { format?: unknown; version?: unknown; dir?: unknown; folder?: Identity; names?: unknown; entries?: unknown };
      if (saved.format !== FORMAT || saved.version !== persisted.version || saved.dir !== dir || !Array.isArray(saved.names) || !Array.isArray(saved.entries)) return;
      const entries = new Map<string, Remembered<T>>();
      for (const e of saved.entries as Array<[string, Remembered<T>]>) {
        if (Array.isArray(e) && typeof e[0] === "string" && isIdentity(e[1])) entries.set(e[0], e[1]);
      }
      const names = (saved.names as unknown[]).filter((n): n is string => typeof n === "string");
      this.folders.set(dir, { folder: isIdentity(saved.folder) ? saved.folder : undefined, names, entries });
    } catch {
      // unreadable or malformed: start from the files
    }
  }

  private save(dir: string, memo: FolderMemo<T>, persisted: PersistedListing): void {
    if (memo.entries.size < PERSIST_MIN) return;
    try {
      const body = { format: FORMAT, version: persisted.version, dir, folder: memo.folder, names: memo.names, entries: [...memo.entries] };
      writeFileAtomic(persisted.file, JSON.stringify(body));
    } catch {
      // a read-only or missing state folder only costs the next process a full read
    }
  }
}

function identityOf(st: fs.Stats | Identity): Identity {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function isIdentity(v: unknown): v is Identity {
  const o = v as Partial<Identity> | null;
  return !!o && typeof o.ino === "number" && typeof o.size === "number" && typeof o.mtimeMs === "number" && typeof o.ctimeMs === "number";
}
