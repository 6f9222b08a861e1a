import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { createHubHook } from "../src/hub/server-hook.js";
import { Project } from "../src/store/project.js";
import { TokenStore } from "../src/store/tokens.js";

function memoryLogger() {
  const events: Array<Record<string, unknown> & { event: string }> = [];
  return { events, log: (event: string, fields: Record<string, unknown> = {}) => events.push({ event, ...fields }) };
}

async function until(what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A project with agent qa (auto_on_task) and a fake claude that logs each run's notification and takes a moment. */
function setup(t: { after: (fn: () => void | Promise<void>) => void }) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, "project");
  fs.mkdirSync(path.join(root, "QMS"), { recursive: true });
  fs.mkdirSync(path.join(root, ".claude", "agents"), { recursive: true });
  fs.writeFileSync(path.join(root, ".claude", "agents", "qa.md"), "---\nname: qa\ngroup: quality\n---\n\n# qa\n");
  const inbox = path.join(root, ".claude", "users", "qa", "inbox");
  fs.mkdirSync(inbox, { recursive: true });
  fs.writeFileSync(path.join(root, "qms.config.json"), JSON.stringify({ owner_tasks: true, agents: { qa: { launch: "auto_on_task" } } }));
  const runs = path.join(base, "runs.jsonl");
  const bin = path.join(base, "fake-claude");
  fs.writeFileSync(
    bin,
    `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(runs)}, JSON.stringify({ notification: args[args.indexOf("-p") + 1], mcp: args[args.indexOf("--mcp-config") + 1], cfg: process.env.CLAUDE_CONFIG_DIR, token: process.env.QMS_TOKEN ?? null }) + "\\n");
setTimeout(() => { process.stdout.write(JSON.stringify({ type: "result", subtype: "success", is_error: false, session_id: "s" }) + "\\n"); }, 300);
`,
    { mode: 0o755 },
  );
  const log = memoryLogger();
  const store = new TokenStore(path.join(base, "tokens.json"));
  const hook = createHubHook({
    project: new Project(root),
    log,
    store,
    mode: "host",
    claudeBin: bin,
    env: { ...process.env, QMS_STATE_DIR: path.join(base, "state"), QMS_TOKEN: "must-not-leak" },
    timing: { tickMs: 200, watcher: { rescanMs: 400, debounceMs: 50 } },
  });
  t.after(() => hook.stop());
  const readRuns = (): Array<{ notification: string; mcp: string; cfg: string; token: string | null }> =>
    fs.existsSync(runs) ? fs.readFileSync(runs, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
  const task = (id: string): void => fs.writeFileSync(path.join(inbox, `${id}.md`), `---\ndoc_id: ${id.replace(/^task-(.+)-review-v.*$/, "$1")}\nworkflow_type: REVIEW\nassigned_by: claude\nversion: 0.1\n---\n`);
  return { root, base, inbox, hook, log, store, readRuns, task };
}

describe("the server's hub (src/hub/server-hook.ts) in HOST MODE with a fake claude", () => {
  it("REQ-HUB-002: a task for a running agent is delivered once although its file fires several events; the agent runs with its own config dir, token and MCP config, not the server's token", async (t) => {
    const s = setup(t);
    await s.hook.start("http://127.0.0.1:9/mcp");
    s.task("task-SOP-001-review-v0-1");
    const file = path.join(s.inbox, "task-SOP-001-review-v0-1.md");
    for (const mode of [0o600, 0o644, 0o600]) fs.chmodSync(file, mode); // more events, same file and mtime
    await until("one delivery", () => s.log.events.some((e) => e.event === "hub_delivery_end"), 15000);
    await new Promise((r) => setTimeout(r, 1500)); // several rescans and ticks later
    const runs = s.readRuns();
    assert.equal(runs.length, 1, JSON.stringify(runs));
    assert.equal(s.log.events.filter((e) => e.event === "hub_delivery_start").length, 1);
    assert.match(runs[0]!.notification, /^Task notification: 1 new task arrived for qa: SOP-001 v0\.1: review, sent by claude/);
    assert.equal(runs[0]!.cfg, path.join(s.base, "state", "agents", "qa", "claude-config"));
    assert.equal(runs[0]!.token, null, "the server's QMS_TOKEN is not inherited");
    const mcp = JSON.parse(fs.readFileSync(runs[0]!.mcp, "utf8")) as { mcpServers: { qms: { url: string; headers: Record<string, string> } } };
    assert.equal(mcp.mcpServers.qms.url, "http://127.0.0.1:9/mcp");
    const token = mcp.mcpServers.qms.headers["X-API-Key"]!;
    assert.deepEqual(s.store.verify(s.root, token), { ...s.store.verify(s.root, token)!, user: "qa", label: "qa-host" });
    assert.ok(!s.root.includes(path.dirname(runs[0]!.mcp)) && !runs[0]!.mcp.startsWith(s.root), "the token lives outside the project");
    const snap = s.hook.hub.snapshot().agents.find((a) => a.name === "qa")!;
    assert.equal(snap.container, "running");
    assert.equal(snap.started_by_hub, true);
    assert.equal(snap.last_delivery?.delivered, true);
    const web = s.hook.ui.hubSnapshot().agents.find((a) => a.name === "qa")!;
    assert.deepEqual(web.open_tasks, [{ doc_id: "SOP-001", task_type: "REVIEW", version: "0.1" }]);
    assert.equal(web.deliveries[0]?.outcome, "delivered");
    assert.ok(web.transcript_tail.some((l) => l.includes("qms_delivery_end")));
    // stopping the hub revokes the host agent's token
    await s.hook.stop();
    assert.equal(s.store.verify(s.root, token), undefined);
  });

  it("REQ-HUB-002: a storm of 50 tasks for one agent becomes a few batched runs, each task delivered once", async (t) => {
    const s = setup(t);
    await s.hook.start("http://127.0.0.1:9/mcp");
    for (let i = 1; i <= 50; i++) s.task(`task-SOP-${String(i).padStart(3, "0")}-review-v0-1`);
    await until("all 50 delivered", () => s.log.events.filter((e) => e.event === "hub_delivery_end").flatMap((e) => e.tasks as string[]).length >= 50, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    const ends = s.log.events.filter((e) => e.event === "hub_delivery_end");
    const delivered = ends.flatMap((e) => e.tasks as string[]);
    assert.equal(new Set(delivered).size, 50);
    assert.equal(delivered.length, 50, "no task delivered twice");
    assert.ok(ends.length <= 4, `${ends.length} runs for 50 tasks`);
    assert.equal(s.readRuns().length, ends.length);
    assert.match(s.readRuns().at(-1)!.notification, /You have 50 open tasks/);
  });
});
