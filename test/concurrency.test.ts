import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { audit, makeHarnessProject, meta, QMS_BIN, qms, snapshotTree } from "./helpers.js";

/** Start `qms` processes at the same moment and collect their exit codes and output. */
function race(cwd: string, commands: Array<{ user: string; args: string[] }>): Promise<Array<{ code: number; out: string }>> {
  return Promise.all(
    commands.map(
      ({ user, args }) =>
        new Promise<{ code: number; out: string }>((resolve) => {
          const child = spawn(process.execPath, [QMS_BIN, "--user", user, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (out += d));
          child.on("close", (code) => resolve({ code: code ?? -1, out }));
        }),
    ),
  );
}

describe("concurrent CLI processes", () => {
  it("REQ-DOC-004: 12 simultaneous `create CR` get 12 distinct IDs, each with exactly one CREATE", async () => {
    const root = makeHarnessProject();
    const results = await race(root, Array.from({ length: 12 }, (_, i) => ({ user: i % 2 ? "claude" : "lead", args: ["create", "CR", "--title", `change ${i}`] })));
    for (const r of results) assert.equal(r.code, 0, r.out);
    const ids = results.map((r) => /Created: (CR-\d+)/.exec(r.out)?.[1]);
    assert.equal(new Set(ids).size, 12);
    const metas = fs.readdirSync(path.join(root, "QMS/.meta/CR"));
    assert.equal(metas.length, 12);
    for (const id of ids) {
      const events = audit(root, "CR", id!);
      assert.deepEqual(events.map((e) => e.event), ["CREATE"]);
      assert.equal(meta(root, "CR", id!).doc_id, id);
    }
  });

  it("REQ-WF-004: two reviewers reviewing at once: both reviews recorded, exactly one STATUS_CHANGE", async () => {
    const root = makeHarnessProject();
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "x").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui", "tu_scene", "tu_sim").code, 0);
    const results = await race(root, ["qa", "tu_ui", "tu_scene", "tu_sim"].map((u) => ({ user: u, args: ["review", "SOP-001", "--recommend", "--comment", `by ${u}`] })));
    for (const r of results) assert.equal(r.code, 0, r.out);
    const events = audit(root, "SOP", "SOP-001");
    assert.equal(events.filter((e) => e.event === "REVIEW").length, 4);
    assert.equal(events.filter((e) => e.event === "STATUS_CHANGE" && e.to_status === "REVIEWED").length, 1);
    const m = meta(root, "SOP", "SOP-001");
    assert.equal(m.status, "REVIEWED");
    assert.deepEqual(Object.keys(m.review_outcomes as object).sort(), ["qa", "tu_scene", "tu_sim", "tu_ui"]);
  });

  it("the same approval twice at once: one wins, the other is refused, no event lost or doubled", async () => {
    const root = makeHarnessProject();
    qms(root, "claude", "create", "SOP", "--title", "x");
    qms(root, "claude", "route", "SOP-001", "--review");
    qms(root, "qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    qms(root, "claude", "route", "SOP-001", "--approval");
    const results = await race(root, [
      { user: "qa", args: ["approve", "SOP-001"] },
      { user: "qa", args: ["approve", "SOP-001"] },
    ]);
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 1]);
    const events = audit(root, "SOP", "SOP-001");
    assert.equal(events.filter((e) => e.event === "APPROVE").length, 1);
    assert.equal(events.filter((e) => e.event === "EFFECTIVE").length, 1);
    assert.equal(meta(root, "SOP", "SOP-001").status, "EFFECTIVE");
  });

  it("every audit line stays a whole JSON object under concurrent writers", async () => {
    const root = makeHarnessProject();
    const results = await race(root, Array.from({ length: 10 }, (_, i) => ({ user: "claude", args: ["create", "SOP", "--title", `${"long title ".repeat(15)}${i}`] })));
    for (const r of results) assert.equal(r.code, 0, r.out);
    for (const file of fs.readdirSync(path.join(root, "QMS/.audit/SOP"))) {
      for (const line of fs.readFileSync(path.join(root, "QMS/.audit/SOP", file), "utf8").trim().split("\n")) JSON.parse(line);
    }
    // no temp files or lock left behind
    const leftovers = fs.readdirSync(path.join(root, "QMS"), { recursive: true }).map(String).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"));
    assert.deepEqual(leftovers, []);
  });

  it("REQ-STORE-002: a lock left by a dead process is broken, a live one makes the other wait (and a writer gives up after the timeout)", async () => {
    const root = makeHarnessProject();
    const lock = path.join(root, "QMS/.lock");
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, `999999 ${os.hostname()} 0\n`);
    const r = qms(root, "claude", "create", "SOP", "--title", "after stale lock");
    assert.equal(r.code, 0, r.out);
    assert.ok(!fs.existsSync(lock));

    // a live holder (this test process): the writer waits for it, then goes ahead once it lets go
    fs.writeFileSync(lock, `${process.pid} ${os.hostname()} ${Date.now()}\n`);
    const t0 = Date.now();
    const child = spawn(process.execPath, [QMS_BIN, "--user", "claude", "create", "SOP", "--title", "waits"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(done, false, `the second writer went ahead while the lock was held: ${out}`);
    assert.ok(!fs.existsSync(path.join(root, "QMS/SOP/SOP-002-draft.md")), "nothing written while waiting");
    fs.unlinkSync(lock);
    assert.equal(await exited, 0, out);
    assert.ok(Date.now() - t0 >= 1500);
    assert.match(out, /Created: SOP-002/);

    // a holder that stays: after QMS_LOCK_TIMEOUT_MS the writer refuses, naming the holder, and writes nothing
    fs.writeFileSync(lock, `${process.pid} ${os.hostname()} ${Date.now()}\n`);
    const before = snapshotTree(root);
    const gaveUp = spawnSync(process.execPath, [QMS_BIN, "--user", "claude", "create", "SOP", "--title", "gives up"], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_LOCK_TIMEOUT_MS: "300" } });
    assert.equal(gaveUp.status, 1, gaveUp.stdout + gaveUp.stderr);
    assert.match(gaveUp.stdout + gaveUp.stderr, new RegExp(`Another QMS process \\(pid ${process.pid}\\) is still changing this project`));
    assert.deepEqual(snapshotTree(root), before);
    fs.unlinkSync(lock);
  });
});
