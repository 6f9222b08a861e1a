import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { FIXTURES, freePort, isolatedPath, KIT, readJsonLines, runQms, runQmsAsync } from "./fixtures-kit/kit-helpers.js";
import { makeHarnessProject, QMS_BIN, tempDir } from "./helpers.js";

const cleanup: string[] = [];
const pids: number[] = [];
after(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/** A harness project with the kit, a fake plain-podman engine (one container per name) and a stub server. */
async function world(script: Record<string, unknown> = {}) {
  const root = makeHarnessProject();
  fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (src) => !/[\\/]\.env$|[\\/]prepared[\\/].+/.test(src) });
  const state = tempDir("qms-agents-state-");
  const stateDir = tempDir("qms-agents-projstate-");
  const bin = tempDir("qms-agents-bin-");
  cleanup.push(root, state, stateDir, bin);
  for (const tool of ["docker", "podman"]) fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${path.join(FIXTURES, "fake-engine-multi.mjs")}" ${tool} "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(state, "script.json"), JSON.stringify({ imageExists: true, ...script }));
  const tokens = path.join(tempDir("qms-agents-tokens-"), "tokens.json");
  cleanup.push(path.dirname(tokens));
  const env: NodeJS.ProcessEnv = {
    PATH: isolatedPath(bin),
    HOME: state,
    QMS_TOKEN_STORE: tokens,
    FAKE_STATE: state,
    QMS_STATE_DIR: stateDir,
    QMS_CONTAINER_ENGINE: "podman",
    QMS_SERVER_COMMAND: JSON.stringify([process.execPath, path.join(FIXTURES, "stub-server.mjs")]),
  };
  const port = await freePort();
  const calls = () => readJsonLines(path.join(state, "calls.jsonl")) as Array<{ tool: string; argv: string[] }>;
  const runs = () => calls().filter((c) => c.argv[0] === "run").map((c) => c.argv);
  const remember = (): void => {
    const f = path.join(stateDir, "run", "server.pid");
    if (fs.existsSync(f)) pids.push(Number(fs.readFileSync(f, "utf8")));
  };
  return { root, env, port, calls, runs, stateDir, remember };
}

const pairs = (argv: string[], flag: string): string[] => argv.flatMap((a, i) => (argv[i - 1] === flag ? [a] : []));

describe("several agents at once (agents-and-hub §2), with a fake podman", () => {
  it("REQ-HUB-004: session up claude qa bu: one container, token, config volume, workspace and env file per agent; another agent's instructions over CLAUDE.md; one failing does not stop the others", async () => {
    const w = await world({ failFor: ["bu"] });
    const r = await runQmsAsync(["session", "up", "claude", "qa", "bu", "--port", String(w.port)], w.env, w.root);
    w.remember();
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /agents claude, qa, bu/);
    assert.match(r.stdout, /Up: claude \(qms-agent-claude\), qa \(qms-agent-qa\)/);
    assert.match(r.stdout, /Not up: bu \(Starting the container failed/);
    assert.match(r.stdout, /Attach with: qms session attach NAME/);
    const [claude, qa] = [w.runs().find((a) => a.includes("qms-agent-claude"))!, w.runs().find((a) => a.includes("qms-agent-qa"))!];
    assert.ok(claude && qa, JSON.stringify(w.runs()));
    assert.ok(pairs(qa, "-v").includes(`${w.root}/.claude/agents/qa.md:/workspace/CLAUDE.md:ro`), pairs(qa, "-v").join("\n"));
    assert.ok(pairs(qa, "-v").includes(`${w.root}/.claude/users/qa/workspace:/workspace/.claude/users/qa/workspace:rw`));
    assert.ok(pairs(qa, "-v").includes(`${w.root}:/workspace:ro`));
    assert.ok(pairs(qa, "-v").includes("docker-qa_claude-config:/claude-config"), "qa's own config volume");
    assert.ok(!pairs(claude, "-v").some((v) => v.endsWith("/CLAUDE.md:ro")), "claude keeps the project's CLAUDE.md");
    assert.ok(pairs(claude, "-v").includes("docker_claude-config:/claude-config"), "claude keeps the seed's volume");
    assert.ok(pairs(qa, "--label").includes("qms.agent=qa"));
    assert.ok(pairs(qa, "--label").some((l) => l.startsWith("qms.project=")));
    assert.ok(pairs(qa, "-e").includes("QMS_USER=qa"));
    // per-agent env files (outside the project) with per-agent tokens labelled NAME-container
    for (const agent of ["claude", "qa"]) {
      const text = fs.readFileSync(path.join(w.stateDir, "agents", `${agent}.env`), "utf8");
      assert.match(text, new RegExp(`^QMS_USER=${agent}$`, "m"));
    }
    const list = runQms(["token", "list", "--project-root", w.root], w.env, w.root);
    assert.match(list.stdout, /claude\s.*claude-container/);
    assert.match(list.stdout, /qa\s.*qa-container/);

    // qms agents without a hub (the stub server has none): container states and inboxes
    fs.writeFileSync(path.join(w.root, ".claude", "users", "qa", "inbox", "task-SOP-001-review-v0-1.md"), "---\ndoc_id: SOP-001\n---\n");
    const a = runQms(["agents", "--port", String(w.port)], w.env, w.root);
    assert.equal(a.code, 0, a.out);
    assert.match(a.stdout, /container states and inboxes only/);
    assert.match(a.stdout, /^\s+claude\s+running\s+claude\s+manual\/manual\/headless\s+0/m);
    assert.match(a.stdout, /^\s+qa\s+running\s+qa\s+manual\/manual\/headless\s+1/m);
    assert.match(a.stdout, /^\s+bu\s+stopped/m);
    const status = runQms(["session", "status", "--port", String(w.port)], w.env, w.root);
    assert.match(status.stdout, /token: +valid for 'claude'/);
    assert.match(status.stdout, /^\s+qa\s+running/m, "session status shows the agents too");

    // attach: the running agent's Claude Code in its container (tmux when the image has it)
    const attach = runQms(["session", "attach", "qa"], w.env, w.root);
    assert.equal(attach.code, 0, attach.out);
    const exec = w.calls().find((c) => c.argv[0] === "exec")!.argv;
    assert.deepEqual(exec.slice(0, 5), ["exec", "-i", "qms-agent-qa", "sh", "-c"]);
    assert.match(exec[5]!, /tmux new-session -A -s agent claude --continue/);
    const notUp = runQms(["session", "attach", "tu_ui"], w.env, w.root);
    assert.equal(notUp.code, 1);
    assert.match(notUp.stderr, /tu_ui is not running: no container qms-agent-tu_ui .*Start it with: qms session up tu_ui/);

    // down one agent: only its container
    const before = w.calls().length;
    const d = runQms(["session", "down", "qa"], w.env, w.root);
    assert.equal(d.code, 0, d.out);
    assert.match(d.stdout, /container qms-agent-qa: stopped and removed \(podman\)/);
    assert.match(d.stdout, /server: left running/);
    const downCalls = w.calls().slice(before).map((c) => c.argv.join(" "));
    assert.ok(downCalls.includes("rm -f qms-agent-qa"), downCalls.join("\n"));
    assert.ok(!downCalls.includes("rm -f qms-agent-claude"), "the other agents keep running");
    // reset one agent: its container and its config volume
    const reset = runQms(["session", "reset", "qa"], w.env, w.root);
    assert.equal(reset.code, 0, reset.out);
    assert.match(reset.stdout, /volume: removed docker-qa_claude-config/);
    assert.match(reset.stdout, /Start again with: qms session up qa/);
    // down everything
    const all = runQms(["session", "down"], w.env, w.root);
    assert.match(all.stdout, /server: stopped pid \d+/);
    assert.ok(w.calls().some((c) => c.argv.join(" ") === "rm -f qms-agent-claude"));
  });

  it("REQ-HUB-004: qms agents set edits qms.config.json (other keys kept); bad values, unknown agents and lead are refused", async () => {
    const w = await world();
    fs.writeFileSync(path.join(w.root, "qms.config.json"), `${JSON.stringify({ version: "1.0", sdlc_namespaces: [], owner_tasks: true, python_key: 1 }, null, 2)}\n`);
    const r = runQms(["agents", "set", "qa", "--launch", "auto_on_task", "--shutdown", "on_inbox_empty"], w.env, w.root);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /qa: launch auto_on_task, shutdown on_inbox_empty, delivery headless/);
    const cfg = JSON.parse(fs.readFileSync(path.join(w.root, "qms.config.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(cfg.agents, { qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" } });
    assert.equal(cfg.python_key, 1);
    assert.equal(cfg.owner_tasks, true);
    const again = runQms(["agents", "set", "qa", "--delivery", "none"], w.env, w.root);
    assert.match(again.stdout, /launch auto_on_task, shutdown on_inbox_empty, delivery none/);
    const bad = runQms(["agents", "set", "qa", "--launch", "sometimes"], w.env, w.root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /agents\.qa\.launch/);
    assert.equal(runQms(["agents", "set", "nobody", "--launch", "manual"], w.env, w.root).code, 2);
    const lead = runQms(["agents", "set", "lead", "--launch", "manual"], w.env, w.root);
    assert.equal(lead.code, 2);
    assert.match(lead.stderr, /lead is the human/);
  });
});

describe("qms agents with the hub of a running server (agents-and-hub §2, §3 API)", () => {
  it("REQ-HUB-002: qms agents shows each agent from GET /hub/agents; nudge goes through the hub; the API refuses other groups' tokens", async (t) => {
    const w = await world();
    fs.writeFileSync(path.join(w.root, "qms.config.json"), `${JSON.stringify({ version: "1.0", owner_tasks: true, agents: { qa: { launch: "manual", delivery: "none" } } }, null, 2)}\n`);
    fs.writeFileSync(path.join(w.root, ".claude", "users", "qa", "inbox", "task-SOP-001-review-v0-1.md"), "---\ndoc_id: SOP-001\nworkflow_type: REVIEW\nassigned_by: claude\nversion: 0.1\n---\n");
    // the server refuses --auth token with an empty token store: a quality user's token first (used below)
    const tq = runQms(["token", "create", "--user", "qa", "--label", "qa-test", "--project-root", w.root], w.env, w.root);
    assert.equal(tq.code, 0, tq.out);
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", String(w.port), "--project-root", w.root, "--auth", "token", "--hub-mode", "host"], { env: w.env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    t.after(() => {
      child.kill("SIGTERM");
    });
    const deadline = Date.now() + 15000;
    let up = false;
    while (!up && Date.now() < deadline) {
      up = await fetch(`http://127.0.0.1:${w.port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(up, err);
    // delivery none: the task is counted, not sent
    let a = runQms(["agents", "--port", String(w.port)], w.env, w.root);
    for (let i = 0; i < 30 && !/^\s+qa\s.*counted/m.test(a.stdout); i++) {
      await new Promise((r) => setTimeout(r, 300));
      a = runQms(["agents", "--port", String(w.port)], w.env, w.root);
    }
    assert.equal(a.code, 0, a.out);
    assert.match(a.stdout, /hub of the server on port \d+, owner tasks on/);
    // HOST MODE, launch manual: qa is not started, and delivery none counts its task without sending it
    assert.match(a.stdout, /^\s+qa\s+stopped\s+qa\s+manual\/manual\/none\s+1\s+idle\s+\d\d:\d\d:\d\d 1 task: counted, not sent/m, a.stdout);
    const nudge = runQms(["agents", "nudge", "qa", "--port", String(w.port)], w.env, w.root);
    assert.match(nudge.out, /nudge|nothing/i);
    const unknown = runQms(["agents", "nudge", "nobody", "--port", String(w.port)], w.env, w.root);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /No agent named nobody/);
    // a quality user's token is not enough for the hub API
    const res = await fetch(`http://127.0.0.1:${w.port}/hub/agents`, { headers: { authorization: `Bearer ${tq.stdout.trim()}` } });
    assert.equal(res.status, 403);
  });
});
