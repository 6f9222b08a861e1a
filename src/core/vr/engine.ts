/**
 * The interaction engine (spec §9.3, REQ-INT-008..015): every operation takes a source and returns a new one
 * (the input is never mutated) or a refusal. Responses are append-only: no operation removes or rewrites an
 * entry; an amendment appends an entry with its reason. Time, user and the evidence commit are passed in.
 */
import type { RefusalCode } from "../result.js";
import { compileDocument } from "./compile.js";
import { evidenceCommitMessage } from "./evidence.js";
import {
  activeEntry,
  type CursorContext,
  END,
  isEnd,
  type ResponseEntry,
  resolvedMetadata,
  responseKey,
  splitResponseKey,
  utcTimestamp,
  type VrSource,
} from "./source.js";
import { END_ALIASES, type FlowNode, ITERATION_PLACEHOLDER, type Template } from "./template.js";

export interface Actor {
  user: string;
  now: Date;
  /** Commit the project state for a `commit: true` prompt; returns the short hash, or nothing when skipped. */
  captureEvidence?: (message: string) => string | undefined;
}

/** Which rule refused: stable names for tests and adapters; `code` is the service-level refusal code. */
export type VrRule =
  | "flow-complete"
  | "out-of-order"
  | "empty-response"
  | "not-yes-no"
  | "reason-required"
  | "unknown-prompt"
  | "goto-gate"
  | "iteration-required"
  | "not-answered"
  | "not-amending"
  | "amending"
  | "unknown-loop"
  | "loop-not-started"
  | "loop-open"
  | "corrupt-source";

export interface EngineRefusal {
  ok: false;
  code: RefusalCode;
  rule: VrRule;
  message: string;
  hint?: string;
}

export type EngineAction = "show" | "respond" | "goto" | "cancel-goto" | "reopen" | "progress" | "compile";

export interface CurrentPrompt {
  /** The storage key: the ID, with `.N` inside a loop. */
  key: string;
  id: string;
  kind: "prompt" | "gate";
  /** Guidance with `{{…}}` filled from metadata and earlier answers (unknown ones left as they are). */
  guidance: string;
  commit: boolean;
  loop?: { name: string; iteration: number };
  /** Amendment mode: the next response is recorded with this reason, then the cursor returns. */
  amending?: { reason: string; returnTo: string };
  /** A gate accepts only these. */
  accepts?: ["yes", "no"];
  /** The prompt's `default:` resolved (`today`, `current_user`), offered as a suggestion only. */
  suggested?: string;
}

export interface ProgressItem {
  key: string;
  id: string;
  kind: "prompt" | "gate";
  answered: boolean;
  /** More than one entry: the response was amended. */
  amended: boolean;
  commit: boolean;
  loop?: { name: string; iteration: number };
  current: boolean;
}

export interface Progress {
  items: ProgressItem[];
  answered: number;
  total: number;
  /** The cursor reached the end of the flow. */
  complete: boolean;
}

export interface Outcome {
  action: EngineAction;
  recorded?: { key: string; kind: "response" | "gate"; value: string; reason?: string; commit?: string };
  evidence?: { message: string; hash?: string };
  current: CurrentPrompt | null;
  progress: Progress;
  /** `compile`: the previewed markdown. */
  compiled?: string;
}

export type EngineResult = { ok: true; source: VrSource; outcome: Outcome } | EngineRefusal;

function refusal(code: RefusalCode, rule: VrRule, message: string, hint?: string): EngineRefusal {
  return hint ? { ok: false, code, rule, message, hint } : { ok: false, code, rule, message };
}

// ---- reading the state ----

interface Position {
  node: FlowNode;
  key: string;
  iteration?: number;
}

/** The node under the cursor, `null` at the end, or a refusal when the cursor names nothing in the template. */
function position(source: VrSource, template: Template): Position | null | EngineRefusal {
  if (isEnd(source.cursor)) return null;
  const node = template.nodes[source.cursor];
  if (!node) {
    return refusal(
      "corrupt-data",
      "corrupt-source",
      `The session's cursor '${source.cursor}' is not a prompt of template ${template.name} v${template.version}.`,
      "The source does not fit this template; check its template_version.",
    );
  }
  if (node.loop === undefined) return { node, key: node.id };
  const iteration = iterationOf(source, node.loop);
  return { node, key: responseKey(node.id, iteration), iteration };
}

/** The cursor's iteration; a session without one (older files) is in the loop's latest iteration. */
function iterationOf(source: VrSource, loop: string): number {
  return source.cursor_context.iteration ?? source.loops[loop]?.iterations ?? 1;
}

function isRefusal(value: Position | EngineRefusal | null): value is EngineRefusal {
  return value !== null && "ok" in value;
}

export function currentPrompt(source: VrSource, template: Template, actor?: Pick<Actor, "user" | "now">): CurrentPrompt | null {
  const pos = position(source, template);
  if (pos === null || isRefusal(pos)) return null;
  const { node, key, iteration } = pos;
  const current: CurrentPrompt = {
    key,
    id: node.id,
    kind: node.kind,
    guidance: interpolate(node.guidance, source, template, node.loop, iteration),
    commit: node.kind === "prompt" && node.commit,
  };
  if (node.loop !== undefined && iteration !== undefined) current.loop = { name: node.loop, iteration };
  const ctx = source.cursor_context;
  if (ctx.goto_return) current.amending = { reason: ctx.goto_reason ?? "", returnTo: ctx.goto_return };
  if (node.kind === "gate") current.accepts = ["yes", "no"];
  const fallback = node.kind === "prompt" ? node.default : undefined;
  if (fallback !== undefined) {
    const suggested = fallback === "today" ? (actor?.now ?? new Date()).toISOString().slice(0, 10) : fallback === "current_user" ? actor?.user : fallback;
    if (suggested !== undefined) current.suggested = suggested;
  }
  return current;
}

/** Every prompt and gate, loop ones once per iteration (at least one), answered or not (REQ-INT-013). */
export function progress(source: VrSource, template: Template): Progress {
  const pos = position(source, template);
  const currentKey = pos && !isRefusal(pos) ? pos.key : undefined;
  const items: ProgressItem[] = [];
  const emitted = new Set<string>();
  const item = (node: FlowNode, iteration?: number): ProgressItem => {
    const key = responseKey(node.id, iteration);
    const entries = source.responses[key] ?? [];
    const result: ProgressItem = {
      key,
      id: node.id,
      kind: node.kind,
      answered: node.kind === "prompt" ? entries.length > 0 : source.gates[key] !== undefined,
      amended: node.kind === "prompt" && entries.length > 1,
      commit: node.kind === "prompt" && node.commit,
      current: key === currentKey,
    };
    if (node.loop !== undefined && iteration !== undefined) result.loop = { name: node.loop, iteration };
    return result;
  };
  for (const id of template.order) {
    const node = template.nodes[id]!;
    if (node.loop === undefined) {
      items.push(item(node));
      continue;
    }
    if (emitted.has(node.loop)) continue;
    emitted.add(node.loop);
    const loop = template.loops[node.loop]!;
    const iterations = Math.max(source.loops[loop.name]?.iterations ?? 0, 1);
    for (let n = 1; n <= iterations; n++) for (const member of loop.nodes) items.push(item(template.nodes[member]!, n));
  }
  const answered = items.filter((i) => i.answered).length;
  return { items, answered, total: items.length, complete: isEnd(source.cursor) };
}

/**
 * Fill `{{id}}` in guidance: `_n` (the iteration), metadata, the active response of `id` (of this iteration
 * when `id` is in the same loop) or of an explicit `id.N`. Unresolved placeholders stay as they are.
 */
export function interpolate(text: string, source: VrSource, template: Template, loop?: string, iteration?: number): string {
  const metadata = resolvedMetadata(source);
  return text.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, name: string) => {
    if (name === ITERATION_PLACEHOLDER) return iteration === undefined ? whole : String(iteration);
    if (Object.hasOwn(metadata, name) && metadata[name] !== "") return metadata[name]!;
    // a name in the same loop (or, outside loops, in none) is read at this iteration; responseKey adds none without one
    const key = template.nodes[name]?.loop === loop ? responseKey(name, iteration) : name;
    const gate = source.gates[key];
    return activeEntry(source, key)?.value ?? gate?.value ?? whole;
  });
}

function outcome(action: EngineAction, source: VrSource, template: Template, actor: Pick<Actor, "user" | "now">, extra: Partial<Outcome> = {}): Outcome {
  return { action, ...extra, current: currentPrompt(source, template, actor), progress: progress(source, template) };
}

// ---- moving the cursor ----

/** Move from the current node to `target`, keeping loop state: a new iteration, leaving (closing) or entering. */
function moveTo(source: VrSource, template: Template, from: FlowNode, target: string): void {
  const ctx = source.cursor_context;
  const fromLoop = from.loop;
  const targetLoop = END_ALIASES.has(target) ? undefined : template.nodes[target]?.loop;
  if (fromLoop !== undefined && targetLoop === fromLoop) {
    const members = template.loops[fromLoop]!.nodes;
    let iteration = iterationOf(source, fromLoop);
    if (members.indexOf(target) <= members.indexOf(from.id)) {
      const state = source.loops[fromLoop] ?? { iterations: iteration, closed: false, reopenings: [] };
      state.iterations = Math.max(state.iterations, iteration) + 1;
      source.loops[fromLoop] = state;
      iteration = state.iterations;
    }
    source.cursor = target;
    source.cursor_context = { ...reopenFields(ctx), loop: fromLoop, iteration };
    return;
  }
  if (fromLoop !== undefined) {
    const state = source.loops[fromLoop];
    if (state) state.closed = true;
    if (ctx.reopen_return) {
      source.cursor = ctx.reopen_return;
      source.cursor_context = { ...(ctx.reopen_return_ctx ?? {}) };
      return;
    }
  }
  if (END_ALIASES.has(target)) {
    source.cursor = END;
    source.cursor_context = {};
    return;
  }
  source.cursor = target;
  if (targetLoop === undefined) {
    source.cursor_context = {};
    return;
  }
  const state = source.loops[targetLoop];
  if (!state) source.loops[targetLoop] = { iterations: 1, closed: false, reopenings: [] };
  else {
    state.iterations += 1;
    state.closed = false;
  }
  source.cursor_context = { loop: targetLoop, iteration: source.loops[targetLoop]!.iterations };
}

function reopenFields(ctx: CursorContext): CursorContext {
  const kept: CursorContext = {};
  if (ctx.reopen_return) kept.reopen_return = ctx.reopen_return;
  if (ctx.reopen_return_ctx) kept.reopen_return_ctx = ctx.reopen_return_ctx;
  return kept;
}

// ---- operations ----

export interface RespondInput {
  value: string;
  /** The file the value was read from (`--respond --file PATH`), for messages. */
  fromFile?: string;
  /** The prompt key the caller means to answer; refused when it is not the current one (strict order). */
  prompt?: string;
}

/** Record the answer to the current prompt or gate and advance (REQ-INT-011, -014; gates: yes/no only). */
export function respond(source: VrSource, template: Template, input: RespondInput, actor: Actor): EngineResult {
  const pos = position(source, template);
  if (isRefusal(pos)) return pos;
  if (pos === null) {
    return refusal("invalid-state", "flow-complete", `Every prompt of ${source.doc_id} is answered; there is nothing to respond to.`, "Check the document in to compile the record, or amend an answer with goto and a reason.");
  }
  const { node, key } = pos;
  if (input.prompt !== undefined && input.prompt !== key && input.prompt !== node.id) {
    return refusal("invalid-state", "out-of-order", `Prompts are answered in template order: the current prompt is '${key}', not '${input.prompt}'.`, `Answer '${key}' first; to change an earlier answer use goto with a reason.`);
  }
  const next = structuredClone(source);
  const timestamp = utcTimestamp(actor.now);
  if (node.kind === "gate") {
    const answer = input.value.trim().toLowerCase();
    if (answer !== "yes" && answer !== "no") {
      return refusal("invalid-argument", "not-yes-no", `Gate '${key}' accepts only yes or no, not ${JSON.stringify(input.value.trim())}.`, "Respond with yes or no.");
    }
    if (next.gates[key] !== undefined) {
      return refusal("corrupt-data", "corrupt-source", `Gate '${key}' is already decided in this source; a decision is never replaced.`);
    }
    next.gates[key] = { value: answer, timestamp };
    moveTo(next, template, node, answer === "yes" ? node.yes : node.no);
    return { ok: true, source: next, outcome: outcome("respond", next, template, actor, { recorded: { key, kind: "gate", value: answer } }) };
  }
  const value = input.value.replace(/\s+$/, "");
  if (value === "") {
    const what = input.fromFile !== undefined ? `The file ${input.fromFile} is empty` : "The response is empty";
    return refusal("invalid-argument", "empty-response", `${what}: every prompt needs an explicit answer.`, `Respond to '${key}' with a non-empty value (or --file with a non-empty file).`);
  }
  const ctx = next.cursor_context;
  const entry: ResponseEntry = { value, author: actor.user, timestamp };
  const amending = Boolean(ctx.goto_return);
  if (amending) entry.reason = ctx.goto_reason ?? "";
  let evidence: Outcome["evidence"];
  if (node.commit) {
    const message = evidenceCommitMessage(source.doc_id, key);
    const hash = actor.captureEvidence?.(message);
    evidence = hash ? { message, hash } : { message };
    if (hash) entry.commit = hash;
  }
  next.responses[key] = [...(next.responses[key] ?? []), entry];
  if (amending) {
    next.cursor = ctx.goto_return!;
    next.cursor_context = { ...(ctx.goto_return_ctx ?? {}) };
  } else {
    moveTo(next, template, node, node.next);
  }
  const recorded: NonNullable<Outcome["recorded"]> = { key, kind: "response", value };
  if (entry.reason !== undefined && entry.reason !== null) recorded.reason = entry.reason;
  if (entry.commit) recorded.commit = entry.commit;
  return { ok: true, source: next, outcome: outcome("respond", next, template, actor, evidence ? { recorded, evidence } : { recorded }) };
}

/** Enter amendment mode on an answered prompt (`id` or `id.N` in a loop); the reason goes with the next response. */
export function gotoPrompt(source: VrSource, template: Template, input: { target: string; reason?: string }, actor: Actor): EngineResult {
  const reason = input.reason?.trim() ?? "";
  if (reason === "") return refusal("invalid-argument", "reason-required", "An amendment needs a reason.", `Pass a reason with goto ${input.target}.`);
  const answered = Object.keys(source.responses).filter((k) => (source.responses[k]?.length ?? 0) > 0);
  const { id, iteration } = splitResponseKey(input.target.trim());
  const node = template.nodes[id];
  if (!node || (iteration !== undefined && node.loop === undefined)) {
    return refusal("not-found", "unknown-prompt", `'${input.target}' is not a prompt of template ${template.name} v${template.version}.`, answered.length > 0 ? `Answered prompts: ${answered.join(", ")}` : "Nothing is answered yet.");
  }
  if (node.kind === "gate") {
    return refusal("invalid-argument", "goto-gate", `'${id}' is a gate: gates route, they are not amended.`, node.loop ? `To add a step after closing the loop, reopen ${node.loop} with a reason.` : undefined);
  }
  let key = id;
  if (node.loop !== undefined) {
    const answeredIterations = answered.map(splitResponseKey).filter((k) => k.id === id && k.iteration !== undefined);
    if (iteration !== undefined) key = responseKey(id, iteration);
    else if (answeredIterations.length === 1) key = responseKey(id, answeredIterations[0]!.iteration);
    else {
      return refusal("invalid-argument", "iteration-required", `'${id}' is inside loop '${node.loop}': say which iteration, e.g. ${id}.1.`, answeredIterations.length > 0 ? `Answered: ${answeredIterations.map((k) => `${id}.${k.iteration}`).join(", ")}` : undefined);
    }
  }
  if (!(source.responses[key]?.length ?? 0)) {
    return refusal("invalid-state", "not-answered", `'${key}' has not been answered yet; only answered prompts can be amended.`, "Answer the current prompt; prompts are answered in template order.");
  }
  const next = structuredClone(source);
  const ctx = source.cursor_context;
  const returnTo = ctx.goto_return ?? source.cursor;
  const returnCtx = ctx.goto_return ? (ctx.goto_return_ctx ?? {}) : structuredClone(ctx);
  const target = splitResponseKey(key);
  next.cursor = id;
  next.cursor_context = {
    ...(node.loop !== undefined ? { loop: node.loop, iteration: target.iteration ?? 1 } : {}),
    goto_return: returnTo,
    goto_return_ctx: returnCtx,
    goto_reason: reason,
  };
  return { ok: true, source: next, outcome: outcome("goto", next, template, actor) };
}

/** Leave amendment mode without recording anything. */
export function cancelGoto(source: VrSource, template: Template, actor: Actor): EngineResult {
  const ctx = source.cursor_context;
  if (!ctx.goto_return) return refusal("invalid-state", "not-amending", "There is no amendment in progress to cancel.");
  const next = structuredClone(source);
  next.cursor = ctx.goto_return;
  next.cursor_context = { ...structuredClone(ctx.goto_return_ctx ?? {}) };
  return { ok: true, source: next, outcome: outcome("cancel-goto", next, template, actor) };
}

/** Reopen a closed loop with a reason: a new iteration starts; when it closes again the cursor returns. */
export function reopenLoop(source: VrSource, template: Template, input: { loop: string; reason?: string }, actor: Actor): EngineResult {
  const reason = input.reason?.trim() ?? "";
  if (reason === "") return refusal("invalid-argument", "reason-required", "Reopening a loop needs a reason.", `Pass a reason with reopen ${input.loop}.`);
  if (source.cursor_context.goto_return) {
    return refusal("invalid-state", "amending", `An amendment of '${source.cursor}' is in progress.`, "Respond to it or cancel it (cancel-goto) before reopening a loop.");
  }
  const loop = template.loops[input.loop];
  if (!loop) {
    const names = Object.keys(template.loops);
    return refusal("not-found", "unknown-loop", `'${input.loop}' is not a loop of template ${template.name} v${template.version}.`, names.length > 0 ? `Loops: ${names.join(", ")}` : "The template has no loops.");
  }
  const state = source.loops[loop.name];
  if (!state || state.iterations === 0) return refusal("invalid-state", "loop-not-started", `Loop '${loop.name}' has not started yet.`, "Answer the prompts in order; the loop starts when the flow reaches it.");
  if (!state.closed) return refusal("invalid-state", "loop-open", `Loop '${loop.name}' is open (iteration ${state.iterations}); only a closed loop can be reopened.`, "Answer the current prompt; the loop's gate adds or ends iterations.");
  const next = structuredClone(source);
  const reopened = next.loops[loop.name]!;
  reopened.iterations += 1;
  reopened.closed = false;
  reopened.reopenings = [...(reopened.reopenings ?? []), { reason, author: actor.user, timestamp: utcTimestamp(actor.now) }];
  next.cursor = loop.nodes[0]!;
  next.cursor_context = { loop: loop.name, iteration: reopened.iterations, reopen_return: source.cursor, reopen_return_ctx: structuredClone(source.cursor_context) };
  return { ok: true, source: next, outcome: outcome("reopen", next, template, actor) };
}

/** The current state without changing anything (`interact ID` alone, REQ-INT-010). */
export function show(source: VrSource, template: Template, actor: Pick<Actor, "user" | "now">): EngineResult {
  const pos = position(source, template);
  if (isRefusal(pos)) return pos;
  return { ok: true, source, outcome: outcome("show", source, template, actor) };
}

export interface InteractFlags {
  respond?: string;
  fromFile?: string;
  prompt?: string;
  reason?: string;
  goto?: string;
  cancelGoto?: boolean;
  reopen?: string;
  progress?: boolean;
  compile?: boolean;
}

/** Which operation a set of flags runs: progress > compile > cancel-goto > goto > reopen > respond (§9.3). */
export function selectAction(flags: InteractFlags): EngineAction {
  if (flags.progress) return "progress";
  if (flags.compile) return "compile";
  if (flags.cancelGoto) return "cancel-goto";
  if (flags.goto !== undefined) return "goto";
  if (flags.reopen !== undefined) return "reopen";
  if (flags.respond !== undefined) return "respond";
  return "show";
}

/** `interact` with its flags: one operation, chosen by priority. `progress` and `compile` change nothing. */
export function interact(source: VrSource, template: Template, flags: InteractFlags, actor: Actor): EngineResult {
  switch (selectAction(flags)) {
    case "progress":
      return { ok: true, source, outcome: outcome("progress", source, template, actor) };
    case "compile":
      return { ok: true, source, outcome: outcome("compile", source, template, actor, { compiled: compileDocument(source, template).text }) };
    case "cancel-goto":
      return cancelGoto(source, template, actor);
    case "goto":
      return gotoPrompt(source, template, { target: flags.goto!, reason: flags.reason }, actor);
    case "reopen":
      return reopenLoop(source, template, { loop: flags.reopen!, reason: flags.reason }, actor);
    case "respond":
      return respond(source, template, { value: flags.respond!, fromFile: flags.fromFile, prompt: flags.prompt }, actor);
    default:
      return show(source, template, actor);
  }
}
