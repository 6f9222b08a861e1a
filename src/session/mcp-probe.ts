import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { authHeaders, errorCode, type HttpError } from "./http.js";

/** What one POST of the client got: an HTTP status (with the body when it is an error), or no answer. */
export interface PostOutcome {
  status?: number;
  errorText?: string;
  noAnswer?: HttpError;
}

export interface McpProbe {
  /** The client's POSTs in order: the first is initialize. */
  posts: PostOutcome[];
  protocolVersion?: string;
  toolCount?: number;
  /** The step that failed, what HTTP said of its last POST (status or network error code) and why. */
  failed?: { step: "initialize" | "tools/list"; http: number | string; detail: string };
}

const TIMED_OUT: HttpError = { code: "ETIMEDOUT", message: "timed out" };

/**
 * A real MCP session through the SDK client over streamable HTTP, as Claude Code opens one: initialize (the
 * SDK's protocol version, checked against the server's), the initialized notification, optionally tools/list.
 * A fetch wrapper records what HTTP said, so callers can tell a rejected token from a broken server.
 */
export async function probeMcp(url: string, token: string, opts: { listTools?: boolean; timeoutMs?: number } = {}): Promise<McpProbe> {
  const posts: PostOutcome[] = [];
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const outcome: PostOutcome = {};
    if (init?.method === "POST") posts.push(outcome);
    try {
      const res = await fetch(input, init);
      outcome.status = res.status;
      if (!res.ok) outcome.errorText = await res.clone().text();
      return res;
    } catch (err) {
      outcome.noAnswer ??= errorCode(err);
      throw err;
    }
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recordingFetch, requestInit: { headers: authHeaders(token) } });
  const client = new Client({ name: "qms-doctor", version: "1" });
  const timeout = { timeout: opts.timeoutMs ?? 10000 };
  const probe: McpProbe = { posts };
  let step: "initialize" | "tools/list" = "initialize";
  try {
    await client.connect(transport, timeout);
    probe.protocolVersion = transport.protocolVersion;
    if (opts.listTools) {
      step = "tools/list";
      probe.toolCount = (await client.listTools(undefined, timeout)).tools.length;
    }
  } catch (err) {
    // A POST still open when the SDK gave up waiting: the server never answered it.
    for (const p of posts) if (p.status === undefined) p.noAnswer ??= TIMED_OUT;
    const last = posts.at(-1) ?? { noAnswer: TIMED_OUT };
    const reason = err instanceof Error ? err.message : String(err);
    probe.failed = { step, http: last.status ?? last.noAnswer?.code ?? "?", detail: last.errorText ?? last.noAnswer?.message ?? reason };
  } finally {
    await client.close().catch(() => undefined);
  }
  return probe;
}
