/** Step-by-step progress with timings: `[2/7] MCP server … ✔ started pid 123 (0.8s)`. */
export class Progress {
  private n = 0;
  private readonly t0 = Date.now();
  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WritableStream,
  ) {}

  async step<T>(title: string, fn: (note: (line: string) => void) => Promise<{ value: T; detail: string }>): Promise<T> {
    this.n++;
    const started = Date.now();
    this.out.write(`[${this.n}/${this.total}] ${title} …\n`);
    const note = (line: string): void => {
      this.out.write(`      ${line}\n`);
    };
    try {
      const { value, detail } = await fn(note);
      this.out.write(`      ✔ ${detail} (${secs(Date.now() - started)})\n`);
      return value;
    } catch (err) {
      this.out.write(`      ✘ ${title} failed (${secs(Date.now() - started)})\n`);
      throw err;
    }
  }

  done(message: string): void {
    this.out.write(`${message} (total ${secs(Date.now() - this.t0)})\n`);
  }
}

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A failure the launcher reports as one clear message (and a non-zero exit), without a stack trace. */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
