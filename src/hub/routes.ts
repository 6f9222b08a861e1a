import type * as http from "node:http";
import type { HubActionResult, HubSnapshot } from "./hub.js";

/** The part of the hub the routes use (a `Hub` has it). */
export interface HubApi {
  snapshot(): HubSnapshot;
  startAgent(name: string): Promise<HubActionResult>;
  stopAgent(name: string): Promise<HubActionResult>;
  nudge(name: string): HubActionResult;
}

export interface Caller {
  user: string;
  group: string;
}

export interface HubRoutesOptions {
  /** The hub, or undefined when the server runs with `--no-hub`. */
  hub: HubApi | undefined;
  /** Who sent the request (from its token), or null when it carries no valid token. */
  authorize(req: http.IncomingMessage): Caller | null | Promise<Caller | null>;
}

const ACTION = /^\/hub\/agents\/([^/]+)\/(start|stop|nudge)$/;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...headers });
  res.end(text);
}

/**
 * `GET /hub/agents`, `POST /hub/agents/NAME/{start,stop,nudge}` (agents-and-hub §3 "API"), for the
 * administrator's token only. Returns false for any other path, so the server's own routing goes on.
 */
export function createHubRoutes(opts: HubRoutesOptions): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    if (pathname !== "/hub/agents" && !pathname.startsWith("/hub/")) return false;
    const method = req.method ?? "GET";
    const action = ACTION.exec(pathname);
    if (pathname !== "/hub/agents" && !action) {
      sendJson(res, 404, { error: "not_found", message: `Nothing at ${pathname.slice(0, 100)}: the hub serves GET /hub/agents and POST /hub/agents/NAME/{start,stop,nudge}.` });
      return true;
    }
    const wanted = action ? "POST" : "GET";
    if (method !== wanted) {
      sendJson(res, 405, { error: "method_not_allowed", message: `Use ${wanted} ${pathname.slice(0, 100)}.` }, { allow: wanted });
      return true;
    }
    // drain a request body we do not use, so keep-alive connections stay usable
    req.resume();

    let caller: Caller | null;
    try {
      caller = await opts.authorize(req);
    } catch {
      caller = null;
    }
    if (!caller) {
      sendJson(res, 401, { error: "unauthorized", message: "The hub API needs the administrator's token: send it as 'Authorization: Bearer <token>'." });
      return true;
    }
    if (caller.group !== "administrator") {
      sendJson(res, 403, { error: "forbidden", message: `${caller.user} is in group ${caller.group}; the hub API is for administrators only.` });
      return true;
    }
    const hub = opts.hub;
    if (!hub) {
      sendJson(res, 503, { error: "hub_disabled", message: "The hub is off in this server (started with --no-hub)." });
      return true;
    }

    try {
      if (!action) {
        sendJson(res, 200, hub.snapshot());
        return true;
      }
      let name: string;
      try {
        name = decodeURIComponent(action[1]!);
      } catch {
        sendJson(res, 400, { error: "bad_request", message: "The agent name is not valid URL encoding." });
        return true;
      }
      const verb = action[2] as "start" | "stop" | "nudge";
      const result = verb === "start" ? await hub.startAgent(name) : verb === "stop" ? await hub.stopAgent(name) : hub.nudge(name);
      sendJson(res, result.status, { ok: result.ok, agent: name, action: verb, message: result.message });
    } catch (e) {
      sendJson(res, 500, { error: "hub_error", message: (e as Error).message });
    }
    return true;
  };
}
