import { type Command, Option } from "commander";
import type { ServiceResult } from "../core/result.js";
import type { ServiceContext } from "../services/context.js";
import { QUERIES, runAsUser, type ServiceCall } from "./queries.js";

/** Run one service as the command's `--user` and set the exit code. */
async function runAs(cmd: Command, call: ServiceCall): Promise<void> {
  process.exitCode = await runAsUser((cmd.optsWithGlobals() as { user?: string }).user ?? "", call);
}


/** The document-control commands of spec §5, with the Python tool's exact command lines. */
export function registerDocumentCommands(program: Command): void {
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
    .option("--title <title>", "document title")
    .option("--parent <id>", "parent document (TP, ER, VAR, ADD, VR)")
    .option("--name <name>", "template name (TEMPLATE)")
    .action(async (type: string, opts: { title?: string; parent?: string; name?: string }, cmd: Command) => {
      const { create } = await import("../services/create.js");
      await runAs(cmd, (ctx) => create(ctx, { type, ...opts }));
    });

  docCommand(program, "checkout", "check a document out into your workspace", async (ctx, docId) =>
    (await import("../services/checkout.js")).checkout(ctx, { docId }),
  );
  docCommand(program, "checkin", "check your workspace copy back in", async (ctx, docId) =>
    (await import("../services/checkin.js")).checkin(ctx, { docId }),
  );

  program
    .command("cancel")
    .description("delete a never-approved (v0.x) document entirely")
    .argument("<doc_id>")
    .option("--confirm", "really delete it")
    .action(async (docId: string, opts: { confirm?: boolean }, cmd: Command) => {
      const { cancel } = await import("../services/cancel.js");
      await runAs(cmd, (ctx) => cancel(ctx, { docId, confirm: opts.confirm === true }));
    });

  program
    .command("route")
    .description("send a document for review or approval")
    .argument("<doc_id>")
    .option("--review", "route for review")
    .option("--approval", "route for approval")
    .option("--assign <users...>", "assignees (default: qa)")
    .option("--retire", "approval leads to retirement (v1.0 and later)")
    .action(async (docId: string, opts: { review?: boolean; approval?: boolean; assign?: string[]; retire?: boolean }, cmd: Command) => {
      const { route } = await import("../services/route.js");
      await runAs(cmd, (ctx) =>
        route(ctx, {
          docId,
          kind: opts.review && !opts.approval ? "review" : opts.approval && !opts.review ? "approval" : undefined,
          assign: opts.assign,
          retire: opts.retire === true,
        }),
      );
    });

  program
    .command("assign")
    .description("add reviewers or approvers to an active workflow (quality)")
    .argument("<doc_id>")
    .requiredOption("--assignees <users...>", "users to add")
    .action(async (docId: string, opts: { assignees: string[] }, cmd: Command) => {
      const { assign } = await import("../services/assign.js");
      await runAs(cmd, (ctx) => assign(ctx, { docId, assignees: opts.assignees }));
    });

  program
    .command("review")
    .description("submit your review of a document assigned to you")
    .argument("<doc_id>")
    .option("--recommend", "recommend approval")
    .option("--request-updates", "request updates")
    .option("--comment <text>", "review comment (required)")
    .action(async (docId: string, opts: { recommend?: boolean; requestUpdates?: boolean; comment?: string }, cmd: Command) => {
      const { review } = await import("../services/review.js");
      const outcome =
        opts.recommend && !opts.requestUpdates ? "recommend" : opts.requestUpdates && !opts.recommend ? "request-updates" : undefined;
      await runAs(cmd, (ctx) => review(ctx, { docId, outcome, comment: opts.comment ?? "" }));
    });

  docCommand(program, "approve", "approve a document assigned to you", async (ctx, docId) =>
    (await import("../services/approve.js")).approve(ctx, { docId }),
  );

  program
    .command("reject")
    .description("reject a document in approval")
    .argument("<doc_id>")
    .option("--comment <text>", "why (required)")
    .action(async (docId: string, opts: { comment?: string }, cmd: Command) => {
      const { reject } = await import("../services/reject.js");
      await runAs(cmd, (ctx) => reject(ctx, { docId, comment: opts.comment ?? "" }));
    });

  docCommand(program, "withdraw", "take back a document you routed", async (ctx, docId) =>
    (await import("../services/withdraw.js")).withdraw(ctx, { docId }),
  );
  docCommand(program, "release", "release a pre-approved executable document for execution", async (ctx, docId) =>
    (await import("../services/release.js")).release(ctx, { docId }),
  );

  program
    .command("revert")
    .description("(deprecated: use checkout) return a post-reviewed document to execution")
    .argument("<doc_id>")
    .option("--reason <text>", "why (required)")
    .action(async (docId: string, opts: { reason?: string }, cmd: Command) => {
      const { revert } = await import("../services/revert.js");
      await runAs(cmd, (ctx) => revert(ctx, { docId, reason: opts.reason ?? "" }));
    });

  docCommand(program, "close", "close a post-approved executable document", async (ctx, docId) =>
    (await import("../services/close.js")).close(ctx, { docId }),
  );
  docCommand(program, "fix", "administrative clean-up of an EFFECTIVE or CLOSED document", async (ctx, docId) =>
    (await import("../services/fix.js")).fix(ctx, { docId }),
  );

  program
    .command("interact")
    .description("author an interactive (VR) document step by step (not available yet)")
    .argument("<doc_id>")
    .option("--respond [value]", "answer the current prompt")
    .option("--file <path>", "take the answer from a file")
    .option("--reason <text>", "why (with --goto or --reopen)")
    .option("--goto <prompt>", "amend an earlier answer")
    .option("--cancel-goto", "leave amendment mode")
    .option("--reopen <loop>", "reopen a closed loop")
    .option("--progress", "show which prompts are answered")
    .option("--compile", "preview the compiled document")
    .action(async (docId: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { interact } = await import("../services/interact.js");
      const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
      await runAs(cmd, (ctx) =>
        interact(ctx, {
          docId,
          respond: text(opts.respond),
          file: text(opts.file),
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
    .action(async (docId: string, opts: { draft?: boolean; version?: string }, cmd: Command) => {
      await runAs(cmd, (ctx) => QUERIES.read(ctx, { docId, draft: opts.draft === true, version: opts.version }));
    });

  docCommand(program, "status", "show a document's workflow state", async (ctx, docId) =>
    QUERIES.status(ctx, { docId }),
  );
  docCommand(program, "history", "show a document's audit trail", async (ctx, docId) =>
    QUERIES.history(ctx, { docId }),
  );

  program
    .command("comments")
    .description("show review and rejection comments")
    .argument("<doc_id>")
    .option("--version <v>", "only comments on this version")
    .action(async (docId: string, opts: { version?: string }, cmd: Command) => {
      await runAs(cmd, (ctx) => QUERIES.comments(ctx, { docId, version: opts.version }));
    });

  program
    .command("inbox")
    .description("list your review and approval tasks")
    .action(async (_opts: unknown, cmd: Command) => {
      await runAs(cmd, (ctx) => QUERIES.inbox(ctx, {}));
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
    .action(async (_opts: unknown, cmd: Command) => {
      await runAs(cmd, (ctx) => QUERIES.workspace(ctx, {}));
    });
}

function docCommand(
  program: Command,
  name: string,
  description: string,
  call: (ctx: ServiceContext, docId: string) => Promise<ServiceResult<unknown>>,
): void {
  program
    .command(name)
    .description(description)
    .argument("<doc_id>")
    .action(async (docId: string, _opts: unknown, cmd: Command) => {
      await runAs(cmd, (ctx) => call(ctx, docId));
    });
}
