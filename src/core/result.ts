/**
 * What every service returns. `lines` is the human text both adapters show (the CLI prints it, the MCP
 * server returns it as text content); `data` is the machine-readable part (MCP `structuredContent`).
 */
export type ServiceResult<T = Record<string, unknown>> = Success<T> | Refusal;

export interface Success<T> {
  ok: true;
  data: T;
  lines: string[];
  /** Lines meant for stderr in the CLI (warnings). */
  warnings?: string[];
}

export interface Refusal {
  ok: false;
  /** Stable, machine-readable reason (e.g. `not-owner`, `invalid-transition`). */
  code: RefusalCode;
  /** What rule refused the action. */
  message: string;
  /** What to do next, ideally the exact command. */
  hint?: string;
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
  | "unsafe-file";

export function success<T>(data: T, lines: string[], warnings?: string[]): Success<T> {
  return warnings && warnings.length > 0 ? { ok: true, data, lines, warnings } : { ok: true, data, lines };
}

export function refuse(code: RefusalCode, message: string, hint?: string, extra?: Partial<Refusal>): Refusal {
  return { ok: false, code, message, ...(hint ? { hint } : {}), ...extra };
}

/** Thrown inside a service to stop with a refusal; the service runner turns it into a result. */
export class RefusalError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

export function fail(code: RefusalCode, message: string, hint?: string, extra?: Partial<Refusal>): never {
  throw new RefusalError(refuse(code, message, hint, extra));
}
