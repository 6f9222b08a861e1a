import { agentRunDir } from "../src/hub/runners.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseHubConfig } from "../src/hub/config.js";
import { CountingRunner, type DeliveryRunner } from "../src/hub/delivery.js";
import { type ContainerControl, Hub, hostModeControl } from "../src/hub/hub.js";
import type { DeliveryOutcome, DeliveryRequest } from "../src/hub/queue.js";
import { createRunnerFactory } from "../src/hub/runners.js";
import { FakeClock, memoryLogger } from "./hub-fake-clock.js";

function setup(t: { after(fn: () => void): void }, agents: Record<string, unknown>, externallyRunning: string[] = []) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const inbox = (user: string): string => {
    const d = path.join(root, ".claude", "users", user, "inbox");
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const writeTask = (user: string, id: string, fields: Record<string, string>): void => {
    fs.writeFileSync(path.join(inbox(user), `${id}.md`), `---\ntask_id: ${id}\n${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("\n")}\n---\n\nbody\n`);
  };
  const removeTask = (user: string, id: string): void => fs.rmSync(path.join(inbox(user), `${id}.md`), { force: true });
  for (const u of ["claude", "qa", "lead"]) inbox(u);

  const clock = new FakeClock();
  const log = memoryLogger();
  const running = new Set(externallyRunning);
  const controlCalls: string[] = [];
  const control: ContainerControl = {
    isRunning: async (a) => running.has(a),
    start: async (a) => {
      controlCalls.push(`start ${a}`);
      running.add(a);
    },
    stop: async (a) => {
      controlCalls.push(`stop ${a}`);
      running.delete(a);
    },
  };
  const config = parseHubConfig({ owner_tasks: true, agents });
  if (!config.ok) throw new Error(config.errors.join("; "));
  const deliveries: DeliveryRequest[] = [];
  /** What each agent's scripted "Claude Code" does when a notification arrives. */
  const scripts: Record<string, (req: DeliveryRequest) => void> = {};
  const runnerFor = (agent: string): DeliveryRunner =>
    agent === "bu"
      ? new CountingRunner()
      : {
          mode: "headless",
          deliver: (req): Promise<DeliveryOutcome> =>
            new Promise((resolve) => {
              deliveries.push(req);
              clock.setTimeout(() => {
                scripts[agent]?.(req);
                resolve({ delivered: true, exitCode: 0, durationMs: 20_000, toolsCalled: ["mcp__qms__qms_inbox"] });
              }, 20_000);
            }),
        };
  const hub = new Hub({
    projectRoot: root,
    roster: () => ["claude", "qa", "bu"],
    config: () => config.config,
    control,
    runnerFor,
    clock,
    logger: log,
    tickMs: 5000,
    watcher: { useFsWatch: false, rescanMs: 1000 },
  });
  t.after(() => void hub.stop());
  return { root, hub, clock, log, running, controlCalls, deliveries, scripts, writeTask, removeTask };
}

describe("the hub (agents-and-hub §3, §4 flow with fakes)", () => {
  it("REQ-HUB-002 HUB: a task starts a stopped auto_on_task agent and is delivered; the owner task wakes the owner; the agent the hub started stops when its inbox empties", async (t) => {
    const s = setup(t, { qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" } }, ["claude"]);
    // qa's Claude Code reviews (its task goes) and the engine writes the owner task for claude
    s.scripts.qa = () => {
      s.removeTask("qa", "task-SOP-001-review-v0-1");
      s.writeTask("claude", "task-SOP-001-owner_route_approval-v0-1", { task_type: "OWNER", workflow_type: "ROUTE_APPROVAL", step: "route_approval", doc_id: "SOP-001", assigned_by: "qa", version: "0.1" });
    };
    s.scripts.claude = () => s.removeTask("claude", "task-SOP-001-owner_route_approval-v0-1");
    await s.hub.start();
    assert.deepEqual(s.controlCalls, []);
    assert.equal(s.hub.snapshot().agents.find((a) => a.name === "qa")?.container, "stopped");

    s.writeTask("qa", "task-SOP-001-review-v0-1", { task_type: "REVIEW", workflow_type: "REVIEW", doc_id: "SOP-001", assigned_by: "claude", version: "0.1" });
    await s.clock.advance(1000); // rescan finds it
    assert.deepEqual(s.controlCalls, ["start qa"]);
    assert.equal(s.deliveries.length, 1);
    assert.equal(s.deliveries[0]!.agent, "qa");
    assert.match(s.deliveries[0]!.notification, /^Task notification: 1 new task arrived for qa: SOP-001 v0\.1: review, sent by claude\./);
    const qaWorking = s.hub.snapshot().agents.find((a) => a.name === "qa")!;
    assert.equal(qaWorking.activity, "working on SOP-001 review");
    assert.equal(qaWorking.started_by_hub, true);

    await s.clock.advance(21_000); // qa's run ends; rescan sees the owner task for claude
    assert.equal(s.deliveries.length, 2);
    assert.equal(s.deliveries[1]!.agent, "claude");
    assert.match(s.deliveries[1]!.notification, /SOP-001 v0\.1: owner step route approval, caused by qa/);

    await s.clock.advance(10_000); // inbox empty past the grace, next tick
    assert.deepEqual(s.controlCalls, ["start qa", "stop qa"]);
    await s.clock.advance(30_000);
    assert.deepEqual(s.controlCalls, ["start qa", "stop qa"], "claude was not started by the hub: never stopped");

    const snap = s.hub.snapshot();
    const qa = snap.agents.find((a) => a.name === "qa")!;
    const claude = snap.agents.find((a) => a.name === "claude")!;
    assert.equal(snap.owner_tasks, true);
    assert.equal(qa.container, "stopped");
    assert.equal(qa.inbox, 0);
    assert.equal(qa.last_delivery?.delivered, true);
    assert.deepEqual(qa.last_delivery?.tasks, ["task-SOP-001-review-v0-1"]);
    assert.deepEqual(qa.last_delivery?.tools, ["mcp__qms__qms_inbox"]);
    assert.equal(claude.container, "running");
    assert.equal(claude.started_by_hub, false);
    assert.equal(claude.activity, "idle");
    assert.equal(claude.deliveries_last_hour, 1);
    const events = s.log.events.map((e) => e.event);
    for (const e of ["hub_started", "hub_agent_start", "hub_delivery_start", "hub_delivery_end", "hub_agent_stop"]) assert.ok(events.includes(e), e);
    assert.match(String(s.log.events.find((e) => e.event === "hub_agent_start")?.reason), /auto_on_task/);
    assert.match(String(s.log.events.find((e) => e.event === "hub_agent_stop")?.reason), /on_inbox_empty/);
    assert.ok(!snap.agents.some((a) => a.name === "lead"), "the human is not an agent");
  });

  it("REQ-HUB-002 HUB: a manual agent that is not running gets nothing delivered; its tasks are counted", async (t) => {
    const s = setup(t, {});
    await s.hub.start();
    s.writeTask("qa", "task-SOP-001-review-v0-1", { doc_id: "SOP-001", workflow_type: "REVIEW" });
    await s.clock.advance(60_000);
    assert.equal(s.deliveries.length, 0);
    assert.deepEqual(s.controlCalls, []);
    const qa = s.hub.snapshot().agents.find((a) => a.name === "qa")!;
    assert.equal(qa.inbox, 1);
    assert.equal(qa.pending, 1);
    assert.equal(qa.activity, "stopped");
  });

  it("REQ-HUB-002 HUB: delivery none counts tasks without a container", async (t) => {
    const s = setup(t, { bu: { delivery: "none" } });
    await s.hub.start();
    s.writeTask("bu", "task-SOP-001-review-v0-1", { doc_id: "SOP-001", workflow_type: "REVIEW" });
    await s.clock.advance(2000);
    const bu = s.hub.snapshot().agents.find((a) => a.name === "bu")!;
    assert.equal(bu.inbox, 1);
    assert.equal(bu.deliveries_last_hour, 1);
    assert.equal(bu.last_delivery?.agent_state, "not delivered (delivery: none)");
    assert.deepEqual(s.controlCalls, []);
  });

  it("REQ-HUB-002 HUB: administrator actions: start, stop only what the hub started, nudge, unknown agents", async (t) => {
    const s = setup(t, {}, ["claude"]);
    await s.hub.start();
    assert.equal((await s.hub.startAgent("nobody")).status, 404);
    const refused = await s.hub.stopAgent("claude");
    assert.equal(refused.status, 409);
    assert.match(refused.message, /not started by the hub/);
    assert.deepEqual(s.controlCalls, []);
    assert.deepEqual(await s.hub.startAgent("qa"), { ok: true, status: 200, message: "qa started" });
    assert.equal((await s.hub.startAgent("qa")).message, "qa is already running");
    assert.equal(s.hub.nudge("qa").status, 409, "nothing open");
    s.writeTask("qa", "task-SOP-001-review-v0-1", { doc_id: "SOP-001", workflow_type: "REVIEW" });
    await s.clock.advance(1000);
    assert.equal(s.deliveries.length, 1);
    await s.clock.advance(30_000);
    assert.equal(s.deliveries.length, 1, "left open: not delivered again");
    assert.equal(s.hub.nudge("qa").status, 200);
    await s.clock.advance(1000);
    assert.equal(s.deliveries.length, 2);
    assert.equal(s.deliveries[1]!.nudge, true);
    await s.clock.advance(30_000);
    assert.deepEqual(await s.hub.stopAgent("qa"), { ok: true, status: 200, message: "qa stopped" });
    assert.deepEqual(s.controlCalls, ["start qa", "stop qa"]);
  });

  it("REQ-HUB-002 HUB: an auto_on_task agent an administrator stopped is not started again until a new task arrives", async (t) => {
    const s = setup(t, { qa: { launch: "auto_on_task" } });
    await s.hub.start();
    s.writeTask("qa", "task-SOP-001-review-v0-1", { doc_id: "SOP-001", workflow_type: "REVIEW" });
    await s.clock.advance(1000);
    assert.deepEqual(s.controlCalls, ["start qa"]);
    await s.clock.advance(30_000);
    s.writeTask("qa", "task-SOP-002-review-v0-1", { doc_id: "SOP-002", workflow_type: "REVIEW" });
    await s.clock.advance(1000); // SOP-002 is delivered...
    await s.hub.stopAgent("qa"); // ...and the administrator stops qa mid-way
    await s.clock.advance(120_000);
    assert.deepEqual(s.controlCalls, ["start qa", "stop qa"]);
    s.writeTask("qa", "task-SOP-003-review-v0-1", { doc_id: "SOP-003", workflow_type: "REVIEW" });
    await s.clock.advance(1000);
    assert.deepEqual(s.controlCalls, ["start qa", "stop qa", "start qa"]);
  });
});

describe("the hub in HOST MODE with a fake claude (agents-and-hub §4, without podman)", () => {
  it("REQ-HUB-002 HUB HOST MODE: a task written to an inbox is delivered by running the agent's claude on the host, transcript in the agent's run folder (outside the project)", async (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const inbox = path.join(root, ".claude", "users", "qa", "inbox");
    fs.mkdirSync(inbox, { recursive: true });
    const bin = path.join(root, "fake-claude");
    // the stand-in reviews: it removes its task, as qms_review would, and reports the tool call
    fs.writeFileSync(
      bin,
      `#!/usr/bin/env node
const fs = require("node:fs"), path = require("node:path");
for (const f of fs.readdirSync(process.env.INBOX)) fs.rmSync(path.join(process.env.INBOX, f));
process.stdout.write(JSON.stringify({ type: "assistant", message: { content: [{ type: "tool_use", name: "mcp__qms__qms_review", input: {} }] } }) + "\\n");
process.stdout.write(JSON.stringify({ type: "result", subtype: "success", is_error: false, session_id: "s", cfg: process.env.CLAUDE_CONFIG_DIR }) + "\\n");
`,
      { mode: 0o755 },
    );
    const log = memoryLogger();
    const config = parseHubConfig({ agents: { qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" } } });
    assert.ok(config.ok);
    const hub = new Hub({
      projectRoot: root,
      roster: () => ["qa"],
      config: () => config.config,
      control: hostModeControl,
      runnerFor: createRunnerFactory({ projectRoot: root, claudeBin: bin, hostEnv: () => ({ ...process.env, INBOX: inbox }) }),
      logger: log,
      tickMs: 200,
      watcher: { rescanMs: 500, debounceMs: 50 },
    });
    await hub.start();
    t.after(() => hub.stop());
    fs.writeFileSync(path.join(inbox, "task-SOP-001-review-v0-1.md"), "---\ndoc_id: SOP-001\nworkflow_type: REVIEW\nassigned_by: claude\nversion: 0.1\n---\n");
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !hub.snapshot().agents[0]?.last_delivery) await new Promise((r) => setTimeout(r, 50));
    const qa = hub.snapshot().agents[0]!;
    assert.equal(qa.last_delivery?.delivered, true, JSON.stringify(qa));
    assert.deepEqual(qa.last_delivery?.tools, ["mcp__qms__qms_review"]);
    assert.equal(qa.container, "running");
    const transcript = fs.readFileSync(path.join(agentRunDir(root, "qa"), "transcript.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(transcript[0]!.type, "qms_delivery_start");
    assert.match(String(transcript[0]!.notification), /^Task notification: 1 new task arrived for qa: SOP-001/);
    assert.equal(transcript.find((l) => l.type === "result")?.cfg, path.join(agentRunDir(root, "qa"), "claude-config"));
    assert.ok(!log.events.some((e) => e.event === "hub_agent_stop"), "HOST MODE never stops anything it did not start");
  });
});
