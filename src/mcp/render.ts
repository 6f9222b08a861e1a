import { commandLineStep } from "../core/command-line.js";
import { HOST_ONLY_OPERATIONS, type NextStep, type StepRenderer } from "../core/next.js";
import { refusalText, type Refusal } from "../core/result.js";

/**
 * A next step as an agent over MCP takes it: `call qms_checkin with doc_id "SOP-001"`. Administration that
 * only the host can do (users, namespaces, tokens, init) is named as the host's command, for a person.
 */
export const mcpStep: StepRenderer = (s: NextStep) => {
  if (HOST_ONLY_OPERATIONS.includes(s.action)) return `on the host: ${commandLineStep(undefined)(s)}`;
  const args: string[] = [];
  if (s.doc_id !== undefined) args.push(`doc_id ${JSON.stringify(s.doc_id)}`);
  for (const [key, value] of Object.entries(s.args ?? {})) args.push(`${key} ${JSON.stringify(value)}`);
  const call = `call qms_${s.action}${args.length > 0 ? ` with ${args.join(", ")}` : ""}`;
  return s.user ? `${call} (as ${s.user})` : call;
};

/** A refusal in MCP words (the tool calls to make next). */
export function mcpRefusalText(refusal: Refusal): string {
  return refusalText(refusal, mcpStep);
}
