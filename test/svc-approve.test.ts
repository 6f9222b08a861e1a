import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { reject } from "../src/services/reject.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { svcProject } from "./svc-harness.js";

describe("approve (in process)", () => {
  it("REQ-WF-006, REQ-TASK-003: each approver's task leaves the inbox when they approve; the last approval makes an SOP EFFECTIVE v1.0", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Procedure" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["qa", "tu_ui"] });
    assert.deepEqual(p.inbox("qa"), ["task-SOP-001-approval-v0-1.md"]);
    assert.deepEqual(p.inbox("tu_ui"), ["task-SOP-001-approval-v0-1.md"]);

    const first = p.ok(approve, "qa", { docId: "SOP-001" });
    assert.deepEqual(first.data, { doc_id: "SOP-001", version: "0.1", status: "IN_APPROVAL", remaining: ["tu_ui"], completed: false });
    assert.deepEqual(first.lines, ["Approved: SOP-001 (v0.1) by qa", "Waiting for: tu_ui"]);
    assert.deepEqual(p.inbox("qa"), [], "the approver's own task is gone");
    assert.deepEqual(p.inbox("tu_ui"), ["task-SOP-001-approval-v0-1.md"], "the other approver's task stays");
    assert.equal(p.meta("SOP-001").status, "IN_APPROVAL");
    assert.deepEqual(p.meta("SOP-001").pending_assignees, ["tu_ui"]);

    const last = p.ok(approve, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual(last.data, { doc_id: "SOP-001", version: "1.0", status: "EFFECTIVE", remaining: [], completed: true });
    assert.deepEqual(last.lines, ["Approved: SOP-001 (v0.1) by tu_ui", "SOP-001 is now EFFECTIVE (v0.1 -> v1.0)"]);
    assert.equal(last.next, undefined);
    for (const u of ["qa", "tu_ui", "claude", "lead"]) assert.deepEqual(p.inbox(u), [], `${u}'s inbox`);
    const m = p.meta("SOP-001");
    assert.deepEqual([m.status, m.version, m.effective_version, m.responsible_user, m.checked_out, m.checked_out_date], ["EFFECTIVE", "1.0", "1.0", null, false, null]);
    assert.deepEqual(m.pending_assignees, []);
    assert.equal(p.draft("SOP-001"), undefined);
    assert.match(p.effective("SOP-001") ?? "", /title: Procedure/);
    assert.equal(p.archived("SOP-001", "0.1"), p.effective("SOP-001"), "the approved draft is archived as v0.1");
    const tail = p.audit("SOP-001").slice(-5).map((e) => [e.event, e.user, e.version, e.from_status ?? e.from_version ?? "", e.to_status ?? ""]);
    assert.deepEqual(tail, [
      ["APPROVE", "qa", "0.1", "", ""],
      ["APPROVE", "tu_ui", "0.1", "", ""],
      ["STATUS_CHANGE", "tu_ui", "1.0", "IN_APPROVAL", "APPROVED"],
      ["EFFECTIVE", "tu_ui", "1.0", "0.1", ""],
      ["STATUS_CHANGE", "tu_ui", "1.0", "APPROVED", "EFFECTIVE"],
    ]);
  });

  it("REQ-WF-006, REQ-WF-020: approving a revision archives the version in force and replaces it (v1.0 -> v2.0)", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const v1 = p.effective("SOP-001");
    p.checkoutAndEdit("claude", "SOP-001", "The second edition.");
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    const r = p.ok(approve, "qa", { docId: "SOP-001" });
    assert.equal(r.data.version, "2.0");
    assert.equal(r.lines[1], "SOP-001 is now EFFECTIVE (v1.1 -> v2.0)");
    assert.equal(p.archived("SOP-001", "1.0"), v1, "the old effective text is kept");
    assert.match(p.archived("SOP-001", "1.1") ?? "", /The second edition\./);
    assert.match(p.effective("SOP-001") ?? "", /The second edition\./);
    assert.equal(p.meta("SOP-001").effective_version, "2.0");
    assert.deepEqual(p.inbox("qa"), []);
  });

  it("REQ-WF-006, REQ-WF-014, REQ-TASK-002: an executable's last approval stops at PRE_APPROVED / POST_APPROVED and names the owner's next step", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_PRE_APPROVAL");
    const task = p.read(`.claude/users/qa/inbox/task-${cr}-pre_approval-v0-1.md`) ?? "";
    assert.match(task, /^task_type: APPROVAL$/m, "a pre-approval task is an approval task");
    assert.match(task, /^workflow_type: PRE_APPROVAL$/m);
    const pre = p.ok(approve, "qa", { docId: cr });
    assert.deepEqual(pre.data, { doc_id: cr, version: "1.0", status: "PRE_APPROVED", remaining: [], completed: true });
    assert.deepEqual(pre.lines, [`Approved: ${cr} (v0.1) by qa`, "All approvals complete. Status: PRE_APPROVED (v1.0)"]);
    assert.deepEqual(pre.next, [{ action: "release", doc_id: cr, user: "claude", lead: "Next" }]);
    assert.equal(p.meta(cr).responsible_user, "claude", "an executable keeps its owner");
    assert.ok(p.draft(cr), "and its draft");
    assert.equal(p.effective(cr), undefined);
    assert.deepEqual(p.inbox("qa"), []);

    const q = svcProject(t);
    const post = q.crTo("IN_POST_APPROVAL");
    const done = q.ok(approve, "qa", { docId: post });
    assert.equal(done.data.status, "POST_APPROVED");
    assert.equal(done.data.version, "2.0");
    assert.deepEqual(done.next, [{ action: "close", doc_id: post, user: "claude", lead: "Next" }]);
    assert.deepEqual(q.inbox("qa"), []);
  });

  it("REQ-WF-013: approving a retirement archives everything, removes the current files and ends RETIRED", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const v1 = p.effective("SOP-001");
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "retire" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    const r = p.ok(approve, "qa", { docId: "SOP-001" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", version: "2.0", status: "RETIRED", remaining: [], completed: true });
    assert.deepEqual(r.lines.slice(1), ["Retired: SOP-001 (v2.0)", "Archived: v1.1, v2.0"]);
    assert.equal(p.draft("SOP-001"), undefined);
    assert.equal(p.effective("SOP-001"), undefined);
    assert.equal(p.archived("SOP-001", "1.0"), v1);
    assert.ok(p.archived("SOP-001", "1.1") && p.archived("SOP-001", "2.0"));
    const m = p.meta("SOP-001");
    assert.deepEqual([m.status, m.version, m.responsible_user, m.retiring], ["RETIRED", "2.0", null, undefined]);
    assert.deepEqual(p.events("SOP-001").slice(-4), ["APPROVE", "STATUS_CHANGE", "RETIRE", "STATUS_CHANGE"]);
    const retire = p.audit("SOP-001").at(-2)!;
    assert.deepEqual([retire.event, retire.from_version, retire.version], ["RETIRE", "1.1", "2.0"]);
    assert.deepEqual(p.inbox("qa"), []);
  });

  it("REQ-WF-006: approve outside an approval state is refused", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const r = p.no(approve, "qa", { docId: "SOP-001" }, "invalid-state", /SOP-001 is DRAFT, not in approval\./);
    assert.deepEqual(r.refusal.next, [{ action: "inbox", lead: "See" }]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.no(approve, "qa", { docId: "SOP-001" }, "invalid-state", /is IN_REVIEW, not in approval/);
  });
});

describe("reject (in process)", () => {
  it("REQ-WF-007, REQ-TASK-003: a rejection returns the document to its reviewed state and removes every approval task", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["qa", "tu_ui"] });
    const r = p.ok(reject, "tu_ui", { docId: "SOP-001", comment: "not yet" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", from_status: "IN_APPROVAL", to_status: "REVIEWED", version: "0.1" });
    assert.deepEqual(r.lines, ["Rejected: SOP-001 (v0.1)", "Status: IN_APPROVAL -> REVIEWED"]);
    assert.deepEqual(p.inbox("qa"), []);
    assert.deepEqual(p.inbox("tu_ui"), []);
    assert.deepEqual(p.meta("SOP-001").pending_assignees, []);
    const [rej, sc] = p.audit("SOP-001").slice(-2);
    assert.deepEqual([rej!.event, rej!.user, rej!.comment], ["REJECT", "tu_ui", "not yet"]);
    assert.deepEqual([sc!.event, sc!.from_status, sc!.to_status], ["STATUS_CHANGE", "IN_APPROVAL", "REVIEWED"]);
    p.no(reject, "qa", { docId: "SOP-001", comment: "x" }, "invalid-state", /SOP-001 is REVIEWED, not in approval: only a document in approval can be rejected\./);
  });

  it("REQ-WF-007: a rejected retirement is no longer a retirement; executables go back to PRE_/POST_REVIEWED", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    p.ok(reject, "qa", { docId: "SOP-001", comment: "keep it" });
    assert.equal(p.meta("SOP-001").retiring, undefined);
    const cr = p.crTo("IN_PRE_APPROVAL");
    assert.equal(p.ok(reject, "qa", { docId: cr, comment: "no" }).data.to_status, "PRE_REVIEWED");
    const q = svcProject(t);
    const post = q.crTo("IN_POST_APPROVAL");
    assert.equal(q.ok(reject, "qa", { docId: post, comment: "no" }).data.to_status, "POST_REVIEWED");
  });

  it("REQ-AUDIT-004: a rejection needs a comment", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_PRE_APPROVAL");
    p.no(reject, "qa", { docId: cr, comment: "" }, "invalid-argument", /--comment/);
  });
});
