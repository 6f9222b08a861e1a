import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { route } from "../src/services/route.js";
import { writeFileAtomic } from "../src/store/fsio.js";
import { removeTempDir, tempDir } from "./helpers.js";
import { svcProject } from "./svc-harness.js";

const WORKERS = new URL("./svc-harness-workers.js", import.meta.url);
const ino = (file: string): number => fs.statSync(file).ino;

/** Every file below `dir` whose name marks a temp file of an atomic write. */
function tempFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.tmp$/.test(f));
}

describe("atomic writes (in process)", () => {
  it("REQ-STORE-001: every file a service rewrites is replaced by a new file (temp + rename), never written in place", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const draft = p.file("QMS/SOP/SOP-001-draft.md");
    const metaFile = p.file("QMS/.meta/SOP/SOP-001.json");
    const before = { draft: ino(draft), meta: ino(metaFile) };
    p.edit("claude", "SOP-001", "---\ntitle: x\n---\n\nedited\n");
    p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.notEqual(ino(draft), before.draft, "the draft is a new file");
    assert.notEqual(ino(metaFile), before.meta, "the meta is a new file");
    assert.match(fs.readFileSync(draft, "utf8"), /edited/);

    // the contained area (workspaces, inboxes) too: a copy already in the workspace is replaced, not overwritten
    fs.writeFileSync(p.workspacePath("claude", "SOP-001"), "stale copy\n");
    const stale = ino(p.workspacePath("claude", "SOP-001"));
    p.ok(checkout, "claude", { docId: "SOP-001" });
    assert.notEqual(ino(p.workspacePath("claude", "SOP-001")), stale);
    assert.match(fs.readFileSync(p.workspacePath("claude", "SOP-001"), "utf8"), /edited/);
    const task = p.file(".claude/users/qa/inbox/task-SOP-001-review-v0-1.md");
    fs.writeFileSync(task, "old task\n");
    const oldTask = ino(task);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    assert.notEqual(ino(task), oldTask);
    assert.match(fs.readFileSync(task, "utf8"), /^task_id: task-SOP-001-review-v0-1$/m);
    assert.deepEqual(tempFiles(p.root), [], "no temp file is left behind");
  });

  it("REQ-STORE-001: a reader never sees a partial file while it is rewritten", async (t) => {
    const dir = tempDir("qms-atomic-");
    t.after(() => removeTempDir(dir));
    const file = path.join(dir, "big.md");
    const size = 4 * 1024 * 1024;
    const versions = ["a".repeat(size), "b".repeat(size)];
    writeFileAtomic(file, versions[0]!);
    const reader = new Worker(WORKERS, { workerData: { kind: "reader", file, size } });
    await new Promise<void>((resolve) => reader.once("message", () => resolve()));
    let sameInode = 0;
    for (let i = 1; i <= 20; i++) {
      // the old file still exists while its replacement is written, so a replacement always has another inode
      const before = ino(file);
      writeFileAtomic(file, versions[i % 2]!);
      if (ino(file) === before) sameInode++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const report = await new Promise<{ reads: number; bad: string[]; badCount: number }>((resolve) => {
      reader.once("message", resolve);
      reader.postMessage("stop");
    });
    await reader.terminate();
    assert.deepEqual(report.bad, [], `${report.badCount} of ${report.reads} reads saw a partial file`);
    assert.ok(report.reads > 0, "the reader read");
    assert.equal(sameInode, 0, "every rewrite replaced the file");
    assert.equal(fs.readFileSync(file, "utf8"), versions[0]);
    assert.deepEqual(fs.readdirSync(dir), ["big.md"], "no temp file is left behind");
  });
});

describe("the project write lock (in process)", () => {
  const holdLock = (root: string): string => {
    const lock = path.join(root, "QMS", ".lock");
    fs.writeFileSync(lock, `${process.pid} ${os.hostname()} ${Date.now()}\n`);
    return lock;
  };

  it("REQ-STORE-002: a second writer waits while the lock is held by a live process, then goes ahead", async (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "first" });
    const lock = holdLock(p.root);
    const writer = new Worker(WORKERS, { workerData: { kind: "create", root: p.root } });
    let result: { ok: boolean; id?: string } | undefined;
    const done = new Promise<void>((resolve) =>
      writer.once("message", (m) => {
        result = m;
        resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(result, undefined, "the second writer did not wait for the lock");
    assert.equal(p.hasMeta("SOP-002"), false, "nothing was written while the lock was held");
    fs.unlinkSync(lock);
    await done;
    await writer.terminate();
    assert.deepEqual(result, { ok: true, id: "SOP-002" });
    assert.equal(fs.existsSync(lock), false, "the writer released the lock");
  });

  it("REQ-STORE-002: a writer that cannot get the lock in time refuses, names the holder and writes nothing", async (t) => {
    const p = svcProject(t);
    const lock = holdLock(p.root);
    const writer = new Worker(WORKERS, { workerData: { kind: "create", root: p.root }, env: { ...process.env, QMS_LOCK_TIMEOUT_MS: "200" } });
    const result = await new Promise<{ ok: boolean; code?: string; message?: string }>((resolve) => writer.once("message", resolve));
    await writer.terminate();
    assert.equal(result.ok, false);
    assert.equal(result.code, "locked");
    assert.match(result.message ?? "", new RegExp(`^Another QMS process \\(pid ${process.pid}\\) is still changing this project; waited 200 ms\\.$`));
    assert.equal(p.hasMeta("SOP-001"), false);
    assert.equal(fs.readFileSync(lock, "utf8").split(" ")[0], String(process.pid), "the live holder's lock is left alone");
  });

  it("REQ-STORE-002: a lock left by a dead process is broken", (t) => {
    const p = svcProject(t);
    const lock = path.join(p.root, "QMS", ".lock");
    fs.writeFileSync(lock, `999999999 ${os.hostname()} 0\n`);
    p.ok(create, "claude", { type: "SOP", title: "after a crash" });
    assert.equal(fs.existsSync(lock), false);
  });
});
