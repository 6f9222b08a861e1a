import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import type { Status } from "../src/core/statuses.js";
import { resolveRoute } from "../src/core/transitions.js";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { withdraw } from "../src/services/withdraw.js";
import { svcProject } from "./svc-harness.js";

describe("route: the approval gate (in process)", () => {
  it("REQ-WF-005: a document with no review on record is never routed for approval", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const r = p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", /No reviews on record for SOP-001: a document is routed for approval only after a review/);
    assert.deepEqual(r.refusal.next, [{ action: "route", doc_id: "SOP-001", args: { route_type: "review" }, lead: "Route it for review first" }]);
  });

  for (const [qaOutcome, otherOutcome] of [
    ["request-updates", "recommend"],
    ["recommend", "request-updates"],
  ] as const) {
    it(`REQ-WF-005: mixed reviews (qa ${qaOutcome}, tu_ui ${otherOutcome}) block the approval route`, (t) => {
      const p = svcProject(t);
      p.ok(create, "claude", { type: "SOP", title: "x" });
      p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
      p.ok(review, "qa", { docId: "SOP-001", outcome: qaOutcome, comment: "qa says" });
      p.ok(review, "tu_ui", { docId: "SOP-001", outcome: otherOutcome, comment: "tu_ui says" });
      assert.equal(p.meta("SOP-001").status, "REVIEWED");
      const blocker = qaOutcome === "request-updates" ? "qa" : "tu_ui";
      const r = p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", new RegExp(`Cannot route SOP-001 for approval: ${blocker} requested updates\\.`));
      assert.deepEqual(r.refusal.next, [{ action: "checkout", doc_id: "SOP-001", lead: "Check out, revise and route for review again" }]);
      assert.deepEqual(p.inbox("qa"), [], "no approval task was written");
    });
  }

  it("REQ-WF-005: a single request for updates blocks the approval route", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "request-updates", comment: "fix it" });
    p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", /qa requested updates/);
  });

  it("REQ-WF-005: recommendations without one from the quality group do not open the gate", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["tu_ui", "tu_sim"] });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "tu_sim", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const r = p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", /no quality review on record \(reviewed by tu_ui, tu_sim\)/);
    assert.deepEqual(r.refusal.next, [{ action: "route", doc_id: "SOP-001", args: { route_type: "review", assignees: ["qa"] }, lead: "Route it for review with QA" }]);
  });

  it("REQ-WF-005: every reviewer recommending, qa among them, opens the gate", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const r = p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    assert.deepEqual(r.data, { doc_id: "SOP-001", workflow: "APPROVAL", from_status: "REVIEWED", to_status: "IN_APPROVAL", assignees: ["qa"], version: "0.1", auto_checked_in: false, retiring: false });
    assert.deepEqual(r.lines, ["Routed: SOP-001 for APPROVAL", "Status: REVIEWED -> IN_APPROVAL", "Assigned to: qa"]);
  });

  it("REQ-WF-005, TS §13.2: a new review round starts clean: an old request for updates does not count, nor does an old recommendation", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "request-updates", comment: "no" });
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["tu_ui"] });
    assert.deepEqual(p.meta("SOP-001").review_outcomes, {}, "the auto-checkin reset and the new round cleared the outcomes");
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "now ok" });
    // qa's recommendation of the earlier round is gone: no quality review in this round
    p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", /no quality review on record \(reviewed by tu_ui\)/);
  });

  it("REQ-WF-005, REQ-DOC-009: an edited reviewed document routed for approval is checked in first, which voids the reviews", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.checkoutAndEdit("claude", "SOP-001", "changed after the review");
    assert.deepEqual(p.meta("SOP-001").review_outcomes, { qa: "RECOMMEND" }, "checkout alone keeps the outcomes");
    p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "approval-gate", /SOP-001 was reviewed \(last review by qa at v0\.1, [\d-]+\), but it is checked out: routing checks it in, and a checked-in text counts as changed since its review/);
    assert.equal(p.meta("SOP-001").status, "REVIEWED", "nothing was checked in");
  });

  it("REQ-WF-005, REQ-WF-018: withdrawing an approval keeps the outcomes, so the owner may route for approval again", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    p.ok(withdraw, "claude", { docId: "SOP-001" });
    assert.equal(p.meta("SOP-001").status, "REVIEWED");
    assert.deepEqual(p.meta("SOP-001").review_outcomes, { qa: "RECOMMEND" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
  });
});

describe("route: the transition table (in process)", () => {
  /** Spec §6.3, written out: [kind, from, executable, phase] -> [to, workflow]. */
  const SPEC: Array<[string, Status, boolean, string | null, Status, string]> = [
    ["review", "DRAFT", false, null, "IN_REVIEW", "REVIEW"],
    ["review", "DRAFT", true, "pre_release", "IN_PRE_REVIEW", "PRE_REVIEW"],
    ["review", "DRAFT", true, "post_release", "IN_POST_REVIEW", "POST_REVIEW"],
    ["review", "IN_EXECUTION", true, "post_release", "IN_POST_REVIEW", "POST_REVIEW"],
    ["approval", "REVIEWED", false, null, "IN_APPROVAL", "APPROVAL"],
    ["approval", "PRE_REVIEWED", true, "pre_release", "IN_PRE_APPROVAL", "PRE_APPROVAL"],
    ["approval", "POST_REVIEWED", true, "post_release", "IN_POST_APPROVAL", "POST_APPROVAL"],
  ];

  it("REQ-WF-001: resolveRoute allows exactly the routes of spec §6.3 and rejects everything else", () => {
    const statuses: Status[] = ["DRAFT", "IN_REVIEW", "REVIEWED", "IN_APPROVAL", "APPROVED", "EFFECTIVE", "IN_PRE_REVIEW", "PRE_REVIEWED", "IN_PRE_APPROVAL", "PRE_APPROVED", "IN_EXECUTION", "IN_POST_REVIEW", "POST_REVIEWED", "IN_POST_APPROVAL", "POST_APPROVED", "CLOSED", "RETIRED"];
    let allowed = 0;
    for (const kind of ["review", "approval"] as const) {
      for (const from of statuses) {
        for (const executable of [false, true]) {
          for (const phase of executable ? (["pre_release", "post_release"] as const) : [null, "pre_release", "post_release"] as const) {
            const expected = SPEC.find(([k, f, e, ph]) => k === kind && f === from && e === executable && (!executable || ph === phase));
            const got = resolveRoute(kind, from, executable, phase);
            const label = `${kind} from ${from} (${executable ? phase : "non-executable"})`;
            if (!expected) {
              assert.equal(got, undefined, label);
              continue;
            }
            allowed++;
            assert.equal(got?.to, expected[4], label);
            assert.equal(got?.workflow, expected[5], label);
            assert.equal(got?.kind, kind, label);
            assert.equal(got?.from, from, label);
          }
        }
      }
    }
    assert.equal(allowed, 11, "seven routes; the two non-executable ones for any phase value");
  });

  it("REQ-WF-001, REQ-WF-002, REQ-WF-014: a CR goes DRAFT -> IN_PRE_REVIEW -> PRE_REVIEWED -> IN_PRE_APPROVAL, and after release IN_EXECUTION -> IN_POST_REVIEW -> IN_POST_APPROVAL", (t) => {
    const p = svcProject(t);
    const id = p.crTo("DRAFT");
    assert.equal(p.ok(route, "claude", { docId: id, kind: "review" }).data.to_status, "IN_PRE_REVIEW");
    p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
    assert.equal(p.meta(id).status, "PRE_REVIEWED");
    const pre = p.ok(route, "claude", { docId: id, kind: "approval" }).data;
    assert.deepEqual([pre.from_status, pre.to_status, pre.workflow], ["PRE_REVIEWED", "IN_PRE_APPROVAL", "PRE_APPROVAL"]);
    p.ok(approve, "qa", { docId: id });
    assert.equal(p.meta(id).status, "PRE_APPROVED");
    const cr = p.crTo("IN_EXECUTION");
    const post = p.ok(route, "claude", { docId: cr, kind: "review" }).data;
    assert.deepEqual([post.from_status, post.to_status, post.workflow], ["IN_EXECUTION", "IN_POST_REVIEW", "POST_REVIEW"]);
    p.ok(review, "qa", { docId: cr, outcome: "recommend", comment: "ok" });
    assert.equal(p.ok(route, "claude", { docId: cr, kind: "approval" }).data.to_status, "IN_POST_APPROVAL");
  });

  it("REQ-WF-001: routes not in the table are refused with the state they were tried from", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.no(route, "claude", { docId: "SOP-001", kind: "review" }, "invalid-transition", /Cannot route_review from IN_REVIEW \(non-executable\)\./);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const again = p.no(route, "claude", { docId: "SOP-001", kind: "review" }, "invalid-transition", /Cannot route_review from REVIEWED \(non-executable\)/);
    assert.deepEqual(again.refusal.next, [{ action: "status", doc_id: "SOP-001", lead: "See" }]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "invalid-transition", /Cannot route_approval from IN_APPROVAL/);
    const cr = p.crTo("PRE_APPROVED");
    p.no(route, "claude", { docId: cr, kind: "review" }, "invalid-transition", /Cannot route_review from PRE_APPROVED \(executable, pre_release\)/);
  });

  it("REQ-WF-001, REQ-WF-005: an executing CR is routed for review, never straight to approval, even with its pre-release reviews on record", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    assert.deepEqual(p.meta(cr).review_outcomes, { qa: "RECOMMEND" }, "the pre-release review stays on record");
    p.no(route, "claude", { docId: cr, kind: "approval" }, "invalid-transition", /Cannot route_approval from IN_EXECUTION \(executable, post_release\)\./);
    p.checkoutAndEdit("claude", cr, "executed");
    p.no(route, "claude", { docId: cr, kind: "approval" }, "invalid-transition", /Cannot route_approval from IN_EXECUTION/);
  });

  it("REQ-WF-001: route needs exactly one workflow kind", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const r = p.no(route, "claude", { docId: "SOP-001", kind: undefined }, "invalid-argument", /Say which workflow: exactly one of --review or --approval/);
    assert.deepEqual(r.refusal.next, [{ action: "route", doc_id: "SOP-001", args: { route_type: "review" }, lead: "Run" }]);
  });

  it("REQ-WF-001: an EFFECTIVE document has no draft to route", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const r = p.no(route, "claude", { docId: "SOP-001", kind: "review" }, "not-found", /No draft found for SOP-001 \(status EFFECTIVE\)/);
    assert.deepEqual(r.refusal.next, [{ action: "checkout", doc_id: "SOP-001", lead: "Check it out to revise it" }]);
  });
});

describe("route: auto-checkin, assignees and tasks (in process)", () => {
  it("REQ-WF-015, REQ-WF-023: routing a checked-out document checks the owner's workspace copy in first", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "First title" });
    p.edit("claude", "SOP-001", "---\ntitle: Second title\n---\n\nThe body as edited.\n");
    const r = p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    assert.equal(r.data.auto_checked_in, true);
    assert.equal(r.lines[0], "Auto-checked-in: SOP-001 (v0.1)");
    assert.match(p.draft("SOP-001") ?? "", /The body as edited\./);
    assert.equal(p.meta("SOP-001").checked_out, false);
    assert.deepEqual(p.events("SOP-001"), ["CREATE", "CHECKIN", "STATUS_CHANGE", "ROUTE_REVIEW"]);
    assert.ok(!p.read(".claude/users/claude/workspace/SOP-001.md"), "the workspace copy is gone");
    const task = p.read(".claude/users/qa/inbox/task-SOP-001-review-v0-1.md") ?? "";
    assert.match(task, /^title: Second title$/m, "the task carries the title just checked in");
  });

  it("REQ-WF-015: the owner's checkout without a workspace copy cannot be auto-checked-in", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    fs.rmSync(p.workspacePath("claude", "SOP-001"));
    p.no(route, "claude", { docId: "SOP-001", kind: "review" }, "not-checked-out", /SOP-001 has no workspace copy for claude \(expected \.claude\/users\/claude\/workspace\/SOP-001\.md\)/);
  });

  it("REQ-TASK-001, REQ-TASK-002, REQ-SEC-007: each assignee gets one task; qa by default; the audit names assignees and workflow", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const r = p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["tu_ui", "qa", "tu_ui"] });
    assert.deepEqual(r.data.assignees, ["tu_ui", "qa"], "duplicates collapse, order kept");
    assert.deepEqual(p.meta("SOP-001").pending_assignees, ["tu_ui", "qa"]);
    for (const u of ["tu_ui", "qa"]) assert.deepEqual(p.inbox(u), ["task-SOP-001-review-v0-1.md"]);
    const task = p.read(".claude/users/tu_ui/inbox/task-SOP-001-review-v0-1.md") ?? "";
    assert.deepEqual(task.split("\n").slice(0, 13), [
      "---",
      "task_id: task-SOP-001-review-v0-1",
      "task_type: REVIEW",
      "workflow_type: REVIEW",
      "doc_id: SOP-001",
      "title: x",
      "status: IN_REVIEW",
      "responsible_user: claude",
      "assigned_by: claude",
      "assigned_date: 2026-03-02",
      "version: 0.1",
      "---",
      "",
    ]);
    assert.deepEqual(p.inbox("tu_scene"), []);
    const routed = p.audit("SOP-001").at(-1)!;
    assert.equal(routed.event, "ROUTE_REVIEW");
    assert.deepEqual(routed.assignees, ["tu_ui", "qa"]);
    assert.equal(routed.review_type, "REVIEW");
    const status = p.audit("SOP-001").at(-2)!;
    assert.deepEqual([status.event, status.from_status, status.to_status], ["STATUS_CHANGE", "DRAFT", "IN_REVIEW"]);

    const q = svcProject(t);
    q.ok(create, "claude", { type: "SOP", title: "y" });
    assert.deepEqual(q.ok(route, "claude", { docId: "SOP-001", kind: "review" }).data.assignees, ["qa"]);
    q.ok(create, "claude", { type: "SOP", title: "z" });
    assert.deepEqual(q.ok(route, "claude", { docId: "SOP-002", kind: "review", assign: [] }).data.assignees, ["qa"]);
  });

  it("REQ-SEC-007: approval goes only to quality or reviewer users; unknown users are never assigned", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.no(route, "claude", { docId: "SOP-001", kind: "review", assign: ["ghost"] }, "unknown-user", /Cannot assign unknown user 'ghost'\./);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "lead"] });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "lead", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const r = p.no(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["lead"] }, "permission-denied", /Cannot assign lead \(group administrator\) to approval: approval assignees must be in group quality or reviewer\./);
    assert.equal(r.refusal.hint, "Assign a quality or reviewer user, e.g. --assign qa");
    p.no(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["ian"] }, "permission-denied", /group initiator/);
    assert.deepEqual(p.ok(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["tu_ui", "qa"] }).data.assignees, ["tu_ui", "qa"]);
    assert.deepEqual(p.inbox("tu_ui"), ["task-SOP-001-approval-v0-1.md"]);
  });
});

describe("route --retire (in process)", () => {
  it("REQ-WF-012: --retire applies only to an approval of a document approved at least once", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const r = p.no(route, "claude", { docId: "SOP-001", kind: "review", retire: true }, "invalid-argument", /--retire only applies to an approval \(or post-approval\) routing, not REVIEW\./);
    assert.deepEqual(r.refusal.next, [{ action: "route", doc_id: "SOP-001", args: { route_type: "approval", retire: true }, lead: "Run" }]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const young = p.no(route, "claude", { docId: "SOP-001", kind: "approval", retire: true }, "invalid-state", /SOP-001 is v0\.1: only documents approved at least once \(v1\.0\+\) can be retired\./);
    assert.deepEqual(young.refusal.next, [{ action: "cancel", doc_id: "SOP-001", args: { confirm: true }, lead: "A never-approved document is cancelled instead" }]);
    p.ok(approve, "qa", { docId: p.ok(route, "claude", { docId: "SOP-001", kind: "approval" }).data.doc_id });
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "retire" });
    const retiring = p.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    assert.equal(retiring.data.retiring, true);
    assert.equal(retiring.lines[0], "Routed: SOP-001 for APPROVAL (retirement)");
    assert.equal(p.meta("SOP-001").retiring, true);
    p.ok(withdraw, "claude", { docId: "SOP-001" });
    assert.equal(p.meta("SOP-001").retiring, undefined, "withdraw ends the retirement request");
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    assert.equal(p.meta("SOP-001").retiring, undefined, "a plain approval route is no retirement");
  });

  it("REQ-WF-012: a CR is retired only from its post-approval routing", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("PRE_REVIEWED");
    p.no(route, "claude", { docId: cr, kind: "approval", retire: true }, "invalid-argument", /not PRE_APPROVAL/);
  });
});
