/**
 * Structured next steps (style.md §3: plumbing returns data, porcelain renders it). A service says *what*
 * should happen next; each adapter says it in its own words: the CLI as `qms --user U checkin SOP-001`, MCP as
 * a call of `qms_checkin` with `doc_id "SOP-001"`, the web view as a button. No CLI syntax lives below the
 * adapters.
 */

/** The operations a step can name: the MCP tools (`qms_<action>`) and the host-only administration commands. */
export type Operation =
  | "create"
  | "checkout"
  | "checkin"
  | "cancel"
  | "route"
  | "assign"
  | "review"
  | "approve"
  | "reject"
  | "withdraw"
  | "release"
  | "revert"
  | "close"
  | "fix"
  | "interact"
  | "status"
  | "read"
  | "history"
  | "comments"
  | "inbox"
  | "workspace"
  | "list"
  | "verify"
  // host-only: administration that agents in containers cannot run
  | "user"
  | "namespace"
  | "init"
  | "token"
  | "mcp";

export const HOST_ONLY_OPERATIONS: readonly Operation[] = ["user", "namespace", "init", "token", "mcp"];

/** Arguments in the MCP tools' own names (`route_type: "review"`, `assignees: [...]`, `confirm: true`). */
export type StepArgs = Record<string, string | boolean | string[]>;

export interface NextStep {
  action: Operation;
  doc_id?: string;
  args?: StepArgs;
  /** Who must take the step, when it is not the caller (e.g. the owner who must check a document in). */
  user?: string;
  /** The words before the step ("Edit it, then", "Ask claude to withdraw it"); the adapter adds the step. */
  lead?: string;
}

/** A next step; `lead` says why, in words that read before the rendered command or call. */
export function step(action: Operation, docId?: string, options: { args?: StepArgs; user?: string; lead?: string } = {}): NextStep {
  return {
    action,
    ...(docId !== undefined ? { doc_id: docId } : {}),
    ...(options.args ? { args: options.args } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.lead !== undefined ? { lead: options.lead } : {}),
  };
}

/** How an adapter writes one step (without its lead). */
export type StepRenderer = (s: NextStep) => string;

/** `lead: step` (or the bare step). */
export function renderStepLine(s: NextStep, render: StepRenderer): string {
  return s.lead ? `${s.lead}: ${render(s)}` : render(s);
}
