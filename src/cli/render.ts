import { commandLineStep } from "../core/command-line.js";
import { refusalText, type ServiceResult, successLines } from "../core/result.js";

/** Print a service result the way the CLI always does, and return the exit code (0 ok, 1 refused). */
export function renderResult(result: ServiceResult<unknown>, caller?: string): number {
  const render = commandLineStep(caller);
  if (result.ok) {
    const lines = successLines(result, render);
    if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
    if (result.warnings?.length) process.stderr.write(`${result.warnings.join("\n")}\n`);
    return 0;
  }
  (result.stderr ? process.stderr : process.stdout).write(`${refusalText(result, render)}\n`);
  return 1;
}
