import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { makeHarnessProject, REPO_ROOT, tempDir } from "./helpers.js";
import { FIXTURES, fakeBin, freePort, isolatedPath, KIT, readJsonLines, runQms, runQmsAsync } from "./fixtures-kit/kit-helpers.js";

const started: number[] = [];
after(() => {
  for (const pid of started) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
});

interface World {
  root: string;
  state: string;
  env: NodeJS.ProcessEnv;
  calls: () => Array<{ tool: string; argv: string[]; env: Record<string, string> }>;
  script: (s: Record<string, unknown>) => void;
  port: number;
  envFile: string;
  /** The launcher's pid/log folder: outside the project. */
  runDir: string;
}

async function world(script: Record<string, unknown> = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<World> {
  const root = makeHarnessProject();
  fs.cpSync(KIT, path.join(root, "docker"), { recursive: true, filter: (src) => !/[\\/]\.env$|[\\/]prepared[\\/].+/.test(src) });
  const state = tempDir("qms-kit-state-");
  const stateDir = tempDir("qms-kit-projstate-");
  fs.writeFileSync(path.join(state, "script.json"), JSON.stringify(script));
  const bin = fakeBin();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: isolatedPath(bin),
    HOME: tempDir("qms-kit-home-"),
    QMS_TOKEN_STORE: path.join(tempDir("qms-kit-tokens-"), "tokens.json"),
    FAKE_STATE: state,
    QMS_STATE_DIR: stateDir,
    QMS_SERVER_COMMAND: JSON.stringify([process.execPath, path.join(FIXTURES, "stub-server.mjs")]),
    ...extraEnv,
  };
  return {
    root,
    state,
    env,
    port,
    envFile: path.join(stateDir, "agents", "claude.env"),
    runDir: path.join(stateDir, "run"),
    calls: () => readJsonLines(path.join(state, "calls.jsonl")) as Array<{ tool: string; argv: string[]; env: Record<string, string> }>,
    script: (s) => fs.writeFileSync(path.join(state, "script.json"), JSON.stringify(s)),
  };
}

function remember(w: World): void {
  const f = path.join(w.runDir, "server.pid");
  if (fs.existsSync(f)) started.push(Number(fs.readFileSync(f, "utf8")));
}

const cmd = (c: { tool: string; argv: string[] }): string => {
  const a = c.argv.filter((x, i, all) => !["-f", "-p"].includes(x) && !["-f", "-p"].includes(all[i - 1] ?? ""));
  return [c.tool, ...a].join(" ");
};

describe("qms session (fake docker/podman on PATH)", () => {
  it("up: engine, token, server, .env, image build, compose up, sentinel — step by step with timings; then status and down", async () => {
    const w = await world();
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root);
    remember(w);
    assert.equal(r.code, 0, r.out);
    for (const step of ["[1/7] Container engine", "[2/7] Agent token", "[3/7] MCP server", "[4/7] Agent env file", "[5/7] Image", "[6/7] Container", "[7/7] Entrypoint ready"]) {
      assert.ok(r.stdout.includes(step), `missing step ${step}:\n${r.stdout}`);
    }
    assert.match(r.stdout, /✔ docker compose \(\d+\.\ds\)/);
    assert.match(r.stdout, /✔ minted a new token for 'claude'/);
    assert.match(r.stdout, new RegExp(`started on 0\\.0\\.0\\.0:${w.port} \\(pid \\d+, healthy after`));
    assert.match(r.stdout, /built qms-agent:local in/);
    assert.match(r.stdout, /setup complete/);
    assert.match(r.stdout, /Ready\. Attach with: docker exec -it \w+ claude/);
    const seq = w.calls().map(cmd);
    assert.deepEqual(seq.slice(0, 2), ["docker compose version", "docker image inspect qms-agent:local"]);
    assert.ok(seq.includes("docker compose build claude-agent"), seq.join("\n"));
    const up = w.calls().find((c) => c.argv.includes("up"))!;
    assert.deepEqual(up.argv.slice(-4), ["up", "-d", "--force-recreate", "claude-agent"]);
    assert.equal(up.env.SETUP_ONLY, "1", "two-phase start: the entrypoint only sets up");
    assert.equal(up.env.QMS_TOKEN, "set", ".env values are in compose's environment");
    assert.ok(up.argv.includes(path.join(w.root, "docker", "docker-compose.yml")));
    // The agent's env file: private, outside the project, with the token and what compose needs.
    const st = fs.statSync(w.envFile);
    assert.equal(st.mode & 0o777, 0o600);
    const envText = fs.readFileSync(w.envFile, "utf8");
    assert.match(envText, /^QMS_TOKEN=qms_[A-Za-z0-9_-]{20,}$/m);
    assert.match(envText, /^QMS_USER=claude$/m);
    assert.match(envText, new RegExp(`^QMS_MCP_URL=http://host.docker.internal:${w.port}/mcp$`, "m"));
    assert.match(envText, new RegExp(`^QMS_PROJECT_DIR=${w.root}$`, "m"));
    assert.doesNotMatch(r.out, /qms_[A-Za-z0-9_-]{20,}/, "the token is never printed");
    // Issue 13: no secret inside the project, which every container mounts.
    const tokenValue = /QMS_TOKEN=(.*)/.exec(envText)![1]!;
    assert.deepEqual(filesContaining(w.root, tokenValue), [], "the token is in no file of the project tree");
    assert.ok(!fs.existsSync(path.join(w.root, ".qms")), "no run files in the project");
    // pid/log in the state dir, the workspace and mount points exist.
    const pid = Number(fs.readFileSync(path.join(w.runDir, "server.pid"), "utf8"));
    assert.ok(pid > 0);
    assert.ok(fs.existsSync(path.join(w.runDir, "server.log")));
    assert.ok(fs.existsSync(path.join(w.root, ".mcp.json")));
    assert.ok(fs.existsSync(path.join(w.root, ".claude", "settings.local.json")));
    const token1 = /QMS_TOKEN=(.*)/.exec(envText)![1];

    // Again: server, token and image are reused.
    const r2 = await runQmsAsync(["session", "up", "--no-attach"], w.env, w.root);
    assert.equal(r2.code, 0, r2.out);
    assert.match(r2.stdout, /token is valid for 'claude'/);
    assert.match(r2.stdout, new RegExp(`already running on port ${w.port} \\(pid ${pid}, started by qms session\\)`));
    assert.match(r2.stdout, /qms-agent:local present/);
    assert.equal(/QMS_TOKEN=(.*)/.exec(fs.readFileSync(w.envFile, "utf8"))![1], token1);
    assert.equal(w.calls().filter((c) => c.argv.includes("build")).length, 1, "built once");

    const s = runQms(["session", "status"], w.env, w.root);
    assert.equal(s.code, 0, s.out);
    assert.match(s.stdout, new RegExp(`server: +up on port ${w.port} .*pid ${pid} bound to 0\\.0\\.0\\.0`));
    assert.match(s.stdout, /token: +valid for 'claude' \(label claude-container/);
    assert.match(s.stdout, /image: +qms-agent:local present/);
    assert.match(s.stdout, /container: \w+ running/);

    const d = runQms(["session", "down"], w.env, w.root);
    assert.equal(d.code, 0, d.out);
    assert.match(d.stdout, new RegExp(`server: stopped pid ${pid}`));
    assert.ok(w.calls().some((c) => c.argv.includes("down")));
    assert.throws(() => process.kill(pid, 0), "the server process is gone");
    assert.ok(!fs.existsSync(path.join(w.runDir, "server.pid")));
    const d2 = runQms(["session", "down"], w.env, w.root);
    assert.match(d2.stdout, /server: not started by qms session \(nothing to stop\)/);
  });

  it("a revoked token in the agent env file is replaced; attach runs claude in the container and removes it unless --keep", async () => {
    const w = await world({ imageExists: true });
    assert.equal((await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root)).code, 0);
    remember(w);
    fs.writeFileSync(w.envFile, fs.readFileSync(w.envFile, "utf8").replace(/^QMS_TOKEN=.*$/m, "QMS_TOKEN=qms_revokedrevokedrevokedrevoked"));
    const r = await runQmsAsync(["session", "up", "--keep"], w.env, w.root);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /not in the token store/);
    assert.match(r.stdout, /minted a new token/);
    assert.match(r.stdout, /\[8\/8\] Claude Code/);
    const exec = w.calls().find((c) => c.argv[0] === "exec")!;
    assert.deepEqual(exec.argv, ["exec", "-i", "c0ffee012345", "claude"], "no TTY here, so -i without -t");
    assert.ok(!w.calls().some((c) => c.argv.includes("down")), "--keep keeps the container");
    assert.match(r.stdout, /Server still running \(pid \d+\); stop it with: qms session down/);
    const r2 = await runQmsAsync(["session", "up"], w.env, w.root);
    assert.equal(r2.code, 0, r2.out);
    assert.ok(w.calls().some((c) => c.argv.includes("down")), "without --keep the container goes away after claude exits");
    runQms(["session", "down"], w.env, w.root);
  });

  it("server never healthy: stops it and names the log file", async () => {
    const w = await world({}, { QMS_SERVER_COMMAND: JSON.stringify([process.execPath, "-e", "setInterval(() => {}, 1000)"]) });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port), "--server-timeout", "1"], w.env, w.root);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`did not become healthy at http://127.0.0.1:${w.port}/healthz within 1s; stopped it\\. Log: ${w.runDir}/server\\.log`));
    assert.ok(!fs.existsSync(path.join(w.runDir, "server.pid")));
    assert.ok(!w.calls().some((c) => c.argv.includes("up")), "no container without a server");
  });

  it("port taken by another program: says so (HTTP answer that is not ours, and a bind failure)", async () => {
    const w = await world();
    const other = http.createServer((_req, res) => {
      res.writeHead(404);
      res.end("not here");
    });
    await new Promise<void>((r) => other.listen(w.port, "127.0.0.1", () => r()));
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root);
    other.close();
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`Port ${w.port} is held by another program: GET /healthz answered HTTP 404`));
    // The server itself cannot bind (EADDRINUSE in its log).
    const w2 = await world({}, { QMS_SERVER_COMMAND: JSON.stringify([process.execPath, "-e", "process.stderr.write('Error: listen EADDRINUSE: address already in use\\n'); process.exit(1)"]) });
    const r2 = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w2.port)], w2.env, w2.root);
    assert.equal(r2.code, 1, r2.out);
    assert.match(r2.stderr, new RegExp(`Port ${w2.port} is already in use by another program`));
  });

  it("image missing and the build fails: shows the build output", async () => {
    const w = await world({ buildExit: 1, buildOutput: "Step 4/9 : RUN npm ci\nnpm ERR! SELF_SIGNED_CERT_IN_CHAIN" });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root);
    remember(w);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /qms-agent:local missing: building it/);
    assert.match(r.stderr, /Building the image failed \(exit 1\):[\s\S]*SELF_SIGNED_CERT_IN_CHAIN/);
    runQms(["session", "down"], w.env, w.root);
  });

  it("container exits early: shows its last log lines", async () => {
    const w = await world({ imageExists: true, containerState: "exited", exitCode: 3, logs: "[qms-entrypoint] ERROR: the QMS MCP server did not answer at http://host.docker.internal:8000/healthz within 30s\n" });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root);
    remember(w);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /stopped before setup completed \(status exited, exit code 3\)/);
    assert.match(r.stderr, /\| \[qms-entrypoint\] ERROR: the QMS MCP server did not answer/);
    runQms(["session", "down"], w.env, w.root);
  });

  it("sentinel never printed: gives up after --ready-timeout with the log tail", async () => {
    const w = await world({ imageExists: true, neverSentinel: true });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port), "--ready-timeout", "1"], w.env, w.root);
    remember(w);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /did not print "Setup complete\. Waiting for docker exec\.\.\." within 1s/);
    assert.match(r.stderr, /\| \[qms-entrypoint\] server is up/);
    runQms(["session", "down"], w.env, w.root);
  });

  it("sentinel printed late is waited for", async () => {
    const w = await world({ imageExists: true, sentinelAfter: 3 });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--port", String(w.port)], w.env, w.root);
    remember(w);
    assert.equal(r.code, 0, r.out);
    assert.ok(w.calls().filter((c) => c.argv[0] === "logs").length >= 4);
    runQms(["session", "down"], w.env, w.root);
  });

  it("engine detection: docker-compose v1, then plain podman (one run argv with every mount), override, none", async () => {
    const v1 = await world({ engines: ["docker-compose"], imageExists: true });
    const r1 = await runQmsAsync(["session", "up", "--no-attach", "--port", String(v1.port)], v1.env, v1.root);
    remember(v1);
    assert.equal(r1.code, 0, r1.out);
    assert.match(r1.stdout, /✔ docker-compose \(/);
    assert.ok(v1.calls().some((c) => c.tool === "docker-compose" && c.argv.includes("up")));
    runQms(["session", "down"], v1.env, v1.root);

    const pm = await world({ engines: ["podman"] });
    const r2 = await runQmsAsync(["session", "up", "--no-attach", "--port", String(pm.port)], pm.env, pm.root);
    remember(pm);
    assert.equal(r2.code, 0, r2.out);
    assert.match(r2.stdout, /✔ podman \(/);
    const build = pm.calls().find((c) => c.tool === "podman" && c.argv[0] === "build")!;
    assert.deepEqual(build.argv.slice(0, 5), ["build", "-t", "qms-agent:local", "-f", path.join(REPO_ROOT, "docker", "Dockerfile")]);
    assert.equal(build.argv.at(-1), REPO_ROOT, "the build context is the qms package");
    const run = pm.calls().find((c) => c.tool === "podman" && c.argv[0] === "run")!.argv;
    const pairs = (flag: string) => run.flatMap((a, i) => (run[i - 1] === flag ? [a] : []));
    assert.ok(run.includes("--init") && run.includes("-i") && run.includes("-t"));
    assert.deepEqual(pairs("-w"), ["/workspace"]);
    assert.deepEqual(pairs("--add-host"), ["host.docker.internal:host-gateway"]);
    assert.deepEqual(pairs("-v"), [
      `${pm.root}:/workspace:ro`,
      `${pm.root}/.claude/users/claude/workspace:/workspace/.claude/users/claude/workspace:rw`,
      `${pm.root}/docker/.mcp.json:/workspace/.mcp.json:ro`,
      `${pm.root}/docker/claude-settings.json:/workspace/.claude/settings.local.json:ro`,
      "docker_claude-config:/claude-config",
    ]);
    assert.ok(pairs("-e").includes("SETUP_ONLY=1"));
    assert.ok(pairs("-e").includes("CLAUDE_CONFIG_DIR=/claude-config"));
    assert.ok(pairs("-e").some((e) => /^QMS_TOKEN=qms_/.test(e)));
    runQms(["session", "down"], pm.env, pm.root);

    const forced = await world({ engines: ["docker compose", "podman"] }, { QMS_CONTAINER_ENGINE: "podman" });
    const r3 = runQms(["session", "status"], forced.env, forced.root);
    assert.match(r3.stdout, /engine: +podman/);
    const none = await world({ engines: [] });
    const r4 = await runQmsAsync(["session", "up", "--no-attach", "--port", String(none.port)], none.env, none.root);
    assert.equal(r4.code, 1);
    assert.match(r4.stderr, /No container engine found: tried `docker compose`, `docker-compose`, `podman compose`, `podman-compose` and `podman`/);
  });

  it("proxy mode writes the proxy variant into the agent env file", async () => {
    const w = await world({ imageExists: true });
    const r = await runQmsAsync(["session", "up", "--no-attach", "--mode", "proxy", "--port", String(w.port)], w.env, w.root);
    remember(w);
    assert.equal(r.code, 0, r.out);
    const env = fs.readFileSync(w.envFile, "utf8");
    assert.match(env, /^QMS_MCP_MODE=proxy$/m);
    assert.match(env, /^QMS_MCP_CONFIG_FILE=\.mcp\.proxy\.json$/m);
    runQms(["session", "down"], w.env, w.root);
  });

  it("reset: down, remove the claude-config volume (the seed's docker_claude-config)", async () => {
    const w = await world({ imageExists: true });
    const r = runQms(["session", "reset"], w.env, w.root);
    assert.equal(r.code, 0, r.out);
    assert.ok(w.calls().some((c) => c.argv.join(" ") === "volume rm docker_claude-config"), JSON.stringify(w.calls()));
    assert.match(r.stdout, /volume: removed docker_claude-config/);
    w.script({ imageExists: true, volumeMissing: true });
    const r2 = runQms(["session", "reset"], w.env, w.root);
    assert.equal(r2.code, 0, r2.out);
    assert.match(r2.stdout, /docker_claude-config did not exist/);
  });

  it("outside a project: a clear error", () => {
    const r = runQms(["session", "up"], { PATH: process.env.PATH }, tempDir("qms-kit-noproj-"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Not inside a QMS project/);
  });
});

/** Project files whose bytes contain `needle` (relative paths). */
function filesContaining(root: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p, "latin1").includes(needle)) hits.push(path.relative(root, p));
    }
  };
  walk(root);
  return hits;
}
