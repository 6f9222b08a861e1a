import { agentRunDir } from "../src/hub/runners.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  containerClaudeCommand,
  CountingRunner,
  detectIdlePrompt,
  HeadlessRunner,
  hostClaudeCommand,
  InteractiveRunner,
  parseStreamJsonLine,
  summarizeStream,
} from "../src/hub/delivery.js";
import { renderNotification } from "../src/hub/notification.js";
import type { DeliveryRequest } from "../src/hub/queue.js";
import type { InboxTask } from "../src/hub/watcher.js";
import { FakeClock } from "./hub-fake-clock.js";

const TASK: InboxTask = { id: "task-SOP-001-review-v0-1", user: "qa", file: "/x", mtimeMs: 1, doc_id: "SOP-001", workflow_type: "REVIEW", task_type: "REVIEW", assigned_by: "claude", version: "0.1" };

function request(over: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const tasks = over.tasks ?? [TASK];
  return {
    agent: "qa",
    tasks,
    openCount: tasks.length,
    nudge: false,
    notification: renderNotification({ agent: "qa", arrived: tasks, openCount: tasks.length }),
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    ...over,
  };
}

// Lines as Claude Code 2.x prints them with -p --verbose --output-format stream-json (shortened).
const STREAM = [
  '{"type":"system","subtype":"init","cwd":"/workspace","session_id":"5f0c-aaaa","tools":["Read","mcp__qms__qms_inbox","mcp__qms__qms_review"],"mcp_servers":[{"name":"qms","status":"connected"}],"model":"claude-sonnet-4-5"}',
  '{"type":"assistant","message":{"id":"msg_1","role":"assistant","content":[{"type":"text","text":"Let me check my inbox."},{"type":"tool_use","id":"toolu_1","name":"mcp__qms__qms_inbox","input":{}}]},"session_id":"5f0c-aaaa"}',
  '{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"Inbox for qa: 1 task"}]},"session_id":"5f0c-aaaa"}',
  '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_2","name":"mcp__qms__qms_read","input":{"doc_id":"SOP-001","draft":true}}]},"session_id":"5f0c-aaaa"}',
  '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_3","name":"mcp__qms__qms_review","input":{"doc_id":"SOP-001","outcome":"recommend","comment":"ok"}}]},"session_id":"5f0c-aaaa"}',
  '{"type":"result","subtype":"success","is_error":false,"duration_ms":8123,"num_turns":4,"result":"Reviewed SOP-001: recommended.","session_id":"5f0c-aaaa","total_cost_usd":0.0123}',
];

// ---- captured tmux panes of Claude Code ----
const RULE = "─".repeat(78);
const IDLE_NEW = `╭───────────────────────────────────────────────────╮
│ ✻ Welcome to Claude Code!                         │
│                                                   │
│   cwd: /workspace                                 │
╰───────────────────────────────────────────────────╯

> Task notification: 1 new task arrived for qa: SOP-001 v0.1: review, sent by claude.

● qms - qms_review (MCP)(doc_id: "SOP-001", outcome: "recommend")
  ⎿  Review submitted: SOP-001 (RECOMMEND)

● Done: SOP-001 reviewed and recommended.

${RULE}
❯ 
${RULE}
  ? for shortcuts                                               ◯ IDE disconnected
`;
const IDLE_BOXED = `● Ready.

╭──────────────────────────────────────────────────────────────────────────────╮
│ >                                                                            │
╰──────────────────────────────────────────────────────────────────────────────╯
  ? for shortcuts
`;
const IDLE_PLACEHOLDER = `╭──────────────────────────────────────────────────────────────────────────────╮
│ > Try "how does <filepath> work?"                                            │
╰──────────────────────────────────────────────────────────────────────────────╯
  ? for shortcuts
`;
const BUSY = `> Task notification: 1 new task arrived for qa

● I'll look at the inbox first.

✻ Pondering… (12s · ↓ 340 tokens · esc to interrupt)

${RULE}
❯ 
${RULE}
  ⏵⏵ accept edits on (shift+tab to cycle)
`;
const BUSY_TOOL = `● qms - qms_read (MCP)(doc_id: "SOP-001")
  ⎿  Running…

✳ Reading… (3s · esc to interrupt)
`;
const PERMISSION = `╭──────────────────────────────────────────────────────────────────────────────╮
│ Tool use                                                                     │
│                                                                              │
│   qms - qms_review(doc_id: "SOP-001", outcome: "recommend") (MCP)            │
│                                                                              │
│ Do you want to proceed?                                                      │
│ ❯ 1. Yes                                                                     │
│   2. Yes, and don't ask again for qms - qms_review commands                  │
│   3. No, and tell Claude what to do differently (esc)                        │
╰──────────────────────────────────────────────────────────────────────────────╯
`;
const TRUST = ` Do you trust the files in this folder?

 /workspace

 ❯ 1. Yes, proceed
   2. No, exit

 Enter to confirm · Esc to exit
`;
const TYPING = `● Done.

${RULE}
❯ please also check SOP-002 when yo
${RULE}
  ? for shortcuts
`;
const SHELL = `agent@qms-agent-qa:/workspace$ claude
`;

describe("delivery runners (agents-and-hub §3 Deliver)", () => {
  it("REQ-HUB-002 HUB-DELIVERY stream-json: tool_use names, session id and result are read from the lines; other lines are ignored", () => {
    const events = [...STREAM, "not json", "", '{"no_type":1}', "{broken"].map(parseStreamJsonLine).filter((e) => e !== undefined);
    assert.equal(events.length, STREAM.length);
    const s = summarizeStream(events);
    assert.deepEqual(s.tools, ["mcp__qms__qms_inbox", "mcp__qms__qms_read", "mcp__qms__qms_review"]);
    assert.equal(s.sessionId, "5f0c-aaaa");
    assert.equal(s.resultSubtype, "success");
    assert.equal(s.isError, false);
    assert.equal(s.numTurns, 4);
    assert.equal(s.costUsd, 0.0123);
    assert.equal(s.resultText, "Reviewed SOP-001: recommended.");
  });

  it("REQ-HUB-002 HUB-DELIVERY tmux idle detection: only Claude Code's empty input prompt with nothing running is idle", () => {
    const cases: Array<[string, string, string]> = [
      ["idle prompt between rules", IDLE_NEW, "idle"],
      ["idle boxed prompt (1.x)", IDLE_BOXED, "idle"],
      ["idle with the grey suggestion", IDLE_PLACEHOLDER, "idle"],
      ["mid-answer spinner with the prompt still drawn", BUSY, "busy"],
      ["tool running", BUSY_TOOL, "busy"],
      ["permission dialog", PERMISSION, "waiting_for_input"],
      ["trust dialog at start", TRUST, "waiting_for_input"],
      ["a person is typing", TYPING, "typing"],
      ["Claude Code not started", SHELL, "not_ready"],
      ["empty pane", "", "not_ready"],
    ];
    for (const [name, pane, want] of cases) {
      const s = detectIdlePrompt(pane);
      assert.equal(s.state, want, `${name}: ${s.detail}`);
      assert.equal(s.idle, want === "idle", name);
    }
  });

  it("REQ-HUB-002 HUB-DELIVERY interactive: types only once the pane is idle, retrying while busy; one line, then Enter", async () => {
    const clock = new FakeClock();
    const panes = [BUSY, BUSY_TOOL, IDLE_NEW];
    const calls: string[][] = [];
    const runner = new InteractiveRunner({
      clock,
      pollMs: 2000,
      exec: async (argv) => {
        calls.push(argv);
        if (argv[1] === "capture-pane") return { code: 0, stdout: panes.shift() ?? IDLE_NEW };
        return { code: 0, stdout: "" };
      },
    });
    const done = runner.deliver(request({ notification: "Task notification: line one\nline two" }));
    await clock.advance(10_000);
    const outcome = await done;
    assert.equal(outcome.delivered, true);
    const kinds = calls.map((c) => c[1]);
    assert.deepEqual(kinds, ["capture-pane", "capture-pane", "capture-pane", "send-keys", "send-keys"]);
    assert.deepEqual(calls[3], ["tmux", "send-keys", "-t", "agent", "-l", "Task notification: line one line two"]);
    assert.deepEqual(calls[4], ["tmux", "send-keys", "-t", "agent", "Enter"]);
  });

  it("REQ-HUB-002 HUB-DELIVERY interactive: a pane that never becomes idle is not typed into; the outcome says what it showed", async () => {
    const clock = new FakeClock();
    const calls: string[][] = [];
    const runner = new InteractiveRunner({
      clock,
      pollMs: 2000,
      maxWaitMs: 10_000,
      exec: async (argv) => {
        calls.push(argv);
        return { code: 0, stdout: PERMISSION };
      },
    });
    const done = runner.deliver(request());
    await clock.advance(30_000);
    const outcome = await done;
    assert.equal(outcome.delivered, false);
    assert.equal(outcome.agentState, "waiting_for_input");
    assert.ok(calls.every((c) => c[1] === "capture-pane"), "never typed");
    assert.ok(calls.length >= 4);
  });

  it("REQ-HUB-002 HUB-DELIVERY headless command: docker exec qms-agent-NAME with an in-container time limit, claude -p, --continue, stream-json", () => {
    const build = containerClaudeCommand({ engineCli: "podman", container: "qms-agent-qa" });
    const spec = build({ notification: "Task notification: x", continueConversation: true, timeoutMs: 900_000 });
    assert.equal(spec.cmd, "podman");
    assert.deepEqual(spec.args, ["exec", "qms-agent-qa", "timeout", "-k", "10", "900", "claude", "-p", "Task notification: x", "--continue", "--verbose", "--output-format", "stream-json"]);
    const first = build({ notification: "n", continueConversation: false, timeoutMs: 1000 });
    assert.ok(!first.args.includes("--continue"));
    const host = hostClaudeCommand({ claudeBin: "/opt/claude", configDir: "/cfg/qa", cwd: "/proj", env: { PATH: "/bin" }, allowedTools: ["mcp__qms__*"] })({ notification: "n", continueConversation: false, timeoutMs: 1 });
    assert.equal(host.cmd, "/opt/claude");
    assert.deepEqual(host.env, { PATH: "/bin", CLAUDE_CONFIG_DIR: "/cfg/qa" });
    assert.equal(host.cwd, "/proj");
    assert.deepEqual(host.args.slice(-2), ["--allowedTools", "mcp__qms__*"]);
  });
});

/** A stand-in for `claude`: prints the stream-json of a short run, records argv/env/cwd, obeys FAKE_MODE. */
const FAKE_CLAUDE = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const log = process.env.FAKE_LOG;
fs.appendFileSync(log, JSON.stringify({ argv: process.argv.slice(2), cfg: process.env.CLAUDE_CONFIG_DIR, cwd: process.cwd(), pid: process.pid }) + "\\n");
const mode = process.env.FAKE_MODE || "ok";
const out = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
if (mode === "hang") {
  // like claude with its MCP servers: a child process of its own
  const child = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  fs.appendFileSync(log, JSON.stringify({ grandchild: child.pid }) + "\\n");
  out({ type: "system", subtype: "init", session_id: "s-hang" });
  setInterval(() => {}, 1000);
  return;
}
if (mode === "no-conversation" && process.argv.includes("--continue")) { process.stderr.write("No conversation found to continue\\n"); process.exit(1); }
if (mode === "fail") { process.stderr.write("Invalid API key\\n"); out({ type: "result", subtype: "error_during_execution", is_error: true, result: "Invalid API key" }); process.exit(1); }
out({ type: "system", subtype: "init", session_id: "s-1", tools: ["mcp__qms__qms_inbox"] });
out({ type: "assistant", message: { content: [{ type: "tool_use", id: "t1", name: "mcp__qms__qms_inbox", input: {} }] } });
process.stdout.write("a stray log line\\n");
out({ type: "assistant", message: { content: [{ type: "tool_use", id: "t2", name: "mcp__qms__qms_review", input: { doc_id: "SOP-001" } }] } });
process.stdout.write(JSON.stringify({ type: "result", subtype: "success", is_error: false, num_turns: 3, result: "done", session_id: "s-1" }));
`;

function fakeClaude(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, "claude");
  fs.writeFileSync(bin, FAKE_CLAUDE, { mode: 0o755 });
  const logFile = path.join(dir, "calls.jsonl");
  const runDir = agentRunDir(path.join(dir, "project"), "qa");
  const cwd = path.join(dir, "project");
  fs.mkdirSync(cwd, { recursive: true });
  const runner = (mode: string): HeadlessRunner =>
    new HeadlessRunner({ agent: "qa", mode: "host", runDir, killGraceMs: 500, command: hostClaudeCommand({ claudeBin: bin, configDir: path.join(dir, "cfg-qa"), cwd, env: { ...process.env, FAKE_LOG: logFile, FAKE_MODE: mode } }) });
  const calls = (): Array<{ argv: string[]; cfg: string; cwd: string; pid: number }> =>
    // only whole lines: the fake may be halfway through appending one while the test polls
    fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l)) : [];
  const transcript = (): Array<Record<string, unknown>> => fs.readFileSync(path.join(runDir, "transcript.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  return { dir, runner, calls, transcript, cwd };
}

describe("headless runner with a fake claude (agents-and-hub §3 Deliver: headless / HOST MODE)", () => {
  it("REQ-HUB-002 HUB-DELIVERY headless: records tools called, exit code and duration; appends the transcript; the next run continues the conversation", async (t) => {
    const f = fakeClaude(t);
    const r = f.runner("ok");
    const outcome = await r.deliver(request());
    assert.equal(outcome.delivered, true);
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.toolsCalled, ["mcp__qms__qms_inbox", "mcp__qms__qms_review"]);
    assert.ok(outcome.durationMs >= 0 && outcome.durationMs < 30_000);
    const [call] = f.calls();
    assert.equal(call!.cfg, path.join(f.dir, "cfg-qa"), "its own CLAUDE_CONFIG_DIR");
    assert.equal(fs.realpathSync(call!.cwd), fs.realpathSync(f.cwd));
    assert.deepEqual(call!.argv.slice(0, 2), ["-p", request().notification]);
    assert.ok(!call!.argv.includes("--continue"), "no conversation to continue on the first run");
    assert.ok(call!.argv.includes("--verbose") && call!.argv.includes("stream-json"));
    const lines = f.transcript();
    assert.equal(lines[0]!.type, "qms_delivery_start");
    assert.equal(lines[0]!.notification, request().notification);
    assert.deepEqual(lines.map((l) => l.type), ["qms_delivery_start", "system", "assistant", "qms_raw", "assistant", "result", "qms_delivery_end"]);
    assert.equal((lines.at(-1)!.outcome as { exitCode: number }).exitCode, 0);

    await r.deliver(request());
    assert.ok(f.calls()[1]!.argv.includes("--continue"), "later runs continue the agent's one conversation");
    assert.equal(f.transcript().filter((l) => l.type === "qms_delivery_start").length, 2, "appended, not overwritten");
  });

  it("REQ-HUB-002 HUB-DELIVERY headless: a run past its time limit is killed (with what it started) and recorded as timed out", async (t) => {
    const f = fakeClaude(t);
    const controller = new AbortController();
    const started = Date.now();
    const done = f.runner("hang").deliver(request({ signal: controller.signal }));
    for (let i = 0; i < 100 && f.calls().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(f.calls().length, 2, "the fake claude started its child");
    controller.abort();
    const outcome = await done;
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.delivered, true, "it had the notification; not re-sent in a loop");
    assert.ok(Date.now() - started < 5000);
    const pid = f.calls()[0]!.pid;
    const grandchild = (f.calls()[1] as unknown as { grandchild: number }).grandchild;
    assert.throws(() => process.kill(pid, 0), "the fake claude is gone");
    const gone = async (p: number): Promise<boolean> => {
      for (let i = 0; i < 40; i++) {
        try {
          process.kill(p, 0);
        } catch {
          return true;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    assert.ok(await gone(grandchild), "and so is the process it started");
    assert.equal((f.transcript().at(-1)!.outcome as { timedOut: boolean }).timedOut, true);
  });

  it("REQ-HUB-002 HUB-DELIVERY headless: a failing run is not delivered and says why; a lost conversation is started afresh", async (t) => {
    const f = fakeClaude(t);
    const failed = await f.runner("fail").deliver(request());
    assert.equal(failed.delivered, false);
    assert.equal(failed.exitCode, 1);
    assert.equal(failed.error, "Invalid API key");

    await f.runner("ok").deliver(request()); // a conversation now exists
    const again = await f.runner("no-conversation").deliver(request());
    assert.equal(again.delivered, true);
    const argvs = f.calls().map((c) => c.argv.includes("--continue"));
    assert.deepEqual(argvs.slice(-2), [true, false], "tried --continue, then a fresh run");
  });

  it("REQ-HUB-002 HUB-DELIVERY none: counted, not sent", async () => {
    const r = new CountingRunner();
    const o = await r.deliver();
    await r.deliver();
    assert.equal(r.count, 2);
    assert.equal(o.delivered, true);
    assert.match(o.agentState ?? "", /delivery: none/);
  });

  it("REQ-HUB-002 HUB-NOTIFY: the notification starts with `Task notification:`, names document, step and sender, the open count and qms_inbox", () => {
    const owner: InboxTask = { id: "task-SOP-001-owner_route_approval-v0-1", user: "claude", file: "/x", mtimeMs: 1, doc_id: "SOP-001", task_type: "OWNER", workflow_type: "ROUTE_APPROVAL", step: "route_approval", assigned_by: "qa", version: "0.1" };
    const text = renderNotification({ agent: "claude", arrived: [owner], openCount: 3 });
    assert.equal(text, "Task notification: 1 new task arrived for claude: SOP-001 v0.1: owner step route approval, caused by qa. You have 3 open tasks; call the qms_inbox tool to list them, then work through them.");
    assert.match(renderNotification({ agent: "qa", arrived: [TASK], openCount: 1 }), /^Task notification: 1 new task arrived for qa: SOP-001 v0\.1: review, sent by claude\. You have 1 open task;/);
  });
});

describe("runner factory (agents-and-hub §3 Deliver: one runner per delivery mode)", () => {
  it("REQ-HUB-002 HUB-DELIVERY factory: headless in a container or on the host, interactive, channel, none", async () => {
    const { createRunnerFactory } = await import("../src/hub/runners.js");
    const { DEFAULT_AGENT_SETTINGS } = await import("../src/hub/config.js");
    const container = createRunnerFactory({ projectRoot: "/p", engineCli: "podman" });
    const host = createRunnerFactory({ projectRoot: "/p" });
    const mode = (f: typeof host, delivery: (typeof DEFAULT_AGENT_SETTINGS)["delivery"]): string => f("qa", { ...DEFAULT_AGENT_SETTINGS, delivery }).mode;
    assert.equal(mode(container, "headless"), "headless");
    assert.equal(mode(host, "headless"), "host");
    assert.equal(mode(container, "interactive"), "interactive");
    assert.equal(mode(container, "channel"), "channel");
    assert.equal(mode(container, "none"), "none");
    const headless = container("qa", DEFAULT_AGENT_SETTINGS) as HeadlessRunner;
    assert.equal(headless.transcriptFile, path.join(agentRunDir("/p", "qa"), "transcript.jsonl"));
    const unconnected = await createRunnerFactory({ projectRoot: "/p" })("qa", { ...DEFAULT_AGENT_SETTINGS, delivery: "channel" }).deliver(request());
    assert.equal(unconnected.delivered, false);
  });
});
