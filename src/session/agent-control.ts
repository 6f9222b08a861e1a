import { execFile, spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { agentContainerName } from "../hub/delivery.js";
import type { ContainerControl } from "../hub/hub.js";
import type { Logger } from "../mcp/log.js";
import { projectKey } from "../store/tokens.js";
import { PROJECT_LABEL } from "./container.js";
import { PACKAGE_ROOT } from "./kit.js";

export interface ContainerAgentsOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** The port of the server the agents connect to (this one), once it listens. */
  port: () => number | undefined;
  log?: Logger;
  /** How long a start may take (image build included); default 15 minutes. */
  startTimeoutMs?: number;
  /** argv prefix that runs the qms CLI (default: this package's bin/qms.js with this Node). */
  qmsCommand?: string[];
}

const CLI_OF_ENGINE: Record<string, "docker" | "podman"> = { "docker compose": "docker", "docker-compose": "docker", "podman compose": "podman", "podman-compose": "podman", podman: "podman" };

/**
 * The hub's control of agent containers (agents-and-hub §3 Policies), by name only: `qms-agent-NAME`.
 * `isRunning` reads one `ENGINE ps` per second at most, of containers labelled with this project; `start` runs `qms session up NAME --no-attach` as a
 * child process (token, env file, image, container, entrypoint ready: the launcher's own steps, without
 * blocking the server); `stop` removes the container by its name.
 */
export class ContainerAgents implements ContainerControl {
  private cliChoice: "docker" | "podman" | null | undefined;
  private psCache: { at: number; names: Promise<Set<string>> } | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: ContainerAgentsOptions) {
    this.env = opts.env ?? process.env;
  }

  /** The container CLI: QMS_CONTAINER_ENGINE's, else the first of docker, podman whose `ps` works; null: none. */
  get cli(): "docker" | "podman" | null {
    if (this.cliChoice === undefined) this.cliChoice = this.detectCli();
    return this.cliChoice;
  }

  private detectCli(): "docker" | "podman" | null {
    const forced = this.env.QMS_CONTAINER_ENGINE?.trim().replace(/\s+/g, " ");
    const forcedCli = forced ? CLI_OF_ENGINE[forced] : undefined;
    if (forcedCli) return forcedCli;
    for (const cli of ["docker", "podman"] as const) {
      const r = spawnSync(cli, ["ps", "-q"], { env: this.env, stdio: "ignore", timeout: 10000 });
      if (!r.error && r.status === 0) return cli;
    }
    this.opts.log?.log("hub_no_container_engine", { message: "neither docker nor podman answers `ps`: agents cannot be started; run the server with --hub-mode host to run them on this machine" });
    return null;
  }

  private runningNames(): Promise<Set<string>> {
    const now = Date.now();
    if (this.psCache && now - this.psCache.at < 1000) return this.psCache.names;
    const cli = this.cli;
    const names: Promise<Set<string>> = !cli
      ? Promise.resolve(new Set())
      : new Promise((resolve, reject) => {
          // only this project's agents (the label `qms session up` puts on them): names are not per project
          execFile(cli, ["ps", "--filter", `label=${PROJECT_LABEL}=${projectKey(this.opts.root)}`, "--format", "{{.Names}}"], { env: this.env, timeout: 15000 }, (err, stdout) => {
            if (err) reject(new Error(`${cli} ps failed: ${err.message.split("\n")[0]}`));
            else resolve(new Set(stdout.split("\n").map((l) => l.trim()).filter(Boolean)));
          });
        });
    this.psCache = { at: now, names };
    return names;
  }

  async isRunning(agent: string): Promise<boolean> {
    return (await this.runningNames()).has(agentContainerName(agent));
  }

  async start(agent: string): Promise<void> {
    if (!this.cli) throw new Error("no container engine (docker or podman) answers here; start the server with --hub-mode host to run agents on this machine");
    const port = this.opts.port();
    if (port === undefined) throw new Error("the server's port is not known yet");
    const argv = [...(this.opts.qmsCommand ?? [process.execPath, path.join(PACKAGE_ROOT, "bin", "qms.js")]), "session", "up", agent, "--no-attach", "--port", String(port), "--project-root", this.opts.root];
    const out = await runCollect(argv, this.env, this.opts.startTimeoutMs ?? 15 * 60000);
    this.psCache = undefined;
    if (out.code !== 0) throw new Error(`qms session up ${agent} failed (exit ${out.code}): ${out.text.trim().split("\n").slice(-3).join(" | ").slice(0, 500)}`);
  }

  async stop(agent: string): Promise<void> {
    const cli = this.cli;
    if (!cli) return;
    const name = agentContainerName(agent);
    await runCollect([cli, "stop", "-t", "10", name], this.env, 60000);
    const out = await runCollect([cli, "rm", "-f", name], this.env, 60000);
    this.psCache = undefined;
    if (out.code !== 0 && !/no such container|no container with name/i.test(out.text)) throw new Error(`${cli} rm -f ${name} failed: ${out.text.trim().slice(0, 300)}`);
  }
}

function runCollect(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => {
      text += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      text += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, text: e.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, text });
    });
  });
}
