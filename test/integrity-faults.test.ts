import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import type { ServiceResult } from "../src/core/result.js";
import { approve } from "../src/services/approve.js";
import { checkout } from "../src/services/checkout.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { initProject } from "../src/services/init.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { verifyProject } from "../src/services/verify.js";
import { withLock } from "../src/store/lock.js";
import { Project } from "../src/store/project.js";
import { QMS_BIN, snapshotTree, tempDir } from "./helpers.js";

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data;
}

/** SOP-001 in approval at v1.1 (its approval archives two versions and replaces the effective file), SOP-002 checked out. */
function project(): string {
  const root = tempDir("qms-faults-");
  temps.push(root);
  must(initProject({ root, createMarker: false }), "init");
  const p = new Project(root);
  const c = makeContext(p, "claude");
  const qa = makeContext(p, "qa");
  must(create(c, { type: "SOP", title: "Approved twice" }), "create");
  for (let round = 0; round < 2; round++) {
    if (round === 1) must(checkout(c, { docId: "SOP-001" }), "checkout");
    must(route(c, { docId: "SOP-001", kind: "review", allowPlaceholders: true }), "route");
    must(review(qa, { docId: "SOP-001", outcome: "recommend", comment: "ok" }), "review");
    must(route(c, { docId: "SOP-001", kind: "approval" }), "route approval");
    if (round === 0) must(approve(qa, { docId: "SOP-001" }), "approve");
  }
  must(create(c, { type: "SOP", title: "Checked out" }), "create SOP-002");
  return root;
}

function run(root: string, user: string, args: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, "--user", user, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", ...env }, input: "" });
  return { code: r.status, out: r.stdout + r.stderr };
}

function assertClean(root: string, context: string): void {
  assert.deepEqual(verifyProject(new Project(root), new Date()).findings.map((f) => `${f.doc_id ?? "-"} ${f.file ?? ""} ${f.what}`), [], context);
}

/** Make a folder unwritable even for root (chattr +i), else by mode; undefined when neither works here. */
function readOnly(dir: string): (() => void) | undefined {
  if (process.getuid?.() === 0) {
    if (spawnSync("chattr", ["+i", dir]).status !== 0) return undefined;
    const undo = (): void => void spawnSync("chattr", ["-i", dir]);
    try {
      fs.writeFileSync(path.join(dir, ".probe"), "");
      fs.rmSync(path.join(dir, ".probe"));
      undo();
      return undefined;
    } catch {
      return undo;
    }
  }
  const mode = fs.statSync(dir).mode;
  fs.chmodSync(dir, 0o555);
  return () => fs.chmodSync(dir, mode);
}

describe("REQ-ITG-010: a write that cannot complete changes nothing and names the file", () => {
  test("REQ-ITG-010: the disk full at every step of an approval (injected ENOSPC): exit 1, the file named, the tree byte-for-byte unchanged", () => {
    const root = project();
    const copy = tempDir("qms-faults-trace-");
    temps.push(copy);
    fs.cpSync(root, copy, { recursive: true });
    const trace = run(copy, "qa", ["approve", "SOP-001"], { QMS_FAULT_TRACE: "1" });
    assert.equal(trace.code, 0, trace.out);
    const points = [...trace.out.matchAll(/^fault-point (\d+) (\S+)$/gm)].map((m) => ({ n: Number(m[1]), name: m[2]! }));
    // past the commit nothing can fail any more: those points only ever crash (integrity-crash.test.ts)
    const failable = points.filter((p) => !["apply:committed", "apply:done"].includes(p.name));
    assert.ok(failable.length >= 15, `${failable.length} steps`);
    const before = snapshotTree(root);
    for (const p of failable) {
      const r = run(root, "qa", ["approve", "SOP-001"], { QMS_FAIL_AT: `step:${p.n}` });
      assert.equal(r.code, 1, `${p.name}: ${r.out}`);
      assert.match(r.out, /^Error: (Could not write|Cannot take the project lock) \S+.*the disk is full \(ENOSPC\)\. Nothing was changed\./m, p.name);
      assert.doesNotMatch(r.out, /\n\s+at /, "no stack trace");
      assert.deepEqual(snapshotTree(root), before, `the tree changed when the disk filled at ${p.name}`);
    }
    assert.equal(run(root, "qa", ["approve", "SOP-001"]).code, 0, "and with space the approval goes through");
    assertClean(root, "after the approval");
  });

  test("REQ-ITG-010: the disk full at every step of a CR create: the CR's new folder goes again too", () => {
    const root = project();
    const before = snapshotTree(root);
    for (let k = 1; ; k++) {
      const r = run(root, "claude", ["create", "CR", "--title", "A new folder"], { QMS_FAIL_AT: `step:${k}` });
      if (r.code === 0) {
        assert.ok(k > 10, `only ${k - 1} steps`);
        break;
      }
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /Nothing was changed\./);
      assert.deepEqual(snapshotTree(root), before, `step ${k}`);
    }
    assertClean(root, "after the create");
  });

  test("REQ-ITG-010: a real full disk (a small tmpfs) at every amount of free space: approve fails cleanly until it fits", (t) => {
    const mountPoint = tempDir("qms-tmpfs-");
    if (process.getuid?.() !== 0 || spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]).status !== 0) {
      fs.rmSync(mountPoint, { recursive: true, force: true });
      return t.skip("cannot mount a tmpfs here");
    }
    try {
      const root = path.join(mountPoint, "p");
      fs.cpSync(project(), root, { recursive: true });
      const filler = path.join(mountPoint, "filler");
      const free = (): number => {
        const st = fs.statfsSync(mountPoint);
        return st.bavail * st.bsize;
      };
      let refusals = 0;
      for (let pages = 0; pages < 64; pages++) {
        const before = snapshotTree(root);
        fs.writeFileSync(filler, "");
        fs.truncateSync(filler, 0);
        const room = free() - pages * 4096;
        if (room > 0) fs.writeFileSync(filler, Buffer.alloc(room));
        const r = run(root, "qa", ["approve", "SOP-001"]);
        fs.rmSync(filler);
        if (r.code === 0) break;
        refusals++;
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^Error: (Could not write \S+|Cannot take the project lock \S+): the disk is full \(ENOSPC\)\. Nothing was changed\./m, `${pages} pages free: ${r.out}`);
        assert.deepEqual(snapshotTree(root), before, `${pages} pages free: the tree changed`);
      }
      process.stdout.write(`# tmpfs: ${refusals} clean refusals on a full disk before the approval fitted\n`);
      assert.ok(refusals >= 3, `${refusals} refusals before the approval fitted`);
      assert.equal(JSON.parse(fs.readFileSync(path.join(root, "QMS/.meta/SOP/SOP-001.json"), "utf8")).status, "EFFECTIVE");
      assertClean(root, "after the approval fitted");
    } finally {
      spawnSync("umount", [mountPoint]);
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  test("REQ-ITG-010: a read-only meta folder: create names the meta file, nothing half-written", (t) => {
    const root = project();
    const undo = readOnly(path.join(root, "QMS", ".meta", "SOP"));
    if (!undo) return t.skip("cannot make a folder read-only here");
    try {
      const before = snapshotTree(root);
      const r = run(root, "claude", ["create", "SOP", "--title", "Nowhere to go"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /Error: Could not write QMS\/\.meta\/SOP\/SOP-003\.json: it is not writable \((EACCES|EPERM)\)\. Nothing was changed\./);
      assert.deepEqual(snapshotTree(root), before);
    } finally {
      undo();
    }
    assertClean(root, "after the refused create");
  });

  test("REQ-ITG-010: a read-only project folder: the lock cannot be taken, a clear error naming it", (t) => {
    const root = project();
    const undo = readOnly(path.join(root, "QMS"));
    if (!undo) return t.skip("cannot make a folder read-only here");
    try {
      const before = snapshotTree(root);
      const r = run(root, "claude", ["checkin", "SOP-002"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /Error: Cannot take the project lock \S+QMS\/\.lock: its folder is not writable/);
      assert.deepEqual(snapshotTree(root), before);
    } finally {
      undo();
    }
  });

  test("REQ-ITG-010: a folder that vanished (the audit folder replaced by a file): the change is undone and the file named", () => {
    const root = project();
    fs.rmSync(path.join(root, "QMS", ".audit", "SOP"), { recursive: true });
    fs.writeFileSync(path.join(root, "QMS", ".audit", "SOP"), "not a folder");
    const before = snapshotTree(root);
    const r = run(root, "claude", ["checkin", "SOP-002"]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Error: Could not (write|change) \S*SOP/);
    assert.match(r.out, /Nothing was changed\./);
    assert.deepEqual(snapshotTree(root), before);
  });
});

describe("REQ-ITG-008: the project lock", () => {
  test("REQ-ITG-008: an empty lock file (a writer killed between creating and filling it) is broken: the issue's reproduction works", () => {
    const root = project();
    fs.writeFileSync(path.join(root, "QMS", ".lock"), "");
    const r = run(root, "claude", ["create", "CR", "--title", "x"], { QMS_LOCK_TIMEOUT_MS: "5000" });
    assert.equal(r.code, 0, r.out);
    assert.ok(!fs.existsSync(path.join(root, "QMS", ".lock")));
  });

  test("REQ-ITG-008: a lock of a dead process, or of a pid now used by a younger process, is broken; its temp files are swept", () => {
    const root = project();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout);
    fs.writeFileSync(path.join(root, "QMS", ".lock"), `${deadPid} ${os.hostname()} ${Date.now()} 1\n`);
    fs.writeFileSync(path.join(root, "QMS", ".meta", "SOP", `.SOP-002.json.${deadPid}.7.tmp`), "{");
    assert.equal(run(root, "claude", ["checkin", "SOP-002"], { QMS_LOCK_TIMEOUT_MS: "5000" }).code, 0);
    assert.ok(!fs.existsSync(path.join(root, "QMS", ".meta", "SOP", `.SOP-002.json.${deadPid}.7.tmp`)), "the dead writer's temp file is gone");
    // our own pid, but "taken" in 1970: a process that started later cannot own it
    fs.writeFileSync(path.join(root, "QMS", ".lock"), `${process.pid} ${os.hostname()} 1000 1\n`);
    assert.equal(run(root, "claude", ["checkout", "SOP-002"], { QMS_LOCK_TIMEOUT_MS: "5000" }).code, 0);
    assertClean(root, "after breaking the locks");
  });

  test("REQ-ITG-008: a live owner's lock is waited for, then refused with its pid", async () => {
    const root = project();
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(root, "QMS", ".lock"), `${sleeper.pid} ${os.hostname()} ${Date.now()} 1\n`);
      const r = run(root, "claude", ["checkin", "SOP-002"], { QMS_LOCK_TIMEOUT_MS: "300" });
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`Another QMS process \\(pid ${sleeper.pid}\\) is still changing this project; waited 300 ms`));
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  test("REQ-ITG-008: the lock is never seen empty: it appears with its owner already in it", () => {
    const dir = tempDir("qms-lock-");
    temps.push(dir);
    const lock = path.join(dir, ".lock");
    const seen = withLock(lock, () => fs.readFileSync(lock, "utf8"));
    assert.match(seen, new RegExp(`^${process.pid} \\S+ \\d+ \\d+\\n$`));
    assert.ok(!fs.existsSync(lock));
    assert.deepEqual(fs.readdirSync(dir), [], "no temp file left");
  });
});
