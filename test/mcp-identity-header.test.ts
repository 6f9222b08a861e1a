/**
 * The Python-era compatibility identity mode, `qms mcp --auth none --identity-header` (qms.md §10.4,
 * REQ-MCP-015/016; the Identity and Collisions lists of §12.12): unit tests of the lock registry and of the
 * resolution with a fake clock, real HTTP calls with the SDK client sending X-QMS-Identity / X-QMS-Instance,
 * and the CLI flag rules.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startHttpServer, type RunningHttpServer } from "../src/mcp/http.js";
import { type Caller, identityHeaders, resolveReaderUser, resolveToolUser } from "../src/mcp/identity.js";
import { IDENTITY_LOCK_TTL_ENV, IDENTITY_LOCK_TTL_S, IdentityLockRegistry, identityLockTtlSeconds } from "../src/mcp/identity-locks.js";
import type { Logger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { TokenStore } from "../src/store/tokens.js";
import { call, httpClient, QMS_BIN, startServerProcess, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, meta, tempDir } from "./helpers.js";

/** A clock the test moves by hand (milliseconds). */
function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s * 1000) };
}

function registry(ttlSeconds = IDENTITY_LOCK_TTL_S) {
  const clock = fakeClock();
  return { clock, locks: new IdentityLockRegistry({ ttlSeconds, now: clock.now }) };
}

const header = (locks: IdentityLockRegistry, identity: string, instanceId = "inst-a"): Caller => ({ kind: "header", identity, instanceId, locks });
const trustedHttp = (locks: IdentityLockRegistry): Caller => ({ kind: "trusted", transport: "http", locks });
const stdio = (locks: IdentityLockRegistry): Caller => ({ kind: "trusted", transport: "stdio", locks });

function refusalOf(r: ReturnType<typeof resolveToolUser>): { code: string; text: string } {
  assert.equal(r.ok, false, "expected a refusal");
  if (r.ok) throw new Error("unreachable");
  return { code: r.refusal.code, text: `${r.refusal.message}\n${r.refusal.hint ?? ""}` };
}

function memoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: (event, fields = {}) => lines.push({ event, ...fields }) };
}

describe("identity lock registry (unit, fake clock)", () => {
  test("REQ-MCP-016: by default a lock lives 300 s after its holder's last request (spec §10.4); QMS_IDENTITY_LOCK_TTL_S overrides it", () => {
    /** Seconds until another instance may take the identity, for a registry built the way the server builds it. */
    const heldFor = (env: Record<string, string>): number => {
      const clock = fakeClock();
      const locks = new IdentityLockRegistry({ ttlSeconds: identityLockTtlSeconds(env), now: clock.now });
      locks.acquire("claude", "inst-a");
      let waited = 0;
      while (!locks.acquire("claude", "inst-b").ok) {
        clock.advance(0.5);
        waited += 0.5;
        if (waited > 1000) break;
      }
      return waited;
    };
    assert.equal(heldFor({}), 300, "the spec's TTL, not a copy of the constant");
    assert.equal(heldFor({ [IDENTITY_LOCK_TTL_ENV]: "2" }), 2);
    assert.equal(heldFor({ [IDENTITY_LOCK_TTL_ENV]: " 1.5 " }), 1.5);
    for (const bad of ["", "0", "-3", "abc", "Infinity"]) assert.equal(heldFor({ [IDENTITY_LOCK_TTL_ENV]: bad }), 300, `ignored: '${bad}'`);
    assert.throws(() => new IdentityLockRegistry({ ttlSeconds: 0 }), RangeError);
    assert.throws(() => new IdentityLockRegistry({ ttlSeconds: Number.NaN }), RangeError);
    const clock = fakeClock();
    const fallback = new IdentityLockRegistry({ now: clock.now });
    fallback.acquire("qa", "inst-a");
    clock.advance(299.5);
    assert.equal(fallback.acquire("qa", "inst-b").ok, false, "a registry without options uses the same 300 s");
    clock.advance(0.5);
    assert.equal(fallback.acquire("qa", "inst-b").ok, true);
  });

  test("REQ-MCP-016: acquire creates a lock {identity, instance, last_seen}; the same instance heartbeats; another instance collides", () => {
    const { clock, locks } = registry();
    const first = locks.acquire("claude", "inst-a");
    assert.deepEqual(first, { ok: true, action: "created", lock: { identity: "claude", instanceId: "inst-a", lastSeen: clock.now() } });
    clock.advance(200);
    const beat = locks.acquire("claude", "inst-a");
    assert.equal(beat.ok && beat.action, "refreshed");
    assert.equal(locks.get("claude")?.lastSeen, clock.now(), "heartbeat refreshes last_seen");
    clock.advance(200); // 400 s after creation, 200 s after the heartbeat: still locked
    const other = locks.acquire("claude", "inst-b");
    assert.equal(other.ok, false);
    assert.equal(other.lock.instanceId, "inst-a");
    assert.equal(locks.get("claude")?.instanceId, "inst-a", "a collision changes nothing");
  });

  test("REQ-MCP-016: locks expire TTL seconds after the last request; purge removes only expired ones; a new instance may take over", () => {
    const { clock, locks } = registry(300);
    locks.acquire("claude", "inst-a");
    clock.advance(100);
    locks.acquire("qa", "inst-q");
    clock.advance(199.999);
    assert.deepEqual(locks.purgeExpired(), []);
    assert.equal(locks.size, 2);
    clock.advance(0.001); // claude: exactly 300 s idle
    assert.deepEqual(locks.purgeExpired().map((l) => l.identity), ["claude"]);
    assert.equal(locks.get("claude"), undefined);
    assert.ok(locks.get("qa"));
    // an expired lock not yet purged is taken over by a new instance
    clock.advance(300);
    const taken = locks.acquire("qa", "inst-new");
    assert.equal(taken.ok && taken.action, "taken-over");
    assert.equal(taken.ok && taken.previous?.instanceId, "inst-q");
    assert.equal(locks.get("qa")?.instanceId, "inst-new");
  });

  test("REQ-MCP-016: different identities never collide; an empty instance id is an instance like any other", () => {
    const { locks } = registry();
    assert.ok(locks.acquire("claude", "").ok);
    assert.ok(locks.acquire("qa", "").ok);
    assert.ok(locks.acquire("lead", "x").ok);
    const beat = locks.acquire("claude", "");
    assert.equal(beat.ok && beat.action, "refreshed", "empty instance heartbeats");
    assert.equal(locks.acquire("claude", "x").ok, false, "a named instance collides with the empty one");
    assert.equal(locks.size, 3);
  });
});

describe("identity resolution (unit): enforced and trusted modes", () => {
  test("REQ-MCP-015: enforced: matching user resolves to the header identity and locks it", () => {
    const { locks } = registry();
    const r = resolveToolUser(header(locks, "claude"), "claude");
    assert.deepEqual(r.ok && r.user, "claude");
    assert.equal(r.ok && r.locks?.action, "created");
    assert.equal(locks.get("claude")?.instanceId, "inst-a");
    assert.equal(resolveToolUser(header(locks, "claude"), "  claude ").ok, true, "the argument is trimmed");
  });

  test("REQ-MCP-015: enforced: a mismatch is refused naming the real and claimed identities, the user='…' fix and the violation", () => {
    const { locks } = registry();
    const r = resolveToolUser(header(locks, "claude"), "qa");
    const { code, text: msg } = refusalOf(r);
    assert.equal(code, "impersonation");
    assert.match(msg, /authenticated identity .*'claude'/);
    assert.match(msg, /claims user 'qa'/);
    assert.match(msg, /user='claude'/);
    assert.match(msg, /QMS violation/);
    assert.deepEqual(!r.ok && r.impersonation, { claimed: "qa", actual: "claude" });
    assert.equal(locks.size, 0, "a refused call locks nothing");
  });

  test("REQ-MCP-015: user is mandatory in both modes: missing, empty and whitespace are refused with guidance", () => {
    const { locks } = registry();
    for (const caller of [header(locks, "claude"), trustedHttp(locks), stdio(locks), { kind: "trusted", transport: "stdio" } as Caller]) {
      for (const bad of [undefined, "", "   ", 42]) {
        const { code, text: msg } = refusalOf(resolveToolUser(caller, bad));
        assert.equal(code, "invalid-user");
        assert.match(msg, /Missing 'user'/);
        assert.match(msg, /user='/);
      }
    }
    assert.match(refusalOf(resolveToolUser(header(locks, "claude"), "")).text, /user='claude'/, "enforced mode names the header identity");
    assert.equal(locks.size, 0);
  });

  test("REQ-MCP-015, REQ-MCP-016: trusted (no header, or stdio): identity = user argument, and no lock is ever created", () => {
    const { locks } = registry();
    for (const caller of [trustedHttp(locks), stdio(locks), { kind: "trusted", transport: "stdio" } as Caller]) {
      const r = resolveToolUser(caller, "tu_ui");
      assert.equal(r.ok && r.user, "tu_ui");
    }
    assert.equal(locks.size, 0);
  });

  test("REQ-MCP-015: unknown header identities still resolve (and lock)", () => {
    const { locks } = registry();
    const r = resolveToolUser(header(locks, "ghost-agent", "c1"), "ghost-agent");
    assert.equal(r.ok && r.user, "ghost-agent");
    assert.ok(locks.get("ghost-agent"));
  });

  test("REQ-MCP-016: an enforced lock blocks trusted HTTP and stdio callers with the terminal IDENTITY LOCKED message, until the TTL", () => {
    const { clock, locks } = registry(300);
    assert.ok(resolveToolUser(header(locks, "claude", "c1"), "claude").ok);
    for (const caller of [trustedHttp(locks), stdio(locks)]) {
      const r = resolveToolUser(caller, "claude");
      const { code, text: msg } = refusalOf(r);
      assert.equal(code, "identity-locked");
      assert.match(msg, /IDENTITY LOCKED/);
      assert.match(msg, /Trusted-mode request rejected/);
      assert.match(msg, /Do not attempt to troubleshoot/);
      assert.deepEqual(!r.ok && r.collision, { identity: "claude", mode: "trusted", heldBy: "c1" });
    }
    assert.equal(resolveToolUser(trustedHttp(locks), "qa").ok, true, "other identities stay usable");
    clock.advance(299);
    assert.equal(resolveToolUser(stdio(locks), "claude").ok, false);
    clock.advance(1);
    const r = resolveToolUser(stdio(locks), "claude");
    assert.equal(r.ok, true, "the lock expired: purged on resolution");
    assert.deepEqual(r.locks?.expired.map((l) => l.identity), ["claude"]);
    assert.equal(locks.size, 0);
  });

  test("REQ-MCP-016: a different instance collides (duplicate container); the same instance heartbeats; a new instance is allowed after the TTL", () => {
    const { clock, locks } = registry(300);
    assert.ok(resolveToolUser(header(locks, "claude", "c1"), "claude").ok);
    clock.advance(250);
    const dup = resolveToolUser(header(locks, "claude", "c2"), "claude");
    const { code, text: msg } = refusalOf(dup);
    assert.equal(code, "identity-locked");
    assert.match(msg, /IDENTITY LOCKED/);
    assert.match(msg, /another container instance \('c1'/);
    assert.match(msg, /instance 'c2'/);
    assert.match(msg, /Do not attempt to troubleshoot/);
    assert.ok(!/Trusted-mode/.test(msg));
    const beat = resolveToolUser(header(locks, "claude", "c1"), "claude");
    assert.equal(beat.ok && beat.locks?.action, "refreshed");
    clock.advance(250); // 500 s after creation, 250 s after the heartbeat
    assert.equal(resolveToolUser(header(locks, "claude", "c2"), "claude").ok, false, "the heartbeat kept the lock alive");
    clock.advance(50);
    const takeover = resolveToolUser(header(locks, "claude", "c2"), "claude");
    assert.equal(takeover.ok, true);
    assert.equal(locks.get("claude")?.instanceId, "c2");
    assert.equal(resolveToolUser(header(locks, "claude", "c1"), "claude").ok, false, "now the old instance is the duplicate");
  });

  test("REQ-MCP-016: different identities are independent; an empty instance header works", () => {
    const { locks } = registry();
    assert.ok(resolveToolUser(header(locks, "claude", ""), "claude").ok);
    assert.ok(resolveToolUser(header(locks, "qa", ""), "qa").ok);
    assert.ok(resolveToolUser(header(locks, "claude", ""), "claude").ok, "same empty instance: heartbeat");
    assert.equal(resolveToolUser(header(locks, "claude", "c9"), "claude").ok, false);
    assert.deepEqual(locks.list().map((l) => [l.identity, l.instanceId]).sort(), [["claude", ""], ["qa", ""]]);
  });

  test("REQ-MCP-015, REQ-MCP-016: resources and prompts: the header identity is the reader, subject to the same locks", () => {
    const { locks } = registry();
    const r = resolveReaderUser(header(locks, "qa", "q1"));
    assert.equal(r.ok && r.user, "qa");
    assert.ok(locks.get("qa"));
    assert.equal(resolveReaderUser(header(locks, "qa", "q1"), "claude").ok, false, "a different prompt user is impersonation");
    const trusted: Caller = { kind: "trusted", transport: "http", defaultUser: "qa", locks };
    assert.match(refusalOf(resolveReaderUser(trusted)).text, /IDENTITY LOCKED/);
    assert.equal(resolveReaderUser(trusted, "claude").ok, true);
  });

  test("REQ-MCP-015: headers: trimmed and bounded; an empty X-QMS-Identity means no header (trusted mode)", () => {
    assert.deepEqual(identityHeaders({}), { identity: undefined, instanceId: "" });
    assert.deepEqual(identityHeaders({ "x-qms-identity": "  claude ", "x-qms-instance": " abc " }), { identity: "claude", instanceId: "abc" });
    assert.deepEqual(identityHeaders({ "x-qms-identity": "   " }), { identity: undefined, instanceId: "" });
    assert.equal(identityHeaders({ "x-qms-identity": "a".repeat(5000) }).identity?.length, 200);
  });
});

describe("header mode over HTTP (SDK client with custom headers, in-process server, fake clock)", () => {
  let root: string;
  let srv: RunningHttpServer;
  const clock = fakeClock();
  const locks = new IdentityLockRegistry({ ttlSeconds: 300, now: clock.now });
  const log = memoryLogger();
  const clients: Client[] = [];
  const client = async (headers: Record<string, string>): Promise<Client> => {
    const c = await httpClient(srv.url, undefined, headers);
    clients.push(c);
    return c;
  };

  before(async () => {
    root = makeHarnessProject();
    srv = await startHttpServer({ project: new Project(root), log, host: "127.0.0.1", port: 0, auth: "none", identityLocks: locks });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await srv.close();
  });

  test("REQ-MCP-015, REQ-MCP-016: enforced calls act as the header identity and lock it; mismatches, trusted callers and duplicate containers get isError results", async () => {
    const claudeA = await client({ "X-QMS-Identity": "claude", "X-QMS-Instance": "container-a" });
    const created = await call(claudeA, "qms_create", { doc_type: "SOP", title: "Header mode", user: "claude" });
    assert.equal(created.isError, undefined, text(created));
    assert.equal(meta(root, "SOP", "SOP-001").responsible_user, "claude", "the tool received the resolved identity");
    assert.deepEqual(locks.get("claude")?.instanceId, "container-a");
    assert.ok(log.lines.some((l) => l.event === "identity_locked" && l.identity === "claude" && l.instance === "container-a"));

    const mismatch = await call(claudeA, "qms_checkout", { doc_id: "SOP-001", user: "qa" });
    assert.equal(mismatch.isError, true);
    assert.match(text(mismatch), /authenticated identity .*'claude'.*claims user 'qa'.*QMS violation[\s\S]*user='claude'/);
    assert.equal((mismatch.structuredContent as { code: string }).code, "impersonation");
    assert.ok(log.lines.some((l) => l.event === "impersonation_refused" && l.user === "claude" && l.claimed === "qa"));

    const trusted = await client({});
    const blocked = await call(trusted, "qms_inbox", { user: "claude" });
    assert.equal(blocked.isError, true, "a colliding call is an error result, not a protocol error");
    assert.match(text(blocked), /IDENTITY LOCKED[\s\S]*Trusted-mode request rejected[\s\S]*Do not attempt to troubleshoot/);
    assert.equal((blocked.structuredContent as { code: string }).code, "identity-locked");
    const qaTrusted = await call(trusted, "qms_inbox", { user: "qa" });
    assert.equal(qaTrusted.isError, undefined, text(qaTrusted));
    assert.equal(locks.get("qa"), undefined, "trusted calls create no lock");

    const claudeB = await client({ "X-QMS-Identity": "claude", "X-QMS-Instance": "container-b" });
    const dup = await call(claudeB, "qms_status", { doc_id: "SOP-001", user: "claude" });
    assert.equal(dup.isError, true);
    assert.match(text(dup), /IDENTITY LOCKED[\s\S]*another container instance \('container-a'[\s\S]*Do not attempt to troubleshoot/);
    assert.ok(log.lines.some((l) => l.event === "identity_collision" && l.mode === "enforced" && l.held_by_instance === "container-a" && l.request_instance === "container-b"));
    assert.ok(log.lines.some((l) => l.event === "identity_collision" && l.mode === "trusted" && l.identity === "claude"));

    // heartbeat: container-a keeps using it; past the TTL after its last request, container-b takes over
    clock.advance(200);
    assert.equal((await call(claudeA, "qms_status", { doc_id: "SOP-001", user: "claude" })).isError, undefined);
    clock.advance(200);
    assert.equal((await call(claudeB, "qms_status", { doc_id: "SOP-001", user: "claude" })).isError, true, "heartbeat kept the lock");
    clock.advance(100);
    const takeover = await call(claudeB, "qms_status", { doc_id: "SOP-001", user: "claude" });
    assert.equal(takeover.isError, undefined, text(takeover));
    assert.equal(locks.get("claude")?.instanceId, "container-b");
    assert.ok(log.lines.some((l) => l.event === "identity_lock_expired" && l.identity === "claude" && l.instance === "container-a"));
    assert.ok(log.lines.some((l) => l.event === "identity_locked" && l.identity === "claude" && l.instance === "container-b"));

    // different identities are independent: qa in its own container works while claude is locked
    const qaC = await client({ "X-QMS-Identity": "qa" });
    const qaInbox = await call(qaC, "qms_inbox", { user: "qa" });
    assert.equal(qaInbox.isError, undefined, text(qaInbox));
    assert.equal(locks.get("qa")?.instanceId, "", "no X-QMS-Instance: empty instance id");
    for (const l of log.lines) assert.ok(!JSON.stringify(l).includes("authorization"), "no credentials in logs");
  });

  test("REQ-MCP-015: an unknown header identity is accepted and logged; the services then judge it", async () => {
    const ghost = await client({ "X-QMS-Identity": "ghost", "X-QMS-Instance": "g1" });
    const r = await call(ghost, "qms_inbox", { user: "ghost" });
    assert.equal(r.isError, true, "the service refuses an unregistered user");
    assert.notEqual((r.structuredContent as { code: string }).code, "impersonation");
    assert.notEqual((r.structuredContent as { code: string }).code, "identity-locked");
    assert.ok(log.lines.some((l) => l.event === "identity_unknown" && l.identity === "ghost"));
    assert.equal(locks.get("ghost")?.instanceId, "g1");
  });

  test("REQ-MCP-015: a missing or blank user argument is an error result with guidance, never a crash", async () => {
    const c = await client({ "X-QMS-Identity": "lead", "X-QMS-Instance": "l1" });
    for (const args of [{}, { user: "" }, { user: "  " }]) {
      const r = await call(c, "qms_workspace", args);
      assert.equal(r.isError, true);
      assert.match(text(r), /Missing 'user'[\s\S]*user='lead'/);
    }
  });
});

describe("header mode off: the headers are ignored", () => {
  test("--auth none without --identity-header and token auth never read X-QMS-Identity nor lock", async () => {
    const root = makeHarnessProject();
    const locks = new IdentityLockRegistry();
    const plain = await startHttpServer({ project: new Project(root), log: memoryLogger(), host: "127.0.0.1", port: 0, auth: "none" });
    const store = new TokenStore(path.join(tempDir("qms-store-"), "tokens.json"));
    const token = store.create(root, "qa", "t").token;
    // even if a registry were passed, token auth decides the identity
    const tokenSrv = await startHttpServer({ project: new Project(root), log: memoryLogger(), host: "127.0.0.1", port: 0, auth: "token", store, identityLocks: locks });
    try {
      const c = await httpClient(plain.url, undefined, { "X-QMS-Identity": "qa" });
      const r = await call(c, "qms_inbox", { user: "claude" });
      assert.equal(r.isError, undefined, text(r));
      await c.close();
      const t = await httpClient(tokenSrv.url, token, { "X-QMS-Identity": "claude" });
      const asQa = await call(t, "qms_inbox", {});
      assert.equal(asQa.isError, undefined, text(asQa));
      const asClaude = await call(t, "qms_inbox", { user: "claude" });
      assert.equal(asClaude.isError, true);
      assert.match(text(asClaude), /your token authenticates you as 'qa'/);
      await t.close();
      assert.equal(locks.size, 0);
    } finally {
      await plain.close();
      await tokenSrv.close();
    }
  });
});

describe("qms mcp --identity-header (CLI)", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [QMS_BIN, "mcp", ...args], { encoding: "utf8", env: { ...process.env, QMS_USER: "" }, input: "", timeout: 20000 });

  test("refused unless --auth none on an HTTP transport, with a clear message", () => {
    const root = makeHarnessProject();
    for (const args of [
      ["--transport", "streamable-http", "--port", "0", "--identity-header"],
      ["--transport", "streamable-http", "--port", "0", "--auth", "token", "--identity-header"],
    ]) {
      const r = run("--project-root", root, ...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--identity-header .* only together with --auth none/);
      assert.match(r.stderr, /qms token create|--auth none --identity-header/);
    }
    const stdioRun = run("--project-root", root, "--auth", "none", "--identity-header");
    assert.equal(stdioRun.status, 2);
    assert.match(stdioRun.stderr, /needs an HTTP transport/);
    assert.match(run("--help").stdout, /--identity-header/);
  });

  test("REQ-MCP-016: --auth none --identity-header serves header mode; QMS_IDENTITY_LOCK_TTL_S shortens the TTL", async () => {
    const root = makeHarnessProject();
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none", "--identity-header"], {
      env: { [IDENTITY_LOCK_TTL_ENV]: "1", QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "none.json") },
    });
    const clients: Client[] = [];
    try {
      assert.match(srv.stdout(), /X-QMS-Identity header .*expire 1 s/);
      const a = await httpClient(srv.url, undefined, { "X-QMS-Identity": "claude", "X-QMS-Instance": "a" });
      const b = await httpClient(srv.url, undefined, { "X-QMS-Identity": "claude", "X-QMS-Instance": "b" });
      const trusted = await httpClient(srv.url);
      clients.push(a, b, trusted);
      assert.equal((await call(a, "qms_inbox", { user: "claude" })).isError, undefined);
      const dup = await call(b, "qms_inbox", { user: "claude" });
      assert.equal(dup.isError, true);
      assert.match(text(dup), /IDENTITY LOCKED/);
      assert.match(text(await call(trusted, "qms_inbox", { user: "claude" })), /Trusted-mode request rejected/);
      await new Promise((r) => setTimeout(r, 1100));
      const later = await call(b, "qms_inbox", { user: "claude" });
      assert.equal(later.isError, undefined, text(later));
      const lines = srv
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(lines.some((l) => l.event === "identity_header_mode" && l.ttl_s === 1));
      assert.ok(lines.some((l) => l.event === "identity_collision"));
      assert.ok(lines.some((l) => l.event === "identity_lock_expired" && l.instance === "a"));
    } finally {
      for (const c of clients) await c.close();
      assert.equal(await srv.stop(), 0);
    }
  });
});
