import { agentRunDir } from "../src/hub/runners.js";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { startTeamMock, type TeamMock } from "./fixtures-mcp/team-mock.js";
import { audit, meta, QMS_BIN, qms } from "./helpers.js";
import { CLAUDE_BIN, claudeAvailable, INSTALL_HINT } from "./real-clients.js";

/**
 * The team run of agents-and-hub §4 in HOST MODE: the real Claude Code CLI for each agent on this machine (its
 * own config dir and token), the Messages API stood in for on loopback and scripted per agent, the hub inside
 * the host server. A person (the test) creates SOP-001 as claude and routes it for review; everything after
 * that is the hub and the agents.
 */

interface Server {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  events: () => Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `qms mcp --transport streamable-http --hub-mode host` with a clean environment (nothing of ours leaks in). */
function startServer(root: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--hub-mode", "host"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const events = (): Array<Record<string, unknown>> =>
    err
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start\n${out}\n${err}`)), 20000);
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1]!,
        stderr: () => err,
        events,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`server exited before listening\n${out}\n${err}`)));
  });
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs: number, debug: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${debug()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const transcript = (root: string, agent: string, env: NodeJS.ProcessEnv): Array<Record<string, unknown>> => {
  const file = path.join(agentRunDir(root, agent, env), "transcript.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe("the team run in HOST MODE: real Claude Code per agent, hub in the host server (agents-and-hub §4)", () => {
  const dirs: string[] = [];
  let root: string;
  let mock: TeamMock;
  let server: Server | undefined;
  let adminToken: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    assert.ok(claudeAvailable(), `Claude Code CLI missing: ${INSTALL_HINT}`);
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "qms-team-"));
    dirs.push(base);
    root = path.join(base, "project");
    fs.mkdirSync(root);
    const init = qms(root, undefined, "init", "--root", root, "--yes");
    assert.equal(init.code, 0, init.out);
    const config = JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(config.owner_tasks, true);
    // claude wakes for its owner tasks; qa is started by its task and stopped when its inbox empties
    config.agents = { claude: { launch: "auto_on_task" }, qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" } };
    fs.writeFileSync(path.join(root, "qms.config.json"), `${JSON.stringify(config, null, 2)}\n`);

    mock = await startTeamMock([
      { when: /arrived for qa: SOP-001 v[\d.]+: review\b/, tool: "mcp__qms__qms_review", input: { doc_id: "SOP-001", outcome: "recommend", comment: "Reviewed by qa's Claude Code: scope and procedure are clear." } },
      { when: /arrived for claude: SOP-001 v[\d.]+: owner step route approval\b/, tool: "mcp__qms__qms_route", input: { doc_id: "SOP-001", route_type: "approval" } },
      { when: /arrived for qa: SOP-001 v[\d.]+: approval\b/, tool: "mcp__qms__qms_approve", input: { doc_id: "SOP-001" } },
    ]);
    const home = path.join(base, "home");
    fs.mkdirSync(home);
    env = {
      PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      TERM: "dumb",
      QMS_TOKEN_STORE: path.join(base, "tokens.json"),
      QMS_STATE_DIR: path.join(base, "state"),
      QMS_HUB_CLAUDE_BIN: CLAUDE_BIN,
      QMS_MCP_LOG: "1",
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: "dummy-local-mock",
      ENABLE_TOOL_SEARCH: "false",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
    };
    const { spawnSync } = await import("node:child_process");
    const t = spawnSync(process.execPath, [QMS_BIN, "token", "create", "--user", "lead", "--label", "lead-test", "--project-root", root], { encoding: "utf8", env });
    assert.equal(t.status, 0, t.stderr);
    adminToken = t.stdout.trim();
  });

  after(async () => {
    await server?.stop();
    await mock?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("REQ-HUB-003: SOP-001 goes from draft to EFFECTIVE 1.0 with claude and qa acting through their own tokens; qa is started by its task and stopped when its inbox empties", async () => {
    const t0 = Date.now();
    server = await startServer(root, env);
    const s = server;
    const debug = (): string => `server log:\n${s.stderr().split("\n").filter((l) => /hub_|tool|error/i.test(l)).slice(-40).join("\n")}\nmock:\n${JSON.stringify(mock.requests.map((r) => ({ text: r.text.slice(-400), tools: r.tools.filter((t) => t.startsWith("mcp")), n: r.tools.length, answer: r.answer })), null, 1)}`;

    // the person: create SOP-001 as claude, route it for review (qa is assigned)
    const created = qms(root, "claude", "create", "SOP", "--title", "Team run procedure");
    assert.equal(created.code, 0, created.out);
    // the person writes the procedure (the template's placeholders may not remain at review)
    fs.writeFileSync(path.join(root, ".claude/users/claude/workspace/SOP-001.md"), "---\ntitle: Team run procedure\nrevision_summary: Initial draft\n---\n\n# SOP-001: Team run procedure\n\n## 1. Purpose\n\nHow the team hands work on.\n");
    const routed = qms(root, "claude", "route", "SOP-001", "--review");
    assert.equal(routed.code, 0, routed.out);

    await until("SOP-001 EFFECTIVE", () => meta(root, "SOP", "SOP-001").status === "EFFECTIVE", 50000, debug);
    const effectiveAfterMs = Date.now() - t0;
    await until("qa stopped by the hub (on_inbox_empty)", () => s.events().some((e) => e.event === "hub_agent_stopped" && e.agent === "qa" && fs.readdirSync(path.join(root, ".claude", "users", "qa", "inbox")).length === 0), 20000, debug);
    const totalMs = Date.now() - t0;
    assert.ok(totalMs < 60000, `the run took ${totalMs} ms`);

    const m = meta(root, "SOP", "SOP-001");
    assert.equal(m.status, "EFFECTIVE");
    assert.equal(m.version, "1.0");

    // the audit trail: each step by the token's user
    const trail = audit(root, "SOP", "SOP-001").map((e) => `${e.event}:${e.user}`);
    const sequence = trail.filter((x) => /^(CREATE|ROUTE_REVIEW|REVIEW|ROUTE_APPROVAL|APPROVE|EFFECTIVE):/.test(x));
    assert.deepEqual(sequence, ["CREATE:claude", "ROUTE_REVIEW:claude", "REVIEW:qa", "ROUTE_APPROVAL:claude", "APPROVE:qa", "EFFECTIVE:qa"], trail.join(", "));
    const calls = s.events().filter((e) => e.event === "tool");
    const byTool = (tool: string) => calls.filter((e) => e.tool === tool).map((e) => `${String(e.user)}:${String(e.outcome)}`);
    assert.deepEqual(byTool("qms_review"), ["qa:ok"], JSON.stringify(calls));
    assert.deepEqual(byTool("qms_route"), ["claude:ok"]);
    assert.deepEqual(byTool("qms_approve"), ["qa:ok"]);

    // the transcripts show each delivery, and what the agent's Claude Code did
    const qaRuns = transcript(root, "qa", env).filter((l) => l.type === "qms_delivery_start");
    const claudeRuns = transcript(root, "claude", env).filter((l) => l.type === "qms_delivery_start");
    assert.equal(qaRuns.length, 2, "qa: one delivery for the review task, one for the approval task");
    assert.equal(claudeRuns.length, 1, "claude: one delivery for its owner task");
    assert.match(String(qaRuns[0]!.notification), /^Task notification: 1 new task arrived for qa: SOP-001 v0\.1: review, sent by claude/);
    assert.match(String(claudeRuns[0]!.notification), /^Task notification: 1 new task arrived for claude: SOP-001 v0\.1: owner step route approval, caused by qa/);
    const ends = [...transcript(root, "qa", env), ...transcript(root, "claude", env)].filter((l) => l.type === "qms_delivery_end");
    assert.ok(ends.every((e) => (e.outcome as { delivered: boolean }).delivered), JSON.stringify(ends));
    // the tool results the agents' Claude Code got back from the server
    assert.deepEqual(mock.results.map((r) => r.tool), ["mcp__qms__qms_review", "mcp__qms__qms_route", "mcp__qms__qms_approve"]);
    assert.match(JSON.stringify(mock.results[2]!.content), /EFFECTIVE/);
    // qa's instructions reached its Claude Code, claude's did not get qa's
    const qaRequest = mock.requests.find((r) => r.answer === "mcp__qms__qms_review")!;
    assert.match(qaRequest.system, /You are the QMS agent 'qa'/);
    assert.doesNotMatch(mock.requests.find((r) => r.answer === "mcp__qms__qms_route")!.system, /You are the QMS agent 'qa'/);

    // qms agents' view: GET /hub/agents with the administrator's token
    const res = await fetch(s.url.replace(/\/mcp$/, "/hub/agents"), { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(res.status, 200);
    const snap = (await res.json()) as { agents: Array<{ name: string; container: string; last_delivery?: { tools: string[]; delivered: boolean } }> };
    const qa = snap.agents.find((a) => a.name === "qa")!;
    assert.equal(qa.container, "stopped");
    assert.deepEqual(qa.last_delivery?.tools, ["mcp__qms__qms_approve"]);
    const claude = snap.agents.find((a) => a.name === "claude")!;
    assert.deepEqual(claude.last_delivery?.tools, ["mcp__qms__qms_route"]);
    // every delivery is logged with its outcome
    const deliveries = s.events().filter((e) => e.event === "hub_delivery_end");
    assert.equal(deliveries.length, 3, JSON.stringify(deliveries));
    // qa's host token went with its stop
    const list = (await import("node:child_process")).spawnSync(process.execPath, [QMS_BIN, "token", "list", "--project-root", root], { encoding: "utf8", env });
    assert.doesNotMatch(list.stdout, /qa-host/);
    assert.match(list.stdout, /claude.*claude-host/, "claude acts through its own host token, still running");
    process.stdout.write(`# team run: SOP-001 EFFECTIVE after ${effectiveAfterMs} ms, qa stopped after ${totalMs} ms; audit: ${sequence.join(" → ")}\n`);
  });
});
