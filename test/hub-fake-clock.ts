import type { Clock, Timer } from "../src/hub/clock.js";

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock for hub tests: time moves only in `advance`, which runs due timers in order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Pending[] = [];

  constructor(start = Date.parse("2026-03-01T09:00:00Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  get pendingTimers(): number {
    return this.timers.filter((p) => !p.cancelled).length;
  }

  /** Let promise chains settle (several macrotask turns). */
  async flush(): Promise<void> {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  }

  /** Move time forward by `ms`, running every timer that falls due (and what they schedule) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await this.flush();
    for (;;) {
      const due = this.timers.filter((p) => !p.cancelled && p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((p) => p !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await this.flush();
    }
    this.t = end;
    this.timers = this.timers.filter((p) => !p.cancelled);
  }
}

/** A logger that keeps the events (the hub's JSON lines) for assertions. */
export function memoryLogger(): { log(event: string, fields?: Record<string, unknown>): void; events: Array<Record<string, unknown> & { event: string }> } {
  const events: Array<Record<string, unknown> & { event: string }> = [];
  return {
    events,
    log(event, fields = {}) {
      events.push({ event, ...fields });
    },
  };
}
