import type { CheckoutData } from "../src/services/checkout.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { type Action, BUILTIN_ADMINS, GROUPS, isGroup } from "../src/core/permissions.js";
import { RefusalError } from "../src/core/result.js";
import { approve } from "../src/services/approve.js";
import { assign } from "../src/services/assign.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import { authorize } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { interact } from "../src/services/interact.js";
import { reject } from "../src/services/reject.js";
import { release } from "../src/services/release.js";
import { revert } from "../src/services/revert.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { withdraw } from "../src/services/withdraw.js";
import { svcProject } from "./svc-harness.js";

/** Spec §4.1, written out: the groups each action allows (administrator also wherever initiator is listed). */
const SPEC_GROUPS: Record<Action, string[]> = {
  create: ["administrator", "initiator"],
  checkout: ["administrator", "initiator"],
  checkin: ["administrator", "initiator"],
  route: ["administrator", "initiator"],
  release: ["administrator", "initiator"],
  revert: ["administrator", "initiator"],
  close: ["administrator", "initiator"],
  withdraw: ["administrator", "initiator", "quality", "reviewer"],
  cancel: ["administrator", "initiator"],
  interact: ["administrator", "initiator"],
  assign: ["quality"],
  review: ["administrator", "initiator", "quality", "reviewer"],
  approve: ["quality", "reviewer"],
  reject: ["quality", "reviewer"],
  read: ["administrator", "initiator", "quality", "reviewer"],
  status: ["administrator", "initiator", "quality", "reviewer"],
  history: ["administrator", "initiator", "quality", "reviewer"],
  comments: ["administrator", "initiator", "quality", "reviewer"],
  inbox: ["administrator", "initiator", "quality", "reviewer"],
  workspace: ["administrator", "initiator", "quality", "reviewer"],
  fix: ["administrator"],
  user: ["administrator"],
  namespace_add: ["administrator"],
  namespace_list: ["administrator", "initiator", "quality", "reviewer"],
  // integrity spec §3: qms_verify is for the quality and administrator groups
  verify: ["quality", "administrator"],
};

/** One user of each group in the harness project. */
const MEMBER: Record<string, string> = { administrator: "claude", initiator: "ian", quality: "qa", reviewer: "tu_ui" };

const GUIDANCE: Record<string, RegExp> = {
  administrator: /^As an administrator you can do everything an initiator can, plus fix, user and namespace administration\.$/,
  initiator: /^As an initiator you can create, checkout, checkin, route, release, revert, close and cancel your documents\.$/,
  quality: /^As quality you can assign reviewers, and review, approve or reject documents assigned to you \(see: inbox\)\.$/,
  reviewer: /^As a reviewer you can review, approve or reject documents assigned to you \(see: inbox\)\.$/,
};

describe("permissions: the group part of the table (in process)", () => {
  it("REQ-SEC-001, REQ-SEC-002: every action allows exactly the groups of spec §4.1, administrators inheriting initiator only", (t) => {
    const p = svcProject(t);
    for (const [action, allowed] of Object.entries(SPEC_GROUPS) as Array<[Action, string[]]>) {
      for (const group of GROUPS) {
        const user = MEMBER[group]!;
        let refusal: RefusalError | undefined;
        try {
          const actor = authorize(p.ctx(user), action);
          assert.equal(actor.user.name, user);
          assert.equal(actor.user.group, group);
        } catch (err) {
          if (!(err instanceof RefusalError)) throw err;
          refusal = err;
        }
        assert.equal(refusal === undefined, allowed.includes(group), `${action} as ${group}`);
        if (!refusal) continue;
        const listed = allowed.filter((g) => g !== "administrator" || !allowed.includes("initiator"));
        assert.equal(refusal.refusal.code, "permission-denied");
        assert.equal(
          refusal.refusal.message,
          `Permission denied: '${action}' requires group ${listed.join(" or ")}${listed.includes("initiator") ? " (or administrator)" : ""}; user '${user}' is in group '${group}'.`,
        );
        assert.match(refusal.refusal.hint ?? "", GUIDANCE[group]!, `guidance for ${group}`);
        assert.equal(refusal.refusal.stderr, action === "fix" ? true : undefined);
      }
    }
  });

  it("REQ-SEC-001, REQ-USER-001: lead and claude are hard-coded administrators; the four groups and nothing else are groups", (t) => {
    const p = svcProject(t);
    assert.deepEqual([...BUILTIN_ADMINS].sort(), ["claude", "lead"]);
    for (const admin of ["lead", "claude"]) assert.equal(authorize(p.ctx(admin), "fix").user.group, "administrator");
    for (const g of ["administrator", "initiator", "quality", "reviewer"]) assert.equal(isGroup(g), true, g);
    for (const g of ["admin", "Reviewer", "", undefined, 3, null, "owner"]) assert.equal(isGroup(g), false, String(g));
  });

  it("REQ-SEC-002, REQ-WEB-003: an action from the web view is authorized like any other and audited with via: web", (t) => {
    const p = svcProject(t);
    const web = { ...p.ctx("claude"), via: "web" as const };
    assert.equal(authorize(web, "create").via, "web");
    assert.equal(authorize(p.ctx("claude"), "create").via, undefined);
    const r = create(web, { type: "SOP", title: "from the browser" });
    assert.equal(r.ok, true);
    const [event] = p.audit("SOP-001");
    assert.deepEqual([event!.event, event!.via], ["CREATE", "web"]);
    p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.equal(p.audit("SOP-001").at(-1)!.via, undefined, "the CLI and MCP are not marked");
  });

  it("REQ-SEC-006: an unknown or missing user is refused before any rule, with how to become a user", (t) => {
    const p = svcProject(t);
    const unknown = p.no(create, "mallory", { type: "SOP", title: "x" }, "unknown-user", /Unknown user 'mallory'\./);
    assert.deepEqual(unknown.refusal.next, [{ action: "user", user: "lead", args: { add: "mallory", group: "<administrator|initiator|quality|reviewer>" }, lead: "Ask an administrator to run" }]);
    assert.match(unknown.text, /\.claude\/agents\/mallory\.md whose frontmatter names its group/);
    p.no(create, "", { type: "SOP", title: "x" }, "unknown-user", /No user given: every QMS command runs as a user\./);
    p.no(create, "../qa", { type: "SOP", title: "x" }, "unknown-user", /Unknown user '\.\.\/qa'\./);
  });

  it("REQ-SEC-002: interact is for initiators (and administrators) only", (t) => {
    const p = svcProject(t);
    p.no(interact, "tu_ui", { docId: "SOP-001" }, "permission-denied", /'interact' requires group initiator \(or administrator\)/);
    // an administrator passes the group check: the refusal is about the (missing) document
    p.no(interact, "claude", { docId: "SOP-001" }, "not-found", /Document not found: SOP-001/);
  });
});

describe("permissions: owner-only actions (in process)", () => {
  it("REQ-SEC-003: a non-owner with an edited copy in their own workspace cannot check in over the owner's draft", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const ownerDraft = p.draft("SOP-001");
    p.edit("lead", "SOP-001", "---\ntitle: Lead's version\n---\n\nLead rewrote it.\n");
    p.edit("ian", "SOP-001", "---\ntitle: Ian's version\n---\n\nIan rewrote it.\n");
    for (const user of ["lead", "ian"]) {
      const r = p.no(checkin, user, { docId: "SOP-001" }, "not-owner", new RegExp(`Only the owner \\(responsible user\\) may check in SOP-001; its owner is claude, not ${user}\\.`));
      assert.deepEqual(r.refusal.next, [{ action: "status", doc_id: "SOP-001", lead: "Ask claude to run it, or check the document's state with" }]);
    }
    assert.equal(p.draft("SOP-001"), ownerDraft);
    assert.equal(p.meta("SOP-001").checked_out, true, "still checked out by the owner");
    assert.deepEqual(p.events("SOP-001"), ["CREATE"]);
  });

  it("REQ-SEC-003: route, release, revert and close are the owner's; withdraw too, for every group", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.edit("lead", "SOP-001", "---\ntitle: x\n---\n\nlead\n");
    p.no(route, "lead", { docId: "SOP-001", kind: "review" }, "not-owner", /Only the owner \(responsible user\) may route SOP-001; its owner is claude, not lead\./);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    for (const user of ["lead", "ian", "qa", "tu_ui"]) p.no(withdraw, user, { docId: "SOP-001" }, "not-owner", /may withdraw SOP-001; its owner is claude/);
    p.ok(withdraw, "claude", { docId: "SOP-001" });

    const pre = p.crTo("PRE_APPROVED");
    p.no(release, "lead", { docId: pre }, "not-owner", new RegExp(`may release ${pre}; its owner is claude, not lead`));
    p.no(release, "tu_ui", { docId: pre }, "permission-denied", /'release' requires group initiator/);
    p.ok(release, "claude", { docId: pre });

    const post = p.crTo("POST_REVIEWED");
    p.edit("lead", post, "---\ntitle: x\n---\n\nlead\n");
    p.no(revert, "lead", { docId: post, reason: "x" }, "not-owner", new RegExp(`may revert ${post}; its owner is claude, not lead`));
    p.ok(revert, "claude", { docId: post, reason: "x" });

    const done = p.crTo("POST_APPROVED");
    p.no(close, "lead", { docId: done }, "not-owner", new RegExp(`may close ${done}; its owner is claude, not lead`));
    p.ok(close, "claude", { docId: done });
  });

  it("REQ-SEC-003: a document nobody owns (EFFECTIVE) points to checkout instead of an owner", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const r = p.no(withdraw, "claude", { docId: "SOP-001" }, "not-owner", /Only the owner \(responsible user\) may withdraw SOP-001; its owner is nobody, not claude\./);
    assert.deepEqual(r.refusal.next, [{ action: "checkout", doc_id: "SOP-001", lead: "Check out the document first" }]);
    p.no(release, "claude", { docId: "SOP-001" }, "not-owner", /its owner is nobody/);
  });

  it("REQ-SEC-003, REQ-WF-022: only the owner checks out a document in review (auto-withdraw); others are told who can", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const r = p.no(checkout, "lead", { docId: "SOP-001" }, "not-owner", /SOP-001 is IN_REVIEW; only its owner \(responsible user\) claude may check it out, which withdraws the review or approval\./);
    assert.deepEqual(r.refusal.next, [{ action: "withdraw", doc_id: "SOP-001", user: "claude", lead: "Ask claude to withdraw it" }]);
    const ok = p.ok(checkout, "claude", { docId: "SOP-001" }) as { data: CheckoutData };
    assert.deepEqual(ok.data.auto_withdrawn, { from: "IN_REVIEW", to: "DRAFT" });
  });
});

describe("permissions: assigned-only actions (in process)", () => {
  it("REQ-SEC-004, REQ-SEC-005: review, approve and reject need the caller among the pending assignees", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_sim"] });
    const r = p.no(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "x" }, "not-assigned", /tu_ui is not assigned to review SOP-001 \(assigned: qa, tu_sim\)\./);
    assert.deepEqual(r.refusal.next, [{ action: "inbox", lead: "See your tasks with" }]);
    p.no(review, "claude", { docId: "SOP-001", outcome: "recommend", comment: "x" }, "not-assigned", /claude is not assigned/);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "again" }, "not-assigned", /qa is not assigned to review SOP-001 \(assigned: tu_sim\)/);
    p.ok(review, "tu_sim", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["qa"] });
    p.no(approve, "tu_ui", { docId: "SOP-001" }, "not-assigned", /tu_ui is not assigned to approve SOP-001 \(assigned: qa\)/);
    p.no(reject, "tu_ui", { docId: "SOP-001", comment: "x" }, "not-assigned", /tu_ui is not assigned to reject SOP-001/);
    p.no(approve, "claude", { docId: "SOP-001" }, "permission-denied", /'approve' requires group quality or reviewer; user 'claude' is in group 'administrator'/);
    p.no(reject, "ian", { docId: "SOP-001", comment: "x" }, "permission-denied", /'reject' requires group quality or reviewer/);
    p.ok(approve, "qa", { docId: "SOP-001" });
  });

  it("REQ-SEC-004: a round whose assignees are all gone says nobody is assigned", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const file = p.file("QMS/.meta/SOP/SOP-001.json");
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), pending_assignees: [] }));
    p.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "x" }, "not-assigned", /qa is not assigned to review SOP-001 \(assigned: nobody\)\./);
  });

  it("REQ-SEC-002, REQ-TASK-004: only quality assigns (not administrators, not reviewers)", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.no(assign, "claude", { docId: "SOP-001", assignees: ["tu_ui"] }, "permission-denied", /'assign' requires group quality; user 'claude' is in group 'administrator'/);
    p.no(assign, "tu_ui", { docId: "SOP-001", assignees: ["tu_scene"] }, "permission-denied", /user 'tu_ui' is in group 'reviewer'/);
    p.ok(assign, "qa", { docId: "SOP-001", assignees: ["tu_ui"] });
    assert.deepEqual(p.meta("SOP-001").pending_assignees, ["qa", "tu_ui"]);
  });
});
