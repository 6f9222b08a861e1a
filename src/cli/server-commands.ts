import { type Command, Option } from "commander";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `qms mcp` and `qms token` (owned by the MCP server work). The SDK loads only inside the action. */
export function registerServerCommands(program: Command): void {
  program
    .command("mcp")
    .description("run the MCP server (stdio by default; streamable HTTP at /mcp with --transport streamable-http)")
    .addOption(new Option("--transport <kind>", "stdio | streamable-http | sse (deprecated)").default("stdio"))
    .option("--host <host>", "address to bind (HTTP)", "127.0.0.1")
    .option("--port <port>", "port to bind (HTTP)", "8000")
    .option("--project-root <dir>", "the QMS project (beats QMS_PROJECT_ROOT, which beats walking up from cwd)")
    .addOption(new Option("--auth <mode>", "token | none (default: token off loopback or when tokens exist, else none)").choices(["token", "none"]))
    .option("--allow-unauthenticated", "allow --auth none on a non-loopback address (dangerous)")
    .option("--allowed-host <name>", "extra Host/Origin name to accept (repeatable)", collect)
    .option("--demo", "with no project given, serve the built-in demo project")
    .option("--no-ui", "do not serve the web view at /ui/")
    .option("--identity-header", "with --auth none: Python-era compatibility mode trusting the X-QMS-Identity header, with identity locks")
    .option("--no-hub", "HTTP: do not run the agent hub (no inbox watch, no deliveries; /hub/ answers 503)")
    .addOption(new Option("--hub-mode <mode>", "HTTP: agents in containers (qms-agent-NAME), or their Claude Code on this machine (default: QMS_HUB_MODE, else container)").choices(["container", "host"]))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runMcp } = await import("../mcp/run.js");
      const user = (cmd.optsWithGlobals() as { user?: string }).user;
      const code = await runMcp({ ...(opts as object), user: user === "" ? undefined : user });
      // Exit at once once the server has stopped: waiting for the event loop to drain leaves a window in which
      // Node has already restored the default signal action, so a repeated SIGTERM would turn exit 0 into 143.
      process.exit(code);
    });

  const token = program.command("token").description("manage MCP access tokens (stored outside the project, hashes only)");
  token
    .command("create")
    .description("mint a token for a QMS user; printed once on stdout")
    .option("--user <name>", "the QMS user the token acts as (required)")
    .option("--label <label>", "a name for the token (default: the user name)")
    .option("--project-root <dir>", "the QMS project (default: QMS_PROJECT_ROOT, then walking up from cwd)")
    .action(async (opts: { user?: string; label?: string; projectRoot?: string }, cmd: Command) => {
      // `--user` is also the program's global option, which commander fills first; only an explicit one counts (not QMS_USER).
      const fromCli = program.getOptionValueSource("user") === "cli" ? (program.opts() as { user?: string }).user : undefined;
      const user = opts.user ?? fromCli ?? "";
      void cmd;
      await runToken(opts.projectRoot, async (ctx) => {
        const result = await (await import("../services/tokens.js")).tokenCreate(ctx, { user, label: opts.label });
        return result.ok ? { ...result, warnings: tokenGuidance(result.data) } : result;
      });
    });
  token
    .command("list")
    .description("list this project's tokens (ids, users, labels; never the tokens)")
    .option("--project-root <dir>", "the QMS project")
    .action(async (opts: { projectRoot?: string }) => {
      await runToken(opts.projectRoot, async (ctx) => (await import("../services/tokens.js")).tokenList(ctx));
    });
  token
    .command("revoke")
    .description("revoke tokens by label, id (from list) or the token itself")
    .argument("<label-or-id>")
    .option("--project-root <dir>", "the QMS project")
    .action(async (what: string, opts: { projectRoot?: string }) => {
      await runToken(opts.projectRoot, async (ctx) => (await import("../services/tokens.js")).tokenRevoke(ctx, { what }));
    });
}

/** How to use a new token (stderr, so stdout is the token alone for scripts). */
function tokenGuidance(t: { token: string; user: string; label: string; id: string; project: string; store: string }): string[] {
  return [
    `Token for QMS user '${t.user}' (label ${t.label}, id ${t.id}) on project ${t.project}.`,
    `It is shown only this once; the store (${t.store}) keeps only its SHA-256 hash.`,
    "Connect Claude Code with (both headers carry the same token):",
    `  claude mcp add --transport http qms http://127.0.0.1:8000/mcp --header "Authorization: Bearer ${t.token}" --header "X-API-Key: ${t.token}"`,
    `Revoke it with: qms token revoke ${t.label}`,
  ];
}

type TokenCall = (ctx: import("../services/context.js").ServiceContext) => Promise<import("../core/result.js").ServiceResult<unknown>>;

async function runToken(projectRoot: string | undefined, call: TokenCall): Promise<void> {
  const [{ makeContext, runService }, { renderResult }] = await Promise.all([import("../services/context.js"), import("./render.js")]);
  const { Project } = await import("../store/project.js");
  const prepared = runService(() => ({ ok: true, data: makeContext(Project.open({ flag: projectRoot, env: process.env, cwd: process.cwd() }), ""), lines: [] }));
  try {
    process.exitCode = renderResult(prepared.ok ? await call(prepared.data) : prepared);
  } catch (err) {
    process.stderr.write(`qms token: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
