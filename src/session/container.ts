import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildArgs, loadService, runArgs, type ServiceSpec } from "./compose.js";
import type { Engine } from "./engine.js";
import { SETUP_SENTINEL } from "./entrypoint.js";
import { lastLines, type Ran, run } from "./exec.js";
import { DEFAULT_IMAGE, SERVICE } from "./kit.js";
import { SessionError, secs } from "./progress.js";
import { composeEnv, type SessionContext } from "./session-context.js";
import { agentContainerName } from "../hub/delivery.js";
import { isDir } from "../store/root.js";
import { projectStateDir } from "../store/state-dir.js";
import { projectKey } from "../store/tokens.js";

const BUILD_TIMEOUT_MS = 30 * 60000;

/**
 * The agent's container through one engine: with compose, the kit's service; with plain podman, a container
 * the launcher names and starts from the same compose files (one `podman run` argv).
 */
export class AgentContainer {
  constructor(
    private readonly c: SessionContext,
    readonly engine: Engine,
  ) {}

  /** Its name, with every engine (the per-agent compose override sets `container_name`): `qms-agent-NAME`. */
  get podmanName(): string {
    return agentContainerName(this.c.agent);
  }

  get image(): string {
    return this.c.dotenv.QMS_IMAGE || this.c.env.QMS_IMAGE || DEFAULT_IMAGE;
  }

  /** The container CLI (image, inspect, logs, exec, volume, rm). */
  cli(args: string[], timeoutMs = 30000, extra: Record<string, string> = {}): Ran {
    return run(this.engine.cli, args, { env: composeEnv(this.c, extra), cwd: this.c.kitDir, timeoutMs });
  }

  /** A compose subcommand with the kit's files and project name (compose engines only). */
  private compose(args: string[], timeoutMs = 120000, extra: Record<string, string> = {}): Ran {
    const [cmd, ...prefix] = this.engine.compose!;
    const files = this.c.composeFiles.flatMap((f) => ["-f", f]);
    return run(cmd!, [...prefix, ...files, "-p", this.c.projectName, ...args], { env: composeEnv(this.c, extra), cwd: this.c.kitDir, timeoutMs });
  }

  private spec(): Promise<ServiceSpec> {
    return loadService(this.c.composeFiles, SERVICE, { ...this.c.env, ...this.c.dotenv }, this.c.projectName);
  }

  hasImage(): boolean {
    return this.cli(["image", "inspect", this.image]).status === 0;
  }

  /** Build the image (it must exist afterwards); the detail line for the progress step. */
  async build(): Promise<string> {
    const t = Date.now();
    const r = this.engine.compose ? this.compose(["build", SERVICE], BUILD_TIMEOUT_MS) : this.cli(buildArgs(await this.spec()), BUILD_TIMEOUT_MS);
    if (r.status !== 0) throw new SessionError(`Building the image failed (exit ${r.status}):\n${lastLines(r.out, 20)}`);
    if (!this.hasImage()) throw new SessionError(`The build finished but image ${this.image} does not exist: check QMS_IMAGE and the compose file's image: key.`);
    return `built ${this.image} in ${secs(Date.now() - t)}`;
  }

  /** The container's id (compose: `ps -q`), or undefined when there is none. */
  id(): string | undefined {
    if (!this.engine.compose) return this.cli(["inspect", "-f", "{{.Id}}", this.podmanName]).status === 0 ? this.podmanName : undefined;
    const r = this.compose(["ps", "-q", SERVICE], 30000);
    return r.status === 0 ? r.out.split("\n").map((l) => l.trim()).find((l) => /^[0-9a-f]{12,64}$/.test(l)) : undefined;
  }

  /** Start it fresh in setup-only mode (the entrypoint registers the server, then waits); returns its name. */
  async startForSetup(): Promise<string> {
    if (this.engine.compose) {
      const r = this.compose(["up", "-d", "--force-recreate", SERVICE], 300000, { SETUP_ONLY: "1" });
      if (r.status !== 0) throw new SessionError(`\`${this.engine.kind} up -d\` failed (exit ${r.status}):\n${lastLines(r.out, 15)}`);
      const id = this.id();
      if (!id) throw new SessionError(`\`${this.engine.kind} up -d\` succeeded but \`ps -q ${SERVICE}\` shows no container.`);
      return id.slice(0, 12);
    }
    this.cli(["rm", "-f", this.podmanName]);
    const s = await this.spec();
    s.environment.SETUP_ONLY = "1";
    const r = this.cli(runArgs(s), 120000);
    if (r.status !== 0) throw new SessionError(`Starting the container failed (exit ${r.status}):\n${lastLines(r.out, 15)}`);
    return this.podmanName;
  }

  /** Wait for the entrypoint's setup line in the logs; a stopped container or the deadline is an error. */
  async waitForSetup(name: string, timeoutS: number): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const logs = this.cli(["logs", name]).out;
      if (logs.includes(SETUP_SENTINEL)) return;
      const state = this.cli(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name]);
      const [status, code] = state.out.trim().split(/\s+/);
      if (state.status !== 0 || (status !== "running" && status !== "created" && status !== "restarting")) {
        throw new SessionError(
          `The container stopped before setup completed (${state.status !== 0 ? "it no longer exists" : `status ${status}, exit code ${code}`}). Last log lines:\n${lastLines(logs)}\nRun \`qms doctor\` for a step-by-step check.`,
        );
      }
      if (Date.now() >= deadline) {
        throw new SessionError(
          `The entrypoint did not print "${SETUP_SENTINEL}" within ${timeoutS}s. Last log lines:\n${lastLines(logs)}\nThe container is left running: inspect it with \`${this.engine.cli} logs ${name}\`, stop it with \`qms session down\`.`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Run `claude` in it with this terminal; resolves to claude's exit status. */
  attach(name: string): Promise<number> {
    const tty = process.stdin.isTTY === true;
    const child = spawn(this.engine.cli, ["exec", ...(tty ? ["-it"] : ["-i"]), name, "claude"], { stdio: "inherit", env: composeEnv(this.c) });
    return new Promise<number>((resolve) => {
      child.on("exit", (code) => resolve(code ?? 1));
      child.on("error", () => resolve(127));
    });
  }

  /** Stop and remove it (compose: `down`). */
  remove(): Ran {
    return this.engine.compose ? this.compose(["down"]) : this.cli(["rm", "-f", this.podmanName]);
  }

  /** `<id> <state>`, or "none". */
  describe(): string {
    const id = this.id();
    if (!id) return "none";
    const st = this.cli(["inspect", "-f", "{{.State.Status}}", id]);
    return `${id.slice(0, 12)} ${st.status === 0 ? st.out.trim() : "?"}`;
  }

  /** The volume holding Claude Code's login and MCP registration. */
  get configVolume(): string {
    return `${this.c.projectName}_claude-config`;
  }
}

/** Label on every agent container: the project it serves (its real path), so the hub sees only its own. */
export const PROJECT_LABEL = "qms.project";

/** A YAML string that compose reads back as `text` (compose interpolates `$`: a literal one is `$$`). */
const literal = (text: string): string => JSON.stringify(text.replace(/\$/g, "$$$$"));

/**
 * The agent's compose override (in the state dir, no secrets): its container name `qms-agent-NAME`, labels
 * naming project and agent, and for agents other than `claude` their `.claude/agents/NAME.md` mounted over the
 * project's CLAUDE.md, so each loads its own instructions. Returns the file's path.
 */
export function writeAgentOverride(root: string, agent: string, env: NodeJS.ProcessEnv): string {
  const file = path.join(projectStateDir(root, env), "agents", `${agent}.compose.yml`);
  const lines = [
    "# Written by `qms session up`: this agent's container name, labels and instructions.",
    "services:",
    `  ${SERVICE}:`,
    `    container_name: ${literal(agentContainerName(agent))}`,
    "    labels:",
    `      ${PROJECT_LABEL}: ${literal(projectKey(root))}`,
    `      qms.agent: ${literal(agent)}`,
  ];
  if (agent !== "claude") {
    const instructions = path.join(root, ".claude", "agents", `${agent}.md`);
    const mount = `${instructions.replace(/\$/g, "$$$$")}:\${QMS_WORKDIR:-/workspace}/CLAUDE.md:ro`;
    lines.push("    volumes:", `      - ${JSON.stringify(mount)}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/**
 * Host paths the read-only project mount needs as mount points (a runtime cannot create them inside :ro), and
 * the agent's writable workspace.
 */
export function ensureMountPoints(root: string, agent: string, uid: number, note: (line: string) => void): void {
  const ws = path.join(root, ".claude", "users", agent, "workspace");
  if (!isDir(ws)) {
    fs.mkdirSync(ws, { recursive: true });
    note(`created ${path.relative(root, ws)}/ (the agent's writable workspace)`);
  }
  if (process.getuid?.() === 0 && uid !== 0) {
    // Host user is root but the container runs as uid 1000: let it write its own workspace.
    fs.chownSync(ws, uid, uid);
  }
  const points: Array<readonly [string, string]> = [
    [".mcp.json", '{\n  "mcpServers": {}\n}\n'],
    [path.join(".claude", "settings.local.json"), "{}\n"],
  ];
  // another agent's instructions are mounted over CLAUDE.md (writeAgentOverride)
  if (agent !== "claude") points.push(["CLAUDE.md", ""]);
  for (const [rel, content] of points) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      note(`created an empty ${rel} (the kit mounts its own file over it)`);
    }
  }
}
