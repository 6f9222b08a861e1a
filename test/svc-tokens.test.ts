import assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import { describe, it } from "node:test";
import { authenticate, authHelp, authInfoFor, callerOf, unauthorizedBody } from "../src/mcp/token-auth.js";
import { tokenCreate, tokenList, tokenRevoke } from "../src/services/tokens.js";
import { entryId, hashToken, mintToken, projectKey, TOKEN_PREFIX, TokenStore, tokenStorePath } from "../src/store/tokens.js";
import { removeTempDir, tempDir } from "./helpers.js";
import { svcProject } from "./svc-harness.js";

function storeIn(t: { after: (fn: () => void) => void }): TokenStore {
  const dir = tempDir("qms-store-");
  t.after(() => removeTempDir(dir));
  return new TokenStore(path.join(dir, "tokens.json"));
}

const request = (headers: Record<string, string | undefined>): http.IncomingMessage => ({ headers }) as unknown as http.IncomingMessage;

describe("MCP tokens are per project (in process)", () => {
  it("REQ-TOK-001: project A's token is refused by project B's server, and B's by A's", (t) => {
    const a = svcProject(t);
    const b = svcProject(t);
    const store = storeIn(t);
    const tokenA = a.ok(tokenCreate, "lead", { user: "claude", store }).data.token;
    const tokenB = b.ok(tokenCreate, "lead", { user: "qa", store }).data.token;
    assert.equal(store.verify(a.root, tokenA)?.user, "claude");
    assert.equal(store.verify(b.root, tokenA), undefined, "A's token is no token of B");
    assert.equal(store.verify(a.root, tokenB), undefined);
    assert.equal(store.verify(b.root, tokenB)?.user, "qa");

    const onB = { auth: "token" as const, projectRoot: b.root, store };
    for (const headers of [{ authorization: `Bearer ${tokenA}` }, { "x-api-key": tokenA }]) {
      assert.deepEqual(authenticate(request(headers), onB), { error: "invalid token" }, JSON.stringify(headers));
    }
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${tokenB}` }), onB), { kind: "token", user: "qa", label: "qa" });
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${tokenA}`, "x-api-key": tokenB }), onB), { kind: "token", user: "qa", label: "qa" }, "the foreign token simply does not count");
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${tokenA}` }), { auth: "token", projectRoot: a.root, store }), { kind: "token", user: "claude", label: "claude" });
    assert.match(String(unauthorizedBody("invalid token", b.root).message), /not valid for this project \(revoked, mistyped, or made for another project\)/);
  });

  it("REQ-TOK-001: a project is keyed by its real path, so a symlink to it is the same project", (t) => {
    const a = svcProject(t);
    const store = storeIn(t);
    const link = path.join(tempDir("qms-link-"), "project");
    t.after(() => removeTempDir(path.dirname(link)));
    fs.symlinkSync(a.root, link);
    const token = a.ok(tokenCreate, "lead", { user: "claude", store }).data.token;
    assert.equal(projectKey(link), fs.realpathSync(a.root));
    assert.equal(store.verify(link, token)?.user, "claude");
    assert.equal(projectKey(path.join(a.root, "missing", "..", "nowhere")), path.resolve(a.root, "nowhere"), "a path that does not exist is only resolved");
  });
});

describe("token authentication of one request (in process)", () => {
  it("REQ-TOK-003: Bearer and X-API-Key are read; anything else is no token", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    const token = p.ok(tokenCreate, "lead", { user: "qa", label: "qa-laptop", store }).data.token;
    const opts = { auth: "token" as const, projectRoot: p.root, store };
    const ok = { kind: "token", user: "qa", label: "qa-laptop" };
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${token}` }), opts), ok);
    assert.deepEqual(authenticate(request({ authorization: `bearer   ${token}  ` }), opts), ok, "the scheme is case-insensitive, spaces are trimmed");
    assert.deepEqual(authenticate(request({ "x-api-key": `  ${token} ` }), opts), ok);
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${token}`, "x-api-key": token }), opts), ok, "the same token twice is fine");
    const notTokens: Array<Record<string, string>> = [{}, { authorization: `Basic ${token}` }, { authorization: `NotBearer ${token}` }, { authorization: `Bearer ${token} extra` }, { authorization: "Bearer" }, { "x-api-key": "   " }];
    for (const headers of notTokens) {
      assert.deepEqual(authenticate(request(headers), opts), { error: "missing token" }, JSON.stringify(headers));
    }
    assert.deepEqual(authenticate(request({ authorization: "Bearer qms_wrong" }), opts), { error: "invalid token" });
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${token}` }), { auth: "token", projectRoot: p.root }), { error: "no token store" });
  });

  it("REQ-TOK-003: tokens of two different users in one request are refused", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    const qa = p.ok(tokenCreate, "lead", { user: "qa", store }).data.token;
    const claude = p.ok(tokenCreate, "lead", { user: "claude", store }).data.token;
    const opts = { auth: "token" as const, projectRoot: p.root, store };
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${claude}`, "x-api-key": qa }), opts), { error: "tokens of two different users" });
    assert.deepEqual(authenticate(request({ authorization: `Bearer ${claude}`, "x-api-key": "qms_wrong" }), opts), { kind: "token", user: "claude", label: "claude" });
  });

  it("REQ-TOK-003, REQ-MCP-016: --auth none trusts the caller; with identity locks the X-QMS-Identity header decides the mode", (t) => {
    const p = svcProject(t);
    const none = authenticate(request({ authorization: "Bearer qms_whatever" }), { auth: "none", projectRoot: p.root, defaultUser: "qa" });
    assert.deepEqual(none, { kind: "trusted", transport: "http", defaultUser: "qa" });
    const locks = { purgeExpired: () => [] } as never;
    assert.deepEqual(authenticate(request({}), { auth: "none", projectRoot: p.root, identityLocks: locks }), { kind: "trusted", transport: "http", defaultUser: undefined, locks });
    assert.deepEqual(authenticate(request({ "x-qms-identity": " qa ", "x-qms-instance": "box-1" }), { auth: "none", projectRoot: p.root, identityLocks: locks }), {
      kind: "header",
      identity: "qa",
      instanceId: "box-1",
      locks,
      defaultUser: undefined,
    });
  });

  it("REQ-TOK-003: the 401 body says what is wrong and how to get a token, and offers no OAuth", () => {
    const how = "Create a token on the host with 'qms token create --user <name> --project-root /p' and configure the client to send it as 'Authorization: Bearer <token>' (and 'X-API-Key: <token>'). This server does not use OAuth.";
    assert.deepEqual(unauthorizedBody("missing token", "/p"), { error: "unauthorized", reason: "missing token", message: `QMS MCP server: no token was sent. ${how}` });
    assert.deepEqual(unauthorizedBody("invalid token", "/p"), {
      error: "unauthorized",
      reason: "invalid token",
      message: `QMS MCP server: the token sent is not valid for this project (revoked, mistyped, or made for another project). ${how}`,
    });
    assert.equal(unauthorizedBody("tokens of two different users", "/p").message, `QMS MCP server: tokens of two different users. ${how}`);
    assert.equal(
      authHelp("/p", "http://127.0.0.1:8000/mcp"),
      "This QMS MCP server does not use OAuth: it authenticates with a static token. On the host, create one with 'qms token create --user <name> --project-root /p', then configure the client to send it, e.g. claude mcp add --transport http qms http://127.0.0.1:8000/mcp --header \"Authorization: Bearer <token>\" --header \"X-API-Key: <token>\"",
    );
  });

  it("REQ-TOK-003: the caller travels as the SDK's AuthInfo, never with the token", () => {
    const caller = { kind: "token" as const, user: "qa", label: "qa-laptop" };
    const info = authInfoFor(caller);
    assert.deepEqual(info, { token: "[redacted]", clientId: "qa-laptop", scopes: [], extra: { caller } });
    assert.deepEqual(callerOf(info), caller);
    assert.equal(authInfoFor({ kind: "trusted", transport: "http" }).clientId, "unauthenticated");
    assert.equal(callerOf(undefined), undefined);
    assert.equal(callerOf({ token: "", clientId: "", scopes: [], extra: { caller: "qa" } }), undefined);
    assert.equal(callerOf({ token: "", clientId: "", scopes: [], extra: { caller: { user: "qa" } } }), undefined);
  });
});

describe("token store and commands (in process)", () => {
  it("REQ-TOK-002: only hashes are stored (0600); tokens are 32 random bytes; create, list and revoke", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    const created = p.ok(tokenCreate, "lead", { user: "qa", label: "qa-laptop", store });
    const token = created.data.token;
    assert.match(token, /^qms_[A-Za-z0-9_-]{43}$/);
    assert.ok(token.startsWith(TOKEN_PREFIX));
    assert.deepEqual(created.lines, [token]);
    assert.equal(created.data.id, hashToken(token).slice(0, 12));
    assert.deepEqual([created.data.user, created.data.label, created.data.project, created.data.store], ["qa", "qa-laptop", fs.realpathSync(p.root), store.file]);
    const raw = fs.readFileSync(store.file, "utf8");
    assert.ok(!raw.includes(token.slice(4)), "the token itself is never stored");
    assert.ok(raw.includes(hashToken(token)));
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    assert.equal(fs.readdirSync(path.dirname(store.file)).filter((f) => f.endsWith(".tmp")).length, 0);
    assert.notEqual(mintToken(), mintToken());

    // default labels: the user's name, then -2, -3
    assert.equal(p.ok(tokenCreate, "lead", { user: "claude", store }).data.label, "claude");
    assert.equal(p.ok(tokenCreate, "lead", { user: "claude", store }).data.label, "claude-2");
    assert.equal(p.ok(tokenCreate, "lead", { user: "claude", store }).data.label, "claude-3");
    const list = p.ok(tokenList, "lead", { store });
    assert.deepEqual(list.data.tokens.map((e) => [e.user, e.label]), [["qa", "qa-laptop"], ["claude", "claude"], ["claude", "claude-2"], ["claude", "claude-3"]]);
    assert.equal(list.lines[0], `Tokens for ${fs.realpathSync(p.root)} (store: ${store.file}):`);
    assert.ok(list.lines.every((l) => !l.includes(token)));
    assert.match(list.lines[1]!, new RegExp(`^  ${created.data.id}  qa {11}qa-laptop {12}\\d{4}-`));

    const byLabel = p.ok(tokenRevoke, "lead", { what: "qa-laptop", store });
    assert.deepEqual(byLabel.data.revoked, [{ id: created.data.id, user: "qa", label: "qa-laptop" }]);
    assert.deepEqual(byLabel.lines, [`Revoked token ${created.data.id} (qa-laptop, user qa).`]);
    assert.equal(store.verify(p.root, token), undefined, "revocation is immediate");
    const c2 = store.list(p.root).find((e) => e.label === "claude-2")!;
    assert.equal(p.ok(tokenRevoke, "lead", { what: entryId(c2).slice(0, 6), store }).data.revoked[0]?.label, "claude-2", "an id prefix of 6 hex digits");
    p.no(tokenRevoke, "lead", { what: entryId(c2).slice(0, 6), store }, "not-found", /No token matches/);
    p.no(tokenRevoke, "lead", { what: "qa-laptop", store }, "not-found", /No token matches 'qa-laptop' for /);
    p.no(tokenRevoke, "lead", { what: "", store }, "invalid-argument", /token revoke needs a label, a token id/);
    p.no(tokenRevoke, "lead", { what: "a b", store }, "invalid-argument", /Invalid token reference "a b"/);
    p.ok(tokenRevoke, "lead", { what: "claude", store });
    p.ok(tokenRevoke, "lead", { what: "claude-3", store });
    const empty = p.ok(tokenList, "lead", { store });
    assert.deepEqual(empty.data.tokens, []);
    assert.deepEqual(empty.next, [{ action: "token", args: { command: "create", user: "<name>" }, lead: "Create one with" }]);
    assert.equal(JSON.parse(fs.readFileSync(store.file, "utf8")).projects[fs.realpathSync(p.root)], undefined, "an emptied project leaves the store");
  });

  it("REQ-TOK-002: token create refuses unknown users, bad names and labels, and a label twice", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    p.no(tokenCreate, "lead", { user: "", store }, "invalid-argument", /token create needs --user NAME/);
    p.no(tokenCreate, "lead", { user: "mallory", store }, "unknown-user", /Unknown user 'mallory': a token can only be created for a user of this project\./);
    p.no(tokenCreate, "lead", { user: "../qa", store }, "invalid-user", /Invalid user name "\.\.\/qa"/);
    p.no(tokenCreate, "lead", { user: "qa", label: "bad label!", store }, "invalid-argument", /Invalid --label "bad label!"/);
    p.ok(tokenCreate, "lead", { user: "qa", label: "one", store });
    const twice = p.no(tokenCreate, "lead", { user: "claude", label: "one", store }, "already-exists", /A token labelled 'one' already exists for this project\./);
    assert.deepEqual(twice.refusal.next, [{ action: "token", args: { command: "revoke", reference: "one" }, lead: "Pick another --label, or revoke it first" }]);
    assert.throws(() => store.create(p.root, "qa", "one"), /already exists/);
    fs.writeFileSync(store.file, "{ not json");
    assert.throws(() => store.list(p.root), /is not valid JSON/);
  });

  it("REQ-TOK-001, REQ-TOK-002: a damaged entry never matches and never breaks verification; the store re-reads a file changed by another process", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    const token = p.ok(tokenCreate, "lead", { user: "qa", store }).data.token;
    const key = fs.realpathSync(p.root);
    const data = JSON.parse(fs.readFileSync(store.file, "utf8"));
    data.projects[key].unshift({ sha256: "abc", user: "lead", created: "2026-01-01T00:00:00.000Z", label: "damaged" });
    fs.writeFileSync(store.file, JSON.stringify(data));
    assert.equal(store.verify(p.root, token)?.user, "qa", "a short hash is skipped, not compared");
    assert.equal(store.verify(p.root, "qms_other"), undefined);
    // another process (a second TokenStore on the same file) revokes: this one sees it at once
    const other = new TokenStore(store.file);
    assert.equal(other.revoke(p.root, "qa").length, 1);
    assert.equal(store.verify(p.root, token), undefined, "a change by another process is seen");
    const same = JSON.stringify({ version: 1, projects: { [key]: [{ sha256: hashToken(token), user: "tu_ui", created: "x", label: "y" }] } });
    fs.writeFileSync(store.file, same);
    assert.equal(store.verify(p.root, token)?.user, "tu_ui");
    for (const broken of ["null", "[]", '{"projects": 3}', '{"version": 1}']) {
      fs.writeFileSync(store.file, broken);
      assert.deepEqual(store.list(p.root), [], broken);
    }
  });

  it("REQ-TOK-002: the store re-reads its file when its modification time or its size changed", (t) => {
    const p = svcProject(t);
    const dir = tempDir("qms-store-");
    t.after(() => removeTempDir(dir));
    const store = new TokenStore(path.join(dir, "private", "tokens.json"));
    const { token } = store.create(p.root, "qa", "laptop");
    assert.equal(fs.statSync(path.dirname(store.file)).mode & 0o777, 0o700, "the store's folder is private");
    const key = fs.realpathSync(p.root);
    const write = (user: string, mtimeS: number): void => {
      fs.writeFileSync(store.file, JSON.stringify({ version: 1, projects: { [key]: [{ sha256: hashToken(token), user, created: "c", label: "l" }] } }));
      fs.utimesSync(store.file, mtimeS, mtimeS);
    };
    write("qa", 1_700_000_000);
    assert.equal(store.verify(p.root, token)?.user, "qa");
    write("qb", 1_700_000_100);
    assert.equal(store.verify(p.root, token)?.user, "qb", "same size, newer file");
    write("qbb", 1_700_000_100);
    assert.equal(store.verify(p.root, token)?.user, "qbb", "same time, other size");
  });

  it("REQ-TOK-002: revoke matches a label, an id prefix of at least 6 hex digits, or the token; nothing else", (t) => {
    const p = svcProject(t);
    const store = storeIn(t);
    const a = p.ok(tokenCreate, "lead", { user: "qa", label: "abcdef", store }).data;
    const b = p.ok(tokenCreate, "lead", { user: "claude", store }).data;
    assert.equal(store.hasTokens(p.root), true);
    const before = fs.readFileSync(store.file, "utf8");
    const inode = fs.statSync(store.file).ino;
    assert.deepEqual(store.revoke(p.root, a.id.slice(0, 5)), [], "5 hex digits are too few");
    assert.deepEqual(store.revoke(p.root, `x${a.id.slice(0, 6)}`), []);
    assert.deepEqual(store.revoke(p.root, `${a.id.slice(0, 6)}x`), []);
    assert.equal(fs.readFileSync(store.file, "utf8"), before, "a revoke that matches nothing leaves the store as it is");
    assert.equal(fs.statSync(store.file).ino, inode, "not even rewritten");
    assert.deepEqual(store.revoke(p.root, b.token).map((e) => e.label), ["claude"], "the token itself");
    assert.deepEqual(store.revoke(p.root, a.id.slice(0, 6).toUpperCase()).map((e) => e.label), ["abcdef"], "hex in either case");
    assert.equal(store.hasTokens(p.root), false);
    assert.equal(fs.existsSync(store.file), true);
  });

  it("REQ-TOK-002: the store lives outside every project: QMS_TOKEN_STORE, else XDG_CONFIG_HOME, else ~/.config", () => {
    assert.equal(tokenStorePath({ QMS_TOKEN_STORE: "/x/t.json" }), "/x/t.json");
    assert.equal(tokenStorePath({ QMS_TOKEN_STORE: "  ", XDG_CONFIG_HOME: "/cfg" }), "/cfg/qms/tokens.json");
    assert.equal(tokenStorePath({ XDG_CONFIG_HOME: " " , HOME: "/h" }).endsWith(path.join(".config", "qms", "tokens.json")), true);
  });
});
