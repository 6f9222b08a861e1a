import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { VERSION } from "../core/package-version.js";
import type { TokenStore } from "../store/tokens.js";
import { verifyProject } from "../services/verify.js";
import { createWebUi, type IntegrityReport, type WebUiOptions } from "../web/ui.js";
import { createHostGuard } from "./host-guard.js";
import { NO_BODY, readJsonBody, rpcError, sendJson } from "./http-json.js";
import type { Caller } from "./identity.js";
import type { IdentityLockRegistry } from "./identity-locks.js";
import { buildServer, type ServerEnv } from "./server.js";
import { authenticate, authHelp, authInfoFor, unauthorizedBody } from "./token-auth.js";

export { DEFAULT_ALLOWED_HOSTS, hostName } from "./host-guard.js";
export { MAX_BODY_BYTES } from "./http-json.js";
export { authHelp } from "./token-auth.js";

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
  /** More routes (the hub's /hub/ API): answer and return true, or return false to leave the request alone. */
  extraRoutes?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stop accepting, let in-flight requests finish (bounded), then resolve. */
  close(timeoutMs?: number): Promise<void>;
  /** The web view, when it is served: one-time sign-in links. */
  ui?: { signInLink(user: string): string };
}

const OAUTH_PATH = /^\/(\.well-known\/(oauth-protected-resource|oauth-authorization-server|openid-configuration)(\/.*)?|register)$/;

export async function startHttpServer(opts: HttpOptions): Promise<RunningHttpServer> {
  const started = Date.now();
  const guard = createHostGuard(opts.host, opts.allowedHosts ?? [], opts.log);
  const projectName = path.basename(opts.project.root);
  let inflight = 0;
  let closing = false;
  let publicUrl = "";
  const sseSessions = new Map<string, SSEServerTransport>();
  // Idle MCP servers: each request brings its caller as authInfo, so any idle server can serve it.
  const pool: McpServer[] = [];
  const POOL_MAX = 64;
  const webUi = opts.ui === false ? undefined : createWebUi({ project: opts.project, tokens: opts.store, log: opts.log, verify: (): IntegrityReport => verifyProject(opts.project, new Date()), ...opts.ui });

  const authOptions = { auth: opts.auth, projectRoot: opts.project.root, store: opts.store, defaultUser: opts.defaultUser, identityLocks: opts.identityLocks };

  /** The request's caller, set on it as the SDK's `req.auth`; or a 401 already sent. */
  const identify = (req: http.IncomingMessage, res: http.ServerResponse): Caller | undefined => {
    const caller = authenticate(req, authOptions);
    if ("error" in caller) {
      opts.log.log("auth_failed", { reason: caller.error, path: (req.url ?? "").split("?")[0], remote: req.socket.remoteAddress ?? null });
      sendJson(res, 401, unauthorizedBody(caller.error, opts.project.root));
      return undefined;
    }
    (req as http.IncomingMessage & { auth?: AuthInfo }).auth = authInfoFor(caller);
    return caller;
  };

  const handleMcpPost = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await readJsonBody(req, res);
    if (body === NO_BODY) return;
    if (body === null || typeof body !== "object" || (Array.isArray(body) && body.length === 0)) {
      sendJson(res, 400, rpcError(-32600, "Invalid Request: expected a JSON-RPC message (object) or a non-empty batch"));
      return;
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const taken = pool.pop() ?? buildServer(opts);
    res.on("close", () => {
      // Reuse only after a complete answer: an aborted request may still have a handler running.
      const reusable = res.writableFinished;
      void taken.close().then(
        () => {
          if (reusable && pool.length < POOL_MAX && !closing) pool.push(taken);
        },
        () => undefined,
      );
    });
    await taken.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";

    const verdict = guard(req);
    if (!verdict.ok) {
      sendJson(res, verdict.status, rpcError(verdict.status === 400 ? -32600 : -32000, verdict.message));
      return;
    }

    if (webUi && (await webUi.handle(req, res))) return;
    if (opts.extraRoutes && (await opts.extraRoutes(req, res))) return;
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
      if (!identify(req, res)) return;
      await handleMcpPost(req, res);
      return;
    }
    if (opts.legacySse && pathname === "/sse" && method === "GET") {
      const caller = identify(req, res);
      if (!caller) return;
      const transport = new SSEServerTransport("/messages", res);
      sseSessions.set(transport.sessionId, transport);
      res.on("close", () => sseSessions.delete(transport.sessionId));
      await buildServer(opts, caller).connect(transport);
      return;
    }
    if (opts.legacySse && pathname === "/messages" && method === "POST") {
      if (!identify(req, res)) return;
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
  const base = publicUrl.replace(/\/mcp$/, "");
  return { server, url: publicUrl, port, close, ...(webUi ? { ui: { signInLink: (user: string) => webUi.createLoginLink(user, base).url } } : {}) };
}
