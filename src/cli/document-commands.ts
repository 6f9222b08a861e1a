import { type Command, Option } from "commander";
import { type QueryArgs, type QueryName, runAsUser, runQuery, type ServiceCall } from "./queries.js";
import type { WriteArgs, WriteName } from "./writes.js";

/** Run one service as the command's `--user` and set the exit code. */
async function runAs(cmd: Command, call: ServiceCall): Promise<void> {
  process.exitCode = await runAsUser(actingUser(cmd), call);
}

/** Run a write command through the one argument-to-service mapping (writes.ts, shared with the fast path). */
async function runWrite(cmd: Command, name: WriteName, args: WriteArgs): Promise<void> {
  const { WRITES } = await import("./writes.js");
  await runAs(cmd, (ctx) => WRITES[name](ctx, args));
}

/** A query, as text or `--json`. */
async function runQueryAs(cmd: Command, name: QueryName, args: QueryArgs): Promise<void> {
  process.exitCode = await runQuery(actingUser(cmd), name, args, (cmd.opts() as { json?: boolean }).json === true);
}

/**
 * `--user`/`-u` is accepted before the command (the program's option, or QMS_USER) and after it (the command's
 * own): both given and different is a usage error.
 */
function actingUser(cmd: Command): string {
  const own = (cmd.opts() as { user?: string }).user;
  const program = cmd.parent;
  const global = (program?.opts() as { user?: string } | undefined)?.user;
  const globalFromCli = program?.getOptionValueSource("user") === "cli";
  if (own !== undefined && globalFromCli && global !== undefined && global !== own) {
    cmd.error(`error: --user given twice with different names ('${global}' before the command, '${own}' after it)`, { exitCode: 2, code: "qms.usage" });
  }
  return own ?? global ?? "";
}

/** A command line that cannot run as given: exit 2 with the usage hint, like commander's own errors. */
function usageError(cmd: Command, message: string): never {
  return cmd.error(`error: ${message}`, { exitCode: 2, code: "qms.usage" });
}

/** `-u, --user` on a command: the same option as before the command, for `qms review SOP-001 --user qa`. */
function withUser(cmd: Command): Command {
  return cmd.option("-u, --user <name>", "act as this QMS user (same as before the command)");
}


/** The document-control commands of spec §5, with the Python tool's exact command lines. */
export function registerDocumentCommands(program: Command): void {
  const first = program.commands.length;
  program
    .command("init")
    .description("create a new QMS project (templates, agents, hooks, CLAUDE.md)")
    .option("--root <dir>", "initialize this existing directory")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (opts: { root?: string; yes?: boolean }) => {
      const { runInit } = await import("./init-command.js");
      process.exitCode = await runInit(opts);
    });

  program
    .command("user")
    .description("add or list QMS users (administrators only for --add)")
    .option("--add <name>", "create an agent file, workspace and inbox for a new user")
    .addOption(new Option("--group <group>", "group of the new user").choices(["administrator", "initiator", "quality", "reviewer"]))
    .option("--list", "list every recognized user with its group")
    .action(async (opts: { add?: string; group?: string; list?: boolean }, cmd: Command) => {
      const svc = await import("../services/users.js");
      await runAs(cmd, (ctx) => (opts.add !== undefined ? svc.userAdd(ctx, { name: opts.add, group: opts.group }) : opts.list ? svc.userList(ctx) : svc.userUsage()));
    });

  program
    .command("namespace")
    .description("list or register SDLC namespaces")
    .argument("[action]", "list | add", "list")
    .argument("[name]", "namespace to add")
    .action(async (action: string, name: string | undefined, _opts: unknown, cmd: Command) => {
      const svc = await import("../services/namespaces.js");
      await runAs(cmd, (ctx) => svc.namespaceCommand(ctx, { action, name }));
    });

  program
    .command("create")
    .description("create a new controlled document (checked out to you)")
    .argument("<type>", "SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE or NS-RS / NS-RTM")
    .requiredOption("--title <title>", "document title")
    .option("--parent <id>", "parent document (TP, ER, VAR, ADD, VR)")
    .option("--name <name>", "template name (TEMPLATE)")
    .action(async (type: string, opts: { title?: string; parent?: string; name?: string }, cmd: Command) => {
      await runWrite(cmd, "create", { type, title: opts.title, parent: opts.parent, name: opts.name });
    });

  program
    .command("checkout")
    .description("check a document out into your workspace (--discard: abandon your checked-out revision draft)")
    .argument("<doc_id>")
    .option("--discard", "drop your checked-out N.X draft of an EFFECTIVE or IN_EXECUTION document: back to the previous version")
    .action(async (docId: string, opts: { discard?: boolean }, cmd: Command) => {
      await runWrite(cmd, "checkout", { docId, discard: opts.discard });
    });
  writeCommand(program, "checkin", "check your workspace copy back in");

  program
    .command("cancel")
    .description("delete a never-approved (v0.x) document entirely")
    .argument("<doc_id>")
    .option("--confirm", "really delete it")
    .action(async (docId: string, opts: { confirm?: boolean }, cmd: Command) => {
      await runWrite(cmd, "cancel", { docId, confirm: opts.confirm });
    });

  program
    .command("route")
    .description("send a document for review or approval")
    .argument("<doc_id>")
    .option("--review", "route for review")
    .option("--approval", "route for approval")
    .option("--assign <users...>", "assignees (default: qa)")
    .option("--retire", "approval leads to retirement (v1.0 and later)")
    .option("--allow-placeholders", "route even though template placeholders remain (recorded in the audit trail)")
    .action(async (docId: string, opts: { review?: boolean; approval?: boolean; assign?: string[]; retire?: boolean; allowPlaceholders?: boolean }, cmd: Command) => {
      if (opts.review === opts.approval) usageError(cmd, "say which workflow: exactly one of --review or --approval");
      await runWrite(cmd, "route", { docId, review: opts.review, approval: opts.approval, assign: opts.assign, retire: opts.retire, allowPlaceholders: opts.allowPlaceholders });
    });

  program
    .command("assign")
    .description("add reviewers or approvers to an active workflow (quality)")
    .argument("<doc_id>")
    .requiredOption("--assignees <users...>", "users to add")
    .action(async (docId: string, opts: { assignees: string[] }, cmd: Command) => {
      await runWrite(cmd, "assign", { docId, assignees: opts.assignees });
    });

  program
    .command("review")
    .description("submit your review of a document assigned to you")
    .argument("<doc_id>")
    .option("--recommend", "recommend approval")
    .option("--request-updates", "request updates")
    .requiredOption("--comment <text>", "review comment")
    .action(async (docId: string, opts: { recommend?: boolean; requestUpdates?: boolean; comment: string }, cmd: Command) => {
      if (opts.recommend === opts.requestUpdates) usageError(cmd, "give exactly one outcome: --recommend or --request-updates");
      await runWrite(cmd, "review", { docId, recommend: opts.recommend, requestUpdates: opts.requestUpdates, comment: opts.comment });
    });

  writeCommand(program, "approve", "approve a document assigned to you");

  program
    .command("reject")
    .description("reject a document in approval")
    .argument("<doc_id>")
    .requiredOption("--comment <text>", "why")
    .action(async (docId: string, opts: { comment: string }, cmd: Command) => {
      await runWrite(cmd, "reject", { docId, comment: opts.comment });
    });

  writeCommand(program, "withdraw", "take back a document you routed");
  writeCommand(program, "release", "release a pre-approved executable document for execution");

  program
    .command("revert")
    .description("(deprecated: use checkout) return a post-reviewed document to execution")
    .argument("<doc_id>")
    .requiredOption("--reason <text>", "why")
    .action(async (docId: string, opts: { reason: string }, cmd: Command) => {
      await runWrite(cmd, "revert", { docId, reason: opts.reason });
    });

  writeCommand(program, "close", "close a post-approved executable document");
  writeCommand(program, "fix", "administrative clean-up of an EFFECTIVE or CLOSED document");

  program
    .command("interact")
    .description("author an interactive (VR) document one prompt at a time")
    .argument("<doc_id>")
    .option("--respond [value]", "answer the current prompt (with --file: take the answer from the file)")
    .option("--file <path>", "the file whose content is the answer")
    .option("--reason <text>", "why (with --goto or --reopen)")
    .option("--goto <prompt>", "amend an earlier answer (e.g. objective, step_actual.2)")
    .option("--cancel-goto", "leave amendment mode")
    .option("--reopen <loop>", "reopen a closed loop (e.g. steps)")
    .option("--progress", "show which prompts are answered")
    .option("--compile", "preview the compiled record (writes nothing)")
    .action(async (docId: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { interact } = await import("../services/interact.js");
      const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
      await runAs(cmd, (ctx) =>
        interact(ctx, {
          docId,
          // `--respond` without a value: the answer comes from --file (or is empty, and refused)
          respond: opts.respond === true ? "" : text(opts.respond),
          file: text(opts.file),
          // a person on the host names a file relative to where the command runs
          hostDir: process.cwd(),
          reason: text(opts.reason),
          goto: text(opts.goto),
          cancelGoto: opts.cancelGoto === true,
          reopen: text(opts.reopen),
          progress: opts.progress === true,
          compile: opts.compile === true,
        }),
      );
    });

  program
    .command("read")
    .description("print a document (effective, draft, or an archived version)")
    .argument("<doc_id>")
    .option("--draft", "read the draft")
    .option("--version <v>", "read an archived version, e.g. 1.0")
    .option("--json", "print the text with the document's metadata as JSON")
    .action(async (docId: string, opts: { draft?: boolean; version?: string }, cmd: Command) => {
      await runQueryAs(cmd, "read", { docId, draft: opts.draft === true, version: opts.version });
    });

  for (const [name, description] of [
    ["status", "show a document's workflow state"],
    ["history", "show a document's audit trail"],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument("<doc_id>")
      .option("--json", "print the data as JSON")
      .action(async (docId: string, _opts: unknown, cmd: Command) => {
        await runQueryAs(cmd, name, { docId });
      });
  }

  program
    .command("comments")
    .description("show review and rejection comments")
    .argument("<doc_id>")
    .option("--version <v>", "only comments on this version")
    .option("--json", "print the data as JSON")
    .action(async (docId: string, opts: { version?: string }, cmd: Command) => {
      await runQueryAs(cmd, "comments", { docId, version: opts.version });
    });

  program
    .command("inbox")
    .description("list your review and approval tasks")
    .option("--json", "print the data as JSON")
    .action(async (_opts: unknown, cmd: Command) => {
      await runQueryAs(cmd, "inbox", {});
    });

  program
    .command("verify")
    .description("check the record: audit chains, meta against the trail, files, tasks, workspaces, temp files (quality, administrators)")
    .argument("[doc_ids...]", "only these documents (default: all)")
    .option("--json", "print the result and its findings as JSON")
    .option("--anchor", "also print one digest over every audit file's head (a checkpoint to write down)")
    .option("--against <digest>", "check that an earlier --anchor checkpoint is a prefix of today's record")
    .action(async (docIds: string[], opts: { json?: boolean; anchor?: boolean; against?: string }, cmd: Command) => {
      const { runVerify } = await import("./verify-command.js");
      process.exitCode = await runVerify((cmd.optsWithGlobals() as { user?: string }).user ?? "", docIds, opts);
    });

  program
    .command("workspace")
    .description("list the documents you have checked out")
    .option("--json", "print the data as JSON")
    .action(async (_opts: unknown, cmd: Command) => {
      await runQueryAs(cmd, "workspace", {});
    });

  program
    .command("list")
    .description("list every document: ID, type, version, status, owner, checkout holder, title (sorted by ID)")
    .option("--type <type>", "only this document type, e.g. SOP")
    .option("--status <status>", "only this status, e.g. EFFECTIVE")
    .option("--owner <user>", "only documents this user owns")
    .option("--mine", "only documents waiting for you (your review, approval or next step as owner)")
    .option("--json", "print the data as JSON")
    .action(async (opts: { type?: string; status?: string; owner?: string; mine?: boolean }, cmd: Command) => {
      await runQueryAs(cmd, "list", { type: opts.type, status: opts.status, owner: opts.owner, mine: opts.mine === true });
    });

  // every document command (not init, which acts as nobody) also takes --user after the command
  for (const cmd of program.commands.slice(first)) if (cmd.name() !== "init") withUser(cmd);
}

/** A write command whose only argument is the document ID. */
function writeCommand(program: Command, name: WriteName, description: string): void {
  program
    .command(name)
    .description(description)
    .argument("<doc_id>")
    .action(async (docId: string, _opts: unknown, cmd: Command) => {
      await runWrite(cmd, name, { docId });
    });
}
