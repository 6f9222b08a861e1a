import { lookup } from "node:dns/promises";

/** Where the health endpoint of an MCP URL lives: `http://h:p/mcp` → `http://h:p/healthz` (a sibling of /mcp). */
export function healthUrlFor(mcpUrl: string): string {
  const u = new URL(mcpUrl.replace(/\/+$/, ""));
  return new URL("healthz", u).toString();
}

export interface HttpError {
  /** A Node / undici error code: ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ETIMEDOUT, UND_ERR_CONNECT_TIMEOUT, ... */
  code: string;
  message: string;
}

/** The low-level error code behind a failed `fetch` (undici wraps it in `cause`). */
export function errorCode(err: unknown): HttpError {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return { code: "ETIMEDOUT", message: "timed out" };
  const code = e?.cause?.code ?? e?.code ?? e?.cause?.name ?? "EUNKNOWN";
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return { code: String(code), message };
}

/** Codes that mean the connection was never made, so a request never reached the server. */
export const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT", "EADDRNOTAVAIL"]);

export interface HealthProbe {
  ok: boolean;
  /** HTTP status when an answer came. */
  status?: number;
  /** Parsed JSON body of a 200. */
  body?: Record<string, unknown>;
  /** Set when no HTTP answer came. */
  error?: HttpError;
  /** True when something answered but it is not a QMS server's /healthz. */
  foreign?: boolean;
  text?: string;
}

/** One GET of a /healthz URL, bounded by `timeoutMs`. */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<HealthProbe> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1, timeoutMs)), headers: { accept: "application/json" } });
    const text = await res.text();
    let body: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const ours = res.status === 200 && body !== undefined && isQmsHealth(body);
    return { ok: ours, status: res.status, body, foreign: !ours, text: text.slice(0, 300) };
  } catch (err) {
    return { ok: false, error: errorCode(err) };
  }
}

/** Does a /healthz body look like ours (a name mentioning qms)? */
export function isQmsHealth(body: Record<string, unknown>): boolean {
  const name = typeof body.name === "string" ? body.name : "";
  return /qms/i.test(name) || body.status === "ok";
}

/**
 * Poll a /healthz URL until it answers 200 or the total deadline passes. Each probe's own time-out is cut to
 * what is left, so the whole wait never exceeds `deadlineMs` by more than a few milliseconds.
 */
export async function waitForHealth(
  url: string,
  deadlineMs: number,
  opts: { intervalMs?: number; onAttempt?: (p: HealthProbe) => void; stopEarly?: () => string | undefined } = {},
): Promise<{ probe: HealthProbe; elapsedMs: number; stopped?: string }> {
  const start = Date.now();
  const interval = opts.intervalMs ?? 250;
  let last: HealthProbe = { ok: false, error: { code: "ETIMEDOUT", message: "no attempt made" } };
  for (;;) {
    const left = deadlineMs - (Date.now() - start);
    if (left <= 0) return { probe: last, elapsedMs: Date.now() - start };
    last = await probeHealth(url, Math.min(2000, left));
    opts.onAttempt?.(last);
    if (last.ok) return { probe: last, elapsedMs: Date.now() - start };
    const stopped = opts.stopEarly?.();
    if (stopped !== undefined) return { probe: last, elapsedMs: Date.now() - start, stopped };
    const wait = Math.min(interval, deadlineMs - (Date.now() - start));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Resolve a host name (IPv4 first, as the container's Node is told to prefer). */
export async function resolveHost(host: string): Promise<{ address?: string; error?: HttpError }> {
  const bare = host.replace(/^\[|\]$/g, "");
  try {
    const r = await lookup(bare, { all: true });
    const v4 = r.find((a) => a.family === 4) ?? r[0];
    return { address: v4?.address };
  } catch (err) {
    return { error: errorCode(err) };
  }
}

/** Headers carrying a token the way the kit's `.mcp.json` does: both forms, the same token. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}`, "x-api-key": token } : {};
}

/**
 * Incremental `text/event-stream` parser (WHATWG rules): events end at a blank line, several `data:` lines of
 * one event are joined with "\n", comments (`:`) and other fields are ignored, CR/LF/CRLF all end a line.
 */
export class SseParser {
  private buf = "";
  private data: string[] = [];
  private sawData = false;
  constructor(private readonly onData: (data: string, event: string | undefined) => void) {}
  private event: string | undefined;

  push(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone CR at the very end might be the first half of CRLF: wait for more.
      if (m[0] === "\r" && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  end(): void {
    if (this.buf !== "") this.line(this.buf.replace(/\r$/, ""));
    this.buf = "";
    this.dispatch();
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.data.push(value);
      this.sawData = true;
    } else if (field === "event") this.event = value;
  }

  private dispatch(): void {
    if (this.sawData) this.onData(this.data.join("\n"), this.event);
    this.data = [];
    this.sawData = false;
    this.event = undefined;
  }
}
