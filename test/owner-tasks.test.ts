import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import {
  isOwnerTaskFile,
  OWNER_RULES,
  OWNER_STEPS,
  type OwnerMetaView,
  type OwnerTaskEffects,
  ownerTaskEffects,
  ownerTaskId,
  renderOwnerTask,
} from "../src/core/owner-tasks.js";

function doc(fields: Partial<OwnerMetaView> = {}): OwnerMetaView {
  return {
    doc_id: "SOP-001",
    status: "DRAFT",
    version: "0.1",
    responsible_user: "claude",
    pending_assignees: [],
    executable: false,
    review_outcomes: {},
    ...fields,
  };
}

const removed = (e: OwnerTaskEffects): string[] => e.remove.map((r) => r.owner).sort();

describe("owner tasks (agents-and-hub §3 Owner tasks)", () => {
  it("REQ-HUB-001 OWNER-TASK route_approval: all reviews recommend → the owner routes for approval, naming who caused it and the exact call", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_REVIEW", pending_assignees: ["qa"], review_outcomes: { tu_ui: "RECOMMEND" } }),
      after: doc({ status: "REVIEWED", pending_assignees: [], review_outcomes: { tu_ui: "RECOMMEND", qa: "RECOMMEND" } }),
      actor: "qa",
    });
    assert.ok(e.write);
    assert.equal(e.write.step, "route_approval");
    assert.equal(e.write.owner, "claude");
    assert.equal(e.write.doc_id, "SOP-001");
    assert.equal(e.write.version, "0.1");
    assert.equal(e.write.caused_by, "qa");
    assert.equal(e.write.task_id, "task-SOP-001-owner_route_approval-v0-1");
    assert.deepEqual(e.write.next, { action: "route", doc_id: "SOP-001", args: { doc_id: "SOP-001", route_type: "approval" }, user: "claude" });
    assert.match(e.write.reason, /all reviews recommend \(tu_ui, qa\)/);
    assert.deepEqual(removed(e), ["claude"], "a new task replaces any older owner task of the document");
  });

  it("REQ-HUB-001 OWNER-TASK no task while reviews are still pending", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_REVIEW", pending_assignees: ["qa", "tu_ui"] }),
      after: doc({ status: "IN_REVIEW", pending_assignees: ["tu_ui"], review_outcomes: { qa: "RECOMMEND" } }),
      actor: "qa",
    });
    assert.equal(e.write, undefined);
  });

  it("REQ-HUB-001 OWNER-TASK revise: updates requested (any reviewer) → the owner checks out and revises", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_REVIEW", pending_assignees: ["qa"], review_outcomes: { tu_ui: "UPDATES_REQUIRED" } }),
      after: doc({ status: "REVIEWED", review_outcomes: { tu_ui: "UPDATES_REQUIRED", qa: "RECOMMEND" } }),
      actor: "qa",
    });
    assert.equal(e.write?.step, "revise");
    assert.equal(e.write?.caused_by, "qa");
    assert.match(e.write?.reason ?? "", /updates requested by tu_ui/);
    assert.deepEqual(e.write?.next, { action: "checkout", doc_id: "SOP-001", args: { doc_id: "SOP-001" }, user: "claude" });
  });

  it("REQ-HUB-001 OWNER-TASK revise: an approver's rejection → the owner revises", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_APPROVAL", pending_assignees: ["qa"], review_outcomes: { qa: "RECOMMEND" } }),
      after: doc({ status: "REVIEWED", pending_assignees: [], review_outcomes: { qa: "RECOMMEND" } }),
      actor: "qa",
    });
    assert.equal(e.write?.step, "revise");
    assert.equal(e.write?.reason, "approval rejected by qa");
    assert.equal(e.write?.task_id, "task-SOP-001-owner_revise-v0-1");
  });

  it("REQ-HUB-001 OWNER-TASK the owner's own withdraw (same transition as a rejection) writes nothing and removes the owner's task", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_APPROVAL", pending_assignees: ["qa"], review_outcomes: { qa: "RECOMMEND" } }),
      after: doc({ status: "REVIEWED", review_outcomes: { qa: "RECOMMEND" } }),
      actor: "claude",
    });
    assert.equal(e.write, undefined);
    assert.deepEqual(removed(e), ["claude"]);
  });

  it("REQ-HUB-001 OWNER-TASK release: pre-approved → the owner releases (task at the new version)", () => {
    const e = ownerTaskEffects({
      before: doc({ doc_id: "CR-001", executable: true, execution_phase: "pre_release", status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] }),
      after: doc({ doc_id: "CR-001", executable: true, execution_phase: "pre_release", status: "PRE_APPROVED", version: "1.0" }),
      actor: "qa",
    });
    assert.equal(e.write?.step, "release");
    assert.equal(e.write?.version, "1.0");
    assert.equal(e.write?.task_id, "task-CR-001-owner_release-v1-0");
    assert.deepEqual(e.write?.next, { action: "release", doc_id: "CR-001", args: { doc_id: "CR-001" }, user: "claude" });
  });

  it("REQ-HUB-001 OWNER-TASK close: post-approved → the owner closes", () => {
    const e = ownerTaskEffects({
      before: doc({ doc_id: "CR-001", executable: true, execution_phase: "post_release", status: "IN_POST_APPROVAL", version: "1.1", pending_assignees: ["qa"] }),
      after: doc({ doc_id: "CR-001", executable: true, execution_phase: "post_release", status: "POST_APPROVED", version: "2.0" }),
      actor: "qa",
    });
    assert.equal(e.write?.step, "close");
    assert.deepEqual(e.write?.next, { action: "close", doc_id: "CR-001", args: { doc_id: "CR-001" }, user: "claude" });
  });

  it("REQ-HUB-001 OWNER-TASK post-review round recommending → route for (post-)approval", () => {
    const e = ownerTaskEffects({
      before: doc({ doc_id: "CR-001", executable: true, status: "IN_POST_REVIEW", version: "1.1", pending_assignees: ["qa"] }),
      after: doc({ doc_id: "CR-001", executable: true, status: "POST_REVIEWED", version: "1.1", review_outcomes: { qa: "RECOMMEND" } }),
      actor: "qa",
    });
    assert.equal(e.write?.step, "route_approval");
  });

  it("REQ-HUB-001 OWNER-TASK a final approval to EFFECTIVE (ownership cleared) leaves no owner step and removes the old task", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_APPROVAL", pending_assignees: ["qa"] }),
      after: doc({ status: "EFFECTIVE", version: "1.0", responsible_user: null }),
      actor: "qa",
    });
    assert.equal(e.write, undefined);
    assert.deepEqual(removed(e), ["claude"]);
  });

  it("REQ-HUB-001 OWNER-TASK removed when the owner acts (route for approval from REVIEWED)", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "REVIEWED", review_outcomes: { qa: "RECOMMEND" } }),
      after: doc({ status: "IN_APPROVAL", pending_assignees: ["qa"], review_outcomes: { qa: "RECOMMEND" } }),
      actor: "claude",
    });
    assert.equal(e.write, undefined);
    assert.deepEqual(removed(e), ["claude"]);
  });

  it("REQ-HUB-001 OWNER-TASK removed when the step is no longer theirs: someone else checks the document out", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "REVIEWED", review_outcomes: { qa: "UPDATES_REQUIRED" } }),
      after: doc({ status: "REVIEWED", responsible_user: "tu_ui" }),
      actor: "tu_ui",
    });
    assert.equal(e.write, undefined);
    assert.deepEqual(removed(e), ["claude", "tu_ui"]);
  });

  it("REQ-HUB-001 OWNER-TASK removed when the document is deleted (cancel)", () => {
    const e = ownerTaskEffects({ before: doc({ status: "REVIEWED" }), after: null, actor: "claude" });
    assert.deepEqual(e, { remove: [{ owner: "claude", doc_id: "SOP-001" }] });
  });

  it("REQ-HUB-001 OWNER-TASK kept when someone else changes the document and the owner's step is still due", () => {
    const e = ownerTaskEffects({
      before: doc({ doc_id: "CR-001", executable: true, status: "PRE_APPROVED", version: "1.0" }),
      after: doc({ doc_id: "CR-001", executable: true, status: "PRE_APPROVED", version: "1.0" }),
      actor: "lead",
    });
    assert.deepEqual(e, { remove: [] });
  });

  it("REQ-HUB-001 OWNER-TASK no task for a hand-off to oneself (the owner's own review completes the round)", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_REVIEW", pending_assignees: ["claude"] }),
      after: doc({ status: "REVIEWED", review_outcomes: { claude: "RECOMMEND" } }),
      actor: "claude",
    });
    assert.equal(e.write, undefined);
  });

  it("REQ-HUB-001 OWNER-TASK create (no document before) writes nothing", () => {
    assert.deepEqual(ownerTaskEffects({ before: null, after: doc(), actor: "claude" }), { remove: [{ owner: "claude", doc_id: "SOP-001" }] });
  });

  it("REQ-HUB-001 OWNER-TASK the rule table covers every owner step", () => {
    assert.deepEqual([...new Set(OWNER_RULES.map((r) => r.step))].sort(), Object.keys(OWNER_STEPS).sort());
  });

  it("REQ-HUB-001 OWNER-TASK the task file: inbox frontmatter, document, version, step, cause and the exact tool call", () => {
    const e = ownerTaskEffects({
      before: doc({ status: "IN_REVIEW", pending_assignees: ["qa"] }),
      after: doc({ status: "REVIEWED", review_outcomes: { qa: "RECOMMEND" } }),
      actor: "qa",
    });
    const text = renderOwnerTask(e.write!, { title: "Procedure: handling", now: new Date("2026-03-01T10:00:00Z") });
    const { frontmatter, body } = parseDocument(text);
    assert.equal(frontmatter.task_id, "task-SOP-001-owner_route_approval-v0-1");
    assert.equal(frontmatter.task_type, "OWNER");
    assert.equal(frontmatter.workflow_type, "ROUTE_APPROVAL");
    assert.equal(frontmatter.doc_id, "SOP-001");
    assert.equal(frontmatter.title, "Procedure: handling");
    assert.equal(frontmatter.version, "0.1");
    assert.equal(frontmatter.assigned_by, "qa");
    assert.equal(frontmatter.caused_by, "qa");
    assert.equal(frontmatter.assigned_date, "2026-03-01");
    assert.equal(frontmatter.next_tool, "qms_route");
    assert.deepEqual(JSON.parse(String(frontmatter.next_args)), { doc_id: "SOP-001", route_type: "approval" });
    assert.match(body, /^Tool call: qms_route \{"doc_id":"SOP-001","route_type":"approval"\}$/m);
    assert.match(body, /^CLI: qms --user claude route SOP-001 --approval$/m);
    assert.match(body, /caused by qa/);
  });

  it("REQ-HUB-001 OWNER-TASK file names: owner tasks of exactly one document, never a child's or a review task", () => {
    assert.equal(ownerTaskId("CR-001", "close", "2.0"), "task-CR-001-owner_close-v2-0");
    assert.ok(isOwnerTaskFile("CR-001", "task-CR-001-owner_close-v2-0.md"));
    assert.ok(!isOwnerTaskFile("CR-001", "task-CR-001-TP-001-owner_close-v1-0.md"));
    assert.ok(!isOwnerTaskFile("CR-001", "task-CR-001-review-v0-1.md"));
    assert.ok(!isOwnerTaskFile("CR-001", ".task-CR-001-owner_close-v2-0.md.123.1.tmp"));
  });
});
