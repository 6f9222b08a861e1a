import { type Command, Option } from "commander";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not '${value}'`);
  return n;
}

/** Run a kit action: its known failures become one message on stderr and an exit status, never a stack trace. */
async function guarded(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    process.stderr.write(`qms: ${e.message}\n`);
    if (process.env.QMS_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exitCode = e.exitCode ?? 1;
  }
}

interface SessionFlags {
  projectRoot?: string;
  agent?: string;
  port?: string;
  bind?: string;
  mcpUrl?: string;
  mode?: string;
  rebuild?: boolean;
  keep?: boolean;
  attach?: boolean;
  composeFile?: string[];
  serverTimeout?: string;
  readyTimeout?: string;
  up?: boolean;
}

async function sessionOptions(f: SessionFlags, agents: string[] = []) {
  if (f.mode !== undefined && f.mode !== "http" && f.mode !== "proxy") throw new Error(`--mode must be http or proxy, not '${f.mode}'`);
  return {
    projectRoot: f.projectRoot,
    agent: f.agent,
    agents: agents.length > 0 ? agents : undefined,
    port: intOption("--port", f.port),
    bind: f.bind,
    mcpUrl: f.mcpUrl,
    mode: f.mode as "http" | "proxy" | undefined,
    rebuild: f.rebuild,
    keep: f.keep,
    attach: f.attach,
    composeFiles: f.composeFile,
    serverTimeoutS: intOption("--server-timeout", f.serverTimeout),
    readyTimeoutS: intOption("--ready-timeout", f.readyTimeout),
    up: f.up,
  };
}

/** `qms session`, `qms proxy`, `qms doctor`, `qms container-entrypoint` (the container kit). */
export function registerKitCommands(program: Command): void {
  program
    .command("container-entrypoint")
    .description("container start-up: wait for the server, register it with Claude Code, trust the project, then run claude (SETUP_ONLY=1: wait)")
    .argument("[claudeArgs...]", "arguments for claude (put them after --)")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (claudeArgs: string[]) => {
      const { runEntrypoint } = await import("../session/entrypoint.js");
      process.exitCode = await runEntrypoint({ env: process.env, cwd: process.cwd(), claudeArgs });
    });

  const session = program.command("session").description("run Claude Code in the agent container, connected to this project's QMS MCP server");
  const common = (cmd: Command): Command =>
    cmd
      .option("--project-root <dir>", "the QMS project (default: walk up from the current directory)")
      .option("--port <port>", "the MCP server's port on the host (default: from docker/.env, else 8000)")
      .option("-f, --compose-file <file>", "an extra compose file, e.g. docker/compose.test.yml (repeatable)", collect);
  common(
    session
      .command("up")
      .argument("[agents...]", "the agents to start, one container each (default: claude); several are started without attaching")
      .description("start (if needed) the server, write the agent's env file with its token, build the image if missing, start the container(s), attach claude")
      .option("--agent <user>", "the QMS user the agent acts as (default: docker/.env QMS_USER, else claude)")
      .option("--rebuild", "rebuild the image even if it exists")
      .option("--keep", "keep the container after claude exits")
      .option("--no-attach", "stop once the container is ready (do not run claude)")
      .option("--bind <host>", "address for a server this command starts (default 0.0.0.0, token auth)")
      .option("--mcp-url <url>", "the URL the container uses (default http://host.docker.internal:<port>/mcp)")
      .option("--mode <mode>", "http (Claude Code speaks HTTP) or proxy (Claude Code runs `qms proxy` over stdio)")
      .option("--server-timeout <s>", "seconds to wait for a started server's health (default 10)")
      .option("--ready-timeout <s>", "seconds to wait for the container's setup line (default 60)"),
  ).action(async (agents: string[], f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionUp(await sessionOptions(f, agents)));
  });
  common(
    session
      .command("down")
      .argument("[agents...]", "only these agents' containers (default: every agent's container and the server)")
      .description("stop agent containers, and (no agent named) the server this launcher started (by its pid file)"),
  ).action(async (agents: string[], f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionDown(await sessionOptions(f, agents)));
  });
  common(session.command("status").description("show server, token, image, container, and every agent (as qms agents)")).action(async (f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionStatus(await sessionOptions(f)));
  });
  common(
    session
      .command("reset")
      .argument("[agent]", "the agent to reset (default: claude)")
      .description("remove one agent's container and its Claude Code config volume (login + registration), optionally up again")
      .option("--up", "run `session up` afterwards")
      .option("--agent <user>", "the agent (same as the argument)"),
  ).action(async (agent: string | undefined, f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionReset(await sessionOptions(f, agent ? [agent] : [])));
  });
  common(
    session
      .command("attach")
      .argument("<agent>", "a running agent")
      .description("open the interactive Claude Code of a running agent (tmux in its container: detach with Ctrl-b d, attach again later)"),
  ).action(async (agent: string, f: SessionFlags) => {
    await guarded(async () => (await import("../session/agents.js")).sessionAttach(await sessionOptions(f, [agent]).then((o) => ({ ...o, agent }))));
  });

  const agents = program.command("agents").description("the agents (alias of session status's table): container, identity, inbox, activity, last delivery");
  const agentsCommon = (cmd: Command): Command =>
    cmd.option("--project-root <dir>", "the QMS project (default: walk up from the current directory)").option("--port <port>", "the host server's port (default: from the agent env file, else 8000)");
  agentsCommon(agents).action(async (f: SessionFlags, cmd: Command) => {
    if (cmd.args.length > 0) {
      process.stderr.write(`qms agents: unknown command '${cmd.args[0]}' (see qms agents --help)\n`);
      process.exitCode = 2;
      return;
    }
    await guarded(async () => (await import("../session/agents.js")).agentsStatus(await sessionOptions(f)));
  });
  agentsCommon(
    agents
      .command("set")
      .argument("<agent>")
      .description("change an agent's hub settings in qms.config.json (a running hub applies them at its next tick)")
      .option("--launch <policy>", "manual | auto_on_task | always_on")
      .option("--shutdown <policy>", "manual | on_inbox_empty | idle_timeout")
      .option("--delivery <mode>", "headless | interactive | channel | none")
      .option("--idle-minutes <n>", "for shutdown idle_timeout"),
  ).action(async (agent: string, f: { projectRoot?: string; launch?: string; shutdown?: string; delivery?: string; idleMinutes?: string }) => {
    await guarded(async () => {
      const { agentsSet } = await import("../session/agents.js");
      const patch = {
        launch: f.launch,
        shutdown: f.shutdown,
        delivery: f.delivery,
        idle_minutes: f.idleMinutes === undefined ? undefined : Number(f.idleMinutes),
      } as import("../hub/config.js").AgentSettingsPatch;
      return agentsSet({ projectRoot: f.projectRoot }, agent, patch);
    });
  });
  for (const [verb, what] of [
    ["nudge", "deliver the agent's open tasks again (after a delivery that left them open)"],
    ["start", "start the agent's container through the hub (the hub may then stop it by its shutdown policy)"],
    ["stop", "stop an agent the hub started"],
  ] as const) {
    agentsCommon(agents.command(verb).argument("<agent>").description(what)).action(async (agent: string, f: SessionFlags) => {
      await guarded(async () => (await import("../session/agents.js")).agentsAction(await sessionOptions(f), verb, agent));
    });
  }

  program
    .command("proxy")
    .description("stdio MCP ⇄ streamable HTTP bridge for Claude Code (adds the token; concurrent; never re-sends a sent request)")
    .argument("<url>", "the server's MCP endpoint, e.g. http://host.docker.internal:8000/mcp")
    .option("--token <token>", "access token (default: QMS_TOKEN)")
    .option("--header <header>", "extra header 'Name: value' (repeatable)", collect)
    .option("--retries <n>", "connection attempts when the server cannot be reached (default 3)")
    .option("--timeout <ms>", "per-request time-out in ms (default 300000)")
    .action(async (url: string, f: { token?: string; header?: string[]; retries?: string; timeout?: string }) => {
      await guarded(async () => {
        try {
          new URL(url);
        } catch {
          throw Object.assign(new Error(`proxy: '${url}' is not a URL`), { exitCode: 2 });
        }
        const headers: Record<string, string> = {};
        for (const h of f.header ?? []) {
          const i = h.indexOf(":");
          if (i <= 0) throw Object.assign(new Error(`proxy: --header '${h}' is not 'Name: value'`), { exitCode: 2 });
          headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
        }
        const { runProxy } = await import("../session/proxy.js");
        return runProxy({
          url,
          token: f.token ?? (process.env.QMS_TOKEN?.trim() || undefined),
          headers,
          retries: intOption("--retries", f.retries),
          timeoutMs: intOption("--timeout", f.timeout),
        });
      });
    });

  program
    .command("doctor")
    .description("check each link from Claude Code to the QMS MCP server; stop at the first broken one and print the fix")
    .option("--from-container", "run the checks as the agent container sees things (QMS_MCP_URL, QMS_TOKEN, CLAUDE_CONFIG_DIR)")
    .addOption(
      new Option("--local", "check a Claude Code on this machine instead: its 'qms' registration (claude mcp get qms), the server, the token, initialize + tools/list").conflicts(
        "fromContainer",
      ),
    )
    .option("--project-root <dir>", "the project (host) or the in-container project path")
    .option("--url <url>", "the MCP URL to check")
    .option("--token <token>", "the token to check (default: docker/.env or QMS_TOKEN)")
    .option("--container-network <kind>", "host mode: bridge (Docker's default) or host")
    .option("--config-dir <dir>", "host mode: also check this Claude Code config dir")
    .action(async (f: { fromContainer?: boolean; local?: boolean; projectRoot?: string; url?: string; token?: string; containerNetwork?: string; configDir?: string }) => {
      await guarded(async () => {
        const { runDoctor } = await import("../session/doctor.js");
        const r = await runDoctor({
          fromContainer: f.fromContainer === true,
          local: f.local === true,
          env: process.env,
          cwd: process.cwd(),
          projectRoot: f.projectRoot,
          url: f.url,
          token: f.token,
          containerNetwork: f.containerNetwork === "host" ? "host" : "bridge",
          configDir: f.configDir,
        });
        return r.ok ? 0 : 1;
      });
    });
}
