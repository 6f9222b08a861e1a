// Exact owner-task files and effects (src/core/owner-tasks.ts) for Stryker (issue #15); the rules themselves are
// in owner-tasks.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isOwnerTaskFile, type OwnerMetaView, type OwnerStep, ownerTaskEffects, renderOwnerTask } from "../src/core/owner-tasks.js";

function doc(fields: Partial<OwnerMetaView> = {}): OwnerMetaView {
  return { doc_id: "CR-001", status: "DRAFT", version: "0.1", responsible_user: "claude", pending_assignees: [], executable: true, review_outcomes: {}, ...fields };
}

const CASES: { step: OwnerStep; before: Partial<OwnerMetaView>; after: Partial<OwnerMetaView>; workflow: string; label: string; reason: string; call: string; cli: string }[] = [
  {
    step: "route_approval",
    before: { status: "IN_PRE_REVIEW", pending_assignees: ["qa"] },
    after: { status: "PRE_REVIEWED", review_outcomes: { qa: "RECOMMEND", tu: "RECOMMEND" } },
    workflow: "ROUTE_APPROVAL",
    label: "route it for approval",
    reason: "all reviews recommend (qa, tu)",
    call: 'qms_route {"doc_id":"CR-001","route_type":"approval"}',
    cli: "route CR-001 --approval",
  },
  {
    step: "revise",
    before: { status: "IN_PRE_REVIEW", pending_assignees: ["qa"] },
    after: { status: "PRE_REVIEWED", review_outcomes: { qa: "UPDATES_REQUIRED", tu: "RECOMMEND", lead: "UPDATES_REQUIRED" } },
    workflow: "REVISE",
    label: "check it out, revise it and route it for review again",
    reason: "updates requested by qa, lead",
    call: 'qms_checkout {"doc_id":"CR-001"}',
    cli: "checkout CR-001",
  },
  {
    step: "release",
    before: { status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] },
    after: { status: "PRE_APPROVED", version: "1.0" },
    workflow: "RELEASE",
    label: "release it for execution",
    reason: "pre-approved",
    call: 'qms_release {"doc_id":"CR-001"}',
    cli: "release CR-001",
  },
  {
    step: "close",
    before: { status: "IN_POST_APPROVAL", pending_assignees: ["qa"], version: "1.1" },
    after: { status: "POST_APPROVED", version: "2.0" },
    workflow: "CLOSE",
    label: "close it",
    reason: "post-approved",
    call: 'qms_close {"doc_id":"CR-001"}',
    cli: "close CR-001",
  },
];

describe("REQ-HUB-001 owner task files (in process)", () => {
  for (const c of CASES) {
    it(`REQ-HUB-001 OWNER-TASK ${c.step}: the whole task file, frontmatter and body`, () => {
      const e = ownerTaskEffects({ before: doc(c.before), after: doc(c.after), actor: "qa" });
      assert.equal(e.write?.step, c.step);
      assert.equal(e.write?.reason, c.reason);
      const version = c.after.version ?? "0.1";
      const id = `task-CR-001-owner_${c.step}-v${version.replace(".", "-")}`;
      assert.deepEqual(e, {
        remove: [{ owner: "claude", doc_id: "CR-001" }],
        write: { task_id: id, owner: "claude", doc_id: "CR-001", version, status: c.after.status, step: c.step, caused_by: "qa", reason: c.reason, next: e.write!.next },
      });
      const text = renderOwnerTask(e.write!, { title: "Change: 1", now: new Date("2026-03-01T23:59:59Z") });
      const args = c.call.slice(c.call.indexOf(" ") + 1);
      assert.equal(
        text,
        [
          "---",
          `task_id: ${id}`,
          "task_type: OWNER",
          `workflow_type: ${c.workflow}`,
          `step: ${c.step}`,
          "doc_id: CR-001",
          'title: "Change: 1"',
          `status: ${c.after.status}`,
          "responsible_user: claude",
          "assigned_by: qa",
          "caused_by: qa",
          "assigned_date: 2026-03-01",
          `version: ${version}`,
          `next_tool: qms_${c.call.split(" ")[0]!.slice(4)}`,
          `next_args: ${JSON.stringify(args)}`,
          "---",
          "",
          `# Owner task: CR-001 v${version} - ${c.label}`,
          "",
          `CR-001 (Change: 1) is ${c.after.status}: ${c.reason}; caused by qa.`,
          `You own it, so the next step is yours: ${c.label}.`,
          "",
          `Tool call: ${c.call}`,
          `CLI: qms --user claude ${c.cli}`,
          "",
          "This task is removed when you act on the document.",
          "",
        ].join("\n"),
      );
    });
  }

  it("REQ-HUB-001 OWNER-TASK a plain title stays plain in the frontmatter; a task without args renders {}", () => {
    const e = ownerTaskEffects({ before: doc({ status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] }), after: doc({ status: "PRE_APPROVED", version: "1.0" }), actor: "qa" });
    const text = renderOwnerTask({ ...e.write!, next: { action: "release" } }, { title: "Plain title", now: new Date("2026-03-01T00:00:00Z") });
    assert.match(text, /^title: Plain title$/m);
    assert.match(text, /^next_args: "\{\}"$/m);
    assert.match(text, /^Tool call: qms_release \{\}$/m);
  });

  it("REQ-HUB-001 OWNER-TASK no rule matches: mixed outcomes, no outcomes, a non-approver's transition, other statuses", () => {
    const none = (before: Partial<OwnerMetaView>, after: Partial<OwnerMetaView>, actor = "qa") => ownerTaskEffects({ before: doc(before), after: doc(after), actor }).write;
    assert.equal(none({ status: "IN_REVIEW", pending_assignees: ["qa"] }, { status: "REVIEWED", review_outcomes: {} }), undefined, "no outcome recorded: neither route nor revise");
    assert.equal(none({ status: "IN_REVIEW", pending_assignees: ["qa"] }, { status: "REVIEWED", review_outcomes: undefined }), undefined);
    assert.equal(none({ status: "IN_REVIEW" }, { status: "IN_APPROVAL", review_outcomes: { qa: "RECOMMEND" } }), undefined, "a review state that does not complete");
    assert.equal(none({ status: "REVIEWED" }, { status: "REVIEWED", review_outcomes: { qa: "RECOMMEND" } }), undefined, "not from a review state");
    assert.equal(none({ status: "IN_APPROVAL", pending_assignees: ["lead"] }, { status: "REVIEWED" }), undefined, "the actor was not a pending approver");
    assert.equal(none({ status: "IN_APPROVAL", pending_assignees: undefined as unknown as string[] }, { status: "REVIEWED" }), undefined);
    assert.equal(none({ status: "IN_APPROVAL", pending_assignees: ["qa"] }, { status: "APPROVED" }), undefined, "an approval is no rejection");
    assert.equal(none({ status: "IN_PRE_REVIEW", pending_assignees: ["qa"] }, { status: "PRE_APPROVED" }), undefined);
    assert.equal(none({ status: "IN_POST_REVIEW", pending_assignees: ["qa"] }, { status: "POST_APPROVED" }), undefined);
    assert.equal(none({ status: "PRE_APPROVED" }, { status: "PRE_APPROVED" }), undefined);
    assert.equal(none({ status: "POST_APPROVED" }, { status: "POST_APPROVED" }), undefined);
    assert.equal(none({ status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] }, { status: "PRE_APPROVED", responsible_user: null }), undefined, "nobody owns it");
    assert.equal(none({ status: "IN_POST_APPROVAL", pending_assignees: ["qa"] }, { status: "POST_APPROVED" }, "claude"), undefined, "the owner's own act");
    assert.equal(ownerTaskEffects({ before: doc({ status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] }), after: null, actor: "qa" }).write, undefined);
  });

  it("REQ-HUB-001 OWNER-TASK which owners lose their task: the old owner always, the current one unless a step is still theirs", () => {
    const removed = (before: Partial<OwnerMetaView> | null, after: Partial<OwnerMetaView> | null, actor: string) =>
      ownerTaskEffects({ before: before && doc(before), after: after && doc(after), actor }).remove;
    assert.deepEqual(ownerTaskEffects({ before: null, after: null, actor: "qa" }), { remove: [] });
    for (const status of ["REVIEWED", "PRE_REVIEWED", "POST_REVIEWED", "PRE_APPROVED", "POST_APPROVED"] as const) {
      assert.deepEqual(removed({ status }, { status }, "lead"), [], `${status}: the owner's step is still due`);
      assert.deepEqual(removed({ status }, { status }, "claude"), [{ owner: "claude", doc_id: "CR-001" }], `${status}: the owner acted`);
    }
    for (const status of ["DRAFT", "IN_REVIEW", "IN_EXECUTION", "EFFECTIVE", "CLOSED"] as const) {
      assert.deepEqual(removed({ status }, { status }, "lead"), [{ owner: "claude", doc_id: "CR-001" }], `${status}: no owner step is due`);
    }
    assert.deepEqual(removed({ status: "PRE_APPROVED" }, { status: "PRE_APPROVED", responsible_user: "tu" }, "lead"), [{ owner: "claude", doc_id: "CR-001" }], "the new owner's step is due");
    assert.deepEqual(removed({ status: "PRE_APPROVED" }, { status: "PRE_APPROVED", responsible_user: "tu" }, "tu"), [
      { owner: "claude", doc_id: "CR-001" },
      { owner: "tu", doc_id: "CR-001" },
    ]);
    assert.deepEqual(removed({ status: "PRE_APPROVED", responsible_user: null }, { status: "PRE_APPROVED", responsible_user: null }, "lead"), []);
    assert.deepEqual(removed(null, { status: "PRE_APPROVED" }, "lead"), [], "a document that appears in an owner-step state keeps the owner's task");
    assert.deepEqual(removed({ status: "PRE_APPROVED" }, null, "lead"), [{ owner: "claude", doc_id: "CR-001" }]);
  });

  it("REQ-HUB-001 OWNER-TASK file names of every step and version form", () => {
    for (const step of ["route_approval", "revise", "release", "close"]) assert.ok(isOwnerTaskFile("SOP-001", `task-SOP-001-owner_${step}-v10-12.md`), step);
    for (const bad of ["task-SOP-001-owner_route-v1-0.md", "task-SOP-001-owner_close-v1-0.mdx", "task-SOP-001-owner_close-vx.md", "xtask-SOP-001-owner_close-v1-0.md", "task-SOP-001-owner_close-v1-0", "task-SOP-001-owner_close.md"]) {
      assert.equal(isOwnerTaskFile("SOP-001", bad), false, bad);
    }
  });
});
