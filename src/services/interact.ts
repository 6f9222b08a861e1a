import { type NextStep, step } from "../core/next.js";
import { fail, refuse, type ServiceResult, success } from "../core/result.js";
import { isTerminal } from "../core/statuses.js";
import { type CurrentPrompt, type EngineAction, type InteractFlags, interact as runEngine, type Outcome, type Progress, selectAction } from "../core/vr/engine.js";
import { currentPromptLines, headerLines, progressLines } from "../core/vr/present.js";
import { serializeSource, type VrSource } from "../core/vr/source.js";
import { newChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import type { Project } from "../store/project.js";
import { evidenceCommitter, readHostResponseFile } from "../store/vr-files.js";
import { type Actor, applyAs, authorize, runService, type ServiceContext } from "./context.js";
import { type ChosenTemplate, freshSource, storedSource, templateFor, trustedSessionOf } from "./interactive.js";

export interface InteractInput {
  docId: string;
  /** The answer; `""` with `file` (or `file` alone) takes it from the file. */
  respond?: string;
  /** A file whose content is the answer: relative to the caller's workspace, unless `hostDir` is given. */
  file?: string;
  /**
   * The CLI's working directory: `file` is a host path a person named (relative to it). Absent (MCP, an agent
   * in a container), `file` is relative to the caller's workspace and read without following links.
   */
  hostDir?: string;
  reason?: string;
  goto?: string;
  cancelGoto?: boolean;
  reopen?: string;
  progress?: boolean;
  compile?: boolean;
}

export interface InteractData {
  doc_id: string;
  /** The operation the flags selected (progress > compile > cancel-goto > goto > reopen > respond > show). */
  action: EngineAction;
  /** Which source was used: the caller's session, or (a read-only preview by anyone else) the checked-in one. */
  from: "session" | "stored";
  template: { name: string; version: number; origin: string };
  recorded?: Outcome["recorded"];
  evidence?: Outcome["evidence"];
  /** The prompt to answer now, with its interpolated guidance; null when every prompt is answered. */
  current: CurrentPrompt | null;
  progress: Progress;
  /** `compile`: the previewed record. */
  compiled?: string;
}

const PRIORITY: EngineAction[] = ["progress", "compile", "cancel-goto", "goto", "reopen", "respond"];

/**
 * `interact DOC_ID [flags]` (spec §9.3, §9.5; REQ-INT-010..015, -020..022): one engine operation on the
 * caller's session. `progress` and `compile` are read-only previews anyone may run: from the caller's
 * session when the caller holds the checkout, else from the checked-in `.source.json`.
 */
export function interact(ctx: ServiceContext, input: InteractInput): ServiceResult<InteractData> {
  return runService(() => {
    const flags = engineFlags(input);
    const action = selectAction(flags);
    const warnings = ignoredFlags(flags, action);
    if (action === "progress" || action === "compile") return preview(ctx, input, action, warnings);
    const actor = authorize(ctx, "interact");
    const { project } = actor;
    return project.mutate(() => {
      const loaded = project.load(input.docId);
      requireInteractive(loaded);
      requireSessionHolder(actor, loaded);
      const me = actor.user.name;
      let source = trustedSessionOf(project, me, loaded);
      let seeded = false;
      if (!source) {
        // a lost session: start again from the last checked-in record (nothing recorded since then survives)
        source = storedSource(project, loaded) ?? freshSource(project, loaded.doc.id, loaded.doc.parentId ?? "", project.title(loaded)).source;
        seeded = true;
        warnings.push(`There was no session for ${loaded.doc.id} in your workspace; a new one starts from the last checked-in record.`);
      }
      const chosen = templateFor(project, source);
      if (action === "respond" && input.file !== undefined) flags.respond = responseFile(project, me, input.file, input.hostDir);
      const result = runEngine(source, chosen.template, flags, {
        user: me,
        now: actor.now,
        captureEvidence: evidenceCommitter(project, me, actor.now),
      });
      if (!result.ok) return refuse(result.code, result.message, result.hint);
      if (action !== "show" || seeded) {
        const change = newChange(loaded.doc);
        change.sessions = [{ user: me, text: serializeSource(result.source) }];
        applyAs(actor, change);
      }
      return respondWith(loaded, result.source, chosen, result.outcome, "session", warnings, true);
    });
  });
}

function preview(ctx: ServiceContext, input: InteractInput, action: "progress" | "compile", warnings: string[]): ServiceResult<InteractData> {
  const actor = authorize(ctx, "read", "interact");
  const { project } = actor;
  const loaded = project.load(input.docId);
  requireInteractive(loaded);
  const { meta, doc } = loaded;
  const holder = meta.checked_out && meta.responsible_user === actor.user.name;
  const session = holder ? trustedSessionOf(project, actor.user.name, loaded) : undefined;
  const source = session ?? storedSource(project, loaded);
  if (!source) {
    fail(
      "not-found",
      `${doc.id} has no checked-in record yet${meta.checked_out && meta.responsible_user ? ` (${meta.responsible_user} is authoring it)` : ""}.`,
      step("read", doc.id, { lead: "Read its current draft with" }),
    );
  }
  const chosen = templateFor(project, source);
  const result = runEngine(source, chosen.template, action === "progress" ? { progress: true } : { compile: true }, { user: actor.user.name, now: actor.now });
  if (!result.ok) return refuse(result.code, result.message, result.hint);
  return respondWith(loaded, source, chosen, result.outcome, session ? "session" : "stored", warnings, false);
}

function requireInteractive(loaded: LoadedDoc): void {
  if (!loaded.doc.spec.interactive) {
    fail("invalid-type", `${loaded.doc.id} is not an interactive document: interact is for Verification Records (VR).`, step("checkout", loaded.doc.id, { lead: "Edit it as a workspace copy" }));
  }
}

/** Answering, amending and reopening happen in the caller's own checked-out session. */
function requireSessionHolder(actor: Actor, loaded: LoadedDoc): void {
  const { doc, meta } = loaded;
  const me = actor.user.name;
  const preview = step("interact", doc.id, { args: { compile: true }, lead: "Preview the checked-in record with" });
  if (isTerminal(meta.status)) fail("invalid-state", `${doc.id} is ${meta.status}: its record is final and takes no more responses.`, preview);
  if (!meta.checked_out) fail("not-checked-out", `${doc.id} is not checked out; interact works on your own checked-out session.`, step("checkout", doc.id, { lead: "Check it out first" }));
  if (meta.responsible_user !== me) {
    fail("checked-out", `${doc.id} is checked out by ${meta.responsible_user}; only the holder of the checkout answers its prompts.`, preview);
  }
}

function engineFlags(input: InteractInput): InteractFlags {
  const flags: InteractFlags = {};
  const respondFromFile = input.file !== undefined;
  if (input.respond !== undefined && input.respond !== "" && respondFromFile) {
    fail("invalid-argument", "Give the response either as a value or as a file, not both.", "Pass the value, or the file whose content is the value.");
  }
  if (input.respond !== undefined || respondFromFile) flags.respond = input.respond ?? "";
  if (respondFromFile) flags.fromFile = input.file;
  if (input.reason !== undefined) flags.reason = input.reason;
  if (input.goto !== undefined) flags.goto = input.goto;
  if (input.cancelGoto) flags.cancelGoto = true;
  if (input.reopen !== undefined) flags.reopen = input.reopen;
  if (input.progress) flags.progress = true;
  if (input.compile) flags.compile = true;
  return flags;
}

/** Only one operation runs per call; say which others were passed and not run. */
function ignoredFlags(flags: InteractFlags, action: EngineAction): string[] {
  const given: Record<string, boolean> = {
    progress: flags.progress === true,
    compile: flags.compile === true,
    "cancel-goto": flags.cancelGoto === true,
    goto: flags.goto !== undefined,
    reopen: flags.reopen !== undefined,
    respond: flags.respond !== undefined,
  };
  const ignored = PRIORITY.filter((a) => a !== action && given[a]);
  if (ignored.length === 0) return [];
  return [`Only one action runs per call: ${action} was run; ${ignored.join(", ")} ${ignored.length === 1 ? "was" : "were"} not (priority: ${PRIORITY.join(" > ")}).`];
}

/** The response file: a host path for the CLI, else a file of the caller's workspace (never followed). */
function responseFile(project: Project, user: string, file: string, hostDir: string | undefined): string {
  if (hostDir !== undefined) return readHostResponseFile(hostDir, file);
  const text = project.users.readWorkspaceFile(user, file);
  if (text === undefined) {
    fail("not-found", `The response file ${file} does not exist in your workspace (${project.users.relative(project.users.workspaceDir(user))}/).`, "Write the output to a file in your workspace and name it relative to that folder.");
  }
  return text;
}

function respondWith(
  loaded: LoadedDoc,
  source: VrSource,
  chosen: ChosenTemplate,
  outcome: Outcome,
  from: InteractData["from"],
  warnings: string[],
  holder: boolean,
): ServiceResult<InteractData> {
  const { template } = chosen;
  if (!chosen.exact) {
    warnings.push(`Template ${source.template} v${source.template_version} is not in the project; ${chosen.origin} (v${template.version}) stands in.`);
  }
  const data: InteractData = {
    doc_id: loaded.doc.id,
    action: outcome.action,
    from,
    template: { name: template.name, version: template.version, origin: chosen.origin },
    ...(outcome.recorded ? { recorded: outcome.recorded } : {}),
    ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
    current: outcome.current,
    progress: outcome.progress,
    ...(outcome.compiled !== undefined ? { compiled: outcome.compiled } : {}),
  };
  const current = currentPromptLines(outcome.current, outcome.progress);
  let lines: string[];
  switch (outcome.action) {
    case "compile":
      // one element, printed as it is (like read)
      lines = [outcome.compiled ?? ""];
      break;
    case "progress":
      lines = [...headerLines(source, template), "", ...progressLines(outcome.progress)];
      break;
    case "respond": {
      const r = outcome.recorded!;
      lines = [r.kind === "gate" ? `Recorded: ${r.key} = ${r.value}` : `Recorded: ${r.key}${r.reason ? ` (amendment: ${r.reason})` : ""}`];
      if (outcome.evidence?.hash) lines.push(`Evidence commit: ${outcome.evidence.hash} (${outcome.evidence.message})`);
      lines.push("", ...current);
      break;
    }
    case "cancel-goto":
      lines = ["Amendment cancelled; nothing was recorded.", "", ...current];
      break;
    case "reopen": {
      const loop = outcome.current?.loop;
      lines = [`Reopened loop ${loop?.name ?? ""}: iteration ${loop?.iteration ?? ""}.`, "", ...current];
      break;
    }
    case "goto":
      lines = current;
      break;
    default:
      lines = [...headerLines(source, template), "", ...current];
  }
  const next = holder && outcome.action !== "compile" && outcome.action !== "progress" ? nextSteps(loaded.doc.id, outcome.current) : [];
  return success(data, trimEnd(lines), { next, warnings });
}

/** Answer the current prompt (a gate: yes or no; a commit prompt: a file is the usual answer), or check in. */
function nextSteps(docId: string, current: CurrentPrompt | null): NextStep[] {
  if (current === null) return [step("checkin", docId, { lead: "Every prompt is answered; compile the record with" })];
  if (current.accepts) return [step("interact", docId, { args: { respond: "yes" }, lead: "Answer" }), step("interact", docId, { args: { respond: "no" }, lead: "or" })];
  const steps = [step("interact", docId, { args: { respond: current.suggested ?? "<answer>" }, lead: "Answer with" })];
  if (current.commit) steps.push(step("interact", docId, { args: { file: "<PATH>" }, lead: "or record a file's content with" }));
  return steps;
}

function trimEnd(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 1 && out[out.length - 1] === "") out.pop();
  return out;
}
