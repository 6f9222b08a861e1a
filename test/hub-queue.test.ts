import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock } from "../src/hub/clock.js";
import { type DeliveryOutcome, DeliveryQueue, type DeliveryRequest } from "../src/hub/queue.js";
import type { InboxTask } from "../src/hub/watcher.js";
import { FakeClock, memoryLogger } from "./hub-fake-clock.js";

const task = (user: string, doc: string, mtimeMs = 1): InboxTask => ({ id: `task-${doc}-review-v0-1`, user, file: `/x/${doc}`, mtimeMs, doc_id: doc, workflow_type: "REVIEW", task_type: "REVIEW", assigned_by: "claude", version: "0.1" });

/** A runner that takes `ms` of fake time and records what it was asked. */
function slowRunner(clock: Clock, ms: number, outcome: Partial<DeliveryOutcome> = {}) {
  const calls: DeliveryRequest[] = [];
  let active = 0;
  let maxActive = 0;
  const deliver = (req: DeliveryRequest): Promise<DeliveryOutcome> => {
    calls.push(req);
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise((resolve) => {
      clock.setTimeout(() => {
        active--;
        resolve({ delivered: true, exitCode: 0, durationMs: ms, ...outcome });
      }, ms);
    });
  };
  return { calls, deliver, maxActive: () => maxActive };
}

describe("delivery queue (agents-and-hub §3 Deliver, Loops and storms)", () => {
  it("REQ-HUB-002 HUB-QUEUE: a storm of 50 tasks for one agent becomes a few batched runs, one at a time, each task delivered once", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 10_000);
    const q = new DeliveryQueue({ deliver: r.deliver, clock, maxPerHour: () => 20 });
    q.setAvailable("qa", true);
    const open: InboxTask[] = [];
    for (let i = 1; i <= 50; i++) {
      open.push(task("qa", `SOP-${String(i).padStart(3, "0")}`));
      q.update("qa", [...open]);
      await clock.advance(1000);
    }
    await clock.advance(60_000);
    assert.ok(r.calls.length >= 2 && r.calls.length <= 7, `runs: ${r.calls.length}`);
    assert.equal(r.maxActive(), 1, "never two runs of one agent at once");
    const delivered = r.calls.flatMap((c) => c.tasks.map((t) => t.id));
    assert.equal(delivered.length, 50);
    assert.equal(new Set(delivered).size, 50);
    assert.ok(r.calls.slice(1).every((c) => c.tasks.length > 1), "later runs carry batches");
  });

  it("REQ-HUB-002 HUB-QUEUE: 50 tasks written together go out in one run", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 5000);
    const q = new DeliveryQueue({ deliver: r.deliver, clock });
    q.setAvailable("qa", true);
    const open: InboxTask[] = [];
    for (let i = 1; i <= 50; i++) {
      open.push(task("qa", `SOP-${i}`));
      q.update("qa", [...open]);
    }
    await clock.advance(10_000);
    assert.equal(r.calls.length, 1);
    assert.equal(r.calls[0]!.tasks.length, 50);
    assert.match(r.calls[0]!.notification, /^Task notification: 50 new tasks arrived for qa: SOP-1 v0\.1: review, sent by claude;.* and 45 more\. You have 50 open tasks; call the qms_inbox tool/);
  });

  it("REQ-HUB-002 HUB-QUEUE: tasks that arrive during a run are batched into the next run", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 10_000);
    const q = new DeliveryQueue({ deliver: r.deliver, clock });
    q.setAvailable("qa", true);
    const a = task("qa", "SOP-001");
    q.update("qa", [a]);
    await clock.advance(1000);
    assert.equal(r.calls.length, 1);
    const b = task("qa", "SOP-002");
    const c = task("qa", "SOP-003");
    q.update("qa", [a, b]);
    await clock.advance(1000);
    q.update("qa", [a, b, c]);
    await clock.advance(1000);
    assert.equal(r.calls.length, 1, "still the first run");
    assert.equal(q.state("qa").running?.tasks.length, 1);
    await clock.advance(10_000);
    assert.equal(r.calls.length, 2);
    assert.deepEqual(r.calls[1]!.tasks.map((t) => t.doc_id), ["SOP-002", "SOP-003"]);
    assert.equal(r.calls[1]!.openCount, 3);
  });

  it("REQ-HUB-002 HUB-QUEUE: a delivered task still open is not delivered again until a new task or a nudge", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 1000);
    const q = new DeliveryQueue({ deliver: r.deliver, clock });
    q.setAvailable("qa", true);
    const a = task("qa", "SOP-001");
    q.update("qa", [a]);
    await clock.advance(5000);
    assert.equal(r.calls.length, 1);
    for (let i = 0; i < 10; i++) {
      q.update("qa", [a]); // rescans keep seeing it open
      await clock.advance(60_000);
    }
    assert.equal(r.calls.length, 1, "no loop on a task the agent left open");
    const b = task("qa", "SOP-002");
    q.update("qa", [a, b]);
    await clock.advance(5000);
    assert.equal(r.calls.length, 2);
    assert.deepEqual(r.calls[1]!.tasks.map((t) => t.doc_id), ["SOP-002"]);
    assert.deepEqual(q.nudge("qa"), { queued: true });
    await clock.advance(5000);
    assert.equal(r.calls.length, 3);
    assert.equal(r.calls[2]!.nudge, true);
    assert.deepEqual(r.calls[2]!.tasks.map((t) => t.doc_id), ["SOP-001", "SOP-002"]);
    assert.match(r.calls[2]!.notification, /^Task notification: reminder, 2 tasks are still open for qa: SOP-001/);
    // the same file rewritten (a new round at the same version) is new
    q.update("qa", [{ ...a, mtimeMs: 2 }, b]);
    await clock.advance(5000);
    assert.equal(r.calls.length, 4);
    assert.deepEqual(r.calls[3]!.tasks.map((t) => t.doc_id), ["SOP-001"]);
    assert.deepEqual(q.nudge("nobody"), { queued: false, reason: "nobody has no open tasks" });
  });

  it("REQ-HUB-002 HUB-QUEUE: nothing is delivered while the agent is not available; it is once it is", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 1000);
    const q = new DeliveryQueue({ deliver: r.deliver, clock });
    q.update("qa", [task("qa", "SOP-001")]);
    await clock.advance(60_000);
    assert.equal(r.calls.length, 0);
    assert.deepEqual(q.state("qa").pending, ["task-SOP-001-review-v0-1"]);
    q.setAvailable("qa", true);
    await clock.advance(1000);
    assert.equal(r.calls.length, 1);
  });

  it("REQ-HUB-002 HUB-QUEUE: a run past its time limit is aborted and recorded as timed out; a runner that ignores the abort is let go after the grace", async () => {
    const clock = new FakeClock();
    const log = memoryLogger();
    let aborted = 0;
    const deliver = (req: DeliveryRequest): Promise<DeliveryOutcome> =>
      new Promise((resolve) => {
        req.signal.addEventListener("abort", () => {
          aborted++;
          if (req.tasks[0]!.doc_id === "SOP-001") resolve({ delivered: true, exitCode: null, durationMs: req.timeoutMs });
          // SOP-002: never resolves
        });
      });
    const q = new DeliveryQueue({ deliver, clock, logger: log, runTimeoutMs: () => 60_000, killGraceMs: 5000 });
    q.setAvailable("qa", true);
    const a = task("qa", "SOP-001");
    q.update("qa", [a]);
    await clock.advance(59_999);
    assert.equal(aborted, 0);
    await clock.advance(1);
    assert.equal(aborted, 1);
    assert.equal(q.state("qa").last?.outcome.timedOut, true);
    assert.equal(q.isRunning("qa"), false);
    q.update("qa", [a, task("qa", "SOP-002")]);
    await clock.advance(60_000);
    assert.equal(aborted, 2);
    assert.equal(q.isRunning("qa"), true, "within the grace");
    await clock.advance(5000);
    assert.equal(q.isRunning("qa"), false);
    assert.ok(log.events.some((e) => e.event === "hub_delivery_stuck" && e.agent === "qa"));
    assert.equal(log.events.filter((e) => e.event === "hub_delivery_timeout").length, 2);
  });

  it("REQ-HUB-002 HUB-QUEUE: a failed delivery is tried again after the back-off, not at once", async () => {
    const clock = new FakeClock();
    const r = slowRunner(clock, 100, { delivered: false, exitCode: 1, error: "boom" });
    const q = new DeliveryQueue({ deliver: r.deliver, clock, retryBackoffMs: 60_000 });
    q.setAvailable("qa", true);
    q.update("qa", [task("qa", "SOP-001")]);
    await clock.advance(59_000);
    assert.equal(r.calls.length, 1);
    await clock.advance(2000);
    assert.equal(r.calls.length, 2);
  });

  it("REQ-HUB-002 HUB-QUEUE: two agents scripted to bounce a document stop at 20 deliveries per hour each, with a clear log line", async () => {
    const clock = new FakeClock();
    const log = memoryLogger();
    let q: DeliveryQueue | undefined;
    let version = 0;
    const calls: string[] = [];
    // each agent's "Claude" hands the document to the other one: its task goes, one for the other appears
    const deliver = (req: DeliveryRequest): Promise<DeliveryOutcome> =>
      new Promise((resolve) => {
        calls.push(req.agent);
        clock.setTimeout(() => {
          const other = req.agent === "claude" ? "qa" : "claude";
          version++;
          q!.update(req.agent, []);
          q!.update(other, [{ ...task(other, "SOP-001"), mtimeMs: version }]);
          resolve({ delivered: true, exitCode: 0, durationMs: 30_000 });
        }, 30_000);
      });
    q = new DeliveryQueue({ deliver, clock, logger: log });
    q.setAvailable("claude", true);
    q.setAvailable("qa", true);
    q.update("qa", [task("qa", "SOP-001")]);
    for (let m = 0; m < 59; m++) await clock.advance(60_000); // 59 minutes: still inside the first hour
    const count = (a: string): number => calls.filter((c) => c === a).length;
    assert.equal(count("qa"), 20);
    assert.equal(count("claude"), 20);
    const limited = log.events.filter((e) => e.event === "hub_rate_limited");
    assert.equal(limited.length, 1, "one log line, not one per event");
    const line = limited[0]!;
    assert.equal(line.agent, "qa");
    assert.equal(line.limit, 20);
    assert.equal(line.deliveries_last_hour, 20);
    assert.match(String(line.message), /qa: 20 deliveries in the last hour reached the limit of 20; further deliveries wait until /);
    assert.equal(q.state("qa").rateLimitedUntil !== undefined, true);
    // after the window, deliveries go on (the limit is per sliding hour, not forever)
    await clock.advance(5 * 60_000);
    assert.ok(count("qa") > 20);
  });
});
