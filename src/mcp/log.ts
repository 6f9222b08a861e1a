/** Structured logs: one JSON object per line on stderr (stdout belongs to the stdio transport). Never log tokens. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(event: string, fields?: LogFields): void;
}

export function stderrLogger(enabled = true): Logger {
  return {
    log(event, fields = {}) {
      if (!enabled) return;
      process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...fields })}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
