import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { list, next } from "../src/services/list.js";
import { read } from "../src/services/read.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { status } from "../src/services/status.js";
import { checkTextArg, checkVersionArg } from "../src/services/validation.js";
import { comments } from "../src/services/comments.js";
import { recentEvents } from "../src/services/feed.js";
import { history } from "../src/services/history.js";
import { inbox } from "../src/services/inbox.js";
import { workspace } from "../src/services/workspace.js";
import { RefusalError } from "../src/core/result.js";
import { svcProject } from "./svc-harness.js";

const refusalOf = (fn: () => unknown): { message: string; hint?: string; text: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RefusalError) return { message: err.refusal.message, ...(err.refusal.hint ? { hint: err.refusal.hint } : {}), text: JSON.stringify(err.refusal.next ?? []) };
    throw err;
  }
  assert.fail("expected a refusal");
};

describe("argument checks (in process)", () => {
  it("REQ-FLD-001: free-text arguments must be present, plain and within their limits", () => {
    assert.equal(checkTextArg("--comment", "fine", "comment"), "fine");
    assert.deepEqual(refusalOf(() => checkTextArg("--comment", "  ", "comment")), { message: "--comment must not be empty.", hint: 'Pass --comment "<text>".', text: "[]" });
    assert.deepEqual(refusalOf(() => checkTextArg("--reason", undefined, "reason")), { message: "--reason must not be empty.", hint: 'Pass --reason "<text>".', text: "[]" });
    assert.deepEqual(refusalOf(() => checkTextArg("--title", "t".repeat(201), "title")), { message: "--title is longer than 200 characters.", hint: "Shorten --title.", text: "[]" });
    assert.deepEqual(refusalOf(() => checkTextArg("--title", "a\nb", "title")), { message: "--title contains control characters or line breaks.", hint: "Pass --title as plain text.", text: "[]" });
  });

  it("REQ-QRY-001: a --version argument is a version such as 1.0, checked before any path is built", () => {
    checkVersionArg(undefined);
    checkVersionArg("12.3");
    const bad = refusalOf(() => checkVersionArg("../../x"));
    assert.equal(bad.message, 'Invalid version "../../x": a version looks like 1.0 or 0.2.');
    assert.equal(bad.text, JSON.stringify([{ action: "history", doc_id: "<DOC_ID>", lead: "See the versions of a document with" }]));
    assert.equal(refusalOf(() => checkVersionArg("9".repeat(41))).message, `Invalid version "${"9".repeat(40)}…": a version looks like 1.0 or 0.2.`);
    assert.equal(refusalOf(() => checkVersionArg("9".repeat(40))).message, `Invalid version "${"9".repeat(40)}": a version looks like 1.0 or 0.2.`);
    assert.equal(refusalOf(() => checkVersionArg(3)).message, "Invalid version 3: a version looks like 1.0 or 0.2.");
  });
});

describe("list and next (in process)", () => {
  it("REQ-WEB-020, REQ-WEB-022: list rows show a family as a tree, each row with its state and who acts next", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "CR", title: "A change" });
    p.ok(create, "claude", { type: "TP", title: "Plan", parent: "CR-001" });
    p.ok(create, "claude", { type: "ER", title: "Run", parent: "CR-001-TP-001" });
    p.ok(create, "lead", { type: "SOP", title: "Procedure" });
    p.ok(route, "lead", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    const r = p.ok(list, "qa", {});
    const byId = new Map(r.data.documents.map((d) => [d.doc_id, d]));
    assert.deepEqual([byId.get("CR-001")!.depth, byId.get("CR-001-TP-001")!.depth, byId.get("CR-001-TP-001-ER-001")!.depth, byId.get("SOP-001")!.depth], [0, 1, 2, 0]);
    assert.deepEqual([byId.get("CR-001")!.parent_id, byId.get("CR-001-TP-001")!.parent_id, byId.get("CR-001-TP-001-ER-001")!.parent_id], [null, "CR-001", "CR-001-TP-001"]);
    assert.deepEqual(r.lines, [
      "ID                    TYPE  VERSION  STATUS     OWNER   CHECKED OUT BY  TITLE",
      "CR-001                CR    0.1      DRAFT      claude  claude          A change",
      "CR-001-TP-001         TP    0.1      DRAFT      claude  claude          Plan",
      "CR-001-TP-001-ER-001  ER    0.1      DRAFT      claude  claude          Run",
      "SOP-001               SOP   0.1      IN_REVIEW  lead    -               Procedure",
    ]);
    const cr = byId.get("CR-001")!;
    assert.deepEqual([cr.executable, cr.checked_out, cr.checkout_holder, cr.responsible_user], [true, true, "claude", "claude"]);
    assert.deepEqual(cr.next, [{ action: "checkin", doc_id: "CR-001", user: "claude" }]);
    const sop = byId.get("SOP-001")!;
    assert.deepEqual([sop.checkout_holder, sop.pending_reviewers, sop.pending_approvers], [null, ["qa", "tu_ui"], []]);
    assert.ok(!Number.isNaN(Date.parse(sop.last_change)));
    assert.deepEqual(p.ok(list, "qa", { status: "EFFECTIVE" }).lines, ["No documents match (4 in the project)."]);
    assert.deepEqual(p.ok(list, "qa", { type: " ", owner: " ", query: " ", status: " " }).data.documents.length, 4, "blank filters filter nothing");
    assert.deepEqual(p.ok(list, "claude", { mine: true }).data.documents.map((d) => d.doc_id).sort(), ["CR-001", "CR-001-TP-001", "CR-001-TP-001-ER-001"]);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "lead", { docId: "SOP-001", kind: "approval" });
    assert.deepEqual(p.ok(list, "qa", { status: "IN_APPROVAL" }).data.documents[0]!.pending_approvers, ["qa"]);
  });

  it("REQ-WEB-022: next says who acts next on one document", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    assert.deepEqual(p.ok(next, "qa", { docId: "SOP-001" }).lines, ["claude: checkin SOP-001"]);
    p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.deepEqual(p.ok(next, "qa", { docId: "SOP-001" }).lines, ["claude: route --review SOP-001"]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    assert.deepEqual(p.ok(next, "claude", { docId: "SOP-001" }).lines, ["qa: review SOP-001", "tu_ui: review SOP-001"]);
    const cr = p.crTo("IN_EXECUTION");
    const vr = p.ok(create, "claude", { type: "VR", title: "v", parent: cr }).data.doc_id;
    p.ok(checkin, "claude", { docId: vr });
    assert.deepEqual(p.ok(next, "qa", { docId: vr }).data.next, [{ action: "close", doc_id: vr, user: "claude" }], "an attachment is closed, not routed");
    p.no(next, "qa", { docId: "SOP-404" }, "not-found");
  });
});

describe("read, status and workspace edges (in process)", () => {
  it("REQ-QRY-001, REQ-QRY-002: a retired document is read from the archive; status says where the current text is", (t) => {
    const p = svcProject(t);
    p.effectiveSop("Procedure");
    p.ok(checkout, "claude", { docId: "SOP-001" });
    const s = p.ok(status, "qa", { docId: "SOP-001" });
    assert.deepEqual([s.data.location, s.data.path, s.data.checked_out], ["draft", "QMS/SOP/SOP-001-draft.md", true]);
    assert.ok(s.lines.includes("Checked Out: True"), s.text);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    p.ok(approve, "qa", { docId: "SOP-001" });
    const r = p.ok(read, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual([r.data.source, r.data.version, r.data.path], ["archive", "2.0", "QMS/.archive/SOP/SOP-001-v2.0.md"]);
    p.no(read, "tu_ui", { docId: "SOP-001", draft: true }, "not-found", /SOP-001 has no draft \(status RETIRED, version 2\.0\)\./);
    fs.rmSync(p.file("QMS/.archive/SOP/SOP-001-v2.0.md"));
    p.no(read, "tu_ui", { docId: "SOP-001" }, "not-found", /SOP-001 is RETIRED and has no readable file left\./);
    const st = p.ok(status, "qa", { docId: "SOP-001" });
    assert.equal(st.data.status, "RETIRED");
  });

  it("REQ-QRY-006, REQ-SEC-009: a workspace entry that is not a regular file is listed, never opened", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    fs.mkdirSync(p.file(".claude/users/claude/workspace/SOP-002.md"));
    fs.symlinkSync("/etc/passwd", p.file(".claude/users/claude/workspace/SOP-003.md"));
    const r = p.ok(workspace, "claude", undefined);
    assert.deepEqual(r.lines, ["Workspace for claude: 3 documents", "  SOP-001 - v0.1 DRAFT - x", "  SOP-002 - not a regular file (ignored)", "  SOP-003 - not a regular file (ignored)"]);
    assert.deepEqual(r.data.documents.map((d) => [d.doc_id, d.version, d.checked_out, d.responsible_user, Boolean(d.problem)]), [
      ["SOP-001", "0.1", true, "claude", false],
      ["SOP-002", null, false, null, true],
      ["SOP-003", null, false, null, true],
    ]);
  });
});

describe("comments across rounds, feed limits, odd inbox and history entries (in process)", () => {
  it("REQ-QRY-004: during a new review round the earlier rounds' comments and rejections show; only the current round's reviews are hidden", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "request-updates", comment: "round one" });
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui", "tu_sim"] });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "round two, qa" });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "round two, tu_ui" });
    const r = p.ok(comments, "tu_sim", { docId: "SOP-001" });
    assert.deepEqual(r.data.map((c) => c.comment), ["round one"]);
    assert.equal(r.lines.at(-1), "2 review comments of the current round are hidden while SOP-001 is IN_REVIEW; they show once the review completes.");
    assert.deepEqual(r.lines.slice(0, 4).map((l) => l.replace(/ - 2026-.*$/, "")), ["Comments for SOP-001:", "", "[v0.1] qa (UPDATES_REQUIRED)", "round one"]);
    p.ok(review, "tu_sim", { docId: "SOP-001", outcome: "recommend", comment: "round two, tu_sim" });
    assert.equal(p.ok(comments, "qa", { docId: "SOP-001", version: "0.1" }).data.length, 4, "all shown once the round completes");
  });

  it("REQ-WEB-023: the feed keeps the newest events of all documents, however many files hold them", (t) => {
    const p = svcProject(t);
    for (let i = 0; i < 4; i++) p.ok(create, "claude", { type: "SOP", title: `s${i}` });
    const r = p.ok(recentEvents, "qa", { limit: 2 });
    assert.deepEqual(r.data.events.map((e) => e.doc_id), ["SOP-004", "SOP-003"]);
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 2.9 }).data.events.length, 2);
    assert.equal(p.ok(recentEvents, "qa", { limit: 5000 }).data.events.length, 4);
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 3 }).data.events.map((e) => e.doc_id), ["SOP-004", "SOP-003", "SOP-002"]);
    p.no(recentEvents, "mallory", {}, "unknown-user", /Unknown user 'mallory'/);
  });

  it("REQ-QRY-005: a task file with missing fields is still listed, with placeholders", (t) => {
    const p = svcProject(t);
    fs.writeFileSync(p.file(".claude/users/qa/inbox/task-odd.md"), "---\nworkflow_type: POST_APPROVAL\n---\n");
    fs.writeFileSync(p.file(".claude/users/qa/inbox/task-odd2.md"), "---\nworkflow_type: PRE_REVIEW\ntitle: null\n---\n");
    const r = p.ok(inbox, "qa", undefined);
    assert.deepEqual(r.lines, [
      "Inbox for qa: 2 tasks",
      "",
      "[APPROVAL] (unknown document)",
      "    Workflow: POST_APPROVAL | From: ? | Date: ? | Version: ?",
      "",
      "[REVIEW] (unknown document)",
      "    Workflow: PRE_REVIEW | From: ? | Date: ? | Version: ?",
    ]);
    assert.equal(r.data.tasks[1]!.title, "");
  });

  it("REQ-QRY-003: a document whose audit file is gone says so; an empty audit file has no events", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    fs.writeFileSync(p.file("QMS/.audit/SOP/SOP-001.jsonl"), "");
    assert.deepEqual(p.ok(history, "qa", { docId: "SOP-001" }).lines, ["Audit History: SOP-001", "(no events)"]);
    fs.rmSync(p.file("QMS/.audit/SOP/SOP-001.jsonl"));
    p.no(history, "qa", { docId: "SOP-001" }, "not-found", /^Error: No audit history for SOP-001 \(QMS\/\.audit\/SOP\/SOP-001\.jsonl is missing\)\.\nNext: See its current state with: qms --user qa status SOP-001$/);
    p.no(history, "qa", { docId: "SOP-002" }, "not-found", /Document not found: SOP-002/);
  });
});
