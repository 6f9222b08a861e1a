import type { ServiceResult } from "../core/result.js";

/** Print a service result the way the CLI always does, and return the exit code (0 ok, 1 refused). */
export function renderResult(result: ServiceResult<unknown>): number {
  if (result.ok) {
    if (result.lines.length > 0) process.stdout.write(`${result.lines.join("\n")}\n`);
    if (result.warnings?.length) process.stderr.write(`${result.warnings.join("\n")}\n`);
    return 0;
  }
  const text = refusalText(result);
  (result.stderr ? process.stderr : process.stdout).write(`${text}\n`);
  return 1;
}

/** The words of a refusal: the rule, any details, then what to do next (same text over MCP). */
export function refusalText(result: Extract<ServiceResult<unknown>, { ok: false }>): string {
  const lines = [`Error: ${result.message}`];
  if (result.details?.length) lines.push(...result.details);
  if (result.hint) lines.push(`Next: ${result.hint}`);
  return lines.join("\n");
}
