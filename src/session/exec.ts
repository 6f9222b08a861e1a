import { spawnSync } from "node:child_process";

export interface Ran {
  status: number;
  /** stdout then stderr. */
  out: string;
}

/** Run a command to completion (127 when it cannot be started), output captured. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Ran {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: opts.env,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 120000,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { status: 127, out: `${cmd}: ${r.error.message}` };
  return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** The last `n` lines of some output, indented and fenced for an error message. */
export function lastLines(text: string, n = 15): string {
  return text
    .trimEnd()
    .split("\n")
    .slice(-n)
    .map((l) => `        | ${l}`)
    .join("\n");
}
