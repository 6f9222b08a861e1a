/**
 * Fault injection for the integrity tests (integrity spec §5): named points on the write path where a test
 * can make this process die (`QMS_CRASH_AT`) or a write fail as if the disk were full (`QMS_FAIL_AT`).
 * A value is a point name (`apply:op:2`, `apply:commit`, `lock:link`, ...) or `step:N`: the N-th point
 * this process reaches, whatever its name, so a test can walk through every step of an operation.
 * `QMS_FAULT_TRACE=1` prints each point reached (`fault-point N name`) to stderr. Unset (always, outside
 * tests), a point costs three environment lookups.
 */
let reached = 0;
let paused = 0;

/** Run `fn` with no fault point counted or fired (recovery: a test crashes the change, not its clean-up). */
export function withoutFaults<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

/** Whether a test set any fault variable (so a write may be split to leave a point between its halves). */
export function faultsArmed(): boolean {
  return Boolean(process.env.QMS_CRASH_AT || process.env.QMS_FAIL_AT || process.env.QMS_FAULT_TRACE);
}

/** `failable: false`: a point past the commit, where nothing can fail any more, only the process die. */
export function faultPoint(name: string, options: { failable?: boolean } = {}): void {
  if (paused > 0) return;
  const crash = process.env.QMS_CRASH_AT;
  const failure = process.env.QMS_FAIL_AT;
  const trace = process.env.QMS_FAULT_TRACE === "1";
  if (!crash && !failure && !trace) return;
  reached++;
  if (trace) process.stderr.write(`fault-point ${reached} ${name}\n`);
  if (crash && matches(crash, name)) {
    process.kill(process.pid, "SIGKILL");
    // SIGKILL is delivered before kill() returns to a process signalling itself; never continue regardless
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
  if (failure && options.failable !== false && matches(failure, name)) {
    const err = new Error(`ENOSPC: no space left on device (injected at ${name})`) as NodeJS.ErrnoException;
    err.code = "ENOSPC";
    throw err;
  }
}

function matches(spec: string, name: string): boolean {
  const step = /^step:(\d+)$/.exec(spec);
  return step ? Number(step[1]) === reached : spec === name;
}
