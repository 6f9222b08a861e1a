/**
 * Query commands (spec §5.15, §12.8 test_queries.py) and `fix` (§5.14), through the real CLI; plus bad input
 * (traversal IDs, NUL, huge strings, bad versions) which must be refused with nothing on disk changed.
 *
 * Two kinds of set-up: real CLI flows (create/checkin/route/review/approve/reject/checkout — the lifecycle
 * services), and hand-written states (meta/audit/files written directly) for shapes the CLI cannot produce
 * on purpose: legacy effective files for `fix`, an open review round with earlier-round comments.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { comments } from "../src/services/comments.js";
import { makeContext } from "../src/services/context.js";
import { history } from "../src/services/history.js";
import { read } from "../src/services/read.js";
import { status } from "../src/services/status.js";
import { audit, makeHarnessProject, meta, qms, type RunResult, snapshotTree, statusFields } from "./helpers.js";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A harness project (spec §12), removed when the file's tests end. */
function project(): string {
  const root = makeHarnessProject();
  made.push(root);
  return root;
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.out}`);
  return r;
}

function refused(r: RunResult, what: string, pattern: RegExp): RunResult {
  assert.equal(r.code, 1, `${what} should be refused with exit 1, got ${r.code}:\n${r.out}`);
  assert.match(r.out, pattern, `${what}: unexpected message:\n${r.out}`);
  return r;
}


function workspaceFile(root: string, user: string, id: string): string {
  return path.join(root, ".claude", "users", user, "workspace", `${id}.md`);
}

/** Append a body line to the workspace copy (the author's edit between checkout and checkin). */
function edit(root: string, user: string, id: string, line: string): void {
  fs.appendFileSync(workspaceFile(root, user, id), `\n${line}\n`);
}

/** create → edit → checkin → route review → qa recommends → route approval → qa approves: EFFECTIVE 1.0. */
function sopToEffective(root: string, title: string, id = "SOP-001"): void {
  ok(qms(root, "claude", "create", "SOP", "--title", title), "create");
  edit(root, "claude", id, "Body of version 0.1.");
  ok(qms(root, "claude", "checkin", id), "checkin");
  ok(qms(root, "claude", "route", id, "--review"), "route --review");
  ok(qms(root, "qa", "review", id, "--recommend", "--comment", "Reviewed: clear and complete."), "review");
  ok(qms(root, "claude", "route", id, "--approval"), "route --approval");
  ok(qms(root, "qa", "approve", id), "approve");
}

// ---------------------------------------------------------------------------------------------------------
describe("read (REQ-QRY-001)", () => {
  it("REQ-QRY-001: test_read_draft: reads the draft when there is no effective version", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Draft Reading"), "create");
    edit(root, "claude", "SOP-001", "Draft marker 4711.");
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    const r = ok(qms(root, "qa", "read", "SOP-001"), "read");
    assert.equal(r.stdout, `${fs.readFileSync(path.join(root, "QMS/SOP/SOP-001-draft.md"), "utf8")}\n`, "raw draft content");
    assert.match(r.stdout, /title: Draft Reading/);
    assert.match(r.stdout, /Draft marker 4711\./);
  });

  it("REQ-QRY-001: test_read_effective and test_read_archived_version", () => {
    const root = project();
    sopToEffective(root, "Effective Reading");
    const eff = fs.readFileSync(path.join(root, "QMS/SOP/SOP-001.md"), "utf8");
    const r = ok(qms(root, "claude", "read", "SOP-001"), "read");
    assert.equal(r.stdout, `${eff}\n`);
    assert.match(r.stdout, /Body of version 0\.1\./);

    // archived 0.1 (the approved draft) and --version equal to the effective version
    const archived = path.join(root, "QMS/.archive/SOP/SOP-001-v0.1.md");
    assert.ok(fs.existsSync(archived), "approval archives the draft at v0.1");
    const a = ok(qms(root, "claude", "read", "SOP-001", "--version", "0.1"), "read --version 0.1");
    assert.equal(a.stdout, `${fs.readFileSync(archived, "utf8")}\n`);
    const e = ok(qms(root, "claude", "read", "SOP-001", "--version", "1.0"), "read --version 1.0");
    assert.match(e.stdout, /Body of version 0\.1\./);

    refused(qms(root, "claude", "read", "SOP-001", "--version", "7.0"), "read --version 7.0", /Version 7\.0 of SOP-001 is not in the archive/);
  });

  it("REQ-QRY-001: test_read_draft_flag: --draft reads the revision draft, the default still the effective file", () => {
    const root = project();
    sopToEffective(root, "Revision Reading");
    ok(qms(root, "claude", "checkout", "SOP-001"), "checkout");
    edit(root, "claude", "SOP-001", "Revision marker 1.1.");
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    const d = ok(qms(root, "claude", "read", "SOP-001", "--draft"), "read --draft");
    assert.match(d.stdout, /Revision marker 1\.1\./);
    const e = ok(qms(root, "claude", "read", "SOP-001"), "read");
    assert.doesNotMatch(e.stdout, /Revision marker/);
    // structured data names the source and version
    const ctx = makeContext(root, "qa");
    const rd = read(ctx, { docId: "SOP-001", draft: true });
    assert.ok(rd.ok);
    assert.equal(rd.data.source, "draft");
    assert.equal(rd.data.version, "1.1");
    const re = read(ctx, { docId: "SOP-001" });
    assert.ok(re.ok);
    assert.deepEqual([re.data.source, re.data.version, re.data.path], ["effective", "1.0", "QMS/SOP/SOP-001.md"]);
  });

  it("REQ-QRY-001: --draft without a draft, and --draft with --version, are refused", () => {
    const root = project();
    sopToEffective(root, "No Draft");
    refused(qms(root, "claude", "read", "SOP-001", "--draft"), "read --draft", /SOP-001 has no draft/);
    const r = read(makeContext(root, "claude"), { docId: "SOP-001", draft: true, version: "0.1" });
    assert.equal(r.ok, false);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("status (REQ-QRY-002)", () => {
  it("REQ-QRY-002: test_status_query: ID, title, version, DRAFT, type, owner", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Status Query"), "create");
    const f = statusFields(ok(qms(root, "tu_ui", "status", "SOP-001"), "status").stdout);
    assert.equal(f.Document, "SOP-001");
    assert.equal(f.Title, "Status Query");
    assert.equal(f.Version, "0.1");
    assert.equal(f.Status, "DRAFT");
    assert.equal(f.Type, "SOP");
    assert.equal(f["Responsible User"], "claude");
  });

  it("REQ-QRY-002: test_status_shows_checked_out: True while checked out, False after checkin", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Checked Out"), "create");
    assert.equal(statusFields(qms(root, "claude", "status", "SOP-001").stdout)["Checked Out"], "True");
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    assert.equal(statusFields(qms(root, "claude", "status", "SOP-001").stdout)["Checked Out"], "False");
  });

  it("REQ-QRY-002: test_status_shows_executable_field", () => {
    const root = project();
    ok(qms(root, "claude", "create", "CR", "--title", "Exec"), "create CR");
    ok(qms(root, "claude", "create", "SOP", "--title", "Non-exec"), "create SOP");
    assert.equal(statusFields(qms(root, "claude", "status", "CR-001").stdout).Executable, "True");
    assert.equal(statusFields(qms(root, "claude", "status", "SOP-001").stdout).Executable, "False");
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("history (REQ-QRY-003)", () => {
  it("REQ-QRY-003: test_history_query: events in chronological (file) order with the spec formats", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "History Order"), "create");
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    ok(qms(root, "claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui"), "route");
    const out = ok(qms(root, "lead", "history", "SOP-001"), "history").stdout;
    const lines = out.trimEnd().split("\n");
    assert.equal(lines[0], "Audit History: SOP-001");
    const events = audit(root, "SOP", "SOP-001");
    assert.equal(lines.length - 1, events.length, "one line per event (no comments yet)");
    assert.match(lines[1]!, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\] CREATE by claude - v0\.1 - "History Order"$/);
    assert.match(lines[2]!, /\] CHECKIN by claude - v0\.1$/);
    assert.ok(
      lines.indexOf(lines.find((l) => l.includes("STATUS by claude - v0.1 - DRAFT -> IN_REVIEW"))!) > 2,
      "STATUS line after CHECKIN",
    );
    assert.ok(lines.some((l) => /\] ROUTE REVIEW by claude - v0\.1 - to: qa, tu_ui$/.test(l)), out);
    const stamps = lines.slice(1).map((l) => l.slice(1, 26));
    assert.deepEqual([...stamps].sort(), stamps, "timestamps never go backwards");
  });

  it("REQ-QRY-003: test_history_shows_all_event_types after a full SOP lifecycle; comments are indented", () => {
    const root = project();
    sopToEffective(root, "Full Life");
    const out = ok(qms(root, "claude", "history", "SOP-001"), "history").stdout;
    const order = ["CREATE", "CHECKIN", "REVIEW", "APPROVE", "EFFECTIVE"].map((e) => out.search(new RegExp(`\\] ${e} `)));
    for (const [i, pos] of order.entries()) assert.ok(pos > 0, `event ${i} missing:\n${out}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order, "CREATE < CHECKIN < REVIEW < APPROVE < EFFECTIVE");
    assert.match(out, /\] REVIEW by qa - v0\.1 - RECOMMEND\n {4}Reviewed: clear and complete\.\n/);
    assert.match(out, /\] EFFECTIVE - v0\.1 -> v1\.0\n/);
  });

  it("REQ-QRY-003: a document without an audit log is refused; unknown documents too", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Lost Log"), "create");
    fs.rmSync(path.join(root, "QMS/.audit/SOP/SOP-001.jsonl"));
    refused(qms(root, "claude", "history", "SOP-001"), "history", /No audit history for SOP-001/);
    refused(qms(root, "claude", "history", "SOP-077"), "history", /Document not found: SOP-077/);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("comments (REQ-QRY-004)", () => {
  it("REQ-QRY-004: test_comments_query: the review comment appears with its header", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Commented"), "create");
    ok(qms(root, "claude", "route", "SOP-001", "--review"), "route");
    ok(qms(root, "qa", "review", "SOP-001", "--request-updates", "--comment", "Section 2 needs a scope."), "review");
    const out = ok(qms(root, "tu_ui", "comments", "SOP-001"), "comments").stdout;
    assert.match(out, /\[v0\.1\] qa \(UPDATES_REQUIRED\) - \d{4}-\d\d-\d\dT[\d:]+\+00:00\nSection 2 needs a scope\./);
    assert.match(ok(qms(root, "tu_ui", "comments", "SOP-001", "--version", "0.1"), "comments --version").stdout, /Section 2 needs a scope/);
    assert.match(ok(qms(root, "tu_ui", "comments", "SOP-001", "--version", "1.0"), "comments --version").stdout, /No comments for SOP-001 on version 1\.0/);
  });

  it("REQ-QRY-004: test_comments_includes_rejection", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Rejected"), "create");
    ok(qms(root, "claude", "route", "SOP-001", "--review"), "route review");
    ok(qms(root, "qa", "review", "SOP-001", "--recommend", "--comment", "Fine by me."), "review");
    ok(qms(root, "claude", "route", "SOP-001", "--approval"), "route approval");
    ok(qms(root, "qa", "reject", "SOP-001", "--comment", "Missing rollback plan."), "reject");
    const out = ok(qms(root, "claude", "comments", "SOP-001"), "comments").stdout;
    assert.match(out, /\[v0\.1\] qa \(RECOMMEND\) - .*\nFine by me\./);
    assert.match(out, /\[v0\.1\] qa \(REJECTED\) - .*\nMissing rollback plan\./);
    const r = comments(makeContext(root, "claude"), { docId: "SOP-001" });
    assert.ok(r.ok);
    assert.deepEqual(
      r.data.map((c) => [c.event, c.outcome, c.comment]),
      [
        ["REVIEW", "RECOMMEND", "Fine by me."],
        ["REJECT", "REJECTED", "Missing rollback plan."],
      ],
    );
  });

  it("REQ-QRY-004: TS rule: while IN_*_REVIEW, the current round's review comments are hidden (hand-written round)", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Rounds"), "create");
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    // Round 1 (complete, then back to DRAFT), round 2 in progress with one of two reviews in.
    const auditFile = path.join(root, "QMS/.audit/SOP/SOP-001.jsonl");
    const line = (o: Record<string, unknown>): string => `${JSON.stringify(o)}\n`;
    fs.appendFileSync(
      auditFile,
      line({ ts: "2026-01-01T10:00:00+00:00", event: "ROUTE_REVIEW", user: "claude", version: "0.1", assignees: ["qa"], review_type: "REVIEW" }) +
        line({ ts: "2026-01-01T10:01:00+00:00", event: "REVIEW", user: "qa", version: "0.1", outcome: "UPDATES_REQUIRED", comment: "Round one remark." }) +
        line({ ts: "2026-01-01T10:02:00+00:00", event: "ROUTE_REVIEW", user: "claude", version: "0.1", assignees: ["qa", "tu_ui"], review_type: "REVIEW" }) +
        line({ ts: "2026-01-01T10:03:00+00:00", event: "REVIEW", user: "qa", version: "0.1", outcome: "RECOMMEND", comment: "Round two remark." }),
    );
    const metaFile = path.join(root, "QMS/.meta/SOP/SOP-001.json");
    const m = meta(root, "SOP", "SOP-001");
    fs.writeFileSync(metaFile, JSON.stringify({ ...m, status: "IN_REVIEW", pending_assignees: ["tu_ui"] }, null, 2));
    const during = ok(qms(root, "tu_ui", "comments", "SOP-001"), "comments").stdout;
    assert.match(during, /Round one remark\./);
    assert.doesNotMatch(during, /Round two remark/);
    assert.match(during, /1 review comment of the current round is hidden while SOP-001 is IN_REVIEW/);
    const r = comments(makeContext(root, "tu_ui"), { docId: "SOP-001" });
    assert.ok(r.ok);
    assert.equal(r.data.length, 1);
    // The review completes: everything shows.
    fs.writeFileSync(metaFile, JSON.stringify({ ...m, status: "REVIEWED", pending_assignees: [] }, null, 2));
    const after = ok(qms(root, "tu_ui", "comments", "SOP-001"), "comments").stdout;
    assert.match(after, /Round one remark\.[\s\S]*Round two remark\./);
    assert.doesNotMatch(after, /hidden/);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("inbox and workspace (REQ-QRY-005, -006, REQ-SEC-008)", () => {
  it("REQ-QRY-005, REQ-SEC-008, REQ-TASK-003: test_inbox_query / test_inbox_multiple_tasks / test_inbox_empty_when_no_tasks, isolated per user", () => {
    const root = project();
    assert.equal(ok(qms(root, "qa", "inbox"), "inbox").stdout, "Inbox is empty\n");
    ok(qms(root, "claude", "create", "SOP", "--title", "First"), "create");
    ok(qms(root, "claude", "route", "SOP-001", "--review", "--assign", "qa"), "route");
    const one = ok(qms(root, "qa", "inbox"), "inbox").stdout;
    assert.match(one, /\[REVIEW\] SOP-001 - First\n {4}Workflow: REVIEW \| From: claude \| Date: \d{4}-\d\d-\d\d \| Version: 0\.1/);
    ok(qms(root, "claude", "create", "CR", "--title", "Second"), "create CR");
    ok(qms(root, "claude", "route", "CR-001", "--review", "--assign", "qa", "tu_ui"), "route CR");
    const two = ok(qms(root, "qa", "inbox"), "inbox").stdout;
    assert.match(two, /2 tasks/);
    assert.match(two, /\[REVIEW\] SOP-001/);
    assert.match(two, /\[REVIEW\] CR-001 - Second\n {4}Workflow: PRE_REVIEW/);
    // Isolation: tu_ui sees only its own task, claude (who routed) none.
    const tu = ok(qms(root, "tu_ui", "inbox"), "inbox").stdout;
    assert.match(tu, /\[REVIEW\] CR-001/);
    assert.doesNotMatch(tu, /SOP-001/);
    assert.equal(ok(qms(root, "claude", "inbox"), "inbox").stdout, "Inbox is empty\n");
    // Done reviewing: the task leaves the inbox.
    ok(qms(root, "qa", "review", "SOP-001", "--recommend", "--comment", "ok"), "review");
    assert.doesNotMatch(ok(qms(root, "qa", "inbox"), "inbox").stdout, /SOP-001/);
  });

  it("REQ-QRY-006, REQ-SEC-008: test_workspace_query / multiple documents / empty after checkin, isolated per user, state from meta", () => {
    const root = project();
    assert.equal(ok(qms(root, "claude", "workspace"), "workspace").stdout, "Workspace is empty\n");
    ok(qms(root, "claude", "create", "SOP", "--title", "Mine"), "create");
    const one = ok(qms(root, "claude", "workspace"), "workspace").stdout;
    assert.match(one, /SOP-001 - v0\.1 DRAFT - Mine/);
    ok(qms(root, "claude", "create", "CR", "--title", "Also Mine"), "create CR");
    ok(qms(root, "lead", "create", "SOP", "--title", "Lead's"), "create by lead");
    const two = ok(qms(root, "claude", "workspace"), "workspace").stdout;
    assert.match(two, /2 documents/);
    assert.match(two, /CR-001 - v0\.1 DRAFT - Also Mine/);
    assert.doesNotMatch(two, /SOP-002/, "lead's document is not in claude's workspace");
    assert.match(ok(qms(root, "lead", "workspace"), "workspace").stdout, /SOP-002 - v0\.1 DRAFT - Lead's/);
    ok(qms(root, "claude", "checkin", "SOP-001"), "checkin");
    ok(qms(root, "claude", "checkin", "CR-001"), "checkin");
    assert.equal(ok(qms(root, "claude", "workspace"), "workspace").stdout, "Workspace is empty\n");
  });
});

// ---------------------------------------------------------------------------------------------------------
/** A hand-written EFFECTIVE SOP whose effective file carries the legacy defects `fix` repairs. */
function legacyEffectiveSop(root: string, body: string, fm = "title: Legacy\nchecked_out: true\nchecked_out_date: 2025-01-01\n"): string {
  const file = path.join(root, "QMS/SOP/SOP-001.md");
  fs.writeFileSync(file, `---\n${fm}---\n\n${body}`);
  fs.writeFileSync(
    path.join(root, "QMS/.meta/SOP/SOP-001.json"),
    JSON.stringify(
      { doc_id: "SOP-001", doc_type: "SOP", version: "2.0", status: "EFFECTIVE", executable: false, responsible_user: null, checked_out: false, effective_version: "2.0", pending_assignees: [] },
      null,
      2,
    ),
  );
  return file;
}

describe("fix (spec §5.14)", () => {
  it("repairs the legacy defects of an EFFECTIVE file, then has nothing left to fix", () => {
    const root = project();
    const body = "# SOP-001\n\n**Version:** 1.0\n**Effective Date:** TBD\n\n- **Version:** Which exact state of that file\n";
    const file = legacyEffectiveSop(root, body);
    const r = ok(qms(root, "lead", "fix", "SOP-001"), "fix");
    assert.match(r.stdout, /removed frontmatter line 'checked_out: true'/);
    assert.match(r.stdout, /'\*\*Version:\*\* 1\.0' set to 2\.0/);
    assert.match(r.stdout, /Effective Date:\*\* TBD' set to \d{4}-\d\d-\d\d/);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(
      fs.readFileSync(file, "utf8"),
      `---\ntitle: Legacy\n---\n\n# SOP-001\n\n**Version:** 2.0\n**Effective Date:** ${today}\n\n- **Version:** Which exact state of that file\n`,
      "only the defective lines changed (prose mentioning **Version:** untouched)",
    );
    const before = snapshotTree(root);
    assert.match(ok(qms(root, "claude", "fix", "SOP-001"), "fix again").stdout, /No fixes needed for SOP-001/);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("REQ-SEC-002: fix is for administrators only (refusal on stderr) and only for EFFECTIVE/CLOSED documents", () => {
    const root = project();
    legacyEffectiveSop(root, "**Version:** 1.0\n");
    ok(qms(root, "claude", "create", "SOP", "--title", "Draft"), "create");
    const before = snapshotTree(root);
    for (const user of ["qa", "tu_ui"]) {
      const r = refused(qms(root, user, "fix", "SOP-001"), `fix as ${user}`, /administrator/);
      assert.match(r.stderr, /administrator/, "the permission error is on stderr");
      assert.equal(r.stdout, "");
    }
    refused(qms(root, "lead", "fix", "SOP-002"), "fix a draft", /SOP-002 has no effective file|only applies to EFFECTIVE or CLOSED/);
    refused(qms(root, "nobody", "fix", "SOP-001"), "unknown user", /Unknown user 'nobody'/);
    assert.deepEqual(snapshotTree(root), before, "refusals change nothing");
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("bad input is refused and changes nothing", () => {
  const BAD_IDS = ["../x", "CR-001/../../etc", "/etc/passwd", "..", "SOP-001/../SOP-002", "x".repeat(10_000), "SOP-001 ", ""];

  it("traversal / huge / odd IDs on every query command and fix: exit 1, clear message, tree byte-identical", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Target"), "create");
    const before = snapshotTree(root);
    const commands: string[][] = [["status"], ["read"], ["read", "--draft"], ["history"], ["comments"], ["fix"]];
    for (const id of BAD_IDS) {
      for (const cmd of commands) {
        const [name, ...flags] = cmd;
        const r = qms(root, "lead", name!, id, ...flags);
        assert.equal(r.code, 1, `${cmd.join(" ")} ${JSON.stringify(id.slice(0, 30))}: exit ${r.code}\n${r.out.slice(0, 500)}`);
        assert.match(r.out, /Invalid document ID/, `${cmd.join(" ")} ${JSON.stringify(id.slice(0, 30))}:\n${r.out.slice(0, 500)}`);
        assert.ok(r.out.length < 2000, "the message does not echo 10 kB back");
      }
    }
    assert.deepEqual(snapshotTree(root), before);
  });

  it("--version with a path or junk is refused before any path is built (CLI)", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Target"), "create");
    const before = snapshotTree(root);
    for (const v of ["../../x", "1.0/../../../etc/passwd", "1", "v1.0", "1.0.0", "x".repeat(10_000)]) {
      refused(qms(root, "claude", "read", "SOP-001", "--version", v), `read --version ${v.slice(0, 20)}`, /Invalid version/);
      refused(qms(root, "claude", "comments", "SOP-001", "--version", v), `comments --version ${v.slice(0, 20)}`, /Invalid version/);
    }
    assert.deepEqual(snapshotTree(root), before);
  });

  it("NUL bytes, non-strings and bad versions through the services (what MCP would pass)", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Target"), "create");
    const before = snapshotTree(root);
    const ctx = makeContext(root, "claude");
    const ids: unknown[] = ["SOP-001\0", "SOP-001\0/../../etc", "\0", 42, null, undefined, { id: "SOP-001" }, ["SOP-001"]];
    for (const docId of ids) {
      for (const r of [
        status(ctx, { docId: docId as string }),
        read(ctx, { docId: docId as string }),
        history(ctx, { docId: docId as string }),
        comments(ctx, { docId: docId as string }),
      ]) {
        assert.equal(r.ok, false, `accepted ${JSON.stringify(docId)}`);
        if (!r.ok) assert.equal(r.code, "invalid-id");
      }
    }
    for (const version of ["../../x", "1.0\0", "../SOP-001-v0.1"]) {
      const r = read(ctx, { docId: "SOP-001", version });
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.code, "invalid-argument");
    }
    const nonString = read(ctx, { docId: "SOP-001", version: 1 as unknown as string });
    assert.equal(nonString.ok, false);
    assert.deepEqual(snapshotTree(root), before);
  });

  it("REQ-SEC-006: queries need a known user", () => {
    const root = project();
    ok(qms(root, "claude", "create", "SOP", "--title", "Target"), "create");
    for (const args of [["status", "SOP-001"], ["read", "SOP-001"], ["history", "SOP-001"], ["comments", "SOP-001"], ["inbox"], ["workspace"]]) {
      refused(qms(root, "ghost", ...args), `${args[0]} as ghost`, /Unknown user 'ghost'/);
      refused(qms(root, undefined, ...args), `${args[0]} without user`, /No user given/);
    }
  });
});
