#!/usr/bin/env node
// A stand-in for plain `podman` (and a `docker` that is not there) with one container per name, for
// multi-agent launcher tests. Usage (from a wrapper on PATH): node fake-engine-multi.mjs <docker|podman> ARGS...
// Records every call as a JSON line in $FAKE_STATE/calls.jsonl. $FAKE_STATE/script.json: imageExists,
// failFor (QMS_USER values whose `run` fails).
import * as fs from "node:fs";
import * as path from "node:path";

const SENTINEL = "Setup complete. Waiting for docker exec...";
const dir = process.env.FAKE_STATE;
const [tool, ...args] = process.argv.slice(2);
const read = (f, d) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  } catch {
    return d;
  }
};
const script = read("script.json", {});
const state = read("state.json", { imageExists: script.imageExists === true, containers: {} });
const save = () => fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
fs.appendFileSync(path.join(dir, "calls.jsonl"), `${JSON.stringify({ tool, argv: args })}\n`);
const out = (s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const exit = (code, msg) => {
  if (msg) process.stderr.write(`${msg}\n`);
  save();
  process.exit(code);
};
if (tool === "docker") exit(1, "Cannot connect to the Docker daemon");
const cmd = args[0];
const last = args[args.length - 1];
if (cmd === "compose") exit(125, "Error: unrecognized command `podman compose`");
if (cmd === "version") exit(0, undefined, out("podman version 9.9.9"));
if (cmd === "image" && args[1] === "inspect") exit(state.imageExists ? 0 : 1, state.imageExists ? undefined : "Error: image not known");
if (cmd === "build") {
  state.imageExists = true;
  exit(0, undefined, out("Successfully tagged qms-agent:local"));
}
if (cmd === "run") {
  const name = args[args.indexOf("--name") + 1];
  const user = (args.find((a, i) => args[i - 1] === "-e" && a.startsWith("QMS_USER=")) ?? "").slice("QMS_USER=".length);
  if ((script.failFor ?? []).includes(user)) exit(125, `Error: crun: cannot start ${name}: scripted failure`);
  state.containers[name] = { status: "running", user };
  exit(0, undefined, out(`${name}-id`));
}
if (cmd === "ps") {
  for (const [name, c] of Object.entries(state.containers)) if (c.status === "running") out(name);
  exit(0);
}
if (cmd === "rm" || cmd === "stop") {
  if (cmd === "rm") delete state.containers[last];
  exit(0);
}
if (cmd === "logs") {
  if (!state.containers[last]) exit(1, "Error: no container with name or ID found");
  exit(0, undefined, out(`[qms-entrypoint] server is up\n${SENTINEL}`));
}
if (cmd === "inspect") {
  const c = state.containers[last];
  if (!c) exit(125, "Error: no such object");
  const fmt = args[args.indexOf("-f") + 1] ?? "";
  exit(0, undefined, out(fmt.replace("{{.State.Status}}", c.status).replace("{{.State.ExitCode}}", "0").replace("{{.Id}}", `${last}-id`).replace("{{.State.Running}}", String(c.status === "running"))));
}
if (cmd === "volume" && args[1] === "rm") exit(0, undefined, out(args[2]));
exit(0);
