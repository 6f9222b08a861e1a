import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { withLock } from "./lock.js";

/**
 * The MCP token store (server-and-container spec §2): outside every project, by default
 * `~/.config/qms/tokens.json` (override `QMS_TOKEN_STORE`), keyed by the project's real root path.
 * Only SHA-256 hashes are stored; the token itself is shown once, when it is created.
 */
export interface TokenEntry {
  /** Hex SHA-256 of the token. */
  sha256: string;
  user: string;
  /** ISO timestamp. */
  created: string;
  label: string;
}

interface StoreFile {
  version: 1;
  projects: Record<string, TokenEntry[]>;
}

export const TOKEN_PREFIX = "qms_";

export function tokenStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QMS_TOKEN_STORE && env.QMS_TOKEN_STORE.trim() !== "") return path.resolve(env.QMS_TOKEN_STORE);
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== "" ? env.XDG_CONFIG_HOME : path.join(os.homedir(), ".config");
  return path.join(base, "qms", "tokens.json");
}

/** The key a project is stored under: its real path (symlinks resolved). */
export function projectKey(root: string): string {
  try {
    return fs.realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new token: ≥256 bits of randomness, URL-safe. */
export function mintToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** Short public id of an entry (the first 12 hex digits of its hash), used by `list` and `revoke`. */
export function entryId(entry: TokenEntry): string {
  return entry.sha256.slice(0, 12);
}

export class TokenStore {
  private cache: { mtimeMs: number; size: number; data: StoreFile } | undefined;

  constructor(readonly file: string = tokenStorePath()) {}

  private read(): StoreFile {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.cache = undefined;
      return { version: 1, projects: {} };
    }
    if (this.cache && this.cache.mtimeMs === st.mtimeMs && this.cache.size === st.size) return this.cache.data;
    const text = fs.readFileSync(this.file, "utf8");
    let data: StoreFile;
    try {
      const parsed = JSON.parse(text) as Partial<StoreFile>;
      data = { version: 1, projects: parsed && typeof parsed.projects === "object" && parsed.projects ? parsed.projects : {} };
    } catch {
      throw new Error(`Token store ${this.file} is not valid JSON; fix or remove it (tokens must then be created again).`);
    }
    this.cache = { mtimeMs: st.mtimeMs, size: st.size, data };
    return data;
  }

  private write(data: StoreFile): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
    this.cache = undefined;
  }

  private update<T>(fn: (data: StoreFile) => T): T {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    return withLock(`${this.file}.lock`, () => {
      this.cache = undefined;
      const data = this.read();
      const out = fn(data);
      this.write(data);
      return out;
    });
  }

  list(root: string): TokenEntry[] {
    return [...(this.read().projects[projectKey(root)] ?? [])];
  }

  hasTokens(root: string): boolean {
    return this.list(root).length > 0;
  }

  /** Store a new token for `user`; returns the token (never stored) and its entry. */
  create(root: string, user: string, label: string, now = new Date()): { token: string; entry: TokenEntry } {
    const token = mintToken();
    const entry: TokenEntry = { sha256: hashToken(token), user, created: now.toISOString(), label };
    this.update((data) => {
      const key = projectKey(root);
      const entries = data.projects[key] ?? [];
      if (entries.some((e) => e.label === label)) throw new Error(`A token labelled '${label}' already exists for this project; revoke it first or pick another --label.`);
      entries.push(entry);
      data.projects[key] = entries;
    });
    return { token, entry };
  }

  /** Remove the entries matching a label, an id prefix (≥6 hex digits) or the token itself. */
  revoke(root: string, what: string): TokenEntry[] {
    const hashed = hashToken(what);
    const lower = what.toLowerCase();
    const matches = (e: TokenEntry): boolean =>
      e.label === what || e.sha256 === hashed || (/^[0-9a-f]{6,64}$/.test(lower) && e.sha256.startsWith(lower));
    // Nothing to revoke: leave the store (and its folder) exactly as it is.
    if (!this.list(root).some(matches)) return [];
    return this.update((data) => {
      const key = projectKey(root);
      const entries = data.projects[key] ?? [];
      const removed = entries.filter(matches);
      if (removed.length > 0) {
        const kept = entries.filter((e) => !matches(e));
        if (kept.length > 0) data.projects[key] = kept;
        else delete data.projects[key];
      }
      return removed;
    });
  }

  /** The user a presented token belongs to, compared in constant time against every stored hash. */
  verify(root: string, presented: string): TokenEntry | undefined {
    const entries = this.list(root);
    const candidate = Buffer.from(hashToken(presented), "hex");
    let found: TokenEntry | undefined;
    for (const e of entries) {
      const stored = Buffer.from(e.sha256, "hex");
      if (stored.length === candidate.length && timingSafeEqual(stored, candidate) && !found) found = e;
    }
    return found;
  }
}
