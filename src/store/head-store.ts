import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sha256Hex } from "../core/sha256.js";
import { readFileRange } from "./fsio.js";

/**
 * The anchor outside the project (integrity spec §4): the head (line count and chain value) of every audit
 * file this machine's QMS processes appended to, so `qms verify` can see a tail cut off or a whole file
 * replaced by a consistent forgery. One append-only file per project, beside the token store:
 * `${XDG_CONFIG_HOME:-~/.config}/qms/heads/<name>-<hash of the real root>.jsonl` (QMS_HEAD_STORE: the folder).
 * Each record is one whole line written with a single O_APPEND write (atomic; no reader sees half of it);
 * the last record of a file wins; the log is compacted (temp file + rename) when it grows.
 */
export interface FileHead {
  /** Audit file, relative to `QMS/.audit/` with forward slashes (`SOP/SOP-001.jsonl`). */
  file: string;
  lines: number;
  hash: string;
  /** The QMS deleted the file (cancel): its absence is expected. */
  deleted?: boolean;
}

export interface Checkpoint {
  digest: string;
  at: string;
  heads: FileHead[];
}

export function headStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.QMS_HEAD_STORE?.trim();
  if (override) return path.resolve(override);
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), ".config");
  return path.join(base, "qms", "heads");
}

const COMPACT_AFTER = 2000;

export class HeadStore {
  readonly file: string;
  readonly checkpointsFile: string;
  private appended = 0;
  private started = false;

  constructor(
    private readonly root: string,
    private readonly dir: string = headStoreDir(),
  ) {
    const real = projectKey(root);
    const name = path.basename(real).replace(/[^A-Za-z0-9_.-]/g, "_") || "root";
    const stem = `${name}-${sha256Hex(real).slice(0, 16)}`;
    this.file = path.join(dir, `${stem}.jsonl`);
    this.checkpointsFile = path.join(dir, `${stem}.checkpoints.jsonl`);
  }

  /** Record heads after an append (or a deletion). Never fails the write it follows: the anchor is best effort. */
  record(heads: readonly FileHead[]): string | undefined {
    if (heads.length === 0) return undefined;
    try {
      const records = heads.map((h) => JSON.stringify(h));
      if (!this.started) {
        this.started = true;
        // a new store starts with the project it belongs to, so a copy of the project can find it
        if (!fs.existsSync(this.file)) records.unshift(JSON.stringify({ project: projectKey(this.root), identity: projectIdentity(this.root) ?? null }));
      }
      appendRecords(this.file, records);
      this.appended += heads.length;
      if (this.appended >= COMPACT_AFTER) {
        this.appended = 0;
        this.compact();
      }
      return undefined;
    } catch (err) {
      return `could not record audit heads in ${this.file}: ${(err as Error).message}`;
    }
  }

  /** The latest recorded head of every file, or undefined when there is no store for this project. */
  read(): Map<string, FileHead> | undefined {
    return readHeads(this.file);
  }

  /**
   * The store to compare with: this root's, else (a copy of a project, verified where it was copied to) the
   * store of the project it was copied from, found by the identity in `qms.config.json`.
   */
  readForVerify(): { heads: Map<string, FileHead>; file: string; copiedFrom?: string } | undefined {
    const own = readHeads(this.file);
    if (own) return { heads: own, file: this.file };
    const identity = projectIdentity(this.root);
    if (!identity) return undefined;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith(".jsonl") && !n.endsWith(".checkpoints.jsonl"));
    } catch {
      return undefined;
    }
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      const header = firstRecord(file);
      if (header?.identity !== identity) continue;
      const heads = readHeads(file);
      if (heads) return { heads, file, ...(typeof header.project === "string" ? { copiedFrom: header.project } : {}) };
    }
    return undefined;
  }

  /** Rewrite the log with one record per file (atomically: temp file, fsync, rename). */
  compact(): void {
    const heads = this.read();
    if (!heads) return;
    const header = firstRecord(this.file);
    const records: unknown[] = [...(header && "identity" in header ? [header] : []), ...heads.values()];
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, records.map((h) => `${JSON.stringify(h)}\n`).join(""), { mode: 0o600 });
    const fd = fs.openSync(tmp, "r");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
  }

  saveCheckpoint(checkpoint: Checkpoint): void {
    appendRecords(this.checkpointsFile, [JSON.stringify(checkpoint)]);
  }

  findCheckpoint(digest: string): Checkpoint | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.checkpointsFile, "utf8");
    } catch {
      return undefined;
    }
    for (const line of text.split("\n")) {
      try {
        const c = JSON.parse(line) as Checkpoint;
        if (c && c.digest === digest && Array.isArray(c.heads)) return { ...c, heads: c.heads.map((h) => parseHead(JSON.stringify(h))).filter((h): h is FileHead => h !== undefined) };
      } catch {
        // a torn record: skip
      }
    }
    return undefined;
  }
}

/** One digest over a set of heads (sorted by file): the checkpoint `qms verify --anchor` prints. */
export function headsDigest(heads: readonly FileHead[]): string {
  const text = [...heads]
    .filter((h) => !h.deleted)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map((h) => `${h.file}\t${h.lines}\t${h.hash}\n`)
    .join("");
  return sha256Hex(text);
}

/** The project's real path (the token store's key too): links resolved. */
function projectKey(root: string): string {
  try {
    return fs.realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

function readHeads(file: string): Map<string, FileHead> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const heads = new Map<string, FileHead>();
  for (const line of text.split("\n")) {
    const h = parseHead(line);
    if (h) heads.set(h.file, h);
  }
  return heads;
}

function firstRecord(file: string): Record<string, unknown> | undefined {
  try {
    const head = readFileRange(file, 0, 4096);
    return head && (JSON.parse(head.toString("utf8").split("\n")[0] ?? "") as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** What makes a project the same project wherever it is copied: the creation stamp `qms init` wrote. */
export function projectIdentity(root: string): string | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8")) as { created?: unknown };
    return typeof config.created === "string" && config.created !== "" ? sha256Hex(config.created) : undefined;
  } catch {
    return undefined;
  }
}

function parseHead(line: string): FileHead | undefined {
  if (line.trim() === "") return undefined;
  try {
    const h = JSON.parse(line) as Partial<FileHead>;
    if (typeof h.file !== "string" || typeof h.lines !== "number" || typeof h.hash !== "string") return undefined;
    return { file: h.file, lines: h.lines, hash: h.hash, ...(h.deleted ? { deleted: true } : {}) };
  } catch {
    return undefined;
  }
}

const madeDirs = new Set<string>();

function appendRecords(file: string, records: string[]): void {
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    madeDirs.add(dir);
  }
  const fd = fs.openSync(file, "a", 0o600);
  try {
    fs.writeSync(fd, records.map((r) => `${r}\n`).join(""));
  } finally {
    fs.closeSync(fd);
  }
}
