import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { processAlive, withLock } from "./lock.js";
import { projectKey, tokenStorePath } from "./tokens.js";

/**
 * Web sign-in state shared by `qms ui` (the CLI) and the running server (web spec §1), kept beside the token
 * store, outside every project: `ui-login.json` in the token store's folder (override `QMS_UI_STORE`).
 * Per project it holds the one-time sign-in codes (SHA-256 hashes only, with their expiry), the time before
 * which every web session is void (`qms ui --logout-all`), and where the server said it listens (so the CLI
 * prints a link with the right port). The CLI writes, the server reads: no endpoint, no credential on the wire.
 */
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;

interface CodeEntry {
  sha256: string;
  user: string;
  /** ISO timestamp. */
  expires: string;
}

interface ProjectEntry {
  codes?: CodeEntry[];
  /** ISO timestamp: sessions created before it are ended. */
  sessions_not_before?: string;
  server?: { url: string; pid: number; started: string };
}

interface StoreFile {
  version: 1;
  projects: Record<string, ProjectEntry>;
}

export function loginCodeStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QMS_UI_STORE && env.QMS_UI_STORE.trim() !== "") return path.resolve(env.QMS_UI_STORE);
  return path.join(path.dirname(tokenStorePath(env)), "ui-login.json");
}

const hash = (code: string): string => createHash("sha256").update(code, "utf8").digest("hex");

export class LoginCodeStore {
  private cache: { mtimeMs: number; size: number; data: StoreFile } | undefined;

  constructor(readonly file: string = loginCodeStorePath()) {}

  private read(): StoreFile {
    const st = fs.statSync(this.file, { throwIfNoEntry: false });
    if (!st) {
      this.cache = undefined;
      return { version: 1, projects: {} };
    }
    if (this.cache && this.cache.mtimeMs === st.mtimeMs && this.cache.size === st.size) return this.cache.data;
    let data: StoreFile = { version: 1, projects: {} };
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, "utf8")) as Partial<StoreFile>;
      if (parsed && typeof parsed.projects === "object" && parsed.projects) data = { version: 1, projects: parsed.projects };
    } catch {
      // an unreadable store holds no valid code: signing in needs a new `qms ui` link
    }
    this.cache = { mtimeMs: st.mtimeMs, size: st.size, data };
    return data;
  }

  private update<T>(fn: (entry: ProjectEntry, now: number) => T, root: string, now: Date): T {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    return withLock(`${this.file}.lock`, () => {
      this.cache = undefined;
      const data = this.read();
      const key = projectKey(root);
      const entry = data.projects[key] ?? {};
      const t = now.getTime();
      entry.codes = (entry.codes ?? []).filter((c) => Date.parse(c.expires) > t);
      const out = fn(entry, t);
      if (entry.codes.length === 0) delete entry.codes;
      if (Object.keys(entry).length > 0) data.projects[key] = entry;
      else delete data.projects[key];
      const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, this.file);
      this.cache = undefined;
      return out;
    });
  }

  /** A new one-time code for `user`, valid LOGIN_CODE_TTL_MS; only its hash is stored. */
  createCode(root: string, user: string, now = new Date()): { code: string; expires: Date } {
    const code = randomBytes(32).toString("base64url");
    const expires = new Date(now.getTime() + LOGIN_CODE_TTL_MS);
    this.update((entry) => {
      entry.codes!.push({ sha256: hash(code), user, expires: expires.toISOString() });
    }, root, now);
    return { code, expires };
  }

  /** Redeem a code: the user it was made for, once; expired, unknown or used codes give undefined. */
  consumeCode(root: string, code: string, now = new Date()): string | undefined {
    if (typeof code !== "string" || code.length < 20 || code.length > 200) return undefined;
    const candidate = Buffer.from(hash(code), "hex");
    // Cheap check first, so a flood of wrong codes never takes the lock.
    const listed = this.read().projects[projectKey(root)]?.codes ?? [];
    if (!listed.some((c) => safeEqualHex(c.sha256, candidate))) return undefined;
    return this.update((entry, t) => {
      const index = entry.codes!.findIndex((c) => safeEqualHex(c.sha256, candidate));
      if (index < 0) return undefined;
      const [found] = entry.codes!.splice(index, 1);
      return found && Date.parse(found.expires) > t ? found.user : undefined;
    }, root, now);
  }

  /** `qms ui --logout-all`: every session created before `now` ends; unused codes are dropped too. */
  endAllSessions(root: string, now = new Date()): void {
    this.update((entry) => {
      entry.sessions_not_before = now.toISOString();
      entry.codes = [];
    }, root, now);
  }

  /** Sessions created before this instant are void (0 when never set). */
  sessionsNotBefore(root: string): number {
    const at = this.read().projects[projectKey(root)]?.sessions_not_before;
    const t = at ? Date.parse(at) : 0;
    return Number.isFinite(t) ? t : 0;
  }

  /** The running server records its base URL (e.g. `http://127.0.0.1:8000`) for `qms ui`. */
  announceServer(root: string, url: string, pid = process.pid, now = new Date()): void {
    this.update((entry) => {
      entry.server = { url, pid, started: now.toISOString() };
    }, root, now);
  }

  /** The base URL of the server serving this project, when its process still runs. */
  runningServer(root: string): { url: string; pid: number } | undefined {
    const server = this.read().projects[projectKey(root)]?.server;
    if (!server || typeof server.url !== "string" || !Number.isInteger(server.pid)) return undefined;
    return processAlive(server.pid) ? { url: server.url, pid: server.pid } : undefined;
  }
}

function safeEqualHex(storedHex: string, candidate: Buffer): boolean {
  const stored = Buffer.from(storedHex, "hex");
  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}
