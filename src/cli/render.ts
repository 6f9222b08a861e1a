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

/**
 * `--json`: a success prints the service's data; a refusal prints `{ok: false, code, message, hint, next}`
 * (steps as command lines), both on stdout as one JSON document. Warnings still go to stderr.
 */
export function renderJson(result: ServiceResult<unknown>, caller?: string): number {
  if (result.ok) {
    process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
    if (result.warnings?.length) process.stderr.write(`${result.warnings.join("\n")}\n`);
    return 0;
  }
  const render = commandLineStep(caller);
  const refusal = {
    ok: false,
    code: result.code,
    message: result.message,
    ...(result.hint ? { hint: result.hint } : {}),
    ...(result.details?.length ? { details: result.details } : {}),
    ...(result.next?.length ? { next: result.next.map((s) => ({ ...s, command: render(s) })) } : {}),
  };
  process.stdout.write(`${JSON.stringify(refusal, null, 2)}\n`);
  return 1;
}
