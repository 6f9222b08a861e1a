import type { Command } from "commander";

interface UiOptions {
  user?: string;
  open?: boolean;
  logoutAll?: boolean;
  projectRoot?: string;
  url?: string;
}

/**
 * `qms ui --user NAME [--open]` prints a one-time sign-in link for the web view; `qms ui --logout-all` ends
 * every web session. Both write the sign-in store beside the token store (outside the project), which the
 * running server reads: the CLI needs no connection to the server and no credential, only the host account
 * that owns the token store — the same trust as `qms token create`.
 */
export function registerUiCommand(program: Command): void {
  program
    .command("ui")
    .description("sign in to the web view: print a one-time link (valid 5 minutes), or end every web session")
    .option("--user <name>", "the QMS user to sign in as")
    .option("--open", "also open the link in the default browser")
    .option("--logout-all", "end every web session of this project")
    .option("--project-root <dir>", "the QMS project (default: QMS_PROJECT_ROOT, then walking up from cwd)")
    .option("--url <base>", "the server's base URL (default: the running server's, else http://127.0.0.1:8000)")
    .action(async (opts: UiOptions) => {
      // `--user` is also the program's global option, which commander fills first; only an explicit one counts (not QMS_USER).
      const fromCli = program.getOptionValueSource("user") === "cli" ? (program.opts() as { user?: string }).user : undefined;
      process.exitCode = await runUi({ ...opts, user: opts.user ?? fromCli });
    });
}

async function runUi(opts: UiOptions): Promise<number> {
  const [{ Project }, { findUser }, { LoginCodeStore }, { fail, RefusalError, refusalText }, { commandLineStep }, { step }] = await Promise.all([
    import("../store/project.js"),
    import("../store/users.js"),
    import("../store/login-codes.js"),
    import("../core/result.js"),
    import("../core/command-line.js"),
    import("../core/next.js"),
  ]);
  try {
    const project = Project.open({ flag: opts.projectRoot, env: process.env, cwd: process.cwd() });
    const store = new LoginCodeStore();
    if (opts.logoutAll) {
      store.endAllSessions(project.root);
      process.stdout.write(`Every web session of ${project.root} has ended; unused sign-in links are void.\n`);
      return 0;
    }
    const name = (opts.user ?? "").trim();
    if (name === "") fail("invalid-argument", "qms ui needs --user NAME: the QMS user to sign in as.", "Run: qms ui --user lead");
    if (!findUser(project, name)) fail("unknown-user", `Unknown user '${name.slice(0, 40)}' in ${project.root}.`, step("user", undefined, { user: "lead", args: { list: true }, lead: "See the users with" }));
    const running = store.runningServer(project.root);
    const base = (opts.url ?? running?.url ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
    if (!/^https?:\/\/[^\s/?#]+$/.test(base)) fail("invalid-argument", `--url must be a base URL such as http://127.0.0.1:8000, not '${base.slice(0, 60)}'.`);
    const { code, expires } = store.createCode(project.root, name);
    const link = `${base}/ui/login?code=${code}`;
    process.stdout.write(`${link}\n`);
    const notes = [`One-time sign-in link for ${name}: valid until ${expires.toISOString().slice(11, 19)} UTC (5 minutes), usable once.`];
    if (!opts.url && !running) notes.push(`No running server is recorded for this project; start one with: qms mcp --transport streamable-http --project-root ${project.root}`);
    process.stderr.write(`${notes.join("\n")}\n`);
    if (opts.open) await openInBrowser(link);
    return 0;
  } catch (err) {
    if (err instanceof RefusalError) {
      process.stderr.write(`${refusalText(err.refusal, commandLineStep(opts.user))}\n`);
      return 1;
    }
    process.stderr.write(`qms ui: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function openInBrowser(link: string): Promise<void> {
  const { spawn } = await import("node:child_process");
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(opener, [link], { stdio: "ignore", detached: true });
    child.on("error", () => process.stderr.write(`Could not start ${opener}; open the link above by hand.\n`));
    child.unref();
  } catch {
    process.stderr.write(`Could not start ${opener}; open the link above by hand.\n`);
  }
}
