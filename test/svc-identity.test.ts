import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Caller, identityHeaders, type Resolved, resolveReaderUser, resolveToolUser } from "../src/mcp/identity.js";
import { IdentityLockRegistry } from "../src/mcp/identity-locks.js";

/** A registry on a clock the test moves by hand (seconds). */
function locksAt(start = 1_700_000_000_000) {
  let now = start;
  const locks = new IdentityLockRegistry({ ttlSeconds: 300, now: () => now });
  return { locks, advance: (s: number) => (now += s * 1000) };
}

function refused(r: Resolved): Extract<Resolved, { ok: false }> {
  if (r.ok) assert.fail(`expected a refusal, got user ${r.user}`);
  return r;
}

describe("who is calling: token callers (in process)", () => {
  const token: Caller = { kind: "token", user: "qa", label: "qa-laptop" };

  it("REQ-MCP-015: a token caller is the token's user; the user argument may be omitted, empty or the same", () => {
    for (const arg of [undefined, "", "  ", "qa", " qa "]) assert.deepEqual(resolveToolUser(token, arg), { ok: true, user: "qa" }, String(arg));
    assert.deepEqual(resolveToolUser(token, 42), { ok: true, user: "qa" }, "a non-string user argument names nobody");
  });

  it("REQ-MCP-015: a token caller claiming another user is refused as impersonation and the claim is reported", () => {
    const r = refused(resolveToolUser(token, "claude"));
    assert.deepEqual(r.impersonation, { claimed: "claude", actual: "qa" });
    assert.equal(r.refusal.code, "impersonation");
    assert.equal(
      r.refusal.message,
      "Impersonation refused: your token authenticates you as 'qa', but this call claims user 'claude'. Acting as another user is a QMS violation; the attempt has been logged.",
    );
    assert.equal(r.refusal.hint, "Omit the user argument, or pass user='qa'.");
    const long = refused(resolveToolUser(token, "x".repeat(41)));
    assert.equal(long.impersonation?.claimed, `${"x".repeat(40)}…`, "a long claim is clipped");
    assert.match(long.refusal.message, new RegExp(`claims user '${"x".repeat(40)}…'\\.`));
    assert.equal(refused(resolveToolUser(token, "y".repeat(40))).impersonation?.claimed, "y".repeat(40), "40 characters are shown whole");
  });

  it("REQ-MCP-015: resources and prompts of a token caller act as the token's user", () => {
    assert.deepEqual(resolveReaderUser(token), { ok: true, user: "qa" });
    assert.equal(refused(resolveReaderUser(token, "lead")).refusal.code, "impersonation");
  });
});

describe("who is calling: unauthenticated callers (in process)", () => {
  it("REQ-MCP-015: without authentication the user argument names the acting user, and is required", () => {
    const stdio: Caller = { kind: "trusted", transport: "stdio" };
    assert.deepEqual(resolveToolUser(stdio, " claude "), { ok: true, user: "claude" });
    const missing = refused(resolveToolUser(stdio, undefined));
    assert.equal(missing.refusal.code, "invalid-user");
    assert.equal(missing.refusal.message, "Missing 'user': this server does not authenticate callers (stdio transport), so every tool call must name the QMS user acting.");
    assert.equal(missing.refusal.hint, "Call the tool again with user set to your QMS user name, e.g. user='claude'.");
    assert.match(refused(resolveToolUser({ kind: "trusted", transport: "http" }, "  ")).refusal.message, /\(--auth none\)/);
  });

  it("REQ-MCP-015: resources and prompts need a default user when the server does not authenticate", () => {
    assert.deepEqual(resolveReaderUser({ kind: "trusted", transport: "http", defaultUser: " lead " }), { ok: true, user: "lead" });
    assert.deepEqual(resolveReaderUser({ kind: "trusted", transport: "http", defaultUser: "lead" }, "qa"), { ok: true, user: "qa" }, "an explicit user wins");
    const none = refused(resolveReaderUser({ kind: "trusted", transport: "stdio", defaultUser: "  " }, " "));
    assert.equal(none.refusal.code, "invalid-user");
    assert.equal(none.refusal.message, "This server does not authenticate callers, so resources and prompts need a default user.");
    assert.match(none.refusal.hint ?? "", /--user NAME \(or QMS_USER=NAME\)/);
  });
});

describe("who is calling: the identity header mode (in process)", () => {
  it("REQ-MCP-016: enforced mode: the user argument is required and must be the header identity; the identity is locked to the instance", () => {
    const { locks, advance } = locksAt();
    const caller: Caller = { kind: "header", identity: "qa", instanceId: "box-1", locks };
    const missing = refused(resolveToolUser(caller, ""));
    assert.equal(missing.refusal.code, "invalid-user");
    assert.match(missing.refusal.message, /^Missing 'user': every tool call must name the QMS user acting; your session is identified as 'qa' \(X-QMS-Identity\)\.$/);
    assert.equal(missing.refusal.hint, "Call the tool again with user='qa'.");
    assert.equal(locks.size, 0, "a refused call locks nothing");
    const other = refused(resolveToolUser(caller, "claude"));
    assert.deepEqual(other.impersonation, { claimed: "claude", actual: "qa" });
    assert.match(other.refusal.message, /your authenticated identity \(X-QMS-Identity, set by your container\) is 'qa'/);
    assert.equal(other.refusal.hint, "Pass user='qa'.");
    assert.equal(locks.size, 0);

    const first = resolveToolUser(caller, "qa");
    assert.deepEqual(first, { ok: true, user: "qa", locks: { expired: [], action: "created" } });
    advance(100);
    assert.deepEqual(resolveToolUser(caller, "qa"), { ok: true, user: "qa", locks: { expired: [], action: "refreshed" } });
    advance(100);
    const twin = refused(resolveToolUser({ ...caller, instanceId: "box-2" } as Caller, "qa"));
    assert.equal(twin.refusal.code, "identity-locked");
    assert.deepEqual(twin.collision, { identity: "qa", mode: "enforced", heldBy: "box-1", requestInstance: "box-2" });
    assert.match(twin.refusal.message, /^IDENTITY LOCKED: 'qa' is already in use by another container instance \('box-1', last request 100 s ago\); this request comes from instance 'box-2'\./);
    assert.match(twin.refusal.message, /Do not attempt to troubleshoot or work around this: stop and tell the user that a duplicate container for 'qa' is running\.$/);
    assert.match(twin.refusal.hint ?? "", /stop the duplicate container; the lock expires in 200 s if that session makes no further request \(300 s after its last request\)/);
    advance(300);
    const taken = resolveToolUser({ ...caller, instanceId: "box-2" } as Caller, "qa");
    assert.ok(taken.ok);
    assert.equal(taken.locks?.expired.length, 1, "the expired lock was purged first");
    assert.equal(taken.locks?.action, "created");
  });

  it("REQ-MCP-016: trusted mode (no header) never locks, but cannot act as an identity a container holds", () => {
    const { locks, advance } = locksAt();
    const trusted: Caller = { kind: "trusted", transport: "http", locks };
    assert.deepEqual(resolveToolUser(trusted, "qa"), { ok: true, user: "qa", locks: { expired: [] } });
    assert.equal(locks.size, 0, "trusted calls create no lock");
    resolveToolUser({ kind: "header", identity: "qa", instanceId: "", locks }, "qa");
    advance(10);
    const blocked = refused(resolveToolUser(trusted, "qa"));
    assert.equal(blocked.refusal.code, "identity-locked");
    assert.deepEqual(blocked.collision, { identity: "qa", mode: "trusted", heldBy: "" });
    assert.match(blocked.refusal.message, /Do not attempt to troubleshoot or work around this: stop and tell the user that the QMS identity 'qa' is already in use\.$/);
    assert.match(blocked.refusal.message, /^IDENTITY LOCKED: 'qa' is in use by a container session \(instance \(no X-QMS-Instance\), last request 10 s ago\)\. Trusted-mode request rejected: this request carries no X-QMS-Identity header/);
    assert.match(blocked.refusal.hint ?? "", /^For a person, not the agent: the lock expires in 290 s/);
    assert.deepEqual(resolveToolUser(trusted, "claude"), { ok: true, user: "claude", locks: { expired: [] } }, "other identities are independent");
    const missing = refused(resolveToolUser(trusted, undefined));
    assert.equal(missing.refusal.code, "invalid-user");
    assert.deepEqual(missing.locks, { expired: [] });
    advance(290);
    assert.equal(resolveToolUser(trusted, "qa").ok, true, "after the TTL the identity is free again");
  });

  it("REQ-MCP-016: a lock that expires between the purge and the request is taken over, and the previous holder is reported", () => {
    const base = 1_700_000_000_000;
    const times = [base, base + 299_999, base + 300_000];
    const locks = new IdentityLockRegistry({ ttlSeconds: 300, now: () => times.shift() ?? base + 300_000 });
    assert.equal(locks.acquire("qa", "box-1").ok, true);
    const r = resolveToolUser({ kind: "header", identity: "qa", instanceId: "box-2", locks }, "qa");
    assert.deepEqual(r, { ok: true, user: "qa", locks: { expired: [], action: "taken-over", previous: { identity: "qa", instanceId: "box-1", lastSeen: base } } });
  });

  it("REQ-MCP-016: readers in header mode act as the header identity unless they name it", () => {
    const { locks } = locksAt();
    const caller: Caller = { kind: "header", identity: "tu_ui", instanceId: "i", locks };
    assert.equal((resolveReaderUser(caller) as { user: string }).user, "tu_ui");
    assert.equal((resolveReaderUser(caller, "  ") as { user: string }).user, "tu_ui");
    assert.equal(refused(resolveReaderUser(caller, "qa")).refusal.code, "impersonation");
  });

  it("REQ-MCP-016: the X-QMS-Identity and X-QMS-Instance headers are trimmed and bounded; an empty identity is no header", () => {
    assert.deepEqual(identityHeaders({}), { identity: undefined, instanceId: "" });
    assert.deepEqual(identityHeaders({ "x-qms-identity": "  ", "x-qms-instance": " a " }), { identity: undefined, instanceId: "a" });
    assert.deepEqual(identityHeaders({ "x-qms-identity": [" qa ", "lead"], "x-qms-instance": [] }), { identity: "qa", instanceId: "" });
    assert.equal(identityHeaders({ "x-qms-identity": "q".repeat(300) }).identity?.length, 200);
    assert.equal(identityHeaders({ "x-qms-instance": "i".repeat(300) }).instanceId.length, 200);
  });
});
