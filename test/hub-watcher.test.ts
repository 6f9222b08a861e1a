import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { type InboxChange, InboxWatcher } from "../src/hub/watcher.js";
import { FakeClock } from "./hub-fake-clock.js";

function project(t: { after(fn: () => void): void }): { usersRoot: string; inbox(user: string): string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const usersRoot = path.join(root, ".claude", "users");
  const inbox = (user: string): string => {
    const dir = path.join(usersRoot, user, "inbox");
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  inbox("qa");
  return { usersRoot, inbox };
}

const TASK = (doc: string, by = "claude"): string =>
  `---\ntask_id: task-${doc}-review-v0-1\ntask_type: REVIEW\nworkflow_type: REVIEW\ndoc_id: ${doc}\ntitle: T\nassigned_by: ${by}\nversion: 0.1\n---\n\nReview it.\n`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

describe("inbox watcher (agents-and-hub §3 Watch)", () => {
  it("REQ-HUB-002 HUB-WATCH: a task is reported once although its write fires several fs.watch events", async (t) => {
    const p = project(t);
    const changes: InboxChange[] = [];
    // the rescan is far away, so only fs.watch can find the task in time
    const w = new InboxWatcher({ usersRoot: p.usersRoot, onChange: (c) => changes.push(c), rescanMs: 10 * 60 * 1000, debounceMs: 80 });
    w.start();
    t.after(() => w.stop());
    assert.equal(changes.length, 0);
    const dir = p.inbox("qa");
    // how the engine writes: a temp file, written in pieces, renamed into place; then a stray temp file
    const tmp = path.join(dir, ".task-SOP-001-review-v0-1.md.99.1.tmp");
    const text = TASK("SOP-001");
    for (let i = 0; i < text.length; i += 20) fs.appendFileSync(tmp, text.slice(i, i + 20));
    fs.renameSync(tmp, path.join(dir, "task-SOP-001-review-v0-1.md"));
    fs.writeFileSync(path.join(dir, ".other.tmp"), "x");
    fs.rmSync(path.join(dir, ".other.tmp"));
    assert.ok(await waitFor(() => changes.length > 0, 3000), "fs.watch reported the task");
    await sleep(300);
    assert.equal(changes.length, 1, JSON.stringify(changes));
    const c = changes[0]!;
    assert.equal(c.user, "qa");
    assert.deepEqual(c.added.map((x) => x.id), ["task-SOP-001-review-v0-1"]);
    assert.equal(c.added[0]!.doc_id, "SOP-001");
    assert.equal(c.added[0]!.workflow_type, "REVIEW");
    assert.equal(c.added[0]!.assigned_by, "claude");
    assert.equal(c.initial, false);
  });

  it("REQ-HUB-002 HUB-WATCH: with fs.watch off (or missing an event) the periodic rescan finds new and removed tasks", async (t) => {
    const p = project(t);
    const clock = new FakeClock();
    const changes: InboxChange[] = [];
    const w = new InboxWatcher({ usersRoot: p.usersRoot, onChange: (c) => changes.push(c), clock, rescanMs: 5000, useFsWatch: false });
    w.start();
    t.after(() => w.stop());
    fs.writeFileSync(path.join(p.inbox("qa"), "task-SOP-001-review-v0-1.md"), TASK("SOP-001"));
    await clock.advance(4999);
    assert.equal(changes.length, 0, "nothing before the rescan");
    await clock.advance(1);
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.added.map((x) => x.id), ["task-SOP-001-review-v0-1"]);
    // a user whose inbox appears later, and a removal
    fs.writeFileSync(path.join(p.inbox("tu_ui"), "task-SOP-002-review-v0-1.md"), TASK("SOP-002"));
    fs.rmSync(path.join(p.inbox("qa"), "task-SOP-001-review-v0-1.md"));
    await clock.advance(5000);
    assert.equal(changes.length, 3);
    const byUser = new Map(changes.slice(1).map((c) => [c.user, c]));
    assert.deepEqual(byUser.get("qa")?.removed, ["task-SOP-001-review-v0-1"]);
    assert.deepEqual(byUser.get("qa")?.open, []);
    assert.deepEqual(byUser.get("tu_ui")?.added.map((x) => x.id), ["task-SOP-002-review-v0-1"]);
    await clock.advance(20000);
    assert.equal(changes.length, 3, "unchanged inboxes are not reported again");
  });

  it("REQ-HUB-002 HUB-WATCH: tasks present at start are reported as initial; a task rewritten under the same name is new again", async (t) => {
    const p = project(t);
    const file = path.join(p.inbox("qa"), "task-SOP-001-review-v0-1.md");
    fs.writeFileSync(file, TASK("SOP-001"));
    fs.writeFileSync(path.join(p.inbox("qa"), "notes.txt"), "not a task");
    const clock = new FakeClock();
    const changes: InboxChange[] = [];
    const w = new InboxWatcher({ usersRoot: p.usersRoot, onChange: (c) => changes.push(c), clock, rescanMs: 1000, useFsWatch: false });
    w.start();
    t.after(() => w.stop());
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.initial, true);
    assert.deepEqual(w.openTasks("qa").map((x) => x.id), ["task-SOP-001-review-v0-1"]);
    const later = new Date(Date.now() + 60000);
    fs.utimesSync(file, later, later);
    await clock.advance(1000);
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[1]!.added.map((x) => x.id), ["task-SOP-001-review-v0-1"]);
    assert.deepEqual(changes[1]!.removed, []);
  });
});
