import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { call, httpClient, QMS_BIN, startServerProcess, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, snapshotTree, tempDir } from "./helpers.js";

/**
 * Issue 13: the agent's workspace (and any folder a container can write) is untrusted input. Each case plants
 * something hostile where the host server reads or writes, then runs the command through the CLI and through
 * MCP over HTTP with a token. Every case must be refused with a message naming the file, leave the project
 * and the outside files byte-for-byte unchanged, reveal nothing of the outside file, and (over MCP) never
 * stop the server from answering /healthz within 100 ms.
 */

const cleanup: string[] = [];
after(() => {
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanup.push(d);
  return d;
}

interface World {
  root: string;
  id: string;
  outside: string;
  secret: string;
  secretFile: string;
  workspace: string;
  copy: string;
}

interface Case {
  name: string;
  /** The document's state before the hostile plant. */
  state: "checked-out" | "checked-in";
  plant(w: World): void;
  cli: (id: string) => string[];
  tool: { name: string; args: (id: string) => Record<string, unknown> };
  expect: RegExp;
}

const cases: Case[] = [
  {
    name: "a workspace copy that is a symlink to a host file",
    state: "checked-out",
    plant: (w) => link(w.secretFile, w.copy),
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /Refused \.claude\/users\/claude\/workspace\/SOP-001\.md: it is a symbolic link/,
  },
  {
    name: "a workspace copy that is a symlink to /etc/passwd",
    state: "checked-out",
    plant: (w) => link("/etc/passwd", w.copy),
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /it is a symbolic link/,
  },
  {
    name: "route's auto-checkin of a symlinked workspace copy",
    state: "checked-out",
    plant: (w) => link(w.secretFile, w.copy),
    cli: (id) => ["route", id, "--review"],
    tool: { name: "qms_route", args: (id) => ({ doc_id: id, route_type: "review" }) },
    expect: /it is a symbolic link/,
  },
  {
    name: "a workspace folder replaced by a symlink to a folder outside the project",
    state: "checked-in",
    plant: (w) => {
      fs.rmSync(w.workspace, { recursive: true });
      link(w.outside, w.workspace);
    },
    cli: (id) => ["checkout", id],
    tool: { name: "qms_checkout", args: (id) => ({ doc_id: id }) },
    expect: /Refused \.claude\/users\/claude\/workspace: it is a symbolic link, not a regular folder/,
  },
  {
    name: "an inbox folder replaced by a symlink to a folder outside the project",
    state: "checked-out",
    plant: (w) => {
      const inbox = path.join(w.root, ".claude", "users", "qa", "inbox");
      fs.rmSync(inbox, { recursive: true });
      link(w.outside, inbox);
    },
    cli: (id) => ["route", id, "--review"],
    tool: { name: "qms_route", args: (id) => ({ doc_id: id, route_type: "review" }) },
    expect: /Refused \.claude\/users\/qa\/inbox: it is a symbolic link/,
  },
  {
    name: "a workspace copy that is a FIFO",
    state: "checked-out",
    plant: (w) => {
      fs.rmSync(w.copy);
      execFileSync("mkfifo", [w.copy]);
    },
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /it is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: "a workspace copy that is a directory",
    state: "checked-out",
    plant: (w) => {
      fs.rmSync(w.copy);
      fs.mkdirSync(w.copy);
    },
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /it is a folder, not a regular file/,
  },
  {
    name: "a workspace folder that is a regular file",
    state: "checked-in",
    plant: (w) => {
      fs.rmSync(w.workspace, { recursive: true });
      fs.writeFileSync(w.workspace, "not a folder\n");
    },
    cli: (id) => ["checkout", id],
    tool: { name: "qms_checkout", args: (id) => ({ doc_id: id }) },
    expect: /Refused \.claude\/users\/claude\/workspace: it is a regular file, not a regular folder/,
  },
  {
    name: "a 1.5 MB title in the workspace copy's frontmatter",
    state: "checked-out",
    plant: (w) => fs.writeFileSync(w.copy, `---\ntitle: ${"T".repeat(1_500_000)}\n---\n\nbody\n`),
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /The 'title:' in \.claude\/users\/claude\/workspace\/SOP-001\.md is longer than 200 characters/,
  },
  {
    name: "a workspace copy larger than the 10 MiB document limit",
    state: "checked-out",
    plant: (w) => fs.writeFileSync(w.copy, `---\ntitle: Big\n---\n\n${"x".repeat(10 * 1024 * 1024 + 10)}\n`),
    cli: (id) => ["checkin", id],
    tool: { name: "qms_checkin", args: (id) => ({ doc_id: id }) },
    expect: /larger than the limit of 10485760 bytes \(10 MiB\)/,
  },
];

function link(target: string, at: string): void {
  fs.rmSync(at, { force: true });
  fs.symlinkSync(target, at);
}

function run(root: string, env: NodeJS.ProcessEnv, ...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", ...env }, input: "", timeout: 20000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ""}` };
}

/** A project with SOP-001 created by claude (checked out, or checked in), and a secret file outside it. */
function world(state: Case["state"], env: NodeJS.ProcessEnv = {}): World {
  const root = makeHarnessProject();
  cleanup.push(root);
  const outside = dir("qms-outside-");
  const secret = `TOP-SECRET-${Math.random().toString(36).slice(2)}`;
  const secretFile = path.join(dir("qms-secret-"), "secret.txt");
  fs.writeFileSync(secretFile, `${secret}\n`);
  assert.equal(run(root, env, "--user", "claude", "create", "SOP", "--title", "Target").code, 0);
  if (state === "checked-in") assert.equal(run(root, env, "--user", "claude", "checkin", "SOP-001").code, 0);
  const workspace = path.join(root, ".claude", "users", "claude", "workspace");
  return { root, id: "SOP-001", outside, secret, secretFile, workspace, copy: path.join(workspace, "SOP-001.md") };
}

function unchanged(w: World, before: { tree: Map<string, string>; outside: Map<string, string>; secret: string }, shown: string): void {
  assert.deepEqual(snapshotTree(w.root), before.tree, "the project tree is byte-for-byte unchanged");
  assert.deepEqual(snapshotTree(w.outside), before.outside, "nothing was written outside the project");
  assert.equal(fs.readFileSync(w.secretFile, "utf8"), before.secret, "the outside file is unchanged");
  assert.ok(!shown.includes(w.secret), "nothing of the outside file is shown");
  assert.doesNotMatch(shown, /root:x?:0:0:/, "nothing of /etc/passwd is shown");
  assert.doesNotMatch(shown, /\n\s+at .*\(.*\.js:\d+:\d+\)/, "no stack trace");
}

function snapshots(w: World): { tree: Map<string, string>; outside: Map<string, string>; secret: string } {
  return { tree: snapshotTree(w.root), outside: snapshotTree(w.outside), secret: fs.readFileSync(w.secretFile, "utf8") };
}

describe("issue 13: hostile workspace through the CLI", () => {
  for (const c of cases) {
    test(`REQ-SEC-009 (TS): ${c.name} is refused and changes nothing (CLI)`, () => {
      const w = world(c.state);
      c.plant(w);
      const before = snapshots(w);
      const started = Date.now();
      const r = run(w.root, {}, "--user", "claude", ...c.cli(w.id));
      assert.ok(Date.now() - started < 10000, "the CLI never blocks");
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, c.expect);
      assert.match(r.out, /Next: /, "the refusal says what to do");
      unchanged(w, before, r.out);
      // Nothing of it reaches a QMS file: the draft still holds the text create wrote.
      assert.ok(!fs.readFileSync(path.join(w.root, "QMS", "SOP", "SOP-001-draft.md"), "utf8").includes(w.secret));
    });
  }

  test("REQ-SEC-009 (TS): the workspace listing names a planted link without opening it", () => {
    const w = world("checked-out");
    link(w.secretFile, path.join(w.workspace, "SOP-002.md"));
    const r = run(w.root, {}, "--user", "claude", "workspace");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SOP-002 - not a regular file \(ignored\)/);
    assert.ok(!r.out.includes(w.secret));
  });
});

describe("issue 13: hostile workspace through MCP over HTTP with a token", () => {
  for (const c of cases) {
    test(`REQ-SEC-009 (TS): ${c.name} is refused, changes nothing, and /healthz keeps answering (MCP)`, async () => {
      const store = path.join(dir("qms-hostile-store-"), "tokens.json");
      const env = { QMS_TOKEN_STORE: store };
      const w = world(c.state, env);
      const token = run(w.root, env, "token", "create", "--user", "claude").out.split("\n")[0]!.trim();
      assert.match(token, /^qms_/);
      const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", w.root, "--auth", "token"], { env });
      const client = await httpClient(srv.url, token);
      try {
        c.plant(w);
        const before = snapshots(w);
        const health = srv.url.replace(/\/mcp$/, "/healthz");
        /** The worst /healthz answer while `during` runs (polled every 10 ms). */
        const worstWhile = async <T>(during: () => Promise<T>): Promise<{ worst: number; value: T }> => {
          let worst = 0;
          let polling = true;
          const poller = (async () => {
            while (polling) {
              const t0 = performance.now();
              const res = await fetch(health, { signal: AbortSignal.timeout(2000) });
              assert.equal(res.status, 200);
              await res.arrayBuffer();
              worst = Math.max(worst, performance.now() - t0);
              await new Promise((r) => setTimeout(r, 10));
            }
          })();
          const value = await during();
          await new Promise((r) => setTimeout(r, 50));
          polling = false;
          await poller;
          return { worst, value };
        };
        // Within 100 ms throughout; on a machine so loaded that even the floor (the same polling while the server
        // answers an ordinary call, measured in this run) is slower, within twice the floor. A refused call
        // changes nothing, so it is tried again when one try misses the budget: a scheduling hiccup of a loaded
        // machine does not repeat three times, a read that blocks the server (a FIFO, a device) does.
        const tries: string[] = [];
        let within = false;
        for (let attempt = 0; attempt < 3 && !within; attempt++) {
          const floor = await worstWhile(() => call(client, "qms_status", { doc_id: w.id }));
          const { worst, value: result } = await worstWhile(() => call(client, c.tool.name, c.tool.args(w.id)));
          assert.equal(result.isError, true, text(result));
          assert.match(text(result), c.expect);
          unchanged(w, before, JSON.stringify(result));
          const budget = Math.max(100, 2 * floor.worst);
          tries.push(`worst ${worst.toFixed(1)} ms, budget ${budget.toFixed(0)} ms (floor ${floor.worst.toFixed(1)} ms)`);
          within = worst < budget;
        }
        assert.ok(within, `/healthz answered within budget throughout, in one of ${tries.length} tries: ${tries.join("; ")}`);
        // The server is still fully alive for the next call.
        const st = await call(client, "qms_status", { doc_id: w.id });
        assert.equal(st.isError, undefined, text(st));
      } finally {
        await client.close();
        assert.equal(await srv.stop(), 0);
      }
    });
  }
});

describe("issue 13: identifiers and labels are validated before anything is written", () => {
  test("REQ-USER-003: a user name with a trailing line break is refused, not trimmed", () => {
    const root = makeHarnessProject();
    cleanup.push(root);
    const before = snapshotTree(root);
    const r = run(root, {}, "--user", "lead", "user", "--add", "evil\n", "--group", "reviewer");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Invalid user name/);
    assert.deepEqual(snapshotTree(root), before);
  });

  test("token revoke of a path-like reference is refused and creates no token store", () => {
    const root = makeHarnessProject();
    cleanup.push(root);
    const storeDir = path.join(dir("qms-revoke-"), "nested");
    const r = run(root, { QMS_TOKEN_STORE: path.join(storeDir, "tokens.json") }, "token", "revoke", "../../x");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Invalid token reference/);
    assert.ok(!fs.existsSync(storeDir), "no side-effect write");
    const r2 = run(root, { QMS_TOKEN_STORE: path.join(storeDir, "tokens.json") }, "token", "revoke", "some-label");
    assert.equal(r2.code, 1, r2.out);
    assert.ok(!fs.existsSync(storeDir), "a revoke that matches nothing writes nothing");
  });

  test("a checkin title over the --title limit is refused like --title is", () => {
    const w = world("checked-out");
    fs.writeFileSync(w.copy, `---\ntitle: ${"x".repeat(201)}\n---\n\nbody\n`);
    const before = snapshots(w);
    const r = run(w.root, {}, "--user", "claude", "checkin", "SOP-001");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /longer than 200 characters; the same limit applies as to --title/);
    unchanged(w, before, r.out);
    const created = run(w.root, {}, "--user", "claude", "create", "SOP", "--title", "x".repeat(201));
    assert.match(created.out, /--title is longer than 200 characters/);
  });
});
