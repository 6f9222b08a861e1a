import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_AGENT_SETTINGS } from "../src/hub/config.js";
import { decidePolicy, type PolicyInput } from "../src/hub/policies.js";
import { FakeClock } from "./hub-fake-clock.js";

const input = (over: Partial<PolicyInput> & { launch?: PolicyInput["settings"]["launch"]; shutdown?: PolicyInput["settings"]["shutdown"]; idle_minutes?: number }): PolicyInput => {
  const { launch, shutdown, idle_minutes, ...rest } = over;
  return {
    settings: { ...DEFAULT_AGENT_SETTINGS, ...(launch ? { launch } : {}), ...(shutdown ? { shutdown } : {}), ...(idle_minutes ? { idle_minutes } : {}) },
    container: "stopped",
    startedByHub: false,
    openTasks: 0,
    pendingTasks: 0,
    runActive: false,
    ...rest,
  };
};

describe("launch and shutdown policies (agents-and-hub §3 Policies), on a fake clock", () => {
  it("REQ-HUB-002 HUB-POLICY: auto_on_task starts a stopped agent when a task arrives, manual never does", () => {
    const now = new FakeClock().now();
    assert.equal(decidePolicy(input({ launch: "auto_on_task" }), now).action, "none", "no task, no start");
    const d = decidePolicy(input({ launch: "auto_on_task", openTasks: 1, pendingTasks: 1 }), now);
    assert.equal(d.action, "start");
    assert.match(d.reason, /auto_on_task: 1 task waiting/);
    assert.equal(decidePolicy(input({ launch: "manual", openTasks: 3, pendingTasks: 3 }), now).action, "none");
    assert.equal(decidePolicy(input({ launch: "auto_on_task", openTasks: 2, pendingTasks: 0 }), now).action, "none", "tasks already delivered do not start it");
    assert.equal(decidePolicy(input({ launch: "auto_on_task", pendingTasks: 1, autoStartSuppressed: true }), now).action, "none", "an administrator stopped it");
  });

  it("REQ-HUB-002 HUB-POLICY: always_on starts a stopped agent and is never stopped by a shutdown policy", () => {
    const now = new FakeClock().now();
    assert.equal(decidePolicy(input({ launch: "always_on" }), now).action, "start");
    assert.equal(decidePolicy(input({ launch: "always_on", shutdown: "on_inbox_empty", container: "running", startedByHub: true, inboxEmptySince: now - 3600_000 }), now).action, "none");
  });

  it("REQ-HUB-002 HUB-POLICY: a failed start is not retried within the back-off", async () => {
    const clock = new FakeClock();
    const attempt = clock.now();
    await clock.advance(30_000);
    assert.equal(decidePolicy(input({ launch: "auto_on_task", pendingTasks: 1, lastStartAttemptAt: attempt }), clock.now()).action, "none");
    await clock.advance(30_000);
    assert.equal(decidePolicy(input({ launch: "auto_on_task", pendingTasks: 1, lastStartAttemptAt: attempt }), clock.now()).action, "start");
  });

  it("REQ-HUB-002 HUB-POLICY: on_inbox_empty stops after the inbox empties and no run is going (after a short grace)", async () => {
    const clock = new FakeClock();
    const base = { launch: "auto_on_task", shutdown: "on_inbox_empty", container: "running", startedByHub: true } as const;
    assert.equal(decidePolicy(input({ ...base, openTasks: 1 }), clock.now()).action, "none", "tasks open");
    const emptied = clock.now();
    assert.equal(decidePolicy(input({ ...base, inboxEmptySince: emptied }), clock.now()).action, "none", "just emptied");
    await clock.advance(5000);
    assert.equal(decidePolicy(input({ ...base, inboxEmptySince: emptied, runActive: true }), clock.now()).action, "none", "a run is going");
    const d = decidePolicy(input({ ...base, inboxEmptySince: emptied }), clock.now());
    assert.equal(d.action, "stop");
    assert.match(d.reason, /on_inbox_empty/);
  });

  it("REQ-HUB-002 HUB-POLICY: idle_timeout stops after idle_minutes without a delivery", async () => {
    const clock = new FakeClock();
    const base = { shutdown: "idle_timeout", idle_minutes: 10, container: "running", startedByHub: true, openTasks: 1 } as const;
    const lastActivityAt = clock.now();
    await clock.advance(9 * 60_000 + 59_000);
    assert.equal(decidePolicy(input({ ...base, lastActivityAt }), clock.now()).action, "none");
    await clock.advance(1000);
    assert.equal(decidePolicy(input({ ...base, lastActivityAt, runActive: true }), clock.now()).action, "none", "not while a run is going");
    assert.equal(decidePolicy(input({ ...base, lastActivityAt }), clock.now()).action, "stop");
  });

  it("REQ-HUB-002 HUB-POLICY: never stops a container the hub did not start", () => {
    const now = new FakeClock().now();
    for (const shutdown of ["on_inbox_empty", "idle_timeout", "manual"] as const) {
      const d = decidePolicy(input({ shutdown, container: "running", startedByHub: false, inboxEmptySince: now - 3600_000, lastActivityAt: now - 24 * 3600_000 }), now);
      assert.equal(d.action, "none", shutdown);
    }
    assert.equal(decidePolicy(input({ shutdown: "manual", container: "running", startedByHub: true, inboxEmptySince: 0 }), now).action, "none", "shutdown manual");
  });

  it("REQ-HUB-002 HUB-POLICY: nothing is decided while a container is starting, stopping or unknown", () => {
    for (const container of ["starting", "stopping", "unknown"] as const) {
      assert.equal(decidePolicy(input({ launch: "always_on", container }), 0).action, "none");
    }
  });
});
