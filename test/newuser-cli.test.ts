import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { makeHarnessProject, QMS_BIN, qms, snapshotTree, tempDir } from "./helpers.js";

/** `qms ARGS` exactly as typed (no --user added), with stdin. */
function raw(cwd: string, args: string[], input = ""): { code: number; stdout: string; stderr: string; out: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, QMS_USER: "" }, input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

const json = (r: { stdout: string }): unknown => JSON.parse(r.stdout);

describe("qms init without --root (issue 9)", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test("REQ-UX-001: in a directory without a marker above it, init sets up the current directory; without --yes it asks [y/N] first", () => {
    const repo = tempDir("qms-newuser-");
    dirs.push(repo);
    spawnSync("git", ["init", "-q", repo]);
    const no = raw(repo, ["init"], "n\n");
    assert.equal(no.code, 1);
    assert.match(no.stdout, new RegExp(`qms init will create in ${repo.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`));
    assert.match(no.stdout, /Proceed\? \[y\/N\]/);
    assert.match(no.stdout, /Aborted\./);
    assert.ok(!fs.existsSync(path.join(repo, "QMS")), "nothing created on no");
    const yes = raw(repo, ["init", "--yes"]);
    assert.equal(yes.code, 0, yes.out);
    for (const f of ["qms.config.json", "QMS/TEMPLATE/TEMPLATE-SOP.md", "CLAUDE.md", ".claude/agents/qa.md"]) assert.ok(fs.existsSync(path.join(repo, f)), f);
    assert.ok(!fs.existsSync(path.join(repo, ".claude-qms")), "no marker in the user's repository");
    const before = snapshotTree(repo);
    const again = raw(repo, ["init", "--yes"]);
    assert.equal(again.code, 1);
    assert.match(again.out, /Refusing to initialize .*already exist/);
    assert.deepEqual(snapshotTree(repo), before);
  });

  test("REQ-UX-001: the parent holding .claude-qms still wins over the current directory", () => {
    const root = tempDir("qms-newuser-");
    dirs.push(root);
    fs.writeFileSync(path.join(root, ".claude-qms"), "");
    const cli = path.join(root, "qms-cli");
    fs.mkdirSync(cli);
    assert.equal(raw(cli, ["init", "--yes"]).code, 0);
    assert.ok(fs.existsSync(path.join(root, "qms.config.json")));
    assert.ok(!fs.existsSync(path.join(cli, "qms.config.json")));
  });
});

describe("qms list and --json on every query", () => {
  let root: string;
  before(() => {
    root = makeHarnessProject();
    for (const [type, title] of [["SOP", "Alpha"], ["SOP", "Beta"], ["CR", "Gamma"]] as const) assert.equal(qms(root, "claude", "create", type, "--title", title).code, 0);
    assert.equal(qms(root, "claude", "create", "TP", "--parent", "CR-001", "--title", "Plan").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review").code, 0);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test("REQ-UX-002: list shows ID, type, version, status, owner, checkout holder and title for every document, sorted by ID", () => {
    const r = qms(root, "qa", "list");
    assert.equal(r.code, 0, r.out);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^ID\s+TYPE\s+VERSION\s+STATUS\s+OWNER\s+CHECKED OUT BY\s+TITLE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]), ["CR-001", "CR-001-TP-001", "SOP-001", "SOP-002"]);
    assert.match(lines.find((l) => l.startsWith("SOP-001"))!, /^SOP-001\s+SOP\s+0\.1\s+IN_REVIEW\s+claude\s+-\s+Alpha$/);
    assert.match(lines.find((l) => l.startsWith("SOP-002"))!, /^SOP-002\s+SOP\s+0\.1\s+DRAFT\s+claude\s+claude\s+Beta$/);
  });

  test("REQ-UX-002: list filters by --type, --status, --owner and --mine; an unknown filter value is refused with the closest valid one", () => {
    const ids = (...args: string[]): string[] => (json(qms(root, "qa", "list", "--json", ...args)) as { documents: Array<{ doc_id: string }> }).documents.map((d) => d.doc_id);
    assert.deepEqual(ids("--type", "SOP"), ["SOP-001", "SOP-002"]);
    assert.deepEqual(ids("--type", "sop", "--status", "draft"), ["SOP-002"]);
    assert.deepEqual(ids("--owner", "claude").length, 4);
    assert.deepEqual(ids("--mine"), ["SOP-001"], "qa's pending review");
    const bad = qms(root, "qa", "list", "--type", "SOPP");
    assert.equal(bad.code, 1);
    assert.match(bad.out, /Unknown document type 'SOPP'\. Did you mean SOP\?/);
    assert.match(qms(root, "qa", "list", "--status", "EFECTIVE").out, /Did you mean EFFECTIVE\?/);
    assert.match(qms(root, "qa", "list", "--owner", "claud").out, /Did you mean claude\?/);
  });

  test("REQ-UX-003: status, read (with its metadata), history, comments, inbox, workspace and list print the services' data with --json", () => {
    const status = json(qms(root, "qa", "status", "SOP-001", "--json")) as Record<string, unknown>;
    assert.equal(status.doc_id, "SOP-001");
    assert.equal(status.status, "IN_REVIEW");
    assert.deepEqual(status.pending_assignees, ["qa"]);
    const read = json(qms(root, "qa", "read", "SOP-001", "--json")) as Record<string, unknown> & { metadata: Record<string, unknown> };
    assert.match(String(read.content), /^---\ntitle: Alpha/);
    assert.equal(read.source, "draft");
    assert.deepEqual(read.metadata, status, "read --json carries what status reports");
    const history = json(qms(root, "qa", "history", "SOP-001", "--json")) as { events: Array<{ event: string }> };
    assert.deepEqual(history.events.map((e) => e.event).slice(0, 2), ["CREATE", "CHECKIN"]);
    assert.ok(Array.isArray((json(qms(root, "qa", "comments", "SOP-001", "--json")) as { comments?: unknown[] }).comments ?? []));
    const inbox = json(qms(root, "qa", "inbox", "--json")) as { user: string; tasks: Array<{ doc_id: string }> };
    assert.equal(inbox.user, "qa");
    assert.deepEqual(inbox.tasks.map((t) => t.doc_id), ["SOP-001"]);
    const ws = json(qms(root, "claude", "workspace", "--json")) as { documents: Array<{ doc_id: string }> };
    assert.deepEqual(ws.documents.map((d) => d.doc_id).sort(), ["CR-001", "CR-001-TP-001", "SOP-002"]);
    const listed = json(qms(root, "qa", "list", "--json")) as { documents: Array<Record<string, unknown>>; total: number };
    assert.equal(listed.total, 4);
    // the same through the full parser (fast path off) and with --user after the command
    const full = spawnSync(process.execPath, [QMS_BIN, "status", "SOP-001", "--json", "--user", "qa"], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", QMS_CLI_FAST_PATH: "0" } });
    assert.deepEqual(JSON.parse(full.stdout), status);
  });

  test("REQ-UX-002, REQ-UX-003: list and --json print exactly the same through the fast path and the full parser", () => {
    const run = (args: string[], fast: boolean) => {
      const r = spawnSync(process.execPath, [QMS_BIN, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", QMS_CLI_FAST_PATH: fast ? "1" : "0" } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const args of [
      ["-u", "qa", "list"],
      ["-u", "qa", "list", "--json"],
      ["-u", "qa", "list", "--type", "SOP", "--status", "DRAFT", "--owner", "claude", "--mine"],
      ["-u", "qa", "list", "--type", "SOPP"],
      ["-u", "qa", "status", "SOP-001", "--json"],
      ["-u", "qa", "read", "SOP-001", "--json"],
      ["-u", "qa", "read", "SOP-404", "--json"],
      ["-u", "qa", "history", "SOP-001", "--json"],
      ["-u", "qa", "comments", "SOP-001", "--json"],
      ["-u", "qa", "inbox", "--json"],
      ["-u", "claude", "workspace", "--json"],
    ]) {
      assert.deepEqual(run(args, true), run(args, false), args.join(" "));
    }
  });

  test("REQ-UX-003: a refusal with --json is one JSON document on stdout, exit 1", () => {
    const r = qms(root, "qa", "status", "SOP-404", "--json");
    assert.equal(r.code, 1);
    const refusal = json(r) as { ok: boolean; code: string; message: string; next: Array<{ action: string; command: string }> };
    assert.equal(refusal.ok, false);
    assert.equal(refusal.code, "not-found");
    assert.equal(refusal.next[0]!.command, "qms --user qa list");
  });
});

describe("--user anywhere, did you mean, usage errors", () => {
  let root: string;
  before(() => {
    root = makeHarnessProject();
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "First").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review").code, 0);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test("REQ-UX-005: --user and -u work after the command as before it; read --version is still read's; two different users is a usage error", () => {
    const r = raw(root, ["review", "SOP-001", "--user", "qa", "--recommend", "--comment", "Fine."]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Review submitted: SOP-001 \(RECOMMEND\)/);
    assert.equal(raw(root, ["status", "SOP-001", "-u", "qa"]).code, 0);
    assert.match(raw(root, ["read", "SOP-001", "--version", "0.1", "-u", "qa"]).out, /not in the archive/, "--version is read's option, the user comes from -u");
    assert.match(raw(root, ["-u", "qa", "--version"]).stdout, /^\d+\.\d+\.\d+/, "before the command, --version is the program's");
    const both = raw(root, ["-u", "qa", "status", "SOP-001", "-u", "lead"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--user given twice/);
    assert.equal(raw(root, ["-u", "qa", "status", "SOP-001", "-u", "qa"]).code, 0, "the same user twice is fine");
  });

  test("REQ-UX-006: unknown users, types and document IDs get the closest valid names, and the valid ones when few", () => {
    const user = qms(root, "QA", "inbox");
    assert.equal(user.code, 1);
    assert.match(user.out, /Unknown user 'QA' \(user names are case-sensitive\)\. Did you mean qa\?/);
    assert.match(user.out, /Known users: lead, claude, .*qa/);
    assert.doesNotMatch(user.out, /user --add QA/, "no advice to add a user who exists in other letters");
    const stranger = qms(root, "mallory", "inbox");
    assert.match(stranger.out, /user --add mallory/, "a name nothing like a user still gets the way to add one");
    const type = qms(root, "claude", "create", "SOPP", "--title", "x");
    assert.match(type.out, /Unknown document type 'SOPP'\. Did you mean SOP\? Valid types: SOP, CR/);
    const doc = qms(root, "claude", "create", "DOC", "--title", "x");
    assert.doesNotMatch(doc.out, /namespace add/, "DOC is no SDLC namespace type: no advice to register one");
    const malformed = qms(root, "qa", "status", "SOP-01");
    assert.match(malformed.out, /Invalid document ID "SOP-01".*Did you mean SOP-001\?/);
    const missing = qms(root, "qa", "status", "SOP-002");
    assert.match(missing.out, /Document not found: SOP-002\. Did you mean SOP-001\?/);
    assert.match(missing.out, /Documents in this project: SOP-001\./);
    assert.match(missing.out, /Next: See every document with: qms --user qa list/);
    const assignee = qms(root, "claude", "route", "SOP-001", "--approval", "--assign", "Qa");
    assert.match(assignee.out, /Cannot assign unknown user 'Qa'\. Did you mean qa\?/);
  });

  test("REQ-UX-009: a missing required flag exits 2 and changes nothing; create needs --title; bare qms prints help on stdout, exit 0", () => {
    const before = snapshotTree(root);
    for (const [args, pattern] of [
      [["-u", "qa", "review", "SOP-001", "--recommend"], /required option '--comment <text>' not specified/],
      [["-u", "qa", "reject", "SOP-001"], /required option '--comment <text>'/],
      [["-u", "claude", "revert", "SOP-001"], /required option '--reason <text>'/],
      [["-u", "claude", "create", "SOP"], /required option '--title <title>' not specified/],
      [["-u", "claude", "route", "SOP-001"], /exactly one of --review or --approval/],
      [["-u", "claude", "route", "SOP-001", "--review", "--approval"], /exactly one of --review or --approval/],
      [["-u", "qa", "review", "SOP-001", "--comment", "x"], /exactly one outcome: --recommend or --request-updates/],
      [["-u", "qa", "review", "SOP-001", "--comment"], /argument missing/],
    ] as const) {
      const r = raw(root, [...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.out}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /run qms --help for usage/);
    }
    assert.deepEqual(snapshotTree(root), before);
    const bare = raw(root, []);
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /^Usage: qms /);
    assert.equal(bare.stderr, "");
    assert.equal(raw(root, ["-u", "qa"]).code, 0);
    assert.equal(raw(root, ["frobnicate"]).code, 2, "an unknown command is still a usage error");
  });
});
