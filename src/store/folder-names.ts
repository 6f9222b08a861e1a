import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The names in the folders that ID allocation and the per-write lookups read (`QMS/{TYPE}`, a family folder,
 * `.meta/{TYPE}`), remembered per folder and validated by the folder's own stat: inode, mtime and ctime in
 * nanoseconds, which change whenever an entry is added, removed or renamed (ctime cannot be set back, so a
 * `touch -d` does not hide a change). A folder whose stat changed is read again; nothing is trusted over it.
 *
 * The project's own writes keep the remembered names in step (`keepInStep`, under the project lock): the
 * store knows which names a change touches, so a server creating document after document reads each folder
 * once instead of on every create, and the cost of a create does not grow with the number of documents.
 *
 * Whatever this misses (a program other than the QMS adding a file in the very timestamp tick of a read, which
 * the lock does not keep out) is bounded: a folder is read again at least every FULL_CHECK_MS, and ID
 * allocation also checks that the number it hands out is free (Project.highestSequence).
 */
export const FULL_CHECK_MS = 5000;

interface Listing {
  sig: string;
  names: Set<string>;
  /** Highest `{prefix}-NNN` number per prefix among `names` (see sequencesOf). */
  highest: Map<string, number>;
  /** When the folder was last read from disk (Date.now()). */
  readAt: number;
}

export class FolderNames {
  private readonly listings = new Map<string, Listing>();
  /** Folders read from disk (not served from memory) since this object was made; for tests and benchmarks. */
  reads = 0;

  /** The names in `dir` (empty when it does not exist). */
  names(dir: string): ReadonlySet<string> {
    return this.current(dir).names;
  }

  /**
   * The highest number N among the names `{prefix}-N`, `{prefix}-N-…` and `{prefix}-N.…` in `dir` (0 if none):
   * `CR-001/` and `CR-001-draft.md` count for prefix `CR`, `CR-001-TP-002.json` for `CR` and `CR-001-TP`.
   */
  highest(dir: string, prefix: string): number {
    return this.current(dir).highest.get(prefix) ?? 0;
  }

  /** Drop what is remembered about `dir` (every folder when omitted): the next call reads it again. */
  forget(dir?: string): void {
    if (dir === undefined) this.listings.clear();
    else this.listings.delete(dir);
  }

  /**
   * Run a write that adds or removes only the given names (and files elsewhere): the folders that were current
   * before it stay current after it, with those names looked up again (one lstat each) instead of the folder
   * being read again. Call it only while holding the project lock, so that no other QMS writer can change
   * the same folders between the two stats. A write that throws leaves the folders to be re-validated.
   */
  keepInStep<T>(touched: ReadonlyArray<{ dir: string; name: string }>, write: () => T): T {
    const current = new Set<string>();
    for (const { dir } of touched) {
      const listing = this.listings.get(dir);
      if (listing && this.fresh(listing, Date.now()) && listing.sig === signature(dir)) current.add(dir);
    }
    const result = write();
    for (const dir of current) {
      const listing = this.listings.get(dir);
      if (!listing) continue;
      let removed = false;
      for (const t of touched) {
        if (t.dir !== dir) continue;
        if (lstatOrUndefined(path.join(dir, t.name))) {
          if (!listing.names.has(t.name)) {
            listing.names.add(t.name);
            for (const [prefix, n] of sequencesOf(t.name)) listing.highest.set(prefix, Math.max(listing.highest.get(prefix) ?? 0, n));
          }
        } else if (listing.names.delete(t.name)) {
          removed = true;
        }
      }
      if (removed) listing.highest = highestOf(listing.names);
      listing.sig = signature(dir);
    }
    return result;
  }

  private fresh(listing: Listing, now: number): boolean {
    return now >= listing.readAt && now - listing.readAt < FULL_CHECK_MS;
  }

  private current(dir: string): Listing {
    const sig = signature(dir);
    const now = Date.now();
    const known = this.listings.get(dir);
    if (known && known.sig === sig && this.fresh(known, now)) return known;
    const names = new Set(readNames(dir));
    this.reads++;
    // a folder that changed while it was being read is read again next time
    const listing: Listing = { sig: signature(dir) === sig ? sig : "changed", names, highest: highestOf(names), readAt: now };
    this.listings.set(dir, listing);
    return listing;
  }
}

/** Every `(prefix, N)` a name counts for: each `-digits` followed by the end, `-` or `.`. */
export function sequencesOf(name: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const pattern = /-(\d+)(?=$|[-.])/g;
  for (let m = pattern.exec(name); m; m = pattern.exec(name)) out.push([name.slice(0, m.index), Number(m[1])]);
  return out;
}

function highestOf(names: Iterable<string>): Map<string, number> {
  const highest = new Map<string, number>();
  for (const name of names) {
    for (const [prefix, n] of sequencesOf(name)) if (n > (highest.get(prefix) ?? 0)) highest.set(prefix, n);
  }
  return highest;
}

function readNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw err;
  }
}

function statOrUndefined(dir: string): fs.BigIntStats | undefined {
  return fs.statSync(dir, { bigint: true, throwIfNoEntry: false });
}

function signatureOf(st: fs.BigIntStats | undefined): string {
  return st ? `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}` : "missing";
}

function signature(dir: string): string {
  return signatureOf(statOrUndefined(dir));
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  return fs.lstatSync(file, { throwIfNoEntry: false });
}
