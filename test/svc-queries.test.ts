import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { checkout } from "../src/services/checkout.js";
import { comments } from "../src/services/comments.js";
import { create } from "../src/services/create.js";
import { history } from "../src/services/history.js";
import { inbox } from "../src/services/inbox.js";
import { list } from "../src/services/list.js";
import { read } from "../src/services/read.js";
import { reject } from "../src/services/reject.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { status } from "../src/services/status.js";
import { workspace } from "../src/services/workspace.js";
import { svcProject } from "./svc-harness.js";

describe("status and history (in process)", () => {
  it("REQ-QRY-002: status shows the document's state in the Python tool's lines", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    const r = p.ok(status, "tu_sim", { docId: "SOP-001" });
    assert.deepEqual(r.lines, [
      "Document: SOP-001",
      "Title: Cleaning",
      "Version: 0.1",
      "Status: IN_REVIEW",
      "Location: draft (QMS/SOP/SOP-001-draft.md)",
      "Type: SOP",
      "Executable: False",
      "Responsible User: claude",
      "Checked Out: False",
      "Pending Reviewers: qa, tu_ui",
    ]);
    assert.deepEqual(r.data.pending_assignees, ["qa", "tu_ui"]);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    assert.equal(p.ok(status, "qa", { docId: "SOP-001" }).lines.at(-1), "Pending Approvers: qa");
    p.ok(approve, "qa", { docId: "SOP-001" });
    const done = p.ok(status, "qa", { docId: "SOP-001" });
    assert.deepEqual(done.lines.slice(3), ["Status: EFFECTIVE", "Location: effective (QMS/SOP/SOP-001.md)", "Type: SOP", "Executable: False", "Responsible User: N/A", "Checked Out: False", "Effective Version: 1.0"]);
    const cr = p.crTo("IN_EXECUTION");
    const s = p.ok(status, "claude", { docId: cr });
    assert.ok(s.lines.includes("Executable: True") && s.lines.includes("Execution Phase: post_release"), s.text);
    p.no(status, "claude", { docId: "SOP-404" }, "not-found", /SOP-404/);
    p.no(status, "claude", { docId: "../etc" }, "invalid-id", /\.\.\/etc/);
  });

  it("REQ-QRY-003: history lists every event of the audit trail in order, in the spec's formats", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "request-updates", comment: "two\nlines" });
    p.ok(checkout, "claude", { docId: "SOP-001" });
    const r = p.ok(history, "tu_ui", { docId: "SOP-001" });
    const shown = r.lines.map((l) => l.replace(/^\[[^\]]+\]/, "[ts]"));
    assert.deepEqual(shown, [
      "Audit History: SOP-001",
      '[ts] CREATE by claude - v0.1 - "Cleaning"',
      "[ts] CHECKIN by claude - v0.1",
      "[ts] STATUS by claude - v0.1 - DRAFT -> IN_REVIEW",
      "[ts] ROUTE REVIEW by claude - v0.1 - to: qa",
      "[ts] REVIEW by qa - v0.1 - UPDATES_REQUIRED",
      "    two",
      "    lines",
      "[ts] STATUS by qa - v0.1 - IN_REVIEW -> REVIEWED",
      "[ts] CHECKOUT by claude - v0.1",
    ]);
    assert.equal(r.data.events.length, 7);
    assert.match(r.lines[1]!, /^\[2026-03-02T09:\d\d:00\+00:00\]/, "the timestamps come from the service clock");
    p.no(history, "claude", { docId: "SOP-404" }, "not-found", /SOP-404/);
  });
});

describe("inbox and workspace (in process)", () => {
  it("REQ-QRY-005, REQ-SEC-008: inbox lists the caller's own tasks only", (t) => {
    const p = svcProject(t);
    assert.deepEqual(p.ok(inbox, "qa", undefined).lines, ["Inbox is empty"]);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa"] });
    p.ok(create, "claude", { type: "SOP", title: "Second" });
    p.ok(route, "claude", { docId: "SOP-002", kind: "review", assign: ["qa", "tu_ui"] });
    const r = p.ok(inbox, "qa", undefined);
    assert.deepEqual(r.lines, [
      "Inbox for qa: 2 tasks",
      "",
      "[REVIEW] SOP-001 - Cleaning",
      "    Workflow: REVIEW | From: claude | Date: 2026-03-02 | Version: 0.1",
      "",
      "[REVIEW] SOP-002 - Second",
      "    Workflow: REVIEW | From: claude | Date: 2026-03-02 | Version: 0.1",
    ]);
    assert.deepEqual(r.data.tasks.map((x) => [x.task_id, x.path]), [
      ["task-SOP-001-review-v0-1", ".claude/users/qa/inbox/task-SOP-001-review-v0-1.md"],
      ["task-SOP-002-review-v0-1", ".claude/users/qa/inbox/task-SOP-002-review-v0-1.md"],
    ]);
    const mine = p.ok(inbox, "tu_ui", undefined);
    assert.equal(mine.lines[0], "Inbox for tu_ui: 1 task");
    assert.deepEqual(mine.data.tasks.map((x) => x.doc_id), ["SOP-002"]);
    fs.writeFileSync(p.file(".claude/users/tu_ui/inbox/note.md"), "not a task\n");
    fs.writeFileSync(p.file(".claude/users/tu_ui/inbox/task-by-hand.md"), "no frontmatter\n");
    const tasks = p.ok(inbox, "tu_ui", undefined).data.tasks;
    assert.deepEqual(tasks.map((x) => x.path.split("/").at(-1)), ["task-SOP-002-review-v0-1.md", "task-by-hand.md"], "only task-*.md files are tasks");
    const odd = tasks[1]!;
    assert.deepEqual([odd.task_id, odd.task_type, odd.doc_id], ["task-by-hand", "TASK", ""]);
  });

  it("REQ-QRY-006, REQ-SEC-008: workspace lists the caller's copies with their state from the meta", (t) => {
    const p = svcProject(t);
    assert.deepEqual(p.ok(workspace, "claude", undefined).lines, ["Workspace is empty"]);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    p.edit("claude", "NOTE-1", "---\ntitle: scratch\n---\n");
    p.edit("lead", "SOP-001", "---\ntitle: Cleaning\n---\n");
    assert.deepEqual(p.ok(workspace, "claude", undefined).lines, ["Workspace for claude: 2 documents", "  NOTE-1 - not a known document - scratch", "  SOP-001 - v0.1 DRAFT - Cleaning"]);
    assert.deepEqual(p.ok(workspace, "lead", undefined).lines, ["Workspace for lead: 1 document", "  SOP-001 - v0.1 DRAFT - Cleaning (not checked out to you)"]);
  });
});

describe("read and comments (in process)", () => {
  it("REQ-QRY-001: read returns the effective text by default, else the draft; --draft and --version pick", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    const draft = p.ok(read, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual([draft.data.source, draft.data.version, draft.data.path], ["draft", "0.1", "QMS/SOP/SOP-001-draft.md"]);
    assert.deepEqual(draft.lines, [p.draft("SOP-001")]);
    p.no(read, "tu_ui", { docId: "SOP-001", version: "1.0" }, "not-found", /Version 1\.0 of SOP-001 is not in the archive\./);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    p.ok(approve, "qa", { docId: "SOP-001" });
    p.checkoutAndEdit("claude", "SOP-001", "revision two");
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const eff = p.ok(read, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual([eff.data.source, eff.data.version, eff.data.path], ["effective", "1.0", "QMS/SOP/SOP-001.md"]);
    const d = p.ok(read, "tu_ui", { docId: "SOP-001", draft: true });
    assert.deepEqual([d.data.source, d.data.version], ["draft", "1.1"]);
    assert.match(d.data.content, /revision two/);
    const old = p.ok(read, "tu_ui", { docId: "SOP-001", version: "0.1" });
    assert.deepEqual([old.data.source, old.data.path], ["archive", "QMS/.archive/SOP/SOP-001-v0.1.md"]);
    assert.equal(p.ok(read, "tu_ui", { docId: "SOP-001", version: "1.0" }).data.source, "effective", "the version in force is read from the effective file");
    p.no(read, "tu_ui", { docId: "SOP-001", version: "7.3" }, "not-found", /Version 7\.3 of SOP-001 is not in the archive \(the effective version is 1\.0\)\./);
    p.no(read, "tu_ui", { docId: "SOP-001", version: "0.1", draft: true }, "invalid-argument", /Use either --draft or --version, not both\./);
    p.no(read, "tu_ui", { docId: "SOP-001", version: "../x" }, "invalid-argument", /version/i);
  });

  it("REQ-QRY-004: comments lists review and rejection comments in order; the current round's reviews stay hidden until it completes", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    assert.deepEqual(p.ok(comments, "qa", { docId: "SOP-001" }).lines, ["No comments for SOP-001."]);
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "fine by me" });
    const hidden = p.ok(comments, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual(hidden.data, []);
    assert.deepEqual(hidden.lines, ["No comments for SOP-001.", "", "1 review comment of the current round is hidden while SOP-001 is IN_REVIEW; they show once the review completes."]);
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok too" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    p.ok(reject, "qa", { docId: "SOP-001", comment: "not yet" });
    const all = p.ok(comments, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual(all.data.map((c) => [c.user, c.event, c.outcome, c.comment, c.version]), [
      ["qa", "REVIEW", "RECOMMEND", "fine by me", "0.1"],
      ["tu_ui", "REVIEW", "RECOMMEND", "ok too", "0.1"],
      ["qa", "REJECT", "REJECTED", "not yet", "0.1"],
    ]);
    assert.equal(all.lines[0], "Comments for SOP-001:");
    assert.match(all.lines[2]!, /^\[v0\.1\] qa \(RECOMMEND\) - 2026-03-02T09:\d\d:00\+00:00$/);
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001", version: "9.9" }).lines, ["No comments for SOP-001 on version 9.9."]);
  });
});

describe("list (in process)", () => {
  it("REQ-WEB-020: list shows every document and filters by type, status, owner, query and what waits for the caller", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Cleaning" });
    p.ok(create, "lead", { type: "SOP", title: "Training" });
    p.ok(route, "lead", { docId: "SOP-002", kind: "review", assign: ["tu_ui"] });
    p.ok(create, "claude", { type: "CR", title: "A change" });
    const all = p.ok(list, "qa", {});
    assert.equal(all.data.total, 3);
    assert.deepEqual(all.data.documents.map((d) => d.doc_id).sort(), ["CR-001", "SOP-001", "SOP-002"]);
    const ids = (input: Parameters<typeof list>[1]) => p.ok(list, "tu_ui", input).data.documents.map((d) => d.doc_id).sort();
    assert.deepEqual(ids({ type: "sop" }), ["SOP-001", "SOP-002"]);
    assert.deepEqual(ids({ status: "in_review" }), ["SOP-002"]);
    assert.deepEqual(ids({ owner: "lead" }), ["SOP-002"]);
    assert.deepEqual(ids({ query: "CLEAN" }), ["SOP-001"]);
    assert.deepEqual(ids({ query: "cr-0" }), ["CR-001"]);
    assert.deepEqual(ids({ mine: true }), ["SOP-002"], "tu_ui's pending review");
    const row = p.ok(list, "tu_ui", { status: "IN_REVIEW" }).data.documents[0]!;
    assert.deepEqual([row.title, row.responsible_user, row.checked_out, row.pending_reviewers, row.pending_approvers], ["Training", "lead", false, ["tu_ui"], []]);
    p.no(list, "mallory", {}, "unknown-user", /Unknown user 'mallory'/);
  });
});
