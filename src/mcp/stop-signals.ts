import type { Logger } from "./log.js";

export interface StopSignals {
  /** Resolves with the first SIGINT/SIGTERM received. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Remove the handlers (for in-process use; the CLI keeps them until it exits). */
  dispose(): void;
}

/**
 * Catch SIGINT/SIGTERM from the first moment of start-up, before anything listens: a signal that arrives while
 * the server is still starting (or a second one while it drains) must never fall through to Node's default
 * action, which kills the process with exit 143 and skips the graceful stop and its log line.
 */
export function catchStopSignals(log: Logger): StopSignals {
  let first: NodeJS.Signals | undefined;
  let resolveRequested!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    resolveRequested = resolve;
  });
  const handler = (signal: NodeJS.Signals): void => {
    if (first === undefined) {
      first = signal;
      resolveRequested(signal);
      return;
    }
    log.log("signal_while_stopping", { signal, first, message: "already stopping: in-flight requests finish first" });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    requested,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
