#!/usr/bin/env node
// A stand-in for `docker` / `docker-compose` / `podman` in tests. Usage (from a wrapper on PATH):
//   node fake-docker.mjs <docker|docker-compose|podman> ARGS...
// Records every call as a JSON line in $FAKE_STATE/calls.jsonl and answers from $FAKE_STATE/script.json:
//   engines: kinds whose `version` works ("docker compose", "docker-compose", "podman compose", "podman")
//   imageExists, buildExit, buildOutput, upExit, upOutput, containerState ("running"|"exited"), exitCode,
//   logs (text), sentinelAfter (logs calls before the sentinel shows), neverSentinel, execExit, volumeMissing
import * as fs from "node:fs";
import * as path from "node:path";

const SENTINEL = "Setup complete. Waiting for docker exec...";
const dir = process.env.FAKE_STATE;
if (!dir) {
  process.stderr.write("fake-docker: FAKE_STATE not set\n");
  process.exit(99);
}
const [tool, ...argv] = process.argv.slice(2);
const read = (f, d) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  } catch {
    return d;
  }
};
const script = read("script.json", {});
const state = read("state.json", { imageExists: script.imageExists === true, container: null, logsCalls: 0 });
const save = () => fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
fs.appendFileSync(
  path.join(dir, "calls.jsonl"),
  `${JSON.stringify({ tool, argv, env: { SETUP_ONLY: process.env.SETUP_ONLY, QMS_TOKEN: process.env.QMS_TOKEN ? "set" : "", DOCKER_HOST: process.env.DOCKER_HOST } })}\n`,
);
const engines = script.engines ?? ["docker compose"];
const out = (s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const exit = (code, msg) => {
  if (msg) process.stderr.write(msg.endsWith("\n") ? msg : `${msg}\n`);
  save();
  process.exit(code);
};

let args = argv;
let compose = false;
if (tool === "docker-compose") compose = true;
else if ((tool === "docker" || tool === "podman") && args[0] === "compose") {
  compose = true;
  args = args.slice(1);
}
if (compose) {
  const kind = tool === "docker-compose" ? "docker-compose" : `${tool} compose`;
  if (!engines.includes(kind)) exit(tool === "docker" ? 1 : 125, `${tool}: unknown command: ${tool} compose`);
  // skip -f FILE / -p NAME / --project-directory DIR
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (["-f", "-p", "--file", "--project-name", "--project-directory", "--env-file"].includes(args[i])) i++;
    else rest.push(args[i]);
  }
  const cmd = rest[0];
  if (cmd === "version") exit(0, undefined, out(`${kind} version 9.9.9`));
  if (cmd === "build") {
    if ((script.buildExit ?? 0) !== 0) exit(script.buildExit, script.buildOutput ?? "ERROR: failed to build: step 3/9 RUN npm ci: exit 1");
    state.imageExists = true;
    out(script.buildOutput ?? "Successfully built 0123456789ab");
    exit(0);
  }
  if (cmd === "up") {
    if ((script.upExit ?? 0) !== 0) exit(script.upExit, script.upOutput ?? "ERROR: for claude-agent  Cannot start service");
    if (!state.imageExists) exit(1, "pull access denied for qms-agent, repository does not exist");
    state.container = { id: "c0ffee0123456789abcdef", status: script.containerState ?? "running", exitCode: script.exitCode ?? 0 };
    state.logsCalls = 0;
    exit(0, "Creating docker_claude-agent_1 ... done");
  }
  if (cmd === "ps") {
    if (state.container) out(state.container.id);
    exit(0);
  }
  if (cmd === "down") {
    state.container = null;
    exit(0, "Removing docker_claude-agent_1 ... done");
  }
  exit(0);
}
// Plain CLI.
const cmd = args[0];
if (cmd === "version") exit(engines.includes(tool) || engines.includes(`${tool} compose`) ? 0 : 1, undefined, out(`${tool} version 9.9.9`));
if (cmd === "image" && args[1] === "inspect") exit(state.imageExists ? 0 : 1, state.imageExists ? undefined : `Error: No such image: ${args[2]}`, state.imageExists && out("[{}]"));
if (cmd === "build") {
  if ((script.buildExit ?? 0) !== 0) exit(script.buildExit, script.buildOutput ?? "Error: building at STEP 3: exit status 1");
  state.imageExists = true;
  exit(0, undefined, out("Successfully tagged qms-agent:local"));
}
if (cmd === "run") {
  if (!state.imageExists) exit(125, "Error: qms-agent:local: image not known");
  const name = args[args.indexOf("--name") + 1];
  state.container = { id: name, status: script.containerState ?? "running", exitCode: script.exitCode ?? 0 };
  state.logsCalls = 0;
  exit(0, undefined, out("c0ffee0123456789abcdef"));
}
if (cmd === "rm") {
  state.container = null;
  exit(0);
}
if (cmd === "logs") {
  if (!state.container) exit(1, "Error: No such container");
  state.logsCalls++;
  let text = script.logs ?? "[qms-entrypoint] waiting for the QMS MCP server\n[qms-entrypoint] server is up\n";
  const ready = !script.neverSentinel && state.logsCalls > (script.sentinelAfter ?? 0) && state.container.status === "running";
  if (ready) text += `${SENTINEL}\n`;
  out(text);
  exit(0);
}
if (cmd === "inspect") {
  if (!state.container) exit(1, "Error: No such object");
  const fmt = args[args.indexOf("-f") + 1] ?? "";
  exit(0, undefined, out(fmt.replace("{{.State.Status}}", state.container.status).replace("{{.State.ExitCode}}", String(state.container.exitCode)).replace("{{.Id}}", state.container.id)));
}
if (cmd === "exec") exit(script.execExit ?? 0, undefined, out("fake claude session"));
if (cmd === "volume" && args[1] === "rm") exit(script.volumeMissing ? 1 : 0, script.volumeMissing ? `Error: No such volume: ${args[2]}` : undefined, script.volumeMissing || out(args[2]));
exit(0);
