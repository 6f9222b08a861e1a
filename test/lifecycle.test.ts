import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { audit, auditEvents, exists, harness, listInbox, meta } from "./helpers.js";

const project = harness;

/** Drive a new SOP to EFFECTIVE 1.0. */
function effectiveSop(p: ReturnType<typeof project>, title = "Procedure"): string {
  p.ok("claude", "create", "SOP", "--title", title);
  p.ok("claude", "route", "SOP-001", "--review");
  p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "fine");
  p.ok("claude", "route", "SOP-001", "--approval");
  p.ok("qa", "approve", "SOP-001");
  return "SOP-001";
}

/** Drive a new CR to a given point: pre-approved, in execution, post-reviewed, post-approved. */
function crTo(p: ReturnType<typeof project>, stop: "PRE_APPROVED" | "IN_EXECUTION" | "POST_REVIEWED" | "POST_APPROVED" | "CLOSED"): string {
  p.ok("claude", "create", "CR", "--title", "A change");
  p.ok("claude", "route", "CR-001", "--review");
  p.ok("qa", "review", "CR-001", "--recommend", "--comment", "scope ok");
  p.ok("claude", "route", "CR-001", "--approval");
  p.ok("qa", "approve", "CR-001");
  if (stop === "PRE_APPROVED") return "CR-001";
  p.ok("claude", "release", "CR-001");
  if (stop === "IN_EXECUTION") return "CR-001";
  p.ok("claude", "route", "CR-001", "--review");
  p.ok("qa", "review", "CR-001", "--recommend", "--comment", "all EIs pass");
  if (stop === "POST_REVIEWED") return "CR-001";
  p.ok("claude", "route", "CR-001", "--approval");
  p.ok("qa", "approve", "CR-001");
  if (stop === "POST_APPROVED") return "CR-001";
  p.ok("claude", "close", "CR-001");
  return "CR-001";
}

describe("SOP lifecycle (spec §12.1)", () => {
  it("REQ-WF-002, REQ-WF-006, REQ-DOC-006, REQ-DOC-008, REQ-META-001, REQ-AUDIT-003, REQ-AUDIT-004, REQ-TASK-001, REQ-TASK-003, REQ-TEMPLATE-004: full lifecycle: create, checkin, checkout, review, approve → EFFECTIVE 1.0", () => {
    const p = project();
    const created = p.ok("claude", "create", "SOP", "--title", "Test SOP");
    assert.match(created.stdout, /^Created: SOP-001 \(v0\.1, DRAFT\)$/m);
    const draft = fs.readFileSync(path.join(p.root, "QMS/SOP/SOP-001-draft.md"), "utf8");
    assert.match(draft, /^---\ntitle: Test SOP\nrevision_summary: Initial draft\n---\n/);
    assert.doesNotMatch(draft.split("---")[1]!, /version|status/);
    let m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.version, "0.1");
    assert.equal(m.status, "DRAFT");
    const create = audit(p.root, "SOP", "SOP-001")[0]!;
    assert.equal(create.event, "CREATE");
    assert.equal(create.user, "claude");
    assert.equal(create.version, "0.1");
    assert.match(String(create.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.ok(exists(p.root, ".claude/users/claude/workspace/SOP-001.md"));

    p.ok("claude", "checkin", "SOP-001");
    assert.ok(!exists(p.root, ".claude/users/claude/workspace/SOP-001.md"));
    assert.equal(meta(p.root, "SOP", "SOP-001").responsible_user, "claude");
    assert.deepEqual(auditEvents(p.root, "SOP", "SOP-001"), ["CREATE", "CHECKIN"]);

    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "checkin", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "IN_REVIEW");
    assert.deepEqual(listInbox(p.root, "qa"), ["task-SOP-001-review-v0-1.md"]);

    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "Looks complete.");
    m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "REVIEWED");
    assert.deepEqual(listInbox(p.root, "qa"), []);
    assert.ok(!fs.readFileSync(path.join(p.root, "QMS/.meta/SOP/SOP-001.json"), "utf8").includes("Looks complete."));
    assert.ok(audit(p.root, "SOP", "SOP-001").some((e) => e.event === "REVIEW" && e.comment === "Looks complete."));

    p.ok("claude", "route", "SOP-001", "--approval");
    const approved = p.ok("qa", "approve", "SOP-001");
    assert.match(approved.stdout, /EFFECTIVE/);
    m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "EFFECTIVE");
    assert.equal(m.version, "1.0");
    assert.equal(m.responsible_user, null);
    assert.equal(m.effective_version, "1.0");
    assert.ok(exists(p.root, "QMS/SOP/SOP-001.md"));
    assert.ok(!exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v0.1.md"));
    const events = audit(p.root, "SOP", "SOP-001");
    const eff = events.find((e) => e.event === "EFFECTIVE")!;
    assert.equal(eff.from_version, "0.1");
    assert.equal(eff.version, "1.0");
    assert.deepEqual(
      events.slice(-4).map((e) => [e.event, e.from_status ?? "", e.to_status ?? ""]),
      [
        ["APPROVE", "", ""],
        ["STATUS_CHANGE", "IN_APPROVAL", "APPROVED"],
        ["EFFECTIVE", "", ""],
        ["STATUS_CHANGE", "APPROVED", "EFFECTIVE"],
      ],
    );
  });

  it("REQ-WF-001: refuses routing a fresh DRAFT for approval", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "checkin", "SOP-001");
    const r = p.no("claude", "route", "SOP-001", "--approval");
    assert.match(r.out, /No reviews on record|Cannot route/);
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "DRAFT");
  });

  it("REQ-DOC-009: checkout + checkin at REVIEWED returns to DRAFT", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "checkin", "SOP-001");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "DRAFT");
    assert.deepEqual(m.review_outcomes, {});
  });

  it("REQ-WF-004: multi-reviewer gate: REVIEWED only after every assignee", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa", "lead");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "IN_REVIEW");
    p.ok("lead", "review", "SOP-001", "--recommend", "--comment", "ok too");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "REVIEWED");
  });

  it("REQ-WF-005: a request-updates review blocks approval routing", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--request-updates", "--comment", "fix section 2");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "REVIEWED");
    const r = p.no("claude", "route", "SOP-001", "--approval");
    assert.match(r.out, /qa requested updates/);
  });

  it("REQ-WF-007, REQ-TASK-003: rejection returns to REVIEWED with the same version and clears approval tasks everywhere", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("tu_ui", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval", "--assign", "qa", "tu_ui");
    assert.equal(listInbox(p.root, "tu_ui").length, 1);
    p.ok("qa", "reject", "SOP-001", "--comment", "Missing rollback plan.");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "REVIEWED");
    assert.equal(m.version, "0.1");
    assert.deepEqual(listInbox(p.root, "qa"), []);
    assert.deepEqual(listInbox(p.root, "tu_ui"), []);
    // outcomes kept: the owner may route for approval again directly
    p.ok("claude", "route", "SOP-001", "--approval");
  });

  it("REQ-WF-011, REQ-WF-012, REQ-WF-013: retirement: EFFECTIVE SOP revised, routed --approval --retire, approved → RETIRED", () => {
    const p = project();
    effectiveSop(p);
    p.ok("claude", "checkout", "SOP-001");
    assert.equal(meta(p.root, "SOP", "SOP-001").version, "1.1");
    p.ok("claude", "checkin", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "retire it");
    p.ok("claude", "route", "SOP-001", "--approval", "--retire");
    assert.equal(meta(p.root, "SOP", "SOP-001").retiring, true);
    p.ok("qa", "approve", "SOP-001");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "RETIRED");
    assert.equal(m.version, "2.0");
    assert.equal(m.retiring, undefined);
    assert.ok(!exists(p.root, "QMS/SOP/SOP-001.md"));
    assert.ok(!exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v1.0.md"), "the version in force until retirement is archived");
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v1.1.md"));
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v2.0.md"));
    // a retired document still reads (its last archived version) and shows where that is
    assert.match(p.ok("qa", "read", "SOP-001").stdout, /^---\ntitle: Procedure/);
    assert.match(p.ok("qa", "status", "SOP-001").stdout, /Location: archive \(QMS\/\.archive\/SOP\/SOP-001-v2\.0\.md\)/);
    const retire = audit(p.root, "SOP", "SOP-001").find((e) => e.event === "RETIRE")!;
    assert.equal(retire.from_version, "1.1");
    // terminal: no checkout, no route
    p.no("claude", "checkout", "SOP-001");
    p.no("claude", "route", "SOP-001", "--review");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "RETIRED");
  });

  it("REQ-WF-012: --retire is refused for a v0.x document, pointing at cancel", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    const r = p.no("claude", "route", "SOP-001", "--approval", "--retire");
    assert.match(r.out, /cancel/);
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "REVIEWED");
  });

  it("REQ-WF-005: approval gate requires a quality review", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "lead");
    p.ok("lead", "review", "SOP-001", "--recommend", "--comment", "ok");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "REVIEWED");
    const r = p.no("claude", "route", "SOP-001", "--approval");
    assert.match(r.out, /quality/);
  });

  it("REQ-WF-015, REQ-WF-023: routing a checked-out document auto-checks-in for its owner", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    const r = p.ok("claude", "route", "SOP-001", "--review");
    assert.match(r.stdout, /Auto-checked-in/);
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.checked_out, false);
    assert.equal(m.status, "IN_REVIEW");
    assert.ok(!exists(p.root, ".claude/users/claude/workspace/SOP-001.md"));
    assert.deepEqual(auditEvents(p.root, "SOP", "SOP-001"), ["CREATE", "CHECKIN", "STATUS_CHANGE", "ROUTE_REVIEW"]);
  });

  it("REQ-TASK-001, REQ-TASK-004: qa assigns more reviewers during review; they see the task", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "assign", "SOP-001", "--assignees", "tu_ui", "tu_scene");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.deepEqual(m.pending_assignees, ["qa", "tu_ui", "tu_scene"]);
    assert.deepEqual(listInbox(p.root, "tu_ui"), ["task-SOP-001-review-v0-1.md"]);
    const assignEvent = audit(p.root, "SOP", "SOP-001").find((e) => e.event === "ASSIGN")!;
    assert.deepEqual(assignEvent.assignees, ["tu_ui", "tu_scene"]);
    const inbox = p.ok("tu_scene", "inbox");
    assert.match(inbox.stdout, /SOP-001/);
  });

  it("REQ-WF-001: invalid transitions are rejected without change", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.no("claude", "route", "SOP-001", "--approval");
    p.ok("claude", "route", "SOP-001", "--review");
    p.no("claude", "route", "SOP-001", "--approval");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "IN_REVIEW");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval");
    p.ok("qa", "approve", "SOP-001");
    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "checkin", "SOP-001");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.version, "1.1");
    p.no("claude", "route", "SOP-001", "--approval");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "DRAFT");
  });

  it("REQ-AUDIT-001: audit lines are only ever appended", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    const file = path.join(p.root, "QMS/.audit/SOP/SOP-001.jsonl");
    const before = fs.readFileSync(file, "utf8");
    p.ok("claude", "route", "SOP-001", "--review");
    const middle = fs.readFileSync(file, "utf8");
    assert.ok(middle.startsWith(before));
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    assert.ok(fs.readFileSync(file, "utf8").startsWith(middle));
  });

  it("REQ-META-003: required meta fields exist with the right types", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.doc_id, "SOP-001");
    assert.equal(m.doc_type, "SOP");
    assert.equal(typeof m.version, "string");
    assert.equal(m.status, "DRAFT");
    assert.equal(m.executable, false);
    assert.equal(m.responsible_user, "claude");
    assert.equal(m.checked_out, true);
    assert.deepEqual(m.pending_assignees, []);
  });

  it("REQ-TASK-002: task files carry every required frontmatter field", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "Task fields");
    p.ok("claude", "route", "SOP-001", "--review");
    const text = fs.readFileSync(path.join(p.root, ".claude/users/qa/inbox/task-SOP-001-review-v0-1.md"), "utf8");
    for (const line of ["task_id: task-SOP-001-review-v0-1", "task_type: REVIEW", "workflow_type: REVIEW", "doc_id: SOP-001", "version: 0.1", "assigned_by: claude", "title: Task fields", "status: IN_REVIEW", "responsible_user: claude"]) {
      assert.ok(text.includes(`\n${line}\n`), `missing ${line}`);
    }
    assert.match(text, /\nassigned_date: \d{4}-\d\d-\d\d\n/);
  });
});

describe("CR lifecycle (spec §12.2)", () => {
  it("REQ-WF-003, REQ-WF-006, REQ-WF-008, REQ-WF-010, REQ-WF-014, REQ-META-004, REQ-DOC-012: full lifecycle to CLOSED 2.0", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "A change");
    assert.ok(exists(p.root, "QMS/CR/CR-001/CR-001-draft.md"));
    let m = meta(p.root, "CR", "CR-001");
    assert.equal(m.execution_phase, "pre_release");
    assert.equal(m.executable, true);
    p.ok("claude", "checkin", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_PRE_REVIEW");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    assert.equal(meta(p.root, "CR", "CR-001").status, "PRE_REVIEWED");
    p.ok("claude", "route", "CR-001", "--approval");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_PRE_APPROVAL");
    p.ok("qa", "approve", "CR-001");
    m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "PRE_APPROVED");
    assert.equal(m.version, "1.0");
    assert.equal(m.execution_phase, "pre_release");
    assert.equal(m.responsible_user, "claude");
    p.ok("claude", "release", "CR-001");
    m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "IN_EXECUTION");
    assert.equal(m.execution_phase, "post_release");
    assert.ok(auditEvents(p.root, "CR", "CR-001").includes("RELEASE"));
    p.ok("claude", "checkout", "CR-001");
    p.ok("claude", "checkin", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_POST_REVIEW");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    assert.equal(meta(p.root, "CR", "CR-001").status, "POST_REVIEWED");
    p.ok("claude", "route", "CR-001", "--approval");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_POST_APPROVAL");
    p.ok("qa", "approve", "CR-001");
    m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "POST_APPROVED");
    assert.equal(m.version, "2.0");
    p.ok("claude", "close", "CR-001");
    m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "CLOSED");
    assert.equal(m.responsible_user, null);
    assert.ok(exists(p.root, "QMS/CR/CR-001/CR-001.md"));
    assert.ok(!exists(p.root, "QMS/CR/CR-001/CR-001-draft.md"));
    const events = auditEvents(p.root, "CR", "CR-001");
    assert.deepEqual(events.slice(-2), ["CLOSE", "STATUS_CHANGE"]);
  });

  it("REQ-WF-009, REQ-WF-019: revert from POST_REVIEWED: deprecated, IN_EXECUTION, version and phase unchanged", () => {
    const p = project();
    crTo(p, "POST_REVIEWED");
    const before = meta(p.root, "CR", "CR-001");
    const r = p.ok("claude", "revert", "CR-001", "--reason", "more work needed");
    assert.match(r.out, /deprecated/i);
    const m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "IN_EXECUTION");
    assert.equal(m.version, before.version);
    assert.equal(m.execution_phase, "post_release");
    const revert = audit(p.root, "CR", "CR-001").find((e) => e.event === "REVERT")!;
    assert.equal(revert.reason, "more work needed");
  });

  it("REQ-WF-011: terminal CLOSED: route and checkout refused", () => {
    const p = project();
    crTo(p, "CLOSED");
    p.no("claude", "route", "CR-001", "--review");
    p.no("claude", "checkout", "CR-001");
    assert.equal(meta(p.root, "CR", "CR-001").status, "CLOSED");
  });

  it("REQ-WF-014, REQ-WF-021, REQ-META-004: execution phase survives repeated checkout/checkin and each checkout bumps the minor version", () => {
    const p = project();
    crTo(p, "IN_EXECUTION");
    for (const expected of ["1.1", "1.2", "1.3"]) {
      p.ok("claude", "checkout", "CR-001");
      assert.equal(meta(p.root, "CR", "CR-001").version, expected);
      p.ok("claude", "checkin", "CR-001");
      assert.equal(meta(p.root, "CR", "CR-001").execution_phase, "post_release");
    }
    assert.ok(exists(p.root, "QMS/.archive/CR/CR-001/CR-001-v1.0.md"));
    assert.ok(exists(p.root, "QMS/.archive/CR/CR-001/CR-001-v1.2.md"));
    const ev = audit(p.root, "CR", "CR-001");
    const firstCheckout = ev.find((e) => e.event === "CHECKOUT")!;
    assert.equal(firstCheckout.version, "1.0");
  });

  it("REQ-SEC-003, REQ-WF-008, REQ-WF-010: only the owner releases and closes", () => {
    const p = project();
    crTo(p, "PRE_APPROVED");
    p.no("qa", "release", "CR-001");
    p.ok("claude", "release", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "approve", "CR-001");
    p.no("qa", "close", "CR-001");
    p.no("lead", "close", "CR-001");
    p.ok("claude", "close", "CR-001");
  });

  it("REQ-WF-007: rejections in pre- and post-approval return to the reviewed state", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "x");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "reject", "CR-001", "--comment", "no");
    assert.equal(meta(p.root, "CR", "CR-001").status, "PRE_REVIEWED");
    assert.equal(meta(p.root, "CR", "CR-001").version, "0.1");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "approve", "CR-001");
    p.ok("claude", "release", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "reject", "CR-001", "--comment", "evidence missing");
    const m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "POST_REVIEWED");
    assert.equal(m.version, "1.0");
  });

  it("REQ-DOC-009: checkout + checkin at PRE_REVIEWED returns to DRAFT with tracking cleared", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "x");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "checkout", "CR-001");
    p.ok("claude", "checkin", "CR-001");
    const m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "DRAFT");
    assert.deepEqual(m.pending_assignees, []);
    assert.deepEqual(m.review_outcomes, {});
  });

  it("REQ-WF-017, REQ-WF-021: checkout at POST_REVIEWED returns to IN_EXECUTION with a minor bump", () => {
    const p = project();
    crTo(p, "POST_REVIEWED");
    const r = p.ok("claude", "checkout", "CR-001");
    assert.match(r.stdout, /Transitioned from POST_REVIEWED to IN_EXECUTION/);
    const m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "IN_EXECUTION");
    assert.equal(m.version, "1.1");
    assert.deepEqual(m.review_outcomes, {});
    p.ok("claude", "checkin", "CR-001");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_EXECUTION");
  });

  it("REQ-WF-005: stale pre-review outcomes never satisfy the post-review approval gate", () => {
    const p = project();
    crTo(p, "IN_EXECUTION");
    p.ok("claude", "route", "CR-001", "--review", "--assign", "lead");
    p.ok("lead", "review", "CR-001", "--recommend", "--comment", "ok");
    const r = p.no("claude", "route", "CR-001", "--approval");
    assert.match(r.out, /quality/);
  });
});

describe("checkout transitions and withdraw (spec §12.3, §12.4)", () => {
  it("REQ-WF-016: PRE_APPROVED checkout reverts to DRAFT with tracking cleared", () => {
    const p = project();
    crTo(p, "PRE_APPROVED");
    p.ok("claude", "checkout", "CR-001");
    const m = meta(p.root, "CR", "CR-001");
    assert.equal(m.status, "DRAFT");
    assert.equal(m.version, "1.0");
    assert.deepEqual(m.pending_assignees, []);
    assert.deepEqual(m.review_outcomes, {});
  });

  for (const [type, kind, from, to] of [
    ["SOP", "review", "IN_REVIEW", "DRAFT"],
    ["CR", "review", "IN_PRE_REVIEW", "DRAFT"],
  ] as const) {
    it(`REQ-WF-018: withdraw from ${from} returns to ${to} and clears assignees and inbox`, () => {
      const p = project();
      p.ok("claude", "create", type, "--title", "x");
      p.ok("claude", "route", `${type}-001`, `--${kind}`);
      assert.equal(listInbox(p.root, "qa").length, 1);
      const r = p.ok("claude", "withdraw", `${type}-001`);
      assert.match(r.stdout, new RegExp(`Status: ${from} -> ${to}`));
      const m = meta(p.root, type, `${type}-001`);
      assert.equal(m.status, to);
      assert.deepEqual(m.pending_assignees, []);
      assert.deepEqual(listInbox(p.root, "qa"), []);
      const w = audit(p.root, type, `${type}-001`).find((e) => e.event === "WITHDRAW")!;
      assert.equal(w.from_status, from);
      assert.equal(w.to_status, to);
    });
  }

  it("REQ-WF-018: withdraw from IN_POST_REVIEW returns to IN_EXECUTION", () => {
    const p = project();
    crTo(p, "IN_EXECUTION");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("claude", "withdraw", "CR-001");
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_EXECUTION");
  });

  it("REQ-WF-018: withdraw from approval keeps review outcomes so approval can be re-routed", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval");
    p.ok("claude", "withdraw", "SOP-001");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "REVIEWED");
    p.ok("claude", "route", "SOP-001", "--approval");
  });

  it("REQ-WF-018: only the responsible user may withdraw", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    const r = p.no("qa", "withdraw", "SOP-001");
    assert.match(r.out, /responsible user|owner|belongs to claude/);
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "IN_REVIEW");
  });

  for (const [stage, expected] of [
    ["IN_PRE_REVIEW", "DRAFT"],
    ["IN_PRE_APPROVAL", "PRE_REVIEWED"],
    ["IN_POST_REVIEW", "IN_EXECUTION"],
  ] as const) {
    it(`REQ-DOC-007, REQ-WF-022: owner checkout auto-withdraws from ${stage}`, () => {
      const p = project();
      p.ok("claude", "create", "CR", "--title", "x");
      if (stage === "IN_PRE_REVIEW") p.ok("claude", "route", "CR-001", "--review");
      if (stage === "IN_PRE_APPROVAL") {
        p.ok("claude", "route", "CR-001", "--review");
        p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
        p.ok("claude", "route", "CR-001", "--approval");
      }
      if (stage === "IN_POST_REVIEW") {
        p.ok("claude", "route", "CR-001", "--review");
        p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
        p.ok("claude", "route", "CR-001", "--approval");
        p.ok("qa", "approve", "CR-001");
        p.ok("claude", "release", "CR-001");
        p.ok("claude", "route", "CR-001", "--review");
      }
      const r = p.ok("claude", "checkout", "CR-001");
      assert.match(r.stdout, /Auto-withdrawn/);
      const m = meta(p.root, "CR", "CR-001");
      assert.equal(m.status, expected);
      assert.equal(m.checked_out, true);
      assert.ok(auditEvents(p.root, "CR", "CR-001").includes("WITHDRAW"));
      assert.deepEqual(listInbox(p.root, "qa"), []);
    });
  }

  it("REQ-DOC-007, REQ-WF-022: auto-withdraw is refused for a non-owner", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "x");
    p.ok("claude", "route", "CR-001", "--review");
    const r = p.no("lead", "checkout", "CR-001");
    assert.match(r.out, /owner/);
    assert.match(r.out, /claude/);
    assert.equal(meta(p.root, "CR", "CR-001").status, "IN_PRE_REVIEW");
  });

  it("REQ-WF-022: owner checkout of an SOP in review auto-withdraws to DRAFT", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("claude", "checkout", "SOP-001");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.status, "DRAFT");
    assert.equal(m.checked_out, true);
  });

  it("REQ-WF-015, REQ-WF-023: routing another user's checked-out document is refused", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "x");
    const before = fs.readFileSync(path.join(p.root, "QMS/.audit/CR/CR-001.jsonl"), "utf8");
    p.no("lead", "route", "CR-001", "--review");
    assert.equal(fs.readFileSync(path.join(p.root, "QMS/.audit/CR/CR-001.jsonl"), "utf8"), before);
    assert.equal(meta(p.root, "CR", "CR-001").checked_out, true);
  });
});

describe("audit completeness (spec §12.5)", () => {
  it("REQ-AUDIT-002: an SOP revised, discarded and retired and a CR taken through every command produce exactly the 16 events of spec §3.5, plus DISCARD (TS, qms.md §13 item 19)", () => {
    const p = project();
    effectiveSop(p);
    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "checkout", "SOP-001", "--discard");
    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval", "--retire");
    p.ok("qa", "approve", "SOP-001");
    p.ok("claude", "create", "CR", "--title", "x");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "assign", "CR-001", "--assignees", "tu_ui");
    p.ok("claude", "withdraw", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "reject", "CR-001", "--comment", "no");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "approve", "CR-001");
    p.ok("claude", "release", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "revert", "CR-001", "--reason", "again");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "approve", "CR-001");
    p.ok("claude", "close", "CR-001");
    const all = new Set([...auditEvents(p.root, "SOP", "SOP-001"), ...auditEvents(p.root, "CR", "CR-001")]);
    // the spec's list (REQ-AUDIT-002) and the TS extension, written out here on purpose: the code's constant is what is under test
    assert.deepEqual([...all].sort(), [
      "APPROVE", "ASSIGN", "CHECKIN", "CHECKOUT", "CLOSE", "CREATE", "DISCARD", "EFFECTIVE", "REJECT", "RELEASE", "RETIRE", "REVERT", "REVIEW", "ROUTE_APPROVAL", "ROUTE_REVIEW", "STATUS_CHANGE", "WITHDRAW",
    ]);
  });
});

describe("security (spec §12.6)", () => {
  it("REQ-SEC-001, REQ-SEC-002: groups drive what each user may do", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("lead", "create", "SOP", "--title", "y");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "assign", "SOP-001", "--assignees", "lead");
    p.ok("lead", "review", "SOP-001", "--recommend", "--comment", "ok");
  });

  it("REQ-SEC-002: a reviewer cannot create; nothing is written", () => {
    const p = project();
    const r = p.no("tu_ui", "create", "SOP", "--title", "x");
    assert.match(r.out, /Permission denied/);
    assert.match(r.out, /reviewer/);
    assert.deepEqual(fs.readdirSync(path.join(p.root, "QMS/SOP")), []);
  });

  it("REQ-SEC-002, REQ-TASK-004: only quality assigns (RS table: not administrators, not reviewers)", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.no("claude", "assign", "SOP-001", "--assignees", "tu_ui");
    p.no("tu_ui", "assign", "SOP-001", "--assignees", "tu_scene");
    assert.deepEqual(meta(p.root, "SOP", "SOP-001").pending_assignees, ["qa"]);
  });

  it("REQ-SEC-007, REQ-TASK-004: assignment validation: approval only to quality/reviewer, unknown users never", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    p.no("qa", "assign", "SOP-001", "--assignees", "ghost");
    p.ok("qa", "assign", "SOP-001", "--assignees", "tu_ui");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("tu_ui", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.no("claude", "route", "SOP-001", "--approval", "--assign", "lead");
    p.ok("claude", "route", "SOP-001", "--approval");
    p.ok("qa", "assign", "SOP-001", "--assignees", "tu_scene");
    p.no("qa", "assign", "SOP-001", "--assignees", "claude");
    assert.deepEqual(meta(p.root, "SOP", "SOP-001").pending_assignees, ["qa", "tu_scene"]);
  });

  it("REQ-SEC-003: owner-only checkin, route and revert, even for a non-owner with a copy in their own workspace", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    const ownerDraft = fs.readFileSync(path.join(p.root, "QMS/SOP/SOP-001-draft.md"), "utf8");
    // lead (an administrator, so the group check passes) has an edited copy of SOP-001 in lead's own workspace
    fs.writeFileSync(path.join(p.root, ".claude/users/lead/workspace/SOP-001.md"), ownerDraft.replace(/\n*$/, "\n\nLead's rewrite.\n"));
    assert.match(p.no("lead", "checkin", "SOP-001").out, /Only the owner .* may check in SOP-001; its owner is claude/);
    assert.match(p.no("lead", "route", "SOP-001", "--review").out, /Only the owner .* may route SOP-001/);
    assert.equal(fs.readFileSync(path.join(p.root, "QMS/SOP/SOP-001-draft.md"), "utf8"), ownerDraft, "the owner's draft is untouched");
    p.ok("claude", "checkin", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review");
    assert.ok(!fs.readFileSync(path.join(p.root, "QMS/SOP/SOP-001-draft.md"), "utf8").includes("Lead's rewrite"));

    const q = project();
    crTo(q, "POST_REVIEWED");
    fs.writeFileSync(path.join(q.root, ".claude/users/lead/workspace/CR-001.md"), "---\ntitle: A change\n---\n\nlead's copy\n");
    assert.match(q.no("lead", "revert", "CR-001", "--reason", "x").out, /Only the owner .* may revert CR-001/);
    q.ok("claude", "revert", "CR-001", "--reason", "x");
    assert.equal(meta(q.root, "CR", "CR-001").status, "IN_EXECUTION");
  });

  it("REQ-SEC-004, REQ-SEC-005: unassigned users cannot review, approve or reject", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.ok("claude", "route", "SOP-001", "--review");
    const r = p.no("tu_ui", "review", "SOP-001", "--recommend", "--comment", "x");
    assert.match(r.out, /not assigned/);
    assert.match(r.out, /inbox/);
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval");
    p.no("tu_ui", "approve", "SOP-001");
    p.no("tu_ui", "reject", "SOP-001", "--comment", "x");
    p.no("claude", "approve", "SOP-001");
    p.ok("qa", "approve", "SOP-001");
  });

  it("REQ-SEC-002, REQ-SEC-003: reviewers cannot route, release, revert or close", () => {
    const p = project();
    crTo(p, "POST_REVIEWED");
    p.no("tu_ui", "route", "CR-001", "--approval");
    p.no("tu_ui", "revert", "CR-001", "--reason", "x");
    p.no("tu_ui", "release", "CR-001");
    p.no("tu_ui", "close", "CR-001");
    p.no("lead", "revert", "CR-001", "--reason", "x");
  });

  it("REQ-SEC-006, REQ-USER-004: unknown users are rejected with guidance and nothing is created", () => {
    const p = project();
    const r = p.no("nonexistent_user", "create", "SOP", "--title", "x");
    assert.match(r.out, /Unknown user/);
    assert.match(r.out, /user --add/);
    p.no("fake_qa", "inbox");
    assert.deepEqual(fs.readdirSync(path.join(p.root, "QMS/SOP")), []);
  });
});

describe("document types and IDs (spec §12.7)", () => {
  it("REQ-DOC-001, REQ-DOC-012, REQ-CFG-002: creates SOP, CR, INV with the right folders and executable flags", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "s");
    p.ok("claude", "create", "CR", "--title", "c");
    p.ok("claude", "create", "INV", "--title", "i");
    assert.ok(exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    assert.ok(exists(p.root, "QMS/CR/CR-001/CR-001-draft.md"));
    assert.ok(exists(p.root, "QMS/INV/INV-001/INV-001-draft.md"));
    assert.equal(meta(p.root, "SOP", "SOP-001").executable, false);
    assert.equal(meta(p.root, "CR", "CR-001").executable, true);
    assert.equal(meta(p.root, "INV", "INV-001").executable, true);
  });

  it("REQ-DOC-002, REQ-DOC-005, REQ-DOC-012: children live in the root family folder with {PARENT}-{TYPE}-NNN IDs", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "c");
    p.ok("claude", "create", "INV", "--title", "i");
    p.ok("claude", "create", "TP", "--parent", "CR-001", "--title", "tp");
    p.ok("claude", "create", "ER", "--parent", "CR-001-TP-001", "--title", "er");
    p.ok("claude", "create", "VAR", "--parent", "CR-001", "--title", "v");
    p.ok("claude", "create", "VAR", "--parent", "CR-001", "--title", "v2");
    p.ok("claude", "create", "VAR", "--parent", "INV-001", "--title", "iv");
    for (const f of ["CR-001-TP-001-draft.md", "CR-001-TP-001-ER-001-draft.md", "CR-001-VAR-001-draft.md", "CR-001-VAR-002-draft.md"]) {
      assert.ok(exists(p.root, `QMS/CR/CR-001/${f}`), f);
    }
    assert.ok(exists(p.root, "QMS/INV/INV-001/INV-001-VAR-001-draft.md"));
    assert.equal(meta(p.root, "ER", "CR-001-TP-001-ER-001").doc_type, "ER");
    assert.equal(meta(p.root, "TP", "CR-001-TP-001").doc_type, "TP");
  });

  it("REQ-DOC-002, REQ-DOC-015, REQ-DOC-016: parent rules: required, right type, ADD needs CLOSED, VR needs IN_EXECUTION", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "c");
    p.no("claude", "create", "TP", "--title", "no parent");
    p.no("claude", "create", "ADD", "--title", "no parent");
    p.no("claude", "create", "VR", "--title", "no parent");
    p.ok("claude", "create", "TP", "--parent", "CR-001", "--title", "tp");
    p.no("claude", "create", "ADD", "--parent", "CR-001-TP-001", "--title", "bad type");
    p.no("claude", "create", "VR", "--parent", "CR-001-TP-001", "--title", "bad type");
    p.no("claude", "create", "ADD", "--parent", "CR-001", "--title", "not closed");
    p.no("claude", "create", "VR", "--parent", "CR-001", "--title", "not executing");
    p.no("claude", "create", "TP", "--parent", "CR-999", "--title", "missing");
  });

  it("REQ-DOC-005, REQ-DOC-015, REQ-DOC-016, REQ-DOC-017: ADD under CLOSED parents; VR born IN_EXECUTION 1.0 under an executing CR; sequential numbering", () => {
    const p = project();
    crTo(p, "CLOSED");
    for (const n of ["001", "002", "003"]) {
      const r = p.ok("claude", "create", "ADD", "--parent", "CR-001", "--title", `add ${n}`);
      assert.match(r.stdout, new RegExp(`Created: CR-001-ADD-${n}`));
    }
    assert.ok(exists(p.root, "QMS/CR/CR-001/CR-001-ADD-003-draft.md"));
    const q = project();
    crTo(q, "IN_EXECUTION");
    for (const n of ["001", "002"]) q.ok("claude", "create", "VR", "--parent", "CR-001", "--title", `vr ${n}`);
    const m = meta(q.root, "VR", "CR-001-VR-002");
    assert.equal(m.status, "IN_EXECUTION");
    assert.equal(m.version, "1.0");
    assert.equal(m.execution_phase, "post_release");
    assert.equal(m.checked_out, true);
  });

  it("REQ-DOC-020: closing a parent cascade-closes its open VR attachments", () => {
    const p = project();
    crTo(p, "IN_EXECUTION");
    p.ok("claude", "create", "VR", "--parent", "CR-001", "--title", "verification");
    p.ok("claude", "route", "CR-001", "--review");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "CR-001", "--approval");
    p.ok("qa", "approve", "CR-001");
    const r = p.ok("claude", "close", "CR-001");
    assert.match(r.stdout, /Cascade closed: CR-001-VR-001/);
    const m = meta(p.root, "VR", "CR-001-VR-001");
    assert.equal(m.status, "CLOSED");
    assert.equal(m.responsible_user, null);
    assert.ok(exists(p.root, "QMS/CR/CR-001/CR-001-VR-001.md"));
    assert.ok(!exists(p.root, ".claude/users/claude/workspace/CR-001-VR-001.md"));
    assert.deepEqual(auditEvents(p.root, "VR", "CR-001-VR-001").slice(-2), ["CLOSE", "STATUS_CHANGE"]);
  });

  it("REQ-DOC-004: sequential IDs: SOP-001..003, CR-001..002; a retired number is never reused", () => {
    const p = project();
    effectiveSop(p);
    p.ok("claude", "checkout", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "retire it");
    p.ok("claude", "route", "SOP-001", "--approval", "--retire");
    p.ok("qa", "approve", "SOP-001");
    assert.equal(meta(p.root, "SOP", "SOP-001").status, "RETIRED");
    assert.ok(!exists(p.root, "QMS/SOP/SOP-001.md") && !exists(p.root, "QMS/SOP/SOP-001-draft.md"), "a retired SOP keeps no current file");
    for (const n of ["002", "003"]) assert.match(p.ok("claude", "create", "SOP", "--title", `s${n}`).stdout, new RegExp(`Created: SOP-${n}\\b`));
    for (const n of ["001", "002"]) assert.match(p.ok("claude", "create", "CR", "--title", `c${n}`).stdout, new RegExp(`Created: CR-${n}\\b`));
    assert.ok(exists(p.root, "QMS/SOP/SOP-003-draft.md"));
    assert.ok(exists(p.root, "QMS/CR/CR-002/CR-002-draft.md"));
  });

  it("REQ-DOC-010: cancel: v0.x only, not while checked out, --confirm required; removes everything and frees the ID", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "x");
    p.no("claude", "cancel", "SOP-001", "--confirm");
    p.ok("claude", "route", "SOP-001", "--review");
    assert.equal(listInbox(p.root, "qa").length, 1);
    const dry = p.no("claude", "cancel", "SOP-001");
    assert.match(dry.out, /--confirm/);
    assert.ok(exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    p.ok("claude", "cancel", "SOP-001", "--confirm");
    assert.ok(!exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    assert.ok(!exists(p.root, "QMS/.meta/SOP/SOP-001.json"));
    assert.ok(!exists(p.root, "QMS/.audit/SOP/SOP-001.jsonl"));
    assert.deepEqual(listInbox(p.root, "qa"), []);
    p.ok("claude", "create", "SOP", "--title", "again");
    assert.ok(exists(p.root, "QMS/SOP/SOP-001-draft.md"));
  });

  it("REQ-DOC-010: cancel is refused for an EFFECTIVE 1.0 document", () => {
    const p = project();
    effectiveSop(p);
    const r = p.no("claude", "cancel", "SOP-001", "--confirm");
    assert.match(r.out, /retire/i);
    assert.ok(exists(p.root, "QMS/SOP/SOP-001.md"));
  });

  it("REQ-DOC-010: cancel of a CR removes its now-empty folder", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "x");
    p.ok("claude", "checkin", "CR-001");
    p.ok("claude", "cancel", "CR-001", "--confirm");
    assert.ok(!exists(p.root, "QMS/CR/CR-001"));
  });

  it("REQ-DOC-011: TEMPLATE documents are name-based", () => {
    const p = project();
    p.ok("claude", "create", "TEMPLATE", "--name", "CR", "--title", "CR template");
    p.ok("claude", "create", "TEMPLATE", "--name", "sop", "--title", "SOP template");
    assert.ok(exists(p.root, "QMS/TEMPLATE/TEMPLATE-CR-draft.md"));
    assert.ok(exists(p.root, "QMS/TEMPLATE/TEMPLATE-SOP-draft.md"));
    p.no("claude", "create", "TEMPLATE", "--title", "no name");
    p.no("claude", "create", "TEMPLATE", "--name", "CR", "--title", "duplicate");
  });

  it("REQ-DOC-007, REQ-WF-020: EFFECTIVE checkout keeps N.0 in force and creates an N.1 draft; archiving waits for approval", () => {
    const p = project();
    effectiveSop(p);
    p.ok("claude", "checkout", "SOP-001");
    const m = meta(p.root, "SOP", "SOP-001");
    assert.equal(m.version, "1.1");
    assert.equal(m.status, "DRAFT");
    assert.equal(m.effective_version, "1.0");
    assert.ok(exists(p.root, "QMS/SOP/SOP-001.md"));
    assert.ok(exists(p.root, "QMS/SOP/SOP-001-draft.md"));
    assert.ok(!exists(p.root, "QMS/.archive/SOP/SOP-001-v1.0.md"));
    const [co, change] = audit(p.root, "SOP", "SOP-001").slice(-2);
    assert.equal(co!.event, "CHECKOUT");
    assert.equal(co!.from_version, "1.0");
    // integrity §2: the status change EFFECTIVE → DRAFT is on the record too (the Python tool made it silently)
    assert.deepEqual([change!.event, change!.from_status, change!.to_status], ["STATUS_CHANGE", "EFFECTIVE", "DRAFT"]);
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval");
    p.ok("qa", "approve", "SOP-001");
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v1.0.md"));
    assert.ok(exists(p.root, "QMS/.archive/SOP/SOP-001-v1.1.md"));
    assert.equal(meta(p.root, "SOP", "SOP-001").version, "2.0");
  });

  it("a Python-era top-level child ID (VAR-001 in QMS/VAR/) still opens", () => {
    const p = project();
    fs.mkdirSync(path.join(p.root, "QMS/VAR"), { recursive: true });
    fs.mkdirSync(path.join(p.root, "QMS/.meta/VAR"), { recursive: true });
    fs.writeFileSync(path.join(p.root, "QMS/VAR/VAR-001.md"), "---\ntitle: Old variance\nrevision_summary: Initial draft\n---\n\nbody\n");
    fs.writeFileSync(
      path.join(p.root, "QMS/.meta/VAR/VAR-001.json"),
      JSON.stringify({ doc_id: "VAR-001", doc_type: "VAR", version: "2.0", status: "CLOSED", executable: true, responsible_user: null, checked_out: false, pending_assignees: [] }, null, 2),
    );
    assert.match(p.ok("qa", "status", "VAR-001").stdout, /Title: Old variance/);
    assert.match(p.ok("qa", "read", "VAR-001").stdout, /body/);
  });

  it("issue 13: a Python-era top-level VAR-001 kept in QMS/CR/ (as the Python tool wrote it) reads, checks in and out", () => {
    const p = project();
    fs.mkdirSync(path.join(p.root, "QMS/.meta/VAR"), { recursive: true });
    fs.writeFileSync(path.join(p.root, "QMS/CR/VAR-001-draft.md"), "---\ntitle: Legacy variance\nrevision_summary: Initial draft\n---\n\nold body\n");
    fs.writeFileSync(
      path.join(p.root, "QMS/.meta/VAR/VAR-001.json"),
      JSON.stringify({ doc_id: "VAR-001", doc_type: "VAR", version: "0.1", status: "DRAFT", executable: true, execution_phase: "pre_release", responsible_user: "claude", checked_out: true, checked_out_date: "2026-01-10", effective_version: null, pending_assignees: [] }, null, 2),
    );
    fs.writeFileSync(path.join(p.root, ".claude/users/claude/workspace/VAR-001.md"), "---\ntitle: Legacy variance\nrevision_summary: Initial draft\n---\n\nedited body\n");
    assert.match(p.ok("qa", "read", "VAR-001").stdout, /old body/);
    assert.match(p.ok("claude", "checkin", "VAR-001").stdout, /Checked in: VAR-001/);
    assert.match(fs.readFileSync(path.join(p.root, "QMS/CR/VAR-001-draft.md"), "utf8"), /edited body/, "the draft stays where the Python tool put it");
    assert.ok(!fs.existsSync(path.join(p.root, "QMS/VAR")), "no second copy in another folder");
    p.ok("claude", "checkout", "VAR-001");
    assert.match(fs.readFileSync(path.join(p.root, ".claude/users/claude/workspace/VAR-001.md"), "utf8"), /edited body/);
    assert.match(p.ok("qa", "read", "VAR-001", "--draft").stdout, /edited body/);
  });

  it("REQ-DOC-001: unknown types are refused with the list of valid ones", () => {
    const p = project();
    const r = p.no("claude", "create", "CAPA", "--title", "x");
    assert.match(r.out, /Unknown document type/);
    assert.match(r.out, /SOP, CR, INV/);
  });
});
