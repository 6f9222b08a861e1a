import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { release } from "../src/services/release.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { svcProject } from "./svc-harness.js";

const body = (text: string): string => `---\ntitle: x\n---\n\n${text}\n`;
const NEXT_CHECKOUT = "Next: Fill them in (or delete them): check it out with: qms --user claude checkout SOP-001; or, to route it as it is (recorded in the audit trail): qms --user claude route SOP-001 --review --allow-placeholders";

describe("route refuses template placeholders (in process; qms.md §13 item 18)", () => {
  it("REQ-UX-007: a checked-in draft with {{…}} and [MARKER] placeholders is refused with each one's line; code, comments and links are not placeholders", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Ph" }).data.doc_id;
    p.edit("claude", id, body("# {{TITLE}}\n\nSee [SUMMARY] and `{{code}}` and [a link](x) <!-- {{hidden}} -->\n\n```\n{{fenced}}\n```\n- [X] done"));
    p.ok(checkin, "claude", { docId: id });
    assert.equal(
      p.no(route, "claude", { docId: id, kind: "review" }, "placeholders").text,
      `Error: SOP-001 still contains 2 template placeholders (QMS/SOP/SOP-001-draft.md); the template says none may remain when it is routed for review:\n  line 6: {{TITLE}}\n  line 8: [SUMMARY]\n${NEXT_CHECKOUT}`,
    );
    p.ok(checkout, "claude", { docId: id });
    p.edit("claude", id, body("one {{LEFT}} only"));
    p.ok(checkin, "claude", { docId: id });
    assert.match(p.no(route, "claude", { docId: id, kind: "review" }, "placeholders").text, /^Error: SOP-001 still contains 1 template placeholder \(QMS\/SOP\/SOP-001-draft\.md\); the template says none may remain when it is routed for review:\n {2}line 6: \{\{LEFT\}\}\n/);
  });

  it("REQ-UX-007: routing a checked-out copy checks the workspace copy, lists 40 and counts the rest; --allow-placeholders records them on the ROUTE event", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Ph" }).data.doc_id;
    p.edit("claude", id, body(Array.from({ length: 43 }, (_, i) => `{{P${i}}}`).join("\n")));
    const listed = Array.from({ length: 40 }, (_, i) => `  line ${i + 5}: {{P${i}}}`).join("\n");
    assert.equal(
      p.no(route, "claude", { docId: id, kind: "review" }, "placeholders").text,
      `Error: SOP-001 still contains 43 template placeholders (.claude/users/claude/workspace/SOP-001.md); the template says none may remain when it is routed for review:\n${listed}\n  … and 3 more\nNext: Fill them in (or delete them) in .claude/users/claude/workspace/SOP-001.md, then: qms --user claude route SOP-001 --review; or, to route it as it is (recorded in the audit trail): qms --user claude route SOP-001 --review --allow-placeholders`,
    );
    const r = p.ok(route, "claude", { docId: id, kind: "review", allowPlaceholders: true });
    assert.equal(r.text, "Auto-checked-in: SOP-001 (v0.1)\nRouted: SOP-001 for REVIEW\nStatus: DRAFT -> IN_REVIEW\nAssigned to: qa");
    const ev = p.audit(id).at(-1)!;
    assert.equal(ev.event, "ROUTE_REVIEW");
    assert.equal(ev.allow_placeholders, true);
    assert.deepEqual(ev.placeholders, Array.from({ length: 40 }, (_, i) => `line ${i + 5}: {{P${i}}}`));
  });

  it("REQ-UX-007: a clean text is routed with no placeholder fields; a TEMPLATE's placeholders are its content", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Clean" }).data.doc_id;
    p.ok(route, "claude", { docId: id, kind: "review", allowPlaceholders: true });
    const ev = p.audit(id).at(-1)!;
    assert.equal(ev.event, "ROUTE_REVIEW");
    assert.equal("allow_placeholders" in ev, false);
    assert.equal("placeholders" in ev, false);
    const tpl = p.ok(create, "claude", { type: "TEMPLATE", title: "t", name: "XX" }).data.doc_id;
    p.edit("claude", tpl, body("{{NAME}} and [MARKER]"));
    assert.equal(p.ok(route, "claude", { docId: tpl, kind: "review" }).text, "Auto-checked-in: TEMPLATE-XX (v0.1)\nRouted: TEMPLATE-XX for REVIEW\nStatus: DRAFT -> IN_REVIEW\nAssigned to: qa");
  });

  it("REQ-UX-007: a CR keeps its [MARKERS] for execution until release, never its {{…}}; after release the markers count", (t) => {
    const p = svcProject(t);
    const cr = p.ok(create, "claude", { type: "CR", title: "c" }).data.doc_id;
    p.edit("claude", cr, body("Performer: [PERFORMER] {{SCOPE}}"));
    assert.match(p.no(route, "claude", { docId: cr, kind: "review" }, "placeholders").text, /^Error: CR-001 still contains 1 template placeholder .*\n {2}line 5: \{\{SCOPE\}\}\n/);
    p.edit("claude", cr, body("Performer: [PERFORMER]"));
    p.ok(route, "claude", { docId: cr, kind: "review" });
    p.ok(review, "qa", { docId: cr, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: cr, kind: "approval" });
    p.ok(approve, "qa", { docId: cr });
    p.ok(release, "claude", { docId: cr });
    assert.match(p.no(route, "claude", { docId: cr, kind: "review" }, "placeholders").text, /^Error: CR-001 still contains 1 template placeholder \(QMS\/CR\/CR-001\/CR-001-draft\.md\).*\n {2}line 6: \[PERFORMER\]\n/);
    assert.equal(p.meta(cr).status, "IN_EXECUTION");
  });
});

describe("the approval gate says why a document has no review that counts (in process; REQ-WF-005)", () => {
  it("REQ-WF-005: never reviewed; reviewed then checked out (routing would check it in); reviewed then checked in again", (t) => {
    const p = svcProject(t);
    const id = p.ok(create, "claude", { type: "SOP", title: "Gate" }).data.doc_id;
    p.ok(route, "claude", { docId: id, kind: "review" });
    assert.equal(
      p.no(route, "claude", { docId: id, kind: "approval" }, "approval-gate").text,
      "Error: No reviews on record for SOP-001: a document is routed for approval only after a review.\nNext: Route it for review first: qms --user claude route SOP-001 --review",
    );
    p.ok(review, "qa", { docId: id, outcome: "recommend", comment: "ok" });
    p.ok(checkout, "claude", { docId: id });
    assert.equal(
      p.no(route, "claude", { docId: id, kind: "approval" }, "approval-gate").text,
      "Error: SOP-001 was reviewed (last review by qa at v0.1, 2026-03-02), but it is checked out: routing checks it in, and a checked-in text counts as changed since its review, so that review no longer applies.\nNext: Route it for review again: qms --user claude route SOP-001 --review",
    );
    p.ok(checkin, "claude", { docId: id });
    const checkedIn = "Error: SOP-001 was reviewed (last review by qa at v0.1, 2026-03-02), but it was checked out and checked in since: the text changed since its review, so that review no longer applies.\nNext: Route it for review again: qms --user claude route SOP-001 --review";
    assert.equal(p.no(route, "claude", { docId: id, kind: "approval" }, "approval-gate").text, checkedIn);
    p.ok(checkout, "claude", { docId: id });
    assert.equal(p.no(route, "claude", { docId: id, kind: "approval" }, "approval-gate").text, checkedIn, "checked in since, and out again: the check-in is the reason");
    p.ok(checkin, "claude", { docId: id });
    p.ok(route, "claude", { docId: id, kind: "review" });
    assert.equal(
      p.no(route, "claude", { docId: id, kind: "approval" }, "approval-gate").text,
      "Error: No reviews on record for SOP-001: a document is routed for approval only after a review.\nNext: Route it for review first: qms --user claude route SOP-001 --review",
      "a new review round routed since is a round with no review yet",
    );
  });
});
