import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Every test process (and the qms processes it starts, which inherit the environment) records audit heads in
 * a throwaway head store, never in the real ~/.config/qms/heads (integrity spec §4).
 */
if (!process.env.QMS_HEAD_STORE) {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), "qms-heads-"));
  process.env.QMS_HEAD_STORE = store;
  process.once("exit", () => fs.rmSync(store, { recursive: true, force: true }));
}

/** The repository root (tests run from dist/test/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const QMS_BIN = path.join(REPO_ROOT, "bin", "qms.js");
export const FIXTURE = path.resolve(REPO_ROOT, "..", "shared", "fixtures", "python-era-project");

/** Every temp folder this test process made; removed when the process exits (node --test: one process per file). */
const madeTempDirs = new Set<string>();
let removalHooked = false;

function removeMadeTempDirs(): void {
  for (const dir of madeTempDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  madeTempDirs.clear();
}

/** Remember `dir` for removal at process exit (for folders a test made without tempDir). */
export function removeAtExit(dir: string): string {
  if (!removalHooked) process.on("exit", removeMadeTempDirs);
  removalHooked = true;
  madeTempDirs.add(dir);
  // `npm test` checks afterwards that none of the run's folders is left (scripts/check-temp-clean.mjs)
  const manifest = process.env.QMS_TEST_TEMP_MANIFEST;
  if (manifest) fs.appendFileSync(path.resolve(REPO_ROOT, manifest), `${dir}\n`);
  return dir;
}

/** A fresh folder in the temp directory, removed when this test file's process exits. */
export function tempDir(prefix = "qms-test-"): string {
  return removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Remove a temp folder now (a test that makes many may free them early). */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  madeTempDirs.delete(dir);
}

/**
 * The qualification harness of spec §12: QMS folders, users claude, lead, qa, tu_ui, tu_scene, tu_sketch,
 * tu_sim, bu with workspace/inbox, agent files (qa quality, the rest reviewer), no qms.config.json and no
 * templates (fallback template used).
 */
export function makeHarnessProject(): string {
  const root = tempDir();
  for (const d of ["SOP", "CR", "INV", "SDLC-FLOW", "TEMPLATE", ".meta/SOP", ".meta/CR", ".meta/INV", ".archive/SOP", ".archive/CR", ".audit/SOP", ".audit/CR"]) {
    fs.mkdirSync(path.join(root, "QMS", d), { recursive: true });
  }
  const users = ["claude", "lead", "qa", "tu_ui", "tu_scene", "tu_sketch", "tu_sim", "bu"];
  for (const u of users) {
    fs.mkdirSync(path.join(root, ".claude", "users", u, "workspace"), { recursive: true });
    fs.mkdirSync(path.join(root, ".claude", "users", u, "inbox"), { recursive: true });
  }
  fs.mkdirSync(path.join(root, ".claude", "agents"), { recursive: true });
  const groups: Record<string, string> = { qa: "quality", tu_ui: "reviewer", tu_scene: "reviewer", tu_sketch: "reviewer", tu_sim: "reviewer", bu: "reviewer" };
  for (const [u, g] of Object.entries(groups)) {
    fs.writeFileSync(path.join(root, ".claude", "agents", `${u}.md`), `---\nname: ${u}\ngroup: ${g}\ndescription: test agent\n---\n\n# ${u}\n`);
  }
  return root;
}

/** A throwaway copy of the Python-era fixture project. */
export function copyFixture(): string {
  const root = tempDir("qms-fixture-");
  fs.cpSync(FIXTURE, root, { recursive: true });
  // the shared fixture may be read-only on disk and cpSync keeps modes: make the copy writable
  const makeWritable = (p: string): void => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.mode | (st.isDirectory() ? 0o700 : 0o600));
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
  };
  makeWritable(root);
  return root;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
}

/** Run `node bin/qms.js --user USER ...args` in `cwd` as a real subprocess. */
export function qms(cwd: string, user: string | undefined, ...args: string[]): RunResult {
  const argv = user === undefined ? args : ["--user", user, ...args];
  const r = spawnSync(process.execPath, [QMS_BIN, ...argv], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, QMS_USER: "" },
    input: "",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function meta(root: string, typeKey: string, id: string): Record<string, unknown> & { status: string; version: string } {
  return readJson(path.join(root, "QMS", ".meta", typeKey, `${id}.json`));
}

export function audit(root: string, typeKey: string, id: string): Array<Record<string, unknown> & { event: string }> {
  const file = path.join(root, "QMS", ".audit", typeKey, `${id}.jsonl`);
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

export function auditEvents(root: string, typeKey: string, id: string): string[] {
  return audit(root, typeKey, id).map((e) => e.event);
}

const sha256 = (file: string): string => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/**
 * Every file and directory under `root`, each file with `fileValue` of it (by default a hash of its bytes:
 * equal snapshots = byte-identical trees).
 */
export function snapshotTree(root: string, fileValue: (file: string) => string = sha256): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      if (entry.isDirectory()) {
        out.set(`${rel}/`, "dir");
        walk(full);
      } else if (entry.isSymbolicLink()) {
        out.set(rel, `link -> ${fs.readlinkSync(full)}`);
      } else if (!entry.isFile()) {
        out.set(rel, "special file"); // a FIFO or socket: never opened (reading a FIFO blocks)
      } else {
        out.set(rel, fileValue(full));
      }
    }
  };
  walk(root);
  return out;
}

export function exists(root: string, rel: string): boolean {
  return fs.existsSync(path.join(root, rel));
}

export function listInbox(root: string, user: string): string[] {
  const dir = path.join(root, ".claude", "users", user, "inbox");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/**
 * A harness project with shorthands: `ok` asserts success; `no` asserts a refusal (exit 1) that leaves the
 * project byte-identical.
 */
export function harness() {
  const root = makeHarnessProject();
  const run = (user: string, ...args: string[]): RunResult => qms(root, user, ...args);
  const ok = (user: string, ...args: string[]): RunResult => {
    const r = run(user, ...args);
    assert.equal(r.code, 0, `expected success: ${user} ${args.join(" ")}\n${r.out}`);
    return r;
  };
  const no = (user: string, ...args: string[]): RunResult => {
    const before = snapshotTree(root);
    const r = run(user, ...args);
    assert.equal(r.code, 1, `expected refusal: ${user} ${args.join(" ")}\n${r.out}`);
    assert.deepEqual(snapshotTree(root), before, `refused command changed the tree: ${user} ${args.join(" ")}`);
    return r;
  };
  return { root, run, ok, no };
}

/** Field values of `status` output ("Key: value" lines). */
export function statusFields(out: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const m = /^([A-Za-z ]+): (.*)$/.exec(line);
    if (m) fields[m[1]!] = m[2]!;
  }
  return fields;
}
