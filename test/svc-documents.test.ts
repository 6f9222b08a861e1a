import type { CheckoutData } from "../src/services/checkout.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { assign } from "../src/services/assign.js";
import { cancel } from "../src/services/cancel.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import { create } from "../src/services/create.js";
import { release } from "../src/services/release.js";
import { revert } from "../src/services/revert.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { withdraw } from "../src/services/withdraw.js";
import { svcProject } from "./svc-harness.js";

describe("create (in process)", () => {
  it("REQ-DOC-001, REQ-DOC-007: create writes the draft, the meta, the owner's workspace copy and one CREATE event", (t) => {
    const p = svcProject(t);
    const r = p.ok(create, "claude", { type: "sop", title: "Cleaning" });
    assert.deepEqual(r.data, {
      doc_id: "SOP-001",
      doc_type: "SOP",
      version: "0.1",
      status: "DRAFT",
      title: "Cleaning",
      path: "QMS/SOP/SOP-001-draft.md",
      workspace_path: ".claude/users/claude/workspace/SOP-001.md",
      responsible_user: "claude",
    });
    assert.deepEqual(r.lines, ["Created: SOP-001 (v0.1, DRAFT)", "Location: QMS/SOP/SOP-001-draft.md", "Workspace: .claude/users/claude/workspace/SOP-001.md", "Responsible: claude", ""]);
    assert.deepEqual(r.next, [{ action: "checkin", doc_id: "SOP-001", lead: "Edit the workspace copy, then" }]);
    const m = p.meta("SOP-001");
    assert.deepEqual(
      [m.doc_type, m.version, m.status, m.executable, m.execution_phase, m.responsible_user, m.checked_out, m.checked_out_date, m.effective_version, m.pending_assignees],
      ["SOP", "0.1", "DRAFT", false, null, "claude", true, "2026-03-02", null, []],
    );
    assert.equal(p.read(".claude/users/claude/workspace/SOP-001.md"), p.draft("SOP-001"));
    const [event] = p.audit("SOP-001");
    assert.deepEqual([event!.event, event!.user, event!.version, event!.title], ["CREATE", "claude", "0.1", "Cleaning"]);
    assert.equal(p.ok(create, "claude", { type: "SOP" }).data.title, "SOP - [Title]", "the placeholder title");
  });

  it("REQ-DOC-012, REQ-DOC-002, REQ-DOC-005, REQ-DOC-016: executables get their own folder and the pre-release phase; children need the right parent", (t) => {
    const p = svcProject(t);
    const cr = p.ok(create, "claude", { type: "CR", title: "c" }).data;
    assert.equal(cr.path, "QMS/CR/CR-001/CR-001-draft.md");
    assert.deepEqual([p.meta("CR-001").executable, p.meta("CR-001").execution_phase], [true, "pre_release"]);
    p.no(create, "claude", { type: "TP", title: "tp" }, "invalid-parent", /TP documents need a parent \(CR\)/);
    p.no(create, "claude", { type: "SOP", title: "s", parent: "CR-001" }, "invalid-parent", /SOP cannot be created under CR-001 \(a CR\)/);
    p.no(create, "claude", { type: "VR", title: "v", parent: "CR-001" }, "invalid-parent", /A VR needs its parent CR-001 to be IN_EXECUTION; it is DRAFT\./);
    const tp = p.ok(create, "claude", { type: "TP", title: "tp", parent: "CR-001" }).data;
    assert.equal(tp.doc_id, "CR-001-TP-001");
    assert.equal(tp.path, "QMS/CR/CR-001/CR-001-TP-001-draft.md");
    p.no(create, "claude", { type: "ER", title: "er", parent: "CR-001" }, "invalid-parent", /An ER cannot be created under CR-001 \(a CR\); its parent must be a TP/);
    assert.equal(p.ok(create, "claude", { type: "ER", title: "er", parent: "CR-001-TP-001" }).data.doc_id, "CR-001-TP-001-ER-001");
    p.no(create, "claude", { type: "CR", title: "c", parent: "SOP-404" }, "not-found", /Document not found: SOP-404\./);
    p.no(create, "claude", { type: "TP", title: "c", parent: "CR-404" }, "not-found", /CR-404/);
  });

  it("REQ-DOC-011, REQ-DOC-001: templates are named; unknown types are listed", (t) => {
    const p = svcProject(t);
    p.no(create, "claude", { type: "TEMPLATE", title: "t" }, "invalid-argument", /TEMPLATE documents are named: --name is required\./);
    p.no(create, "claude", { type: "TEMPLATE", title: "t", name: "bad name" }, "invalid-argument", /Invalid template name 'BAD NAME': use letters, digits and '_' only\./);
    assert.equal(p.ok(create, "claude", { type: "TEMPLATE", title: "t", name: "cr" }).data.doc_id, "TEMPLATE-CR");
    p.no(create, "claude", { type: "TEMPLATE", title: "t", name: "CR" }, "already-exists", /TEMPLATE-CR already exists\./);
    const r = p.no(create, "claude", { type: "XYZ", title: "x" }, "invalid-type", /Unknown document type 'XYZ'\. Valid types: .*SOP/);
    // issue 9: an unknown type lists the valid ones; it no longer suggests registering a namespace
    assert.doesNotMatch(JSON.stringify(r.refusal), /namespace/);
    p.no(create, "claude", { type: "A".repeat(60), title: "x" }, "invalid-type", new RegExp(`Unknown document type '${"A".repeat(40)}…'`));
    p.no(create, "claude", { type: "SOP", title: "x".repeat(201) }, "invalid-argument", /--title/);
  });

  it("REQ-DOC-004: numbers count up per type and are never reused once any file or meta holds them", (t) => {
    const p = svcProject(t);
    for (const n of ["001", "002"]) assert.equal(p.ok(create, "claude", { type: "SOP", title: n }).data.doc_id, `SOP-${n}`);
    assert.equal(p.ok(create, "claude", { type: "CR", title: "c" }).data.doc_id, "CR-001");
    fs.writeFileSync(p.file("QMS/SOP/SOP-007.md"), "---\ntitle: stray\n---\n");
    assert.equal(p.ok(create, "claude", { type: "SOP", title: "next" }).data.doc_id, "SOP-008");
  });
});

describe("checkout and checkin (in process)", () => {
  it("REQ-DOC-007, REQ-DOC-008: checkout copies the draft to the workspace; checkin copies it back and ends the checkout", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.no(checkout, "claude", { docId: "SOP-001" }, "checked-out", /You already have SOP-001 checked out\./);
    p.no(checkout, "lead", { docId: "SOP-001" }, "checked-out", /SOP-001 is checked out by claude\./);
    p.edit("claude", "SOP-001", "---\ntitle: New title\nrevision_summary: first\nextra: dropped\n---\n\nEdited body.\n");
    const r = p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", version: "0.1", status: "DRAFT" });
    assert.deepEqual(r.lines, ["Checked in: SOP-001 (v0.1)", "Status: DRAFT"]);
    const draft = p.draft("SOP-001") ?? "";
    assert.match(draft, /^title: New title$/m);
    assert.match(draft, /^revision_summary: first$/m);
    assert.doesNotMatch(draft, /extra: dropped/, "only title and revision_summary come back from the workspace");
    assert.match(draft, /Edited body\./);
    assert.equal(p.read(".claude/users/claude/workspace/SOP-001.md"), undefined);
    assert.deepEqual([p.meta("SOP-001").checked_out, p.meta("SOP-001").checked_out_date], [false, null]);
    p.no(checkin, "claude", { docId: "SOP-001" }, "not-checked-out", /SOP-001 is not checked out\./);

    const co = p.ok(checkout, "lead", { docId: "SOP-001" });
    assert.deepEqual(co.data, { doc_id: "SOP-001", version: "0.1", status: "DRAFT", workspace_path: ".claude/users/lead/workspace/SOP-001.md" });
    assert.deepEqual(co.lines, ["Checked out: SOP-001 (v0.1, DRAFT)", "Workspace: .claude/users/lead/workspace/SOP-001.md"]);
    assert.equal(p.meta("SOP-001").responsible_user, "lead", "checkout makes the caller the owner");
    const copy = p.read(".claude/users/lead/workspace/SOP-001.md") ?? "";
    assert.match(copy, /title: New title/);
    assert.match(copy, /Edited body\./);
  });

  it("REQ-DOC-008: checkin refuses a missing workspace copy and field values over the limits, changing nothing", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    fs.rmSync(p.workspacePath("claude", "SOP-001"));
    const r = p.no(checkin, "claude", { docId: "SOP-001" }, "not-checked-out", /SOP-001 has no workspace copy for claude \(expected \.claude\/users\/claude\/workspace\/SOP-001\.md\)\./);
    assert.deepEqual(r.refusal.next?.map((s) => s.action), ["checkout", "workspace"]);
    p.edit("claude", "SOP-001", `---\ntitle: ${"t".repeat(201)}\n---\n\nbody\n`);
    p.no(checkin, "claude", { docId: "SOP-001" }, "invalid-argument", /The 'title:' in \.claude\/users\/claude\/workspace\/SOP-001\.md is longer than 200 characters; the same limit applies as to --title\./);
    p.edit("claude", "SOP-001", `---\ntitle: ok\nrevision_summary: ${"r".repeat(5001)}\n---\n\nbody\n`);
    p.no(checkin, "claude", { docId: "SOP-001" }, "invalid-argument", /The 'revision_summary:' .* the same limit applies as to --revision-summary\./);
    p.edit("claude", "SOP-001", "---\nrevision_summary: null\n---\n\nno title given\n");
    p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.match(p.draft("SOP-001") ?? "", /^title: x$/m, "a missing title keeps the previous one");
  });

  it("REQ-DOC-009: checking in a reviewed document sends it back to DRAFT, on the record, with the review outcomes cleared", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.checkoutAndEdit("claude", "SOP-001", "changed after review");
    assert.equal(p.meta("SOP-001").status, "REVIEWED", "checkout alone keeps REVIEWED");
    const r = p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.equal(r.data.status, "DRAFT");
    const [ci, sc] = p.audit("SOP-001").slice(-2);
    assert.deepEqual([ci!.event, sc!.event, sc!.from_status, sc!.to_status], ["CHECKIN", "STATUS_CHANGE", "REVIEWED", "DRAFT"]);
    assert.deepEqual(p.meta("SOP-001").review_outcomes, {});
  });

  it("REQ-WF-020: checking out an EFFECTIVE SOP starts v1.1 beside v1.0, which stays in force", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const v1 = p.effective("SOP-001");
    const r = p.ok(checkout, "lead", { docId: "SOP-001" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", version: "1.1", status: "DRAFT", workspace_path: ".claude/users/lead/workspace/SOP-001.md", from_version: "1.0" });
    assert.equal(p.effective("SOP-001"), v1);
    assert.equal(p.draft("SOP-001"), v1, "the new draft starts from the text in force");
    const m = p.meta("SOP-001");
    assert.deepEqual([m.status, m.version, m.effective_version, m.responsible_user, m.checked_out], ["DRAFT", "1.1", "1.0", "lead", true]);
    const [co, sc] = p.audit("SOP-001").slice(-2);
    assert.deepEqual([co!.event, co!.version, co!.from_version], ["CHECKOUT", "1.1", "1.0"]);
    assert.deepEqual([sc!.event, sc!.from_status, sc!.to_status], ["STATUS_CHANGE", "EFFECTIVE", "DRAFT"]);
  });

  it("REQ-WF-016, REQ-WF-017, REQ-WF-021: checkout of PRE_APPROVED goes back to DRAFT; of POST_REVIEWED back to execution (next minor); executions archive each minor", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("PRE_APPROVED");
    const back = p.ok(checkout, "claude", { docId: cr }) as { data: CheckoutData; lines: string[] };
    assert.deepEqual(back.data.transitioned, { from: "PRE_APPROVED", to: "DRAFT" });
    assert.equal(back.lines[0], "Transitioned from PRE_APPROVED to DRAFT");
    assert.equal(p.meta(cr).version, "1.0");

    const q = svcProject(t);
    const post = q.crTo("POST_REVIEWED");
    const r = q.ok(checkout, "claude", { docId: post }) as { data: CheckoutData; lines: string[] };
    assert.deepEqual(r.data.transitioned, { from: "POST_REVIEWED", to: "IN_EXECUTION" });
    assert.equal(r.data.version, "1.1", "IN_EXECUTION work gets the next minor");
    assert.deepEqual(q.meta(post).review_outcomes, {});
    const draftBefore = q.draft(post);
    q.edit("claude", post, "---\ntitle: A change\n---\n\nexecuted\n");
    q.ok(checkin, "claude", { docId: post });
    assert.equal(q.archived(post, "1.0"), draftBefore, "the checkin archives the previous minor");
  });

  it("REQ-DOC-019, REQ-WF-011: CLOSED and RETIRED documents cannot be checked out", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("POST_APPROVED");
    p.ok(close, "claude", { docId: cr });
    const r = p.no(checkout, "claude", { docId: cr }, "invalid-state", /CR-001 is CLOSED: a closed document cannot be checked out\./);
    assert.deepEqual(r.refusal.next, [{ action: "create", args: { doc_type: "ADD", parent: "CR-001" }, lead: "To correct it, create an addendum" }]);
  });
});

describe("review, assign and withdraw (in process)", () => {
  it("REQ-WF-004, REQ-AUDIT-004: each review is recorded with its comment; the last one completes the round; the reviewer's task leaves the inbox", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    const first = p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "request-updates", comment: "line 3\nis wrong" });
    assert.deepEqual(first.data, { doc_id: "SOP-001", outcome: "UPDATES_REQUIRED", status: "IN_REVIEW", remaining: ["qa"] });
    assert.deepEqual(first.lines, ["Review submitted: SOP-001 (UPDATES_REQUIRED)", "Waiting for: qa"]);
    assert.deepEqual(p.inbox("tu_ui"), []);
    assert.deepEqual(p.inbox("qa"), ["task-SOP-001-review-v0-1.md"]);
    const last = p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    assert.deepEqual(last.data, { doc_id: "SOP-001", outcome: "RECOMMEND", status: "REVIEWED", remaining: [] });
    assert.deepEqual(last.lines, ["Review submitted: SOP-001 (RECOMMEND)", "All reviews complete. Status: IN_REVIEW -> REVIEWED"]);
    assert.deepEqual(p.inbox("qa"), []);
    assert.deepEqual(p.meta("SOP-001").review_outcomes, { tu_ui: "UPDATES_REQUIRED", qa: "RECOMMEND" });
    const events = p.audit("SOP-001").filter((e) => e.event === "REVIEW");
    assert.deepEqual(events.map((e) => [e.user, e.outcome, e.comment]), [["tu_ui", "UPDATES_REQUIRED", "line 3\nis wrong"], ["qa", "RECOMMEND", "ok"]]);
    p.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "x" }, "invalid-state", /SOP-001 is REVIEWED, not in review\./);
  });

  it("REQ-WF-004: review needs exactly one outcome and a comment", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const r = p.no(review, "qa", { docId: "SOP-001", outcome: undefined, comment: "x" }, "invalid-argument", /Give exactly one outcome: --recommend or --request-updates\./);
    assert.deepEqual(r.refusal.next, [{ action: "review", doc_id: "SOP-001", args: { outcome: "recommend", comment: "..." }, lead: "Run" }]);
    p.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "" }, "invalid-argument", /--comment/);
    p.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "c".repeat(20001) }, "invalid-argument", /--comment/);
  });

  it("REQ-TASK-004: quality adds assignees during a round; each new one gets a task; known ones are noted", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.no(assign, "qa", { docId: "SOP-001", assignees: ["tu_ui"] }, "invalid-state", /SOP-001 is DRAFT, not in an active workflow: assignees can only be added during a review or approval\./);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const r = p.ok(assign, "qa", { docId: "SOP-001", assignees: ["qa", "tu_ui", "tu_sim"] });
    assert.deepEqual(r.data, { doc_id: "SOP-001", added: ["tu_ui", "tu_sim"], already_assigned: ["qa"] });
    assert.deepEqual(r.lines, ["Note: qa is already assigned.", "Assigned to SOP-001 (REVIEW): tu_ui, tu_sim", "Pending: qa, tu_ui, tu_sim"]);
    for (const u of ["tu_ui", "tu_sim"]) assert.deepEqual(p.inbox(u), ["task-SOP-001-review-v0-1.md"]);
    const ev = p.audit("SOP-001").at(-1)!;
    assert.deepEqual([ev.event, ev.user, ev.assignees], ["ASSIGN", "qa", ["tu_ui", "tu_sim"]]);
    const none = p.ok(assign, "qa", { docId: "SOP-001", assignees: ["tu_ui"] });
    assert.deepEqual(none.lines, ["Note: tu_ui is already assigned.", "No new assignees for SOP-001."]);
    p.no(assign, "qa", { docId: "SOP-001", assignees: [] }, "invalid-argument", /No assignees given\./);
    p.no(assign, "qa", { docId: "SOP-001", assignees: Array.from({ length: 51 }, (_, i) => `u${i}`) }, "invalid-argument", /Too many assignees \(at most 50\)\./);
    p.no(assign, "qa", { docId: "SOP-001", assignees: [" "] }, "unknown-user", /Cannot assign unknown user ''/);
  });

  it("REQ-WF-018: withdraw ends the round, removes every task and returns to where the round started", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.no(withdraw, "claude", { docId: "SOP-001" }, "invalid-transition", /Cannot withdraw SOP-001 from DRAFT: only a document in review or approval can be withdrawn\./);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    const r = p.ok(withdraw, "claude", { docId: "SOP-001" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", from_status: "IN_REVIEW", to_status: "DRAFT" });
    assert.deepEqual(r.lines, ["Withdrawn: SOP-001", "Status: IN_REVIEW -> DRAFT"]);
    assert.deepEqual([p.inbox("qa"), p.inbox("tu_ui")], [[], []]);
    assert.deepEqual(p.meta("SOP-001").pending_assignees, []);
    const ev = p.audit("SOP-001").at(-1)!;
    assert.deepEqual([ev.event, ev.from_status, ev.to_status], ["WITHDRAW", "IN_REVIEW", "DRAFT"]);
    const post = p.crTo("IN_POST_REVIEW");
    assert.equal(p.ok(withdraw, "claude", { docId: post }).data.to_status, "IN_EXECUTION");
  });
});

describe("release, revert, close and cancel (in process)", () => {
  it("REQ-WF-008: release moves PRE_APPROVED to IN_EXECUTION in the post-release phase; nothing else is released", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.no(release, "claude", { docId: "SOP-001" }, "invalid-type", /SOP-001 is not executable: only executable documents \(CR, INV, TP, \.\.\.\) are released\./);
    const cr = p.crTo("PRE_REVIEWED");
    p.no(release, "claude", { docId: cr }, "invalid-transition", /Cannot release CR-001 from PRE_REVIEWED: it must be PRE_APPROVED\./);
    p.ok(route, "claude", { docId: cr, kind: "approval" });
    p.ok(approve, "qa", { docId: cr });
    const r = p.ok(release, "claude", { docId: cr });
    assert.deepEqual(r.data, { doc_id: cr, version: "1.0", status: "IN_EXECUTION" });
    assert.deepEqual(r.lines, [`Released: ${cr} (v1.0)`, "Status: PRE_APPROVED -> IN_EXECUTION"]);
    assert.deepEqual(r.next, [{ action: "checkout", doc_id: cr, lead: "Execute it" }]);
    assert.equal(p.meta(cr).execution_phase, "post_release");
    assert.deepEqual(p.events(cr).slice(-2), ["RELEASE", "STATUS_CHANGE"]);
  });

  it("REQ-WF-009, REQ-WF-019: revert (deprecated) takes POST_REVIEWED back to IN_EXECUTION with a reason", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("POST_REVIEWED");
    p.no(revert, "claude", { docId: cr, reason: "" }, "invalid-argument", /--reason/);
    const r = p.ok(revert, "claude", { docId: cr, reason: "one more test" });
    assert.deepEqual(r.data, { doc_id: cr, version: "1.0", status: "IN_EXECUTION" });
    assert.deepEqual(r.lines, ["WARNING: 'revert' is deprecated. Use 'checkout' on a POST_REVIEWED document instead (REQ-WF-017).", `Reverted: ${cr}`, "Status: POST_REVIEWED -> IN_EXECUTION"]);
    const [rv, sc] = p.audit(cr).slice(-2);
    assert.deepEqual([rv!.event, rv!.reason, sc!.from_status, sc!.to_status], ["REVERT", "one more test", "POST_REVIEWED", "IN_EXECUTION"]);
    p.no(revert, "claude", { docId: cr, reason: "again" }, "invalid-transition", /Cannot revert CR-001 from IN_EXECUTION: it must be POST_REVIEWED\./);
  });

  it("REQ-WF-010, REQ-DOC-017, REQ-DOC-018, REQ-DOC-020: close makes the draft the closed record, clears ownership and cascades to open VRs", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    p.ok(checkout, "claude", { docId: cr });
    p.edit("claude", cr, "---\ntitle: A change\n---\n\ndone\n");
    const vr = p.ok(create, "claude", { type: "VR", title: "evidence", parent: cr }).data;
    assert.deepEqual([vr.doc_id, vr.version, vr.status], [`${cr}-VR-001`, "1.0", "IN_EXECUTION"]);
    p.ok(route, "claude", { docId: cr, kind: "review" });
    p.no(close, "claude", { docId: cr }, "invalid-transition", /Cannot close CR-001 from IN_POST_REVIEW: it must be POST_APPROVED\./);
    p.ok(review, "qa", { docId: cr, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: cr, kind: "approval" });
    p.ok(approve, "qa", { docId: cr });
    const r = p.ok(close, "claude", { docId: cr });
    assert.deepEqual(r.data, { doc_id: cr, version: "2.0", cascade_closed: [vr.doc_id] });
    assert.deepEqual(r.lines, [`Closed: ${cr} (v2.0)`, `Cascade closed: ${vr.doc_id}`]);
    const m = p.meta(cr);
    assert.deepEqual([m.status, m.responsible_user, m.checked_out, m.pending_assignees], ["CLOSED", null, false, []]);
    assert.equal(p.draft(cr), undefined);
    assert.match(p.effective(cr) ?? "", /done/);
    assert.deepEqual(p.events(cr).slice(-2), ["CLOSE", "STATUS_CHANGE"]);
    assert.equal(p.meta(vr.doc_id).status, "CLOSED");
    assert.equal(p.read(`.claude/users/claude/workspace/${vr.doc_id}.md`), undefined, "the VR's workspace copy is cleared");
    p.no(close, "claude", { docId: vr.doc_id }, "not-owner", /its owner is nobody/);
    const sop = p.effectiveSop();
    p.ok(checkout, "claude", { docId: sop });
    p.no(close, "claude", { docId: sop }, "invalid-type", /SOP-001 is not executable: only executable documents are closed \(non-executables become EFFECTIVE\)\./);
  });

  it("REQ-DOC-010: cancel deletes a never-approved, checked-in document entirely after --confirm, and frees its number", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const out = p.no(cancel, "claude", { docId: "SOP-001", confirm: true }, "checked-out", /SOP-001 is checked out by claude; it must be checked in before it can be cancelled\./);
    assert.deepEqual(out.refusal.next, [{ action: "checkin", doc_id: "SOP-001", user: "claude", lead: "Run" }]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const dry = p.no(cancel, "claude", { docId: "SOP-001", confirm: false }, "confirmation-required", /Cancelling SOP-001 permanently deletes 4 file\(s\):/);
    assert.deepEqual(dry.refusal.details, ["  QMS/SOP/SOP-001-draft.md", "  QMS/.meta/SOP/SOP-001.json", "  QMS/.audit/SOP/SOP-001.jsonl", "  .claude/users/qa/inbox/task-SOP-001-review-v0-1.md"]);
    const r = p.ok(cancel, "claude", { docId: "SOP-001", confirm: true });
    assert.equal(r.data.deleted.length, 4);
    assert.equal(r.lines[0], "Cancelled: SOP-001");
    assert.equal(p.hasMeta("SOP-001"), false);
    assert.equal(p.draft("SOP-001"), undefined);
    assert.deepEqual(p.inbox("qa"), []);
    assert.equal(p.ok(create, "claude", { type: "SOP", title: "again" }).data.doc_id, "SOP-001");
  });

  it("REQ-DOC-010: approved documents and parents of children cannot be cancelled", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const r = p.no(cancel, "claude", { docId: "SOP-001", confirm: true }, "invalid-state", /SOP-001 is v1\.0: only never-approved documents \(v0\.x\) can be cancelled\./);
    assert.deepEqual(r.refusal.next, [{ action: "route", doc_id: "SOP-001", args: { route_type: "approval", retire: true }, lead: "Retire it instead: check it out, route for review, then" }]);
    p.ok(create, "claude", { type: "CR", title: "c" });
    p.ok(create, "claude", { type: "TP", title: "tp", parent: "CR-001" });
    p.ok(checkin, "claude", { docId: "CR-001" });
    p.no(cancel, "claude", { docId: "CR-001", confirm: true }, "invalid-state", /CR-001 has child documents \(CR-001-TP-001\); cancel them first\./);
    p.ok(checkin, "claude", { docId: "CR-001-TP-001" });
    p.ok(cancel, "claude", { docId: "CR-001-TP-001", confirm: true });
    p.ok(cancel, "claude", { docId: "CR-001", confirm: true });
    assert.equal(fs.existsSync(path.join(p.root, "QMS/CR/CR-001")), false, "the emptied CR folder is removed");
  });
});

describe("what each operation records (in process)", () => {
  const changes = (p: ReturnType<typeof svcProject>, id: string, n: number) =>
    p.audit(id).slice(-n).map((e) => [e.event, e.user, e.version, e.from_status ?? "", e.to_status ?? ""].join(" ").trim());

  it("REQ-AUDIT-002, REQ-AUDIT-003, REQ-WF-022: an owner's checkout of a document in review withdraws it first, on the record, and says so", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui", "tu_sim"] });
    const partial = p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    assert.equal(partial.lines[1], "Waiting for: tu_ui, tu_sim");
    const r = p.ok(checkout, "claude", { docId: "SOP-001" });
    assert.deepEqual(r.lines, ["Auto-withdrawn: IN_REVIEW -> DRAFT", "Checked out: SOP-001 (v0.1, DRAFT)", "Workspace: .claude/users/claude/workspace/SOP-001.md"]);
    assert.deepEqual(r.next, [{ action: "checkin", doc_id: "SOP-001", lead: "Edit it, then" }]);
    assert.deepEqual(changes(p, "SOP-001", 2), ["WITHDRAW claude 0.1 IN_REVIEW DRAFT", "CHECKOUT claude 0.1"]);
    assert.deepEqual(p.meta("SOP-001").review_outcomes, {}, "withdrawing a review round voids its reviews");
    assert.deepEqual([p.inbox("tu_ui"), p.inbox("tu_sim")], [[], []]);
  });

  it("REQ-AUDIT-002, REQ-AUDIT-003, REQ-WF-016, REQ-WF-008, REQ-WF-010: every status change is on the record with where it came from and went", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("PRE_APPROVED");
    p.ok(checkout, "claude", { docId: cr });
    assert.deepEqual(changes(p, cr, 2), ["CHECKOUT claude 1.0", "STATUS_CHANGE claude 1.0 PRE_APPROVED DRAFT"]);
    const q = svcProject(t);
    const rel = q.crTo("PRE_APPROVED");
    q.ok(release, "claude", { docId: rel });
    assert.deepEqual(changes(q, rel, 2), ["RELEASE claude 1.0", "STATUS_CHANGE claude 1.0 PRE_APPROVED IN_EXECUTION"]);
    q.ok(route, "claude", { docId: rel, kind: "review" });
    q.ok(review, "qa", { docId: rel, outcome: "recommend", comment: "ok" });
    q.ok(route, "claude", { docId: rel, kind: "approval", assign: ["qa", "tu_ui", "tu_sim"] });
    assert.deepEqual(q.ok(approve, "qa", { docId: rel }).lines, [`Approved: ${rel} (v1.0) by qa`, "Waiting for: tu_ui, tu_sim"]);
    q.ok(approve, "tu_ui", { docId: rel });
    q.ok(approve, "tu_sim", { docId: rel });
    q.ok(close, "claude", { docId: rel });
    assert.deepEqual(changes(q, rel, 2), ["CLOSE claude 2.0", "STATUS_CHANGE claude 2.0 POST_APPROVED CLOSED"]);
  });

  it("REQ-WF-013: a retirement's approval records APPROVED, then RETIRED", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    p.ok(approve, "qa", { docId: "SOP-001" });
    assert.deepEqual(changes(p, "SOP-001", 4), ["APPROVE qa 1.1", "STATUS_CHANGE qa 2.0 IN_APPROVAL APPROVED", "RETIRE qa 2.0", "STATUS_CHANGE qa 2.0 APPROVED RETIRED"]);
  });

  it("REQ-DOC-017, REQ-WF-021, REQ-DOC-020: a VR's first checkin archives nothing; closing a parent skips attachments already closed", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr1 = p.ok(create, "claude", { type: "VR", title: "one", parent: cr }).data.doc_id;
    const vr2 = p.ok(create, "claude", { type: "VR", title: "two", parent: cr }).data.doc_id;
    p.ok(checkin, "claude", { docId: vr1 });
    assert.equal(p.archived(vr1, "1.0"), undefined, "v1.0 is the first version: nothing before it to archive");
    p.ok(close, "claude", { docId: vr1 });
    p.ok(route, "claude", { docId: cr, kind: "review" });
    p.ok(review, "qa", { docId: cr, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: cr, kind: "approval" });
    p.ok(approve, "qa", { docId: cr });
    const events = p.events(vr1).length;
    assert.deepEqual(p.ok(close, "claude", { docId: cr }).data.cascade_closed, [vr2]);
    assert.equal(p.events(vr1).length, events, "the closed VR is left alone");
  });

  it("REQ-DOC-010: cancel also removes the document's copies from every workspace", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    p.edit("lead", "SOP-001", "---\ntitle: x\n---\n\nstale copy\n");
    const r = p.ok(cancel, "claude", { docId: "SOP-001", confirm: true });
    assert.ok(r.data.deleted.includes(".claude/users/lead/workspace/SOP-001.md"), r.text);
    assert.equal(p.read(".claude/users/lead/workspace/SOP-001.md"), undefined);
    assert.deepEqual(r.lines, ["Cancelled: SOP-001", ...r.data.deleted.map((f) => `  deleted ${f}`)]);
  });
});
