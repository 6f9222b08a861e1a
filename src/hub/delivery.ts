import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Logger } from "../mcp/log.js";
import { type Clock, systemClock } from "./clock.js";
import type { DeliveryOutcome, DeliveryRequest } from "./queue.js";

/** How a notification reaches an agent (agents-and-hub §3 "Deliver"). */
export interface DeliveryRunner {
  readonly mode: "headless" | "host" | "interactive" | "channel" | "none";
  deliver(req: DeliveryRequest): Promise<DeliveryOutcome>;
}

// ---- stream-json -------------------------------------------------------------------------------------------

/** One line of `claude -p --output-format stream-json --verbose`. */
export interface StreamEvent {
  type: string;
  subtype?: string;
  session_id?: string;
  message?: { content?: unknown };
  [key: string]: unknown;
}

export function parseStreamJsonLine(line: string): StreamEvent | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value) && typeof (value as { type?: unknown }).type === "string") return value as StreamEvent;
  } catch {
    // not JSON: a stray log line
  }
  return undefined;
}

export interface StreamSummary {
  /** Tool names in call order (`mcp__qms__qms_review`, `Read`, ...). */
  tools: string[];
  sessionId?: string;
  /** The final `result` event: `success`, `error_max_turns`, `error_during_execution`, ... */
  resultSubtype?: string;
  isError?: boolean;
  numTurns?: number;
  costUsd?: number;
  resultText?: string;
}

/** Fold stream-json events into what a delivery outcome records. */
export function summarizeStream(events: Iterable<StreamEvent>): StreamSummary {
  const summary: StreamSummary = { tools: [] };
  for (const e of events) addToSummary(summary, e);
  return summary;
}

export function addToSummary(summary: StreamSummary, e: StreamEvent): void {
  if (typeof e.session_id === "string") summary.sessionId = e.session_id;
  if (e.type === "assistant" && Array.isArray(e.message?.content)) {
    for (const block of e.message.content as unknown[]) {
      if (block && typeof block === "object" && (block as { type?: unknown }).type === "tool_use") {
        const name = (block as { name?: unknown }).name;
        if (typeof name === "string") summary.tools.push(name);
      }
    }
  }
  if (e.type === "result") {
    if (typeof e.subtype === "string") summary.resultSubtype = e.subtype;
    if (typeof e.is_error === "boolean") summary.isError = e.is_error;
    if (typeof e.num_turns === "number") summary.numTurns = e.num_turns;
    if (typeof e.total_cost_usd === "number") summary.costUsd = e.total_cost_usd;
    if (typeof e.result === "string") summary.resultText = e.result.slice(0, 2000);
  }
}

// ---- headless commands -------------------------------------------------------------------------------------

export interface CommandSpec {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ClaudeRunArgs {
  notification: string;
  /** `--continue`: one conversation per agent across runs (only once a conversation exists). */
  continueConversation: boolean;
  timeoutMs: number;
}

/** `-p ... --output-format stream-json`; Claude Code refuses stream-json in print mode without `--verbose`. */
export function claudePrintArgs(run: ClaudeRunArgs, allowedTools?: readonly string[]): string[] {
  return [
    "-p",
    run.notification,
    ...(run.continueConversation ? ["--continue"] : []),
    "--verbose",
    "--output-format",
    "stream-json",
    ...(allowedTools && allowedTools.length > 0 ? ["--allowedTools", allowedTools.join(",")] : []),
  ];
}

/** The container name the kit gives an agent. */
export function agentContainerName(agent: string): string {
  return `qms-agent-${agent}`;
}

/**
 * `docker exec qms-agent-NAME timeout -k 10 SECONDS claude -p "<notification>" --continue --verbose
 * --output-format stream-json`. The `timeout` runs inside the container because killing the `docker exec`
 * client does not stop the process it started there.
 */
export function containerClaudeCommand(opts: { engineCli: string; container: string; allowedTools?: readonly string[]; claudeBin?: string }): (run: ClaudeRunArgs) => CommandSpec {
  return (run) => ({
    cmd: opts.engineCli,
    args: ["exec", opts.container, "timeout", "-k", "10", String(Math.max(1, Math.ceil(run.timeoutMs / 1000))), opts.claudeBin ?? "claude", ...claudePrintArgs(run, opts.allowedTools)],
  });
}

/** HOST MODE: the agent's Claude Code on the host, with its own config dir and working directory. */
export function hostClaudeCommand(opts: { claudeBin?: string; configDir: string; cwd: string; env?: NodeJS.ProcessEnv; allowedTools?: readonly string[]; extraArgs?: readonly string[] }): (run: ClaudeRunArgs) => CommandSpec {
  return (run) => ({
    cmd: opts.claudeBin ?? "claude",
    args: [...claudePrintArgs(run, opts.allowedTools), ...(opts.extraArgs ?? [])],
    env: { ...(opts.env ?? process.env), CLAUDE_CONFIG_DIR: opts.configDir },
    cwd: opts.cwd,
  });
}

// ---- headless runner ---------------------------------------------------------------------------------------

export interface HeadlessRunnerOptions {
  agent: string;
  /** "headless" (in the container) or "host" (HOST MODE); only shown. */
  mode?: "headless" | "host";
  command: (run: ClaudeRunArgs) => CommandSpec;
  /** The agent's run folder (store/state-dir.ts, outside the project): `transcript.jsonl` and `conversation.json`. */
  runDir: string;
  clock?: Clock;
  logger?: Logger;
  /** After the time limit: SIGTERM, then SIGKILL after this long. */
  killGraceMs?: number;
}

interface ConversationState {
  session_id?: string;
  runs: number;
}

const NO_CONVERSATION = /no conversation found/i;

/** Runs Claude Code in print mode per delivery, appends its stream to the transcript, records the outcome. */
export class HeadlessRunner implements DeliveryRunner {
  readonly mode: "headless" | "host";
  private readonly clock: Clock;

  constructor(private readonly opts: HeadlessRunnerOptions) {
    this.mode = opts.mode ?? "headless";
    this.clock = opts.clock ?? systemClock;
  }

  get transcriptFile(): string {
    return path.join(this.opts.runDir, "transcript.jsonl");
  }

  private get stateFile(): string {
    return path.join(this.opts.runDir, "conversation.json");
  }

  private readState(): ConversationState | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.stateFile, "utf8")) as ConversationState;
    } catch {
      return undefined;
    }
  }

  private append(record: unknown): void {
    fs.mkdirSync(this.opts.runDir, { recursive: true });
    fs.appendFileSync(this.transcriptFile, `${typeof record === "string" ? record : JSON.stringify(record)}\n`);
  }

  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const state = this.readState();
    const started = this.clock.now();
    this.append({ type: "qms_delivery_start", ts: new Date(started).toISOString(), agent: this.opts.agent, mode: this.mode, tasks: req.tasks.map((t) => t.id), nudge: req.nudge, notification: req.notification });
    let result = await this.runOnce(req, state !== undefined && state.runs > 0);
    if (result.retryFresh) {
      // the conversation we meant to continue is gone (config volume reset): start a new one
      this.append({ type: "qms_delivery_retry", reason: "no conversation to continue" });
      result = await this.runOnce(req, false);
    }
    const { summary, exitCode, timedOut, error } = result;
    const outcome: DeliveryOutcome = {
      delivered: exitCode === 0 || timedOut,
      exitCode,
      durationMs: this.clock.now() - started,
      toolsCalled: summary.tools,
      ...(timedOut ? { timedOut: true } : {}),
      ...(error ? { error } : exitCode !== 0 && !timedOut ? { error: summary.resultText ?? `exit code ${exitCode}` } : {}),
    };
    if (exitCode === 0) {
      const next: ConversationState = { runs: (state?.runs ?? 0) + 1, ...(summary.sessionId ? { session_id: summary.sessionId } : state?.session_id ? { session_id: state.session_id } : {}) };
      fs.writeFileSync(this.stateFile, `${JSON.stringify(next)}\n`);
    }
    this.append({ type: "qms_delivery_end", ts: new Date(this.clock.now()).toISOString(), agent: this.opts.agent, outcome, result: summary.resultSubtype ?? null, turns: summary.numTurns ?? null });
    return outcome;
  }

  private runOnce(req: DeliveryRequest, continueConversation: boolean): Promise<{ summary: StreamSummary; exitCode: number | null; timedOut: boolean; error?: string; retryFresh: boolean }> {
    const spec = this.opts.command({ notification: req.notification, continueConversation, timeoutMs: req.timeoutMs });
    const summary: StreamSummary = { tools: [] };
    let sawNoConversation = false;
    let timedOut = false;
    return new Promise((resolve) => {
      let child: ReturnType<typeof spawn>;
      try {
        // own process group, so a time-limit kill also reaches what claude started (MCP servers, shells)
        child = spawn(spec.cmd, spec.args, { env: spec.env ?? process.env, cwd: spec.cwd, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
      } catch (e) {
        resolve({ summary, exitCode: null, timedOut: false, error: `could not start ${spec.cmd}: ${(e as Error).message}`, retryFresh: false });
        return;
      }
      const kill = (signal: NodeJS.Signals): void => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          if (process.platform !== "win32") process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          child.kill(signal);
        }
      };
      const onAbort = (): void => {
        timedOut = true;
        kill("SIGTERM");
        this.clock.setTimeout(() => kill("SIGKILL"), this.opts.killGraceMs ?? 5000);
      };
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener("abort", onAbort, { once: true });

      const lines = (stream: NodeJS.ReadableStream | null, name: "stdout" | "stderr"): void => {
        if (!stream) return;
        let rest = "";
        stream.setEncoding("utf8");
        const handle = (line: string): void => {
          if (line.trim() === "") return;
          if (NO_CONVERSATION.test(line)) sawNoConversation = true;
          const event = name === "stdout" ? parseStreamJsonLine(line) : undefined;
          if (event) {
            addToSummary(summary, event);
            this.append(line.trim());
          } else {
            this.append({ type: "qms_raw", stream: name, text: line.slice(0, 10000) });
          }
        };
        stream.on("data", (chunk: string) => {
          rest += chunk;
          let nl = rest.indexOf("\n");
          while (nl >= 0) {
            handle(rest.slice(0, nl));
            rest = rest.slice(nl + 1);
            nl = rest.indexOf("\n");
          }
        });
        stream.on("end", () => {
          if (rest !== "") handle(rest);
          rest = "";
        });
      };
      lines(child.stdout, "stdout");
      lines(child.stderr, "stderr");

      let spawnError: string | undefined;
      child.on("error", (e) => {
        spawnError = `could not run ${spec.cmd}: ${e.message}`;
      });
      child.on("close", (code, signal) => {
        req.signal.removeEventListener("abort", onAbort);
        // `timeout` inside the container exits 124 (137 after its own -k kill)
        if (code === 124 || (code === 137 && timedOut)) timedOut = true;
        const exitCode = code;
        resolve({
          summary,
          exitCode,
          timedOut,
          ...(spawnError ? { error: spawnError } : signal && !timedOut ? { error: `killed by ${signal}` } : {}),
          retryFresh: continueConversation && exitCode !== 0 && !timedOut && sawNoConversation,
        });
      });
    });
  }
}

// ---- interactive (tmux) ------------------------------------------------------------------------------------

export type PaneStateName = "idle" | "busy" | "waiting_for_input" | "typing" | "not_ready";

export interface PaneState {
  state: PaneStateName;
  /** True only for Claude Code's empty input prompt with nothing running: the one time we type. */
  idle: boolean;
  detail: string;
}

const BUSY = /\b(esc|ctrl\+c) to interrupt\b/i;
const MENU_CURSOR = /^[❯>]\s*\d+\.\s/;
const DIALOG = /(Do you want to (proceed|make this edit|create|allow)|Do you trust the files|trust this folder|\(y\/n\)|Press Enter to continue|Enter to confirm|Select login method|Choose the text style)/i;
const PROMPT = /^[❯>](?:\s(.*))?$/;
/** Claude Code's grey suggestion in an empty input box reads as text in a plain capture. */
const PLACEHOLDER = /^Try "/;
/** The input prompt is within the last few non-empty lines (below it: a rule, the footer). */
const BOTTOM_LINES = 6;

/** A line without the input box's frame (`│ > text │`). */
function unframe(line: string): string {
  return line
    .replace(/^\s*[│┃|]\s?/, "")
    .replace(/\s*[│┃|]\s*$/, "")
    .trim();
}

/**
 * Read a `tmux capture-pane -p` of Claude Code: idle input prompt (type now), mid-answer (spinner, "esc to
 * interrupt"), a dialog or menu waiting for a person, text already typed in the box, or not started yet.
 */
export function detectIdlePrompt(paneText: string): PaneState {
  const lines = paneText.replace(/\r/g, "").split("\n");
  const tail = lines.slice(-40).map(unframe);
  if (tail.some((l) => BUSY.test(l))) return { state: "busy", idle: false, detail: "Claude Code is working (esc to interrupt)" };
  const dialog = tail.find((l) => MENU_CURSOR.test(l) || DIALOG.test(l));
  if (dialog !== undefined) return { state: "waiting_for_input", idle: false, detail: `a dialog is open: ${dialog.slice(0, 80)}` };
  const bottom = tail.filter((l) => l !== "").slice(-BOTTOM_LINES);
  for (let i = bottom.length - 1; i >= 0; i--) {
    const m = PROMPT.exec(bottom[i]!);
    if (!m) continue;
    const typed = (m[1] ?? "").trim();
    if (typed === "" || PLACEHOLDER.test(typed)) return { state: "idle", idle: true, detail: "input prompt is empty" };
    return { state: "typing", idle: false, detail: `text is in the input box: ${typed.slice(0, 60)}` };
  }
  return { state: "not_ready", idle: false, detail: "no Claude Code input prompt on screen" };
}

export type ExecFn = (argv: string[]) => Promise<{ code: number; stdout: string }>;

export interface InteractiveRunnerOptions {
  /** Runs argv where the agent's tmux is (`docker exec qms-agent-NAME ...`, see `containerExec`). */
  exec: ExecFn;
  /** tmux target (the kit's session is `agent`). */
  target?: string;
  clock?: Clock;
  /** How often to look at the pane while it is not idle. */
  pollMs?: number;
  /** Give up after this long (the queue retries later). */
  maxWaitMs?: number;
}

/** Types the notification into the agent's tmux pane, only when Claude Code shows its idle prompt. */
export class InteractiveRunner implements DeliveryRunner {
  readonly mode = "interactive" as const;
  private readonly clock: Clock;

  constructor(private readonly opts: InteractiveRunnerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = (): void => {
        t.cancel();
        resolve();
      };
      const t = this.clock.setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async capture(target: string): Promise<PaneState> {
    const r = await this.opts.exec(["tmux", "capture-pane", "-p", "-t", target]);
    if (r.code !== 0) return { state: "not_ready", idle: false, detail: `tmux capture-pane failed (exit ${r.code})` };
    return detectIdlePrompt(r.stdout);
  }

  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const target = this.opts.target ?? "agent";
    const started = this.clock.now();
    const pollMs = this.opts.pollMs ?? 2000;
    const maxWaitMs = Math.min(this.opts.maxWaitMs ?? 120000, req.timeoutMs);
    // one line: a newline would submit half the text
    const text = req.notification.replace(/\s*[\r\n]+\s*/g, " ");
    let last: PaneState = { state: "not_ready", idle: false, detail: "not looked at yet" };
    for (;;) {
      if (req.signal.aborted) break;
      last = await this.capture(target);
      if (last.idle) {
        const typed = await this.opts.exec(["tmux", "send-keys", "-t", target, "-l", text]);
        const entered = typed.code === 0 ? await this.opts.exec(["tmux", "send-keys", "-t", target, "Enter"]) : typed;
        if (entered.code !== 0) return { delivered: false, durationMs: this.clock.now() - started, error: `tmux send-keys failed (exit ${entered.code})`, agentState: last.state };
        return { delivered: true, durationMs: this.clock.now() - started, exitCode: 0 };
      }
      if (this.clock.now() - started + pollMs > maxWaitMs) break;
      await this.sleep(pollMs, req.signal);
    }
    return { delivered: false, durationMs: this.clock.now() - started, agentState: last.state, error: `not typed: ${last.detail}`, ...(req.signal.aborted ? { timedOut: true } : {}) };
  }
}

/** `exec` for the interactive runner: `ENGINE exec CONTAINER argv...`. */
export function containerExec(engineCli: string, container: string): ExecFn {
  return (argv) => execCapturingStdout(engineCli, ["exec", container, ...argv]);
}

/** `exec` for the interactive runner in HOST MODE: argv on this machine (the agent's tmux runs here). */
export const localExec: ExecFn = (argv) => execCapturingStdout(argv[0]!, argv.slice(1));

function execCapturingStdout(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c: string) => {
      stdout += c;
    });
    child.on("error", () => resolve({ code: 127, stdout }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

// ---- channel and none --------------------------------------------------------------------------------------

/**
 * `delivery: channel`: hands the text to the agent's connected stdio bridge (`qms proxy`), which emits
 * `notifications/claude/channel`. `emit` returns false when no channel session of the agent is connected.
 */
export class ChannelRunner implements DeliveryRunner {
  readonly mode = "channel" as const;
  constructor(private readonly emit: (notification: string) => boolean | Promise<boolean>) {}

  async deliver(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const ok = await this.emit(req.notification);
    return ok ? { delivered: true, durationMs: 0 } : { delivered: false, durationMs: 0, error: "no channel session of this agent is connected" };
  }
}

/** `delivery: none`: counted and shown, never sent. */
export class CountingRunner implements DeliveryRunner {
  readonly mode = "none" as const;
  count = 0;

  async deliver(): Promise<DeliveryOutcome> {
    this.count++;
    return { delivered: true, durationMs: 0, agentState: "not delivered (delivery: none)" };
  }
}
