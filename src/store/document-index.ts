import * as fs from "node:fs";
import * as path from "node:path";
import { isIdProblem, type ParsedId, parseDocId } from "../core/ids.js";
import { RefusalError } from "../core/result.js";
import { type LoadedDoc, titleOf, tryLoadDoc } from "./documents.js";
import { listDir } from "./fsio.js";
import type { Project } from "./project.js";

/** One document as the listing sees it. */
export interface IndexedDoc {
  doc: ParsedId;
  loaded: LoadedDoc;
  title: string;
  /** When its meta was last written. */
  mtime: Date;
}

interface Memo {
  /** mtimes of the `.meta/{TYPE}` folders: every meta write is an atomic rename, which changes them. */
  dirSig: string;
  checkedAt: number;
  rows: Map<string, { sig: string; entry: IndexedDoc }>;
  sorted: IndexedDoc[];
  warnings: string[];
}

/** Past this age the rows are re-checked file by file even when no folder changed (a file edited in place). */
const FULL_CHECK_MS = 5000;
/** Made on first use: building an ICU collator costs ~5 ms, which every CLI start-up would pay at import. */
let collator: Intl.Collator | undefined;
function byId(a: string, b: string): number {
  collator ??= new Intl.Collator("en", { numeric: true });
  return collator.compare(a, b);
}

/**
 * Every document with a `.meta` file, sorted by ID (children right after their parent), remembered and
 * re-validated by stat: one directory stat per type when nothing changed, one file read per changed meta.
 */
export class DocumentIndex {
  private memo: Memo | undefined;

  constructor(private readonly project: Project) {}

  all(now: number): { documents: IndexedDoc[]; warnings: string[] } {
    const m = this.refresh(now);
    return { documents: m.sorted, warnings: m.warnings };
  }

  private metaDirs(): string[] {
    const root = this.project.metaRoot;
    return listDir(root)
      .filter((name) => !name.startsWith(".") && fs.statSync(path.join(root, name), { throwIfNoEntry: false })?.isDirectory())
      .sort();
  }

  private refresh(now: number): Memo {
    const project = this.project;
    const dirs = this.metaDirs();
    const dirSig = dirs.map((d) => `${d}:${fs.statSync(path.join(project.metaRoot, d), { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join("|");
    const memo = this.memo;
    if (memo && memo.dirSig === dirSig && now - memo.checkedAt < FULL_CHECK_MS && now >= memo.checkedAt) return memo;
    const previous = memo?.rows ?? new Map<string, { sig: string; entry: IndexedDoc }>();
    const rows = new Map<string, { sig: string; entry: IndexedDoc }>();
    const warnings: string[] = [];
    let changed = !memo;
    for (const dir of dirs) {
      const folder = path.join(project.metaRoot, dir);
      for (const file of listDir(folder)) {
        if (!file.endsWith(".json") || file.endsWith(".source.json") || file.startsWith(".")) continue;
        const full = path.join(folder, file);
        const st = fs.statSync(full, { throwIfNoEntry: false });
        if (!st?.isFile()) continue;
        const sig = `${st.ino}:${st.mtimeMs}:${st.size}`;
        const known = previous.get(full);
        if (known && known.sig === sig) {
          rows.set(full, known);
          continue;
        }
        changed = true;
        const doc = parseDocId(file.slice(0, -".json".length), () => project.namespaces());
        if (isIdProblem(doc) || doc.typeKey !== dir) continue;
        try {
          const loaded = tryLoadDoc(project, doc);
          if (loaded) rows.set(full, { sig, entry: { doc, loaded, title: titleOf(project, loaded), mtime: st.mtime } });
        } catch (err) {
          if (!(err instanceof RefusalError)) throw err;
          warnings.push(`${doc.id}: ${err.refusal.message}`);
        }
      }
    }
    if (rows.size !== previous.size) changed = true;
    const sorted = !changed && memo ? memo.sorted : [...rows.values()].map((r) => r.entry).sort((a, b) => byId(a.doc.id, b.doc.id));
    this.memo = { dirSig, checkedAt: now, rows, sorted, warnings };
    return this.memo;
  }
}
