import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { cancel } from "../src/services/cancel.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { reject } from "../src/services/reject.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { svcProject } from "./svc-harness.js";

/** The audit events' own fields, without the chain values and times. */
const fields = (e: Record<string, unknown>): Record<string, unknown> => {
  const { ts: _ts, prev: _prev, hash: _hash, ...rest } = e;
  return rest;
};

describe("checkout --discard (in process; qms.md §13 item 19)", () => {
  it("REQ-UX-004: the owner's discard of an EFFECTIVE document's revision draft returns it to the version in force, with DISCARD and STATUS_CHANGE", (t) => {
    const p = svcProject(t);
    const sop = p.effectiveSop();
    const effective = p.effective(sop);
    p.ok(checkout, "claude", { docId: sop });
    p.edit("claude", sop, "---\ntitle: x\n---\n\nedited\n");
    const r = p.ok(checkout, "claude", { docId: sop, discard: true });
    assert.deepEqual(r.data, { doc_id: sop, from_version: "1.1", to_version: "1.0", status: "EFFECTIVE", draft_removed: true });
    assert.equal(r.text, "Discarded: SOP-001 v1.1 (draft and workspace copy removed)\nBack to: v1.0 EFFECTIVE");
    const m = p.meta(sop);
    assert.deepEqual([m.version, m.status, m.responsible_user, m.checked_out, m.checked_out_date, m.effective_version, m.pending_assignees, m.review_outcomes, m.completed_reviewers], ["1.0", "EFFECTIVE", null, false, null, "1.0", [], {}, []]);
    assert.equal(p.draft(sop), undefined, "the revision draft is gone");
    assert.equal(p.effective(sop), effective, "the effective text is untouched");
    assert.equal(p.read(".claude/users/claude/workspace/SOP-001.md"), undefined, "the workspace copy is gone");
    assert.deepEqual(p.audit(sop).slice(-2).map(fields), [
      { event: "DISCARD", user: "claude", version: "1.0", from_version: "1.1", to_version: "1.0" },
      { event: "STATUS_CHANGE", user: "claude", version: "1.0", from_status: "DRAFT", to_status: "EFFECTIVE" },
    ]);
    // a discarded revision leaves a document that can be revised again from the version in force
    p.ok(checkout, "claude", { docId: sop });
    assert.equal(p.meta(sop).version, "1.1");
  });

  it("REQ-UX-004: discarding an IN_EXECUTION document's checkout keeps its draft (still that version's text) and its owner; no status change", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const draft = p.draft(cr);
    p.ok(checkout, "claude", { docId: cr });
    const r = p.ok(checkout, "claude", { docId: cr, discard: true });
    assert.deepEqual(r.data, { doc_id: cr, from_version: "1.1", to_version: "1.0", status: "IN_EXECUTION", draft_removed: false });
    assert.equal(r.text, "Discarded: CR-001 v1.1 (workspace copy removed)\nBack to: v1.0 IN_EXECUTION");
    const m = p.meta(cr);
    assert.deepEqual([m.version, m.status, m.responsible_user, m.checked_out, m.checked_out_date, m.execution_phase], ["1.0", "IN_EXECUTION", "claude", false, null, "post_release"]);
    assert.equal(p.draft(cr), draft);
    assert.deepEqual(p.audit(cr).slice(-1).map(fields), [{ event: "DISCARD", user: "claude", version: "1.0", from_version: "1.1", to_version: "1.0" }]);
  });

  it("REQ-UX-004, REQ-SEC-002: discard refusals name the rule and the next step, and change nothing", (t) => {
    const p = svcProject(t);
    const sop = p.effectiveSop();
    const fresh = p.ok(create, "claude", { type: "SOP", title: "New" }).data.doc_id;
    assert.equal(
      p.no(checkout, "claude", { docId: fresh, discard: true }, "invalid-state").text,
      "Error: SOP-002 is v0.1, never approved: there is no earlier version to return to.\nNext: A never-approved document is deleted instead (once checked in): qms --user claude cancel SOP-002 --confirm",
    );
    assert.equal(
      p.no(checkout, "claude", { docId: sop, discard: true }, "invalid-state").text,
      "Error: SOP-001 is v1.0 EFFECTIVE: only a revision draft (N.X of an EFFECTIVE document, or of one IN_EXECUTION) can be discarded.\nNext: See its state with: qms --user claude status SOP-001",
    );
    p.ok(checkout, "claude", { docId: sop });
    assert.equal(p.no(checkout, "ian", { docId: sop, discard: true }, "not-owner").text, "Error: Only the owner (responsible user) may discard SOP-001; it is checked out by claude, not ian.\nNext: Ask claude to discard or check in the draft.");
    assert.equal(
      p.no(checkout, "tu_ui", { docId: sop, discard: true }, "permission-denied").text,
      "Error: Permission denied: 'discard' requires group initiator (or administrator); user 'tu_ui' is in group 'reviewer'.\nNext: As a reviewer you can review, approve or reject documents assigned to you (see: inbox).",
    );
    assert.equal(
      p.no(cancel, "claude", { docId: sop, confirm: true }, "invalid-state").text,
      "Error: SOP-001 is v1.1: only never-approved documents (v0.x) can be cancelled.\nNext: To abandon this revision draft, discard it: qms --user claude checkout SOP-001 --discard; or, to retire the document: check it out, route for review, then: qms --user claude route SOP-001 --approval --retire",
    );
    p.ok(checkin, "claude", { docId: sop });
    assert.equal(
      p.no(checkout, "claude", { docId: sop, discard: true }, "not-checked-out").text,
      "Error: SOP-001 v1.1 is not checked out: only the checked-out revision draft is discarded.\nNext: Check it out first, then run again: qms --user claude checkout SOP-001",
    );
    assert.equal(
      p.no(cancel, "claude", { docId: sop, confirm: true }, "invalid-state").text,
      "Error: SOP-001 is v1.1: only never-approved documents (v0.x) can be cancelled.\nNext: To abandon this revision draft, check it out, then discard it: qms --user claude checkout SOP-001 --discard; or, to retire the document: check it out, route for review, then: qms --user claude route SOP-001 --approval --retire",
    );
    p.ok(route, "claude", { docId: sop, kind: "review" });
    assert.equal(
      p.no(checkout, "claude", { docId: sop, discard: true }, "invalid-state").text,
      "Error: SOP-001 is v1.1 IN_REVIEW: only a revision draft (N.X of an EFFECTIVE document, or of one IN_EXECUTION) can be discarded.\nNext: See its state with: qms --user claude status SOP-001",
    );
  });

  it("REQ-UX-004: a checked-in IN_EXECUTION revision has nothing to discard; the cancel refusal offers no discard step", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    p.ok(checkout, "claude", { docId: cr });
    p.ok(checkin, "claude", { docId: cr });
    const text = p.no(cancel, "claude", { docId: cr, confirm: true }, "invalid-state").text;
    assert.doesNotMatch(text, /discard/);
    assert.equal(
      p.no(checkout, "claude", { docId: cr, discard: true }, "not-checked-out").text,
      "Error: CR-001 v1.1 is not checked out: only the checked-out revision draft is discarded.\nNext: Check it out first (which withdraws a review or approval in progress), then run again: qms --user claude checkout CR-001",
    );
  });
});

describe("who may approve, told to those who may not (in process)", () => {
  it("REQ-WF-006, REQ-SEC-002: the author asking to approve their own document is told it is for quality and reviewer users, and whom to ask", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Two" }).data.doc_id;
    const denied = "Error: Permission denied: 'approve' requires group quality or reviewer; user 'claude' is in group 'administrator'.";
    assert.equal(p.no(approve, "claude", { docId: id }, "permission-denied").text, `${denied} You cannot approve your own document: that is for quality and reviewer users.\nNext: Ask a quality or reviewer user, e.g. qa, to look at their tasks: qms --user qa inbox`);
    assert.equal(p.no(approve, "claude", { docId: "SOP-099" }, "permission-denied").text, `${denied} To approve is for quality and reviewer users.\nNext: Ask a quality or reviewer user, e.g. qa, to look at their tasks: qms --user qa inbox`);
    p.ok(route, "claude", { docId: id, kind: "review" });
    p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: id, kind: "approval", assign: ["qa", "tu_ui"] });
    assert.equal(
      p.no(approve, "claude", { docId: id }, "permission-denied").text,
      `${denied} You cannot approve your own document: that is for quality and reviewer users.\nNext: It waits for qa, tu_ui; ask them to run: qms --user qa approve SOP-001; or ask a quality user to add another approver: qms --user qa assign SOP-001 --assignees <approver>`,
    );
    assert.equal(
      p.no(reject, "ian", { docId: id, comment: "no" }, "permission-denied").text,
      "Error: Permission denied: 'reject' requires group quality or reviewer; user 'ian' is in group 'initiator'. To reject is for quality and reviewer users.\nNext: It waits for qa, tu_ui; ask them to run: qms --user qa reject SOP-001; or ask a quality user to add another approver: qms --user qa assign SOP-001 --assignees <approver>",
    );
    p.ok(approve, "qa", { docId: id });
    assert.equal(
      p.no(approve, "ian", { docId: id }, "permission-denied").text,
      "Error: Permission denied: 'approve' requires group quality or reviewer; user 'ian' is in group 'initiator'. To approve is for quality and reviewer users.\nNext: It waits for tu_ui; ask them to run: qms --user tu_ui approve SOP-001; or ask a quality user to add another approver: qms --user qa assign SOP-001 --assignees <approver>",
    );
  });

  it("REQ-WF-006: an approver's other refusals are not rewritten (a quality user not assigned is told so)", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Two" }).data.doc_id;
    p.ok(route, "claude", { docId: id, kind: "review" });
    p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: id, kind: "approval" });
    const text = p.no(approve, "tu_ui", { docId: id }, "not-assigned").text;
    assert.doesNotMatch(text, /is for quality and reviewer users/);
  });
});
