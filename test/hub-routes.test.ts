import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { HubActionResult, HubSnapshot } from "../src/hub/hub.js";
import { createHubRoutes, type HubApi } from "../src/hub/routes.js";

const SNAPSHOT: HubSnapshot = { running: true, started_at: "2026-03-01T09:00:00.000Z", owner_tasks: true, agents: [] };

function fakeHub(): HubApi & { calls: string[] } {
  const calls: string[] = [];
  const act = (verb: string, name: string): HubActionResult => {
    calls.push(`${verb} ${name}`);
    if (name !== "qa" && name !== "tu ui") return { ok: false, status: 404, message: `No agent named ${name}` };
    if (verb === "stop") return { ok: false, status: 409, message: "not started by the hub" };
    return { ok: true, status: 200, message: `${name} ${verb}ed` };
  };
  return {
    calls,
    snapshot: () => SNAPSHOT,
    startAgent: async (n) => act("start", n),
    stopAgent: async (n) => act("stop", n),
    nudge: (n) => act("nudg", n),
  };
}

async function serve(t: { after(fn: () => Promise<void>): void }, hub: HubApi | undefined): Promise<string> {
  const routes = createHubRoutes({
    hub,
    authorize: (req) => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (token === "admin-token") return { user: "lead", group: "administrator" };
      if (token === "qa-token") return { user: "qa", group: "quality" };
      return null;
    },
  });
  const server = http.createServer((req, res) => {
    void routes(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end("not the hub");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const call = async (url: string, method = "GET", token?: string): Promise<{ status: number; body: Record<string, unknown> | string }> => {
  const res = await fetch(url, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: text };
  }
};

describe("hub HTTP API (agents-and-hub §3 API)", () => {
  it("REQ-HUB-002 HUB-API: GET /hub/agents is for the administrator's token only (401 without a valid token, 403 for other groups)", async (t) => {
    const base = await serve(t, fakeHub());
    const none = await call(`${base}/hub/agents`);
    assert.equal(none.status, 401);
    assert.equal((none.body as Record<string, unknown>).error, "unauthorized");
    assert.equal((await call(`${base}/hub/agents`, "GET", "wrong")).status, 401);
    const qa = await call(`${base}/hub/agents`, "GET", "qa-token");
    assert.equal(qa.status, 403);
    assert.match(String((qa.body as Record<string, unknown>).message), /administrators only/);
    const admin = await call(`${base}/hub/agents`, "GET", "admin-token");
    assert.equal(admin.status, 200);
    assert.deepEqual(admin.body, SNAPSHOT);
  });

  it("REQ-HUB-002 HUB-API: POST /hub/agents/NAME/{start,stop,nudge} call the hub and pass its answer on", async (t) => {
    const hub = fakeHub();
    const base = await serve(t, hub);
    assert.equal((await call(`${base}/hub/agents/qa/start`, "POST")).status, 401);
    assert.equal((await call(`${base}/hub/agents/qa/start`, "POST", "qa-token")).status, 403);
    assert.deepEqual(hub.calls, [], "refused requests never reach the hub");
    const started = await call(`${base}/hub/agents/qa/start`, "POST", "admin-token");
    assert.equal(started.status, 200);
    assert.deepEqual(started.body, { ok: true, agent: "qa", action: "start", message: "qa started" });
    assert.equal((await call(`${base}/hub/agents/qa/stop`, "POST", "admin-token")).status, 409);
    assert.equal((await call(`${base}/hub/agents/qa/nudge`, "POST", "admin-token")).status, 200);
    assert.equal((await call(`${base}/hub/agents/nobody/start`, "POST", "admin-token")).status, 404);
    assert.equal((await call(`${base}/hub/agents/tu%20ui/start`, "POST", "admin-token")).status, 200);
    assert.deepEqual(hub.calls, ["start qa", "stop qa", "nudg qa", "start nobody", "start tu ui"]);
  });

  it("REQ-HUB-002 HUB-API: wrong methods get 405, unknown hub paths 404, other paths are left to the server, and --no-hub answers 503", async (t) => {
    const base = await serve(t, fakeHub());
    const get = await call(`${base}/hub/agents/qa/start`, "GET", "admin-token");
    assert.equal(get.status, 405);
    assert.equal((await call(`${base}/hub/agents`, "POST", "admin-token")).status, 405);
    assert.equal((await call(`${base}/hub/agents/qa/explode`, "POST", "admin-token")).status, 404);
    const other = await call(`${base}/mcp`, "POST");
    assert.equal(other.status, 418);
    const off = await serve(t, undefined);
    assert.equal((await call(`${off}/hub/agents`, "GET", "admin-token")).status, 503);
    assert.equal((await call(`${off}/hub/agents`)).status, 401, "no token still 401, hub or not");
  });
});
