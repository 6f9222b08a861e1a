import { createInterface } from "node:readline";
import { errorCode, NOT_SENT_CODES, SseParser } from "./http.js";

export interface ProxyOptions {
  url: string;
  token?: string;
  /** Extra headers, e.g. from `--header "Name: value"`. */
  headers?: Record<string, string>;
  /** Connection attempts for a request that never reached the server (default 3). */
  retries?: number;
  /** Per-request time-out in ms (default 300000). */
  timeoutMs?: number;
  /** First retry delay in ms (doubles each time; default 250). */
  backoffMs?: number;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

type Msg = Record<string, unknown>;

/**
 * `qms proxy URL`: MCP over stdio (newline-delimited JSON-RPC) to Claude Code, streamable HTTP to the server.
 * - every line is forwarded at once as its own POST: requests run concurrently;
 * - JSON and SSE answers (any number of events, multi-line data) are written back one message per line;
 * - 202 writes nothing; a notification is never answered, even when it fails;
 * - a request is retried only when the connection was never made (refused / not resolved / connect time-out);
 *   once sent it is never sent again (a `tools/call` may write), and failures become JSON-RPC error -32000
 *   carrying the request's id;
 * - stdin EOF: wait for the requests in flight, then resolve (exit 0).
 * Only JSON-RPC goes to stdout; logs go to stderr.
 */
export async function runProxy(opts: ProxyOptions): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const retries = Math.max(1, opts.retries ?? 3);
  const timeoutMs = opts.timeoutMs ?? 300000;
  const backoff = opts.backoffMs ?? 250;
  const url = opts.url;
  const log = (m: string): void => {
    stderr.write(`[qms proxy] ${m}\n`);
  };
  const base: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...(opts.token ? { authorization: `Bearer ${opts.token}`, "x-api-key": opts.token } : {}),
    ...(opts.headers ?? {}),
  };
  let protocolVersion: string | undefined;
  let sessionId: string | undefined;
  let outputBroken = false;

  const write = (m: unknown): void => {
    if (outputBroken) return;
    stdout.write(`${JSON.stringify(m)}\n`);
  };
  stdout.on?.("error", () => {
    outputBroken = true;
  });

  const errorReply = (id: unknown, message: string, data?: unknown): Msg => ({
    jsonrpc: "2.0",
    id: id ?? null,
    error: { code: -32000, message, ...(data === undefined ? {} : { data }) },
  });

  async function forward(line: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      log(`ignored a line that is not JSON (${line.length} bytes)`);
      return;
    }
    const single = msg && typeof msg === "object" && !Array.isArray(msg) ? (msg as Msg) : undefined;
    const method = typeof single?.method === "string" ? single.method : undefined;
    const hasId = single !== undefined && "id" in single && single.id !== null && single.id !== undefined;
    const isRequest = method !== undefined && hasId;
    const id = isRequest ? single?.id : undefined;
    const label = method ?? "response";

    let answered = false;
    const emit = (data: string): void => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        log(`${label}: ignored a non-JSON message from the server`);
        return;
      }
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!m || typeof m !== "object") continue;
        const mm = m as Msg;
        if (isRequest && ("result" in mm || "error" in mm) && mm.id === id) {
          answered = true;
          if (method === "initialize") {
            const pv = (mm.result as Msg | undefined)?.protocolVersion;
            if (typeof pv === "string") protocolVersion = pv;
          }
        }
        write(mm);
      }
    };

    const headers: Record<string, string> = { ...base };
    if (protocolVersion && method !== "initialize") headers["mcp-protocol-version"] = protocolVersion;
    if (sessionId) headers["mcp-session-id"] = sessionId;

    let res: Response | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await fetch(url, { method: "POST", headers, body: line, signal: AbortSignal.timeout(timeoutMs) });
        break;
      } catch (err) {
        const e = errorCode(err);
        if (NOT_SENT_CODES.has(e.code) && attempt < retries) {
          const wait = Math.min(backoff * 2 ** (attempt - 1), 4000);
          log(`${label}: ${e.code} (not sent), retry ${attempt}/${retries - 1} in ${wait}ms`);
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        const sent = NOT_SENT_CODES.has(e.code) ? "the server is unreachable" : "the request may have reached the server; not re-sent";
        log(`${label}: failed: ${e.code} ${e.message} (${sent})`);
        if (isRequest) write(errorReply(id, `QMS MCP server at ${url}: ${e.code} (${sent})`, { code: e.code }));
        return;
      }
    }

    const sid = res.headers.get("mcp-session-id");
    if (sid) sessionId = sid;
    if (res.status === 202 || res.status === 204) {
      await res.body?.cancel().catch(() => {});
      return;
    }
    const type = res.headers.get("content-type") ?? "";
    if (res.ok && type.includes("text/event-stream") && res.body) {
      const parser = new SseParser((data) => {
        emit(data);
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.push(decoder.decode(chunk, { stream: true }));
        parser.push(decoder.decode());
        parser.end();
      } catch (err) {
        const e = errorCode(err);
        log(`${label}: SSE stream broke: ${e.code} ${e.message}`);
        if (isRequest && !answered) write(errorReply(id, `QMS MCP server at ${url}: the answer stream broke (${e.code}); not re-sent`));
      }
      if (isRequest && !answered) write(errorReply(id, `QMS MCP server at ${url}: the answer stream ended without a reply`));
      return;
    }
    const text = await res.text().catch(() => "");
    if (res.ok) {
      if (text.trim() === "") {
        if (isRequest) write(errorReply(id, `QMS MCP server at ${url}: empty HTTP ${res.status} answer`));
        return;
      }
      emit(text);
      if (isRequest && !answered) write(errorReply(id, `QMS MCP server at ${url}: HTTP ${res.status} answer without a reply`));
      return;
    }
    // HTTP error: pass on a JSON-RPC error body when there is one, else make one. Never for notifications.
    log(`${label}: HTTP ${res.status} ${text.slice(0, 200).replace(/\s+/g, " ")}`);
    if (!isRequest) return;
    try {
      const parsed = JSON.parse(text) as Msg;
      if (parsed && typeof parsed === "object" && parsed.jsonrpc === "2.0" && typeof parsed.error === "object") {
        write({ ...parsed, id });
        return;
      }
    } catch {
      /* not JSON-RPC */
    }
    write(errorReply(id, `QMS MCP server at ${url} answered HTTP ${res.status}: ${text.slice(0, 300).trim() || "(no body)"}`, { status: res.status }));
  }

  const inflight = new Set<Promise<void>>();
  const rl = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  rl.on("line", (raw) => {
    const line = raw.trim();
    if (line === "") return;
    const p = forward(line).catch((err) => log(`internal error: ${(err as Error).message}`));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  });
  await new Promise<void>((resolve) => rl.once("close", () => resolve()));
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
  return 0;
}
