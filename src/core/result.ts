import { type NextStep, renderStepLine, type StepRenderer } from "./next.js";

/**
 * What every service returns. `lines` is the human text every adapter shows (the CLI prints it, the MCP
 * server returns it as text content); `data` is the machine-readable part (MCP `structuredContent`); `next`
 * the structured next steps, which each adapter renders in its own words (never CLI syntax in `lines`).
 */
export type ServiceResult<T = Record<string, unknown>> = Success<T> | Refusal;

export interface Success<T> {
  ok: true;
  data: T;
  lines: string[];
  /** What to do next, rendered by the adapter after `lines` (one line each: `lead: step`). */
  next?: NextStep[];
  /** Lines meant for stderr in the CLI (warnings). */
  warnings?: string[];
}

export interface Refusal {
  ok: false;
  /** Stable, machine-readable reason (e.g. `not-owner`, `invalid-transition`). */
  code: RefusalCode;
  /** What rule refused the action. */
  message: string;
  /** What to do next, in words (no command syntax); the steps in `next` follow it. */
  hint?: string;
  /** The next steps, rendered by each adapter (CLI command, MCP tool call, web button). */
  next?: NextStep[];
  /** Extra text lines (e.g. a list of what `cancel` would delete). */
  details?: string[];
  /** The Python tool printed a few errors on stderr; the CLI keeps that. */
  stderr?: boolean;
}

export type RefusalCode =
  | "unknown-user"
  | "invalid-user"
  | "permission-denied"
  | "not-owner"
  | "not-assigned"
  | "invalid-id"
  | "not-found"
  | "invalid-type"
  | "invalid-parent"
  | "invalid-state"
  | "invalid-transition"
  | "invalid-argument"
  | "approval-gate"
  | "placeholders"
  | "already-exists"
  | "checked-out"
  | "not-checked-out"
  | "confirmation-required"
  | "locked"
  | "not-project"
  | "corrupt-data"
  | "not-available"
  | "impersonation"
  | "identity-locked"
  | "unsafe-file"
  | "write-failed";

export function success<T>(data: T, lines: string[], options: { next?: NextStep[]; warnings?: string[] } = {}): Success<T> {
  return {
    ok: true,
    data,
    lines,
    ...(options.next && options.next.length > 0 ? { next: options.next } : {}),
    ...(options.warnings && options.warnings.length > 0 ? { warnings: options.warnings } : {}),
  };
}

/**
 * A refusal. `hint` is either words, or a next step (or several) whose `lead` carries the words — so every
 * adapter can render the command or call itself.
 */
export function refuse(code: RefusalCode, message: string, hint?: string | NextStep | NextStep[], extra?: Partial<Refusal>): Refusal {
  const steps = hint === undefined || typeof hint === "string" ? [] : Array.isArray(hint) ? hint : [hint];
  return {
    ok: false,
    code,
    message,
    ...(typeof hint === "string" && hint !== "" ? { hint } : {}),
    ...(steps.length > 0 ? { next: steps } : {}),
    ...extra,
  };
}

/** Thrown inside a service to stop with a refusal; the service runner turns it into a result. */
export class RefusalError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

export function fail(code: RefusalCode, message: string, hint?: string | NextStep | NextStep[], extra?: Partial<Refusal>): never {
  throw new RefusalError(refuse(code, message, hint, extra));
}

/** The words of a refusal, for any adapter: the rule, any details, then what to do next (`Next: …`). */
export function refusalText(refusal: Refusal, render: StepRenderer): string {
  const lines = [`Error: ${refusal.message}`];
  if (refusal.details?.length) lines.push(...refusal.details);
  const next = [refusal.hint, ...(refusal.next ?? []).map((s) => renderStepLine(s, render))].filter((t): t is string => !!t);
  if (next.length > 0) lines.push(`Next: ${next.join("; ")}`);
  return lines.join("\n");
}

/** The words of a success, for any adapter: its lines, then one line per next step. */
export function successLines(result: Success<unknown>, render: StepRenderer): string[] {
  return [...result.lines, ...(result.next ?? []).map((s) => renderStepLine(s, render))];
}
