import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { Project } from "../store/project.js";
import { resolveProjectRoot } from "../store/root.js";
import { TokenStore } from "../store/tokens.js";
import { demoRoot, ensureDemoProject } from "./demo.js";
import { IdentityLockRegistry, identityLockTtlSeconds } from "./identity-locks.js";
import { isLoopbackHost } from "../core/net.js";
import { startHttpServer } from "./http.js";
import { type Logger, stderrLogger } from "./log.js";
import { catchStopSignals, type StopSignals } from "./stop-signals.js";
import { buildServer } from "./server.js";
import { createServerHub, type ServerHub } from "../hub/server-hook.js";

export interface McpCliOptions {
  transport?: string;
  host?: string;
  port?: string;
  projectRoot?: string;
  auth?: string;
  allowUnauthenticated?: boolean;
  allowedHost?: string[];
  demo?: boolean;
  identityHeader?: boolean;
  /** `--no-ui`: do not serve the web view. */
  ui?: boolean;
  /** Global `--user`: identity for resources/prompts without a token. */
  user?: string;
  /** `--no-hub` sets it false; `--hub-mode container|host` (agents-and-hub §3, §4). */
  hub?: boolean;
  hubMode?: string;
}

const TRANSPORTS = ["stdio", "streamable-http", "http", "sse"] as const;

function die(message: string, hint?: string): number {
  process.stderr.write(`qms mcp: ${message}\n${hint ? `${hint}\n` : ""}`);
  return 2;
}

/** The project to serve: the one resolver's order (store/root.ts); `--demo` stands in when nothing is found. */
async function resolveRoot(opts: McpCliOptions, log: Logger): Promise<{ root?: string; demo: boolean; error?: string }> {
  const answer = resolveProjectRoot({ flag: opts.projectRoot, env: process.env, cwd: process.cwd(), walkUpFromCwd: !opts.demo });
  for (const message of answer.warnings) log.log("warning", { message });
  if (answer.ok) return { root: answer.root, demo: false };
  const explicit = opts.projectRoot !== undefined && opts.projectRoot !== "";
  if (opts.demo && !explicit) {
    const demo = await ensureDemoProject(demoRoot());
    if (demo.created) log.log("demo_created", { root: demo.root, notes: demo.notes });
    return { root: demo.root, demo: true };
  }
  return { demo: false, error: explicit ? answer.message : `no QMS project found at or above ${process.cwd()}.` };
}

/**
 * `--identity-header` trusts a header any client can set, so it exists only as the Python-era compatibility
 * mode of an unauthenticated HTTP server: explicit `--auth none`, HTTP transport.
 */
export function identityHeaderRefusal(transport: string, auth: string | undefined): { message: string; hint: string } | undefined {
  if (auth?.toLowerCase() !== "none") {
    return {
      message: `--identity-header (the Python-era X-QMS-Identity mode) is allowed only together with --auth none${auth ? `, not --auth ${auth}` : ""}: the header is set by the client, so it authenticates nobody.`,
      hint: "Prefer token authentication (qms token create --user NAME). For a Python-era proxy setup, run: qms mcp --transport streamable-http --auth none --identity-header",
    };
  }
  if (transport === "stdio") {
    return {
      message: "--identity-header reads the X-QMS-Identity HTTP header, so it needs an HTTP transport; over stdio every call names its user.",
      hint: "Add --transport streamable-http, or drop --identity-header.",
    };
  }
  return undefined;
}

/** Run `qms mcp`; resolves with an exit code when it cannot start, otherwise serves until a signal or stdin EOF. */
export async function runMcp(opts: McpCliOptions): Promise<number> {
  const log = stderrLogger(process.env.QMS_MCP_LOG !== "0");
  // The handlers stay until the process exits: a second SIGTERM that lands after "stopped" (a supervisor
  // repeating itself) must not fall through to the default action and turn exit 0 into 143.
  const signals = catchStopSignals(log);
  return serve(opts, log, signals);
}

async function serve(opts: McpCliOptions, log: Logger, signals: StopSignals): Promise<number> {
  const transport = (opts.transport ?? "stdio").toLowerCase();
  if (!(TRANSPORTS as readonly string[]).includes(transport)) return die(`unknown --transport '${transport}'`, "Use stdio, streamable-http or sse.");
  if (opts.identityHeader) {
    const refusal = identityHeaderRefusal(transport, opts.auth);
    if (refusal) return die(refusal.message, refusal.hint);
  }
  const resolved = await resolveRoot(opts, log);
  if (!resolved.root) {
    return die(resolved.error ?? "no project", "Pass --project-root DIR (or set QMS_PROJECT_ROOT), or run `qms mcp --demo` to serve the built-in demo project.");
  }
  const project = new Project(resolved.root);
  const bench = process.env.QMS_MCP_BENCH === "1";
  // Integrity §5: changes a killed process left half done are finished or undone before the first request.
  try {
    for (const message of project.recover({ sweep: true })) log.log("recovered", { message });
  } catch (err) {
    return die(`cannot recover interrupted changes: ${err instanceof Error ? err.message : String(err)}`);
  }

  if (transport === "stdio") {
    if (opts.auth === "token") return die("--auth token applies to HTTP transports; over stdio the client names the user on each call.");
    const server = buildServer({ project, log, bench, userRequired: true }, { kind: "trusted", transport: "stdio", defaultUser: opts.user });
    await server.connect(new StdioServerTransport());
    log.log("listening", { transport: "stdio", project: project.root, pid: process.pid });
    const signal = await Promise.race([signals.requested, stdinClosed(server)]);
    if (signal !== "eof") log.log("shutdown", { signal });
    await server.close();
    log.log("stopped", {});
    return 0;
  }

  if (transport === "sse") log.log("warning", { message: "--transport sse is deprecated; serving streamable HTTP at /mcp and legacy SSE at /sse" });
  const host = opts.host ?? "127.0.0.1";
  const portNum = Number(opts.port ?? "8000");
  if (!Number.isInteger(portNum) || portNum < 0 || portNum > 65535) return die(`invalid --port '${opts.port}'`);
  const loopback = isLoopbackHost(host);
  const store = new TokenStore();
  let hasTokens: boolean;
  try {
    hasTokens = store.hasTokens(project.root);
  } catch (err) {
    return die(err instanceof Error ? err.message : String(err));
  }
  const asked = opts.auth?.toLowerCase();
  if (asked !== undefined && asked !== "token" && asked !== "none") return die(`unknown --auth '${opts.auth}'`, "Use --auth token or --auth none.");
  const auth: "token" | "none" = asked ?? (!loopback || hasTokens ? "token" : "none");
  if (auth === "none" && !loopback) {
    if (!opts.allowUnauthenticated) {
      return die(
        `refusing --auth none on ${host}: anyone who can reach this address could act as any QMS user.`,
        `Use token authentication (qms token create --user NAME --project-root ${project.root}), bind 127.0.0.1, or add --allow-unauthenticated if you really mean it.`,
      );
    }
    log.log("warning", { message: `serving WITHOUT authentication on ${host}: anyone who can reach it can act as any QMS user` });
    process.stderr.write(`WARNING: qms mcp is serving without authentication on ${host}.\n`);
  }
  if (auth === "token" && !hasTokens) {
    return die(
      `--auth token${opts.auth ? "" : ` (the default on ${host})`} but the token store has no token for ${project.root} (store: ${store.file}).`,
      `Create one first, on the host:\n  qms token create --user <name> --project-root ${project.root}\nthen start the server again.`,
    );
  }

  const locks = opts.identityHeader ? new IdentityLockRegistry({ ttlSeconds: identityLockTtlSeconds() }) : undefined;
  if (locks) log.log("identity_header_mode", { ttl_s: locks.ttlMs / 1000, message: "X-QMS-Identity compatibility mode: the header is trusted, identities are locked per container instance" });

  let running: Awaited<ReturnType<typeof startHttpServer>>;
  let hub: ServerHub;
  try {
    hub = createServerHub({ project, log, store, enabled: opts.hub !== false, mode: opts.hubMode });
  } catch (err) {
    return die((err as Error).message);
  }
  try {
    running = await startHttpServer({
      project,
      log,
      bench,
      userRequired: auth === "none",
      host,
      port: portNum,
      auth,
      store,
      allowedHosts: opts.allowedHost ?? [],
      defaultUser: opts.user,
      legacySse: transport === "sse",
      ...(opts.ui === false ? { ui: false as const } : {}),
      ...(locks ? { identityLocks: locks } : {}),
      extraRoutes: hub.routes,
      ...(hub.ui ? { ui: hub.ui } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      const holder = await portHolder(host, portNum);
      return die(`port ${portNum} on ${host} is already in use: ${holder.who}.`, `${holder.hint}Pick another port with --port, e.g. qms mcp --transport ${transport} --port ${portNum + 2} (npm start -- --port ${portNum + 2}).`);
    }
    return die(`cannot listen on ${host}:${portNum}: ${(err as Error).message}`);
  }
  log.log("listening", { transport, url: running.url, project: project.root, auth, demo: resolved.demo, pid: process.pid });
  await hub.start(running.url);
  const lines = [
    `QMS MCP server listening on ${running.url}`,
    `  project: ${project.root}${resolved.demo ? " (built-in demo)" : ""}`,
    `  auth:    ${auth === "token" ? "token (Authorization: Bearer <token> or X-API-Key: <token>)" : locks ? `none + X-QMS-Identity header (compatibility mode; identity locks expire ${locks.ttlMs / 1000} s after the last request)` : "none (loopback only; every tool call names its user)"}`,
    `  health:  ${running.url.replace(/\/mcp$/, "/healthz")}`,
    "Connect Claude Code:",
    auth === "token"
      ? `  claude mcp add --transport http qms ${running.url} --header "Authorization: Bearer $QMS_TOKEN" --header "X-API-Key: $QMS_TOKEN"`
      : locks
        ? `  claude mcp add --transport http qms ${running.url} --header "X-QMS-Identity: <name>" --header "X-QMS-Instance: <container-id>"`
        : `  claude mcp add --transport http qms ${running.url}`,
  ];
  if (auth === "token") lines.push(`  (QMS_TOKEN from: qms token create --user <name> --project-root ${project.root})`);
  else lines.push("  Tools then take user=<name>, e.g. user='claude' (administrator) or user='qa' (quality).");
  if (running.ui) {
    const web = running.url.replace(/\/mcp$/, "/ui/");
    lines.push(
      resolved.demo
        ? `Web view: ${web}\n  sign in as lead (one-time link, 5 minutes): ${running.ui.signInLink("lead")}`
        : `Web view: ${web} (sign in with a one-time link: qms ui --user <name>)`,
    );
  }
  lines.push("Stop with Ctrl-C.");
  process.stdout.write(`${lines.join("\n")}\n`);

  const signal = await signals.requested;
  log.log("shutdown", { signal });
  await hub.stop();
  await running.close();
  log.log("stopped", {});
  return 0;
}

/** Resolves "eof" when the stdio client goes away (stdin closed), as the SDK reports through onclose. */
function stdinClosed(server: ReturnType<typeof buildServer>): Promise<"eof"> {
  return new Promise((resolve) => {
    const previous = server.server.onclose;
    server.server.onclose = () => {
      previous?.();
      resolve("eof");
    };
    process.stdin.once("end", () => resolve("eof"));
  });
}

/** Who holds a port we could not bind: a QMS server (its /healthz says so, with its project) or another program. */
async function portHolder(host: string, port: number): Promise<{ who: string; hint: string }> {
  const probeHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const url = `http://${probeHost.includes(":") ? `[${probeHost}]` : probeHost}:${port}/healthz`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500), headers: { accept: "application/json" } });
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (res.ok && body && body.name === "qms") {
      return {
        who: `a QMS MCP server already serves it (version ${String(body.version ?? "?")}, project ${String(body.project ?? "?")}, up ${String(body.uptime_s ?? "?")} s)`,
        hint: `Use that server (health: ${url}), or stop it first (qms session down, if qms session up started it; else Ctrl-C in its terminal). `,
      };
    }
    return { who: `another program answers there (GET /healthz gave HTTP ${res.status}), not a QMS server`, hint: "" };
  } catch {
    return { who: "another program holds it (it does not answer HTTP /healthz)", hint: "" };
  }
}
