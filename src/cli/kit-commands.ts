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

async function sessionOptions(f: SessionFlags) {
  if (f.mode !== undefined && f.mode !== "http" && f.mode !== "proxy") throw new Error(`--mode must be http or proxy, not '${f.mode}'`);
  return {
    projectRoot: f.projectRoot,
    agent: f.agent,
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
      .description("start (if needed) the server, write docker/.env with the agent's token, build the image if missing, start the container, attach claude")
      .option("--agent <user>", "the QMS user the agent acts as (default: docker/.env QMS_USER, else claude)")
      .option("--rebuild", "rebuild the image even if it exists")
      .option("--keep", "keep the container after claude exits")
      .option("--no-attach", "stop once the container is ready (do not run claude)")
      .option("--bind <host>", "address for a server this command starts (default 0.0.0.0, token auth)")
      .option("--mcp-url <url>", "the URL the container uses (default http://host.docker.internal:<port>/mcp)")
      .option("--mode <mode>", "http (Claude Code speaks HTTP) or proxy (Claude Code runs `qms proxy` over stdio)")
      .option("--server-timeout <s>", "seconds to wait for a started server's health (default 10)")
      .option("--ready-timeout <s>", "seconds to wait for the container's setup line (default 60)"),
  ).action(async (f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionUp(await sessionOptions(f)));
  });
  common(session.command("down").description("stop the container and the server this launcher started (by its pid file)")).action(async (f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionDown(await sessionOptions(f)));
  });
  common(session.command("status").description("show server, token, image, container")).action(async (f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionStatus(await sessionOptions(f)));
  });
  common(
    session
      .command("reset")
      .description("the seed's reset: down, remove the claude-config volume (login + registration), optionally up again")
      .option("--up", "run `session up` afterwards")
      .option("--agent <user>", "for --up: the agent"),
  ).action(async (f: SessionFlags) => {
    await guarded(async () => (await import("../session/launcher.js")).sessionReset(await sessionOptions(f)));
  });

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
