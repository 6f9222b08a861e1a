import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import { cancel } from "../src/services/cancel.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { reject } from "../src/services/reject.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { type SvcProject, svcProject } from "./svc-harness.js";

function withOwnerTasks(p: SvcProject, on: boolean): void {
  fs.writeFileSync(path.join(p.root, "qms.config.json"), `${JSON.stringify({ version: "1.0", sdlc_namespaces: [], owner_tasks: on })}\n`);
}
const task = (p: SvcProject, user: string, file: string) => parseDocument(p.read(`.claude/users/${user}/inbox/${file}`)!);

describe("owner tasks added to each operation's change (in process; agents-and-hub §3)", () => {
  it("REQ-HUB-001: all reviews recommend → the owner's 'route for approval' task, written with the document's title; routing removes it; a rejection writes 'revise'; checkout removes it", (t) => {
    const p = svcProject(t);
    withOwnerTasks(p, true);
    const id = p.ok(create, "claude", { type: "SOP", title: "Owned" }).data.doc_id;
    p.ok(route, "claude", { docId: id, kind: "review", assign: ["qa", "tu_ui"] });
    p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
    assert.deepEqual(p.inbox("claude"), [], "not while a review is pending");
    p.ok(review, "tu_ui", { docId: id, outcome: "recommend", comment: "ok" });
    assert.deepEqual(p.inbox("claude"), ["task-SOP-001-owner_route_approval-v0-1.md"]);
    const doc = task(p, "claude", "task-SOP-001-owner_route_approval-v0-1.md");
    assert.deepEqual(
      [doc.frontmatter.task_type, doc.frontmatter.step, doc.frontmatter.title, doc.frontmatter.caused_by, doc.frontmatter.next_tool, doc.frontmatter.assigned_date],
      ["OWNER", "route_approval", "Owned", "tu_ui", "qms_route", "2026-03-02"],
    );
    assert.match(doc.body, /^# Owner task: SOP-001 v0\.1 - route it for approval\n\nSOP-001 \(Owned\) is REVIEWED: all reviews recommend \(qa, tu_ui\); caused by tu_ui\./);
    p.ok(route, "claude", { docId: id, kind: "approval" });
    assert.deepEqual(p.inbox("claude"), [], "acting on the document removes the owner's task");
    p.ok(reject, "qa", { docId: id, comment: "no" });
    assert.deepEqual(p.inbox("claude"), ["task-SOP-001-owner_revise-v0-1.md"]);
    assert.equal(task(p, "claude", "task-SOP-001-owner_revise-v0-1.md").frontmatter.caused_by, "qa");
    p.ok(checkout, "claude", { docId: id });
    assert.deepEqual(p.inbox("claude"), []);
  });

  it("REQ-HUB-001: a request for updates writes 'revise'; cancelling the document removes its owner task with it", (t) => {
    const p = svcProject(t);
    withOwnerTasks(p, true);
    const id = p.ok(create, "claude", { type: "SOP", title: "Two" }).data.doc_id;
    p.ok(route, "claude", { docId: id, kind: "review" });
    p.ok(review, "qa", { docId: id, outcome: "request-updates", comment: "fix" });
    assert.deepEqual(p.inbox("claude"), ["task-SOP-001-owner_revise-v0-1.md"]);
    p.ok(checkout, "claude", { docId: id });
    p.ok(checkin, "claude", { docId: id });
    p.ok(route, "claude", { docId: id, kind: "review" });
    p.ok(review, "qa", { docId: id, outcome: "request-updates", comment: "again" });
    assert.deepEqual(p.inbox("claude"), ["task-SOP-001-owner_revise-v0-1.md"]);
    p.ok(cancel, "claude", { docId: id, confirm: true });
    assert.deepEqual(p.inbox("claude"), [], "a deleted document leaves no owner task");
  });

  it("REQ-HUB-001: without owner_tasks (false, or a Python-era project with no setting) no owner task is written", (t) => {
    for (const setting of [false, undefined]) {
      const p = svcProject(t);
      if (setting !== undefined) withOwnerTasks(p, setting);
      const id = p.ok(create, "claude", { type: "SOP", title: "None" }).data.doc_id;
      p.ok(route, "claude", { docId: id, kind: "review" });
      p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
      assert.deepEqual(p.inbox("claude"), [], `owner_tasks ${String(setting)}`);
    }
  });
});
