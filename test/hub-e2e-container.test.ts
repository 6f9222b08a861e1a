import { agentRunDir } from "../src/hub/runners.js";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { startTeamMock, type TeamMock } from "./fixtures-mcp/team-mock.js";
import { audit, meta, QMS_BIN, qms, REPO_ROOT } from "./helpers.js";

/**
 * The team run of agents-and-hub §4 with podman: one container per agent (`qms-agent-NAME`, host networking),
 * the real Claude Code inside each, the Messages API stood in for on loopback, the hub in the host server
 * starting qa for its task and stopping it when its inbox empties. Heavy (two containers on a shared machine),
 * so it runs only with QMS_TEAM_CONTAINER=1 and an agent image (QMS_IMAGE, default qms-agent:test, as
 * scripts/test-container.sh builds it).
 */
const IMAGE = process.env.QMS_IMAGE ?? "qms-agent:test";
const why = ((): string | false => {
  if (process.env.QMS_TEAM_CONTAINER !== "1") return "set QMS_TEAM_CONTAINER=1 to run the podman team run";
  if (spawnSync("podman", ["--version"]).status !== 0) return "podman is not installed";
  if (spawnSync("podman", ["image", "exists", IMAGE]).status !== 0) return `image ${IMAGE} missing (bash scripts/test-container.sh builds it)`;
  return false;
})();

describe("the team run with podman: real Claude Code in each agent's container (agents-and-hub §4)", { skip: why }, () => {
  const dirs: string[] = [];
  let root: string;
  let base: string;
  let mock: TeamMock;
  let server: ChildProcess | undefined;
  let err = "";
  let env: NodeJS.ProcessEnv;

  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), "qms-team-ct-"));
    dirs.push(base);
    root = path.join(base, "project");
    fs.mkdirSync(root);
    assert.equal(qms(root, undefined, "init", "--root", root, "--yes").code, 0);
    const config = JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8")) as Record<string, unknown>;
    config.agents = { claude: { launch: "auto_on_task" }, qa: { launch: "auto_on_task", shutdown: "on_inbox_empty" } };
    fs.writeFileSync(path.join(root, "qms.config.json"), `${JSON.stringify(config, null, 2)}\n`);
    mock = await startTeamMock([
      { when: /arrived for qa: SOP-001 v[\d.]+: review\b/, tool: "mcp__qms__qms_review", input: { doc_id: "SOP-001", outcome: "recommend", comment: "Reviewed in qa's container." } },
      { when: /arrived for claude: SOP-001 v[\d.]+: owner step route approval\b/, tool: "mcp__qms__qms_route", input: { doc_id: "SOP-001", route_type: "approval" } },
      { when: /arrived for qa: SOP-001 v[\d.]+: approval\b/, tool: "mcp__qms__qms_approve", input: { doc_id: "SOP-001" } },
    ]);
    // host networking only; the containers reach the server and the stand-in on 127.0.0.1
    const override = path.join(base, "compose.mock.yml");
    fs.writeFileSync(
      override,
      [
        "services:",
        "  claude-agent:",
        "    environment:",
        `      ANTHROPIC_BASE_URL: "${mock.url}"`,
        '      ANTHROPIC_API_KEY: "dummy-local-mock"',
        '      ENABLE_TOOL_SEARCH: "false"',
        '      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"',
        '      DISABLE_TELEMETRY: "1"',
        "",
      ].join("\n"),
    );
    const conf = path.join(base, "containers.conf");
    fs.writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
    env = {
      PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: base,
      QMS_TOKEN_STORE: path.join(base, "tokens.json"),
      QMS_STATE_DIR: path.join(base, "state"),
      QMS_CONTAINER_ENGINE: "podman",
      QMS_IMAGE: IMAGE,
      QMS_COMPOSE_FILES: [path.join(REPO_ROOT, "docker", "compose.test.yml"), override].join(path.delimiter),
      QMS_HOST_GATEWAY: "127.0.0.1",
      CONTAINERS_CONF: conf,
    };
    const t = spawnSync(process.execPath, [QMS_BIN, "token", "create", "--user", "lead", "--label", "lead-test", "--project-root", root], { encoding: "utf8", env });
    assert.equal(t.status, 0, t.stderr);
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server?.once("exit", r));
    }
    for (const agent of ["claude", "qa"]) spawnSync("podman", ["rm", "-f", `qms-agent-${agent}`], { env, stdio: "ignore" });
    for (const volume of ["docker_claude-config", "docker-qa_claude-config"]) spawnSync("podman", ["volume", "rm", "-f", volume], { env, stdio: "ignore" });
    await mock?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("REQ-HUB-003: podman: SOP-001 to EFFECTIVE 1.0 by claude's and qa's Claude Code in their containers; the hub starts qa for its task and stops it when its inbox empties", async () => {
    const t0 = Date.now();
    const port = 20000 + Math.floor(Math.random() * 20000);
    server = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--host", "127.0.0.1", "--port", String(port), "--project-root", root, "--auth", "token"], { env, stdio: ["ignore", "ignore", "pipe"] });
    server.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const events = (): Array<Record<string, unknown>> => err.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const until = async (what: string, fn: () => boolean, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!fn()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${err.split("\n").filter((l) => /hub_|"tool"/.test(l)).slice(-30).join("\n")}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    await until("the server", () => events().some((e) => e.event === "hub_mode"), 20000);
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Team run in containers").code, 0);
    fs.writeFileSync(path.join(root, ".claude/users/claude/workspace/SOP-001.md"), "---\ntitle: Team run procedure\nrevision_summary: Initial draft\n---\n\n# SOP-001\n\nHow the team hands work on.\n");
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review").code, 0);
    await until("SOP-001 EFFECTIVE", () => meta(root, "SOP", "SOP-001").status === "EFFECTIVE", 300000);
    const effectiveMs = Date.now() - t0;
    await until("qa stopped", () => events().some((e) => e.event === "hub_agent_stopped" && e.agent === "qa"), 60000);
    const m = meta(root, "SOP", "SOP-001");
    assert.equal(m.version, "1.0");
    const sequence = audit(root, "SOP", "SOP-001")
      .map((e) => `${e.event}:${e.user}`)
      .filter((x) => /^(CREATE|ROUTE_REVIEW|REVIEW|ROUTE_APPROVAL|APPROVE|EFFECTIVE):/.test(x));
    assert.deepEqual(sequence, ["CREATE:claude", "ROUTE_REVIEW:claude", "REVIEW:qa", "ROUTE_APPROVAL:claude", "APPROVE:qa", "EFFECTIVE:qa"]);
    const tools = events().filter((e) => e.event === "tool" && e.outcome === "ok").map((e) => `${String(e.tool)}:${String(e.user)}`);
    assert.ok(tools.includes("qms_review:qa") && tools.includes("qms_route:claude") && tools.includes("qms_approve:qa"), tools.join(", "));
    assert.equal(spawnSync("podman", ["container", "exists", "qms-agent-qa"], { env }).status, 1, "qa's container is gone");
    const transcripts = ["claude", "qa"].map((a) => fs.readFileSync(path.join(agentRunDir(root, a, env), "transcript.jsonl"), "utf8").split("\n").filter((l) => l.includes('"qms_delivery_start"')).length);
    assert.deepEqual(transcripts, [1, 2]);
    process.stdout.write(`# podman team run: EFFECTIVE after ${effectiveMs} ms, qa stopped after ${Date.now() - t0} ms; audit ${sequence.join(" → ")}\n`);
  });
});
