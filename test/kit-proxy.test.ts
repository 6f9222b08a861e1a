import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { QMS_BIN, tempDir } from "./helpers.js";
import { freePort, readJsonLines, type Stub, startStub } from "./fixtures-kit/kit-helpers.js";

const TOKEN = "qms_proxyTOKENproxyTOKENproxyTOKENproxyTOKEN";

interface Proxy {
  child: ChildProcessWithoutNullStreams;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  send: (m: unknown) => void;
  waitFor: (pred: (m: Record<string, unknown>) => boolean, ms?: number) => Promise<Record<string, unknown>>;
  end: () => Promise<{ code: number | null; ms: number }>;
}

/** Proxies a failed test left running: stopped after each test, or the test file would never end. */
const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(async () => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
  running.clear();
});

function startProxy(url: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Proxy {
  const child = spawn(process.execPath, [QMS_BIN, "proxy", url, ...extra], { env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  const lines: Array<Record<string, unknown>> = [];
  let buf = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (d) => {
    buf += d;
    let i = buf.indexOf("\n");
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(JSON.parse(line)); // every stdout line must be JSON
      for (const w of waiters.splice(0)) w();
      i = buf.indexOf("\n");
    }
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  return {
    child,
    lines,
    stderr: () => err,
    send: (m) => child.stdin.write(`${typeof m === "string" ? m : JSON.stringify(m)}\n`),
    waitFor: (pred, ms = 10000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; lines=${JSON.stringify(lines)} stderr=${err}`)), ms);
        const check = (): void => {
          const found = lines.find(pred);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      }),
    end: () =>
      new Promise((resolve) => {
        const t = Date.now();
        child.on("exit", (code) => resolve({ code, ms: Date.now() - t }));
        child.stdin.end();
      }),
  };
}

describe("qms proxy (stdio ⇄ streamable HTTP) against a stub server", () => {
  let stub: Stub;
  let log: string;
  before(async () => {
    log = path.join(tempDir("qms-kit-proxy-"), "requests.jsonl");
    stub = await startStub({ STUB_TOKEN: TOKEN, STUB_LOG: log });
  });
  after(async () => {
    await stub.stop();
  });

  it("forwards JSON and multi-event SSE answers, adds both auth headers, passes the protocol version, answers no notification", async () => {
    const p = startProxy(stub.url, ["--token", TOKEN]);
    p.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    const init = await p.waitFor((m) => m.id === 1);
    assert.equal((init.result as { protocolVersion: string }).protocolVersion, "2025-06-18");
    p.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    p.send({ jsonrpc: "2.0", id: "list-1", method: "tools/list", params: {} });
    const list = await p.waitFor((m) => m.id === "list-1");
    assert.deepEqual(
      ((list.result as { tools: Array<{ name: string }> }).tools ?? []).map((t) => t.name),
      ["echo", "qms_status"],
      "the reply's data spread over several SSE data: lines was joined",
    );
    assert.ok(p.lines.some((m) => m.method === "notifications/message"), "the SSE notification before the reply is passed on");
    p.send({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "sse", arguments: {} } });
    await p.waitFor((m) => m.id === 7);
    assert.ok(p.lines.some((m) => m.method === "notifications/progress"));
    const { code } = await p.end();
    assert.equal(code, 0);
    assert.equal(p.lines.filter((m) => m.id === undefined && m.method === undefined).length, 0, "no reply to the notification");
    const reqs = readJsonLines(log);
    const initd = reqs.find((r) => r.method === "notifications/initialized")!;
    assert.equal(initd.auth, `Bearer ${TOKEN}`);
    assert.equal(initd.key, TOKEN);
    assert.equal(initd.pv, "2025-06-18", "MCP-Protocol-Version follows the negotiated version");
  });

  it("runs requests concurrently (a slow call does not hold up a quick one)", async () => {
    const p = startProxy(stub.url, ["--token", TOKEN]);
    const t0 = Date.now();
    // Two 1500 ms calls: served one after the other they take 3000 ms or more, and a ping queued behind them
    // waits 1500 ms at least; the margins absorb a loaded machine's start-up and scheduling delays.
    p.send({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "echo", arguments: { delayMs: 1500 } } });
    p.send({ jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "echo", arguments: { delayMs: 1500 } } });
    p.send({ jsonrpc: "2.0", id: 12, method: "ping" });
    await p.waitFor((m) => m.id === 12);
    const quick = Date.now() - t0;
    await p.waitFor((m) => m.id === 10);
    await p.waitFor((m) => m.id === 11);
    const all = Date.now() - t0;
    assert.ok(quick < 1400, `ping answered after ${quick} ms, behind the slow calls`);
    assert.ok(all < 2800, `two 1500 ms calls took ${all} ms: not concurrent`);
    assert.equal(p.lines[0]!.id, 12, "the quick reply came first");
    assert.deepEqual(p.lines.map((m) => m.id).sort(), [10, 11, 12]);
    assert.equal((await p.end()).code, 0);
  });

  it("turns 5xx into a JSON-RPC error with the id and never re-sends the tools/call", async () => {
    const p = startProxy(stub.url, ["--token", TOKEN]);
    p.send({ jsonrpc: "2.0", id: 20, method: "tools/call", params: { name: "fail500", arguments: {} } });
    p.send({ jsonrpc: "2.0", id: 21, method: "tools/call", params: { name: "fail503rpc", arguments: {} } });
    const e20 = await p.waitFor((m) => m.id === 20);
    const e21 = await p.waitFor((m) => m.id === 21);
    assert.equal((e20.error as { code: number }).code, -32000);
    assert.match((e20.error as { message: string }).message, /HTTP 500: internal boom/);
    assert.equal((e21.error as { message: string }).message, "overloaded", "a JSON-RPC error body is passed on, with the request's id");
    assert.equal((await p.end()).code, 0);
    const reqs = readJsonLines(log);
    assert.equal(reqs.filter((r) => r.name === "fail500").length, 1, "sent once");
    assert.equal(reqs.filter((r) => r.name === "fail503rpc").length, 1, "sent once");
  });

  it("a bad token: the server's 401 becomes an error reply naming what to configure", async () => {
    const p = startProxy(stub.url, [], { QMS_TOKEN: "qms_wrong" });
    p.send({ jsonrpc: "2.0", id: 30, method: "tools/list" });
    const e = await p.waitFor((m) => m.id === 30);
    assert.match((e.error as { message: string }).message, /HTTP 401: .*set QMS_TOKEN/);
    await p.end();
  });

  it("refused connection: retries, then -32000 with the id; a notification gets nothing; clean exit", async () => {
    const dead = await freePort();
    const p = startProxy(`http://127.0.0.1:${dead}/mcp`, ["--retries", "3"]);
    const t0 = Date.now();
    p.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    p.send({ jsonrpc: "2.0", id: "x-1", method: "tools/call", params: { name: "echo" } });
    const e = await p.waitFor((m) => m.id === "x-1");
    assert.ok(Date.now() - t0 >= 250 + 500 - 50, "backed off between attempts");
    assert.equal((e.error as { code: number }).code, -32000);
    assert.match((e.error as { message: string }).message, /ECONNREFUSED \(the server is unreachable\)/);
    const { code } = await p.end();
    assert.equal(code, 0);
    assert.equal(p.lines.length, 1, "only the request got a reply");
    assert.equal((p.stderr().match(/retry \d\/2/g) ?? []).length, 4, "2 retries for each of the 2 messages");
  });

  it("a connection that breaks after the request was sent: the tools/call is not sent again", async () => {
    let connections = 0;
    const breaker = net.createServer((sock) => {
      connections++;
      sock.once("data", () => sock.destroy());
    });
    await new Promise<void>((r) => breaker.listen(0, "127.0.0.1", () => r()));
    const port = (breaker.address() as net.AddressInfo).port;
    const p = startProxy(`http://127.0.0.1:${port}/mcp`, ["--retries", "5"]);
    p.send({ jsonrpc: "2.0", id: 40, method: "tools/call", params: { name: "qms_create", arguments: {} } });
    const e = await p.waitFor((m) => m.id === 40);
    assert.match((e.error as { message: string }).message, /may have reached the server; not re-sent/);
    await p.end();
    breaker.close();
    assert.equal(connections, 1, "exactly one attempt");
  });

  it("exits cleanly on stdin EOF only after the requests in flight are answered", async () => {
    const p = startProxy(stub.url, ["--token", TOKEN]);
    p.send({ jsonrpc: "2.0", id: 50, method: "tools/call", params: { name: "echo", arguments: { delayMs: 500 } } });
    await new Promise((r) => setTimeout(r, 100));
    const { code, ms } = await p.end();
    assert.equal(code, 0);
    assert.ok(ms >= 300, `exited after ${ms} ms, before the answer`);
    assert.ok(p.lines.some((m) => m.id === 50 && m.result), "the answer was written before exit");
  });

  it("ignores a line that is not JSON (logged on stderr, nothing on stdout)", async () => {
    const seenBefore = readJsonLines(log).length;
    const p = startProxy(stub.url, ["--token", TOKEN]);
    p.send("this is not json");
    p.send({ jsonrpc: "2.0", id: 60, method: "ping" });
    await p.waitFor((m) => m.id === 60);
    await p.end();
    assert.equal(p.lines.length, 1);
    assert.match(p.stderr(), /not JSON/);
    const reached = readJsonLines(log).slice(seenBefore);
    assert.deepEqual(reached.map((r) => [r.method, r.id, r.unparsable]), [["ping", 60, undefined]], "only the ping reached the server, the bad line never did");
  });
});
