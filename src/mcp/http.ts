import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { VERSION } from "../core/package-version.js";
import type { TokenStore } from "../store/tokens.js";
import { verifyProject } from "../services/verify.js";
import { createWebUi, type IntegrityReport, type WebUiOptions } from "../web/ui.js";
import { type Caller, identityHeaders } from "./identity.js";
import type { IdentityLockRegistry } from "./identity-locks.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { buildServer, type CallerRef, type ServerEnv } from "./server.js";

export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "host.docker.internal"];

export interface HttpOptions extends ServerEnv {
  host: string;
  port: number;
  auth: "token" | "none";
  store?: TokenStore;
  /** Extra Host/Origin names (without port). */
  allowedHosts?: string[];
  /** Identity used for resources/prompts when there is no token (`--user`). */
  defaultUser?: string;
  /** Also serve the deprecated HTTP+SSE transport at /sse and /messages. */
  legacySse?: boolean;
  /**
   * Python-era compatibility mode (`--auth none --identity-header`, qms.md §10.4): read `X-QMS-Identity` /
   * `X-QMS-Instance` and enforce identity locks held in this registry. Ignored with token auth.
   */
  identityLocks?: IdentityLockRegistry;
  /** The web view at /ui/ (web spec); `false` turns it off (`--no-ui`). */
  ui?: WebUiOptions | false;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stop accepting, let in-flight requests finish (bounded), then resolve. */
  close(timeoutMs?: number): Promise<void>;
}

const OAUTH_PATH = /^\/(\.well-known\/(oauth-protected-resource|oauth-authorization-server|openid-configuration)(\/.*)?|register)$/;


/** The name part of a Host header value (`[::1]:8000` → `[::1]`, `Localhost:80` → `localhost`). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function rpcError(code: number, message: string): Record<string, unknown> {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

const NO_BODY = Symbol("no body");

/** Headers whose second copy could make two checks read two different values (Node keeps only the first Host). */
const SINGLE_VALUED_HEADERS = new Set(["host", "origin", "authorization", "x-api-key", "x-qms-identity", "x-qms-instance", "content-length"]);

/** The first of `names` that `rawHeaders` carries twice, if any. */
export function repeatedHeader(rawHeaders: readonly string[], names: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!names.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Read and parse a JSON body; NO_BODY means the answer (413, or a JSON-RPC parse error) was already sent. */
async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "") {
    sendJson(res, 415, rpcError(-32600, `Unsupported Content-Encoding '${encoding.slice(0, 40)}': send the JSON body uncompressed.`), { connection: "close" });
    req.resume();
    return NO_BODY;
  }
  const raw = await readBody(req, res);
  if (raw === undefined) return NO_BODY;
  try {
    // strictly UTF-8: bytes that are not would otherwise reach the record as replacement characters
    return JSON.parse(STRICT_UTF8.decode(raw));
  } catch {
    sendJson(res, 400, rpcError(-32700, "Parse error: Invalid JSON"));
    return NO_BODY;
  }
}

/** Read a body of at most MAX_BODY_BYTES; `undefined` means it was too large (and a 413 was sent). */
function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    const tooLarge = (): void => {
      sendJson(res, 413, rpcError(-32600, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB).`), { connection: "close" });
      req.resume();
      resolve(undefined);
    };
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on("error", (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

/** The text a user reads when a client falls into OAuth discovery or presents no/invalid token. */
export function authHelp(root: string, url: string): string {
  return (
    `This QMS MCP server does not use OAuth: it authenticates with a static token. On the host, create one with ` +
    `'qms token create --user <name> --project-root ${root}', then configure the client to send it, e.g. ` +
    `claude mcp add --transport http qms ${url} --header "Authorization: Bearer <token>" --header "X-API-Key: <token>"`
  );
}

export async function startHttpServer(opts: HttpOptions): Promise<RunningHttpServer> {
  const started = Date.now();
  const allowed = new Set([...DEFAULT_ALLOWED_HOSTS, ...(opts.allowedHosts ?? []).map((h) => hostName(h))]);
  if (!["0.0.0.0", "::", ""].includes(opts.host)) allowed.add(hostName(opts.host.includes(":") && !opts.host.startsWith("[") ? `[${opts.host}]` : opts.host));
  const projectName = path.basename(opts.project.root);
  let inflight = 0;
  let closing = false;
  let publicUrl = "";
  const sseSessions = new Map<string, SSEServerTransport>();
  // Idle MCP servers, rebound to the caller of each request (a server serves one request at a time).
  const pool: Array<{ server: McpServer; ref: CallerRef }> = [];
  const POOL_MAX = 64;
  const verifyRecord = (): IntegrityReport => verifyProject(opts.project, new Date());
  const webUi = opts.ui === false ? undefined : createWebUi({ project: opts.project, tokens: opts.store, log: opts.log, verify: verifyRecord, ...opts.ui });

  const authenticate = (req: http.IncomingMessage): Caller | { error: string } => {
    if (opts.auth === "none") {
      const locks = opts.identityLocks;
      if (!locks) return { kind: "trusted", transport: "http", defaultUser: opts.defaultUser };
      const { identity, instanceId } = identityHeaders(req.headers);
      if (identity === undefined) return { kind: "trusted", transport: "http", defaultUser: opts.defaultUser, locks };
      return { kind: "header", identity, instanceId, locks, defaultUser: opts.defaultUser };
    }
    const presented: string[] = [];
    const authz = req.headers.authorization;
    if (typeof authz === "string") {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      if (m) presented.push(m[1]!);
    }
    const apiKey = req.headers["x-api-key"];
    if (typeof apiKey === "string" && apiKey.trim() !== "") presented.push(apiKey.trim());
    if (presented.length === 0) return { error: "missing token" };
    const store = opts.store;
    if (!store) return { error: "no token store" };
    let match: { user: string; label: string } | undefined;
    for (const t of presented) {
      const e = store.verify(opts.project.root, t);
      if (!e) continue;
      if (match && match.user !== e.user) return { error: "tokens of two different users" };
      match = { user: e.user, label: e.label };
    }
    if (!match) return { error: "invalid token" };
    return { kind: "token", user: match.user, label: match.label };
  };

  const unauthorized = (res: http.ServerResponse, reason: string, req: http.IncomingMessage): void => {
    opts.log.log("auth_failed", { reason, path: (req.url ?? "").split("?")[0], remote: req.socket.remoteAddress ?? null });
    const what = reason === "missing token" ? "no token was sent" : reason === "invalid token" ? "the token sent is not valid for this project (revoked, mistyped, or made for another project)" : reason;
    sendJson(res, 401, {
      error: "unauthorized",
      reason,
      message: `QMS MCP server: ${what}. Create a token on the host with 'qms token create --user <name> --project-root ${opts.project.root}' and configure the client to send it as 'Authorization: Bearer <token>' (and 'X-API-Key: <token>'). This server does not use OAuth.`,
    });
  };

  const handleMcpPost = async (req: http.IncomingMessage, res: http.ServerResponse, caller: Caller): Promise<void> => {
    const body = await readJsonBody(req, res);
    if (body === NO_BODY) return;
    if (body === null || typeof body !== "object" || (Array.isArray(body) && body.length === 0)) {
      sendJson(res, 400, rpcError(-32600, "Invalid Request: expected a JSON-RPC message (object) or a non-empty batch"));
      return;
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    let entry = pool.pop();
    if (entry) entry.ref.current = caller;
    else {
      const ref: CallerRef = { current: caller };
      entry = { server: buildServer(opts, ref), ref };
    }
    const taken = entry;
    res.on("close", () => {
      // Reuse only after a complete answer: an aborted request may still have a handler running.
      const reusable = res.writableFinished;
      void taken.server.close().then(
        () => {
          if (reusable && pool.length < POOL_MAX && !closing) pool.push(taken);
        },
        () => undefined,
      );
    });
    await taken.server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";

    const repeated = repeatedHeader(req.rawHeaders, SINGLE_VALUED_HEADERS);
    if (repeated) {
      opts.log.log("header_repeated", { header: repeated });
      sendJson(res, 400, rpcError(-32600, `Bad request: the ${repeated} header is sent more than once; send it once.`));
      return;
    }
    const host = req.headers.host;
    if (typeof host !== "string" || !allowed.has(hostName(host))) {
      opts.log.log("host_rejected", { host: typeof host === "string" ? host.slice(0, 100) : null });
      sendJson(res, 403, rpcError(-32000, `Invalid Host header: ${String(host).slice(0, 100)} is not allowed (start the server with --allowed-host NAME to allow it).`));
      return;
    }
    const origin = req.headers.origin;
    if (typeof origin === "string") {
      let ok = false;
      try {
        ok = allowed.has(hostName(new URL(origin).host));
      } catch {
        ok = false;
      }
      if (!ok) {
        opts.log.log("origin_rejected", { origin: origin.slice(0, 100) });
        sendJson(res, 403, rpcError(-32000, `Invalid Origin header: ${origin.slice(0, 100)} is not allowed.`));
        return;
      }
    }

    if (webUi && (await webUi.handle(req, res))) return;
    if (pathname === "/healthz") {
      sendJson(res, 200, { name: "qms", version: VERSION, project: projectName, uptime_s: Math.round((Date.now() - started) / 1000) });
      return;
    }
    if (OAUTH_PATH.test(pathname)) {
      sendJson(res, 404, { error: "not_found", message: authHelp(opts.project.root, publicUrl) });
      return;
    }
    if (pathname === "/mcp") {
      if (method !== "POST") {
        sendJson(res, 405, rpcError(-32000, "Method not allowed: this server is stateless; use POST /mcp."), { allow: "POST" });
        return;
      }
      const caller = authenticate(req);
      if ("error" in caller) {
        unauthorized(res, caller.error, req);
        return;
      }
      await handleMcpPost(req, res, caller);
      return;
    }
    if (opts.legacySse && pathname === "/sse" && method === "GET") {
      const caller = authenticate(req);
      if ("error" in caller) {
        unauthorized(res, caller.error, req);
        return;
      }
      const transport = new SSEServerTransport("/messages", res);
      sseSessions.set(transport.sessionId, transport);
      res.on("close", () => sseSessions.delete(transport.sessionId));
      await buildServer(opts, caller).connect(transport);
      return;
    }
    if (opts.legacySse && pathname === "/messages" && method === "POST") {
      const caller = authenticate(req);
      if ("error" in caller) {
        unauthorized(res, caller.error, req);
        return;
      }
      const sid = new URLSearchParams(q < 0 ? "" : url.slice(q + 1)).get("sessionId") ?? "";
      const transport = sseSessions.get(sid);
      if (!transport) {
        sendJson(res, 404, rpcError(-32001, "Session not found"));
        return;
      }
      const body = await readJsonBody(req, res);
      if (body === NO_BODY) return;
      await transport.handlePostMessage(req, res, body);
      return;
    }
    sendJson(res, 404, { error: "not_found", message: `Nothing at ${pathname.slice(0, 100)}: the MCP endpoint is POST /mcp, health is GET /healthz.` });
  };

  const server = http.createServer((req, res) => {
    if (closing) {
      sendJson(res, 503, rpcError(-32000, "Server is shutting down"), { connection: "close" });
      return;
    }
    inflight++;
    res.on("close", () => {
      inflight--;
    });
    handle(req, res).catch((err: unknown) => {
      opts.log.log("http_error", { message: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) sendJson(res, 500, rpcError(-32603, "Internal server error"));
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10000;
  server.requestTimeout = 60000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = ["0.0.0.0", "::", ""].includes(opts.host) ? "127.0.0.1" : opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  publicUrl = `http://${shownHost}:${port}/mcp`;
  webUi?.listening(publicUrl.replace(/\/mcp$/, ""));

  const close = async (timeoutMs = 10000): Promise<void> => {
    closing = true;
    webUi?.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const t of sseSessions.values()) void t.close();
    const deadline = Date.now() + timeoutMs;
    while (inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    server.closeAllConnections();
    await closed;
  };
  return { server, url: publicUrl, port, close };
}
