import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { RefusalError } from "../src/core/result.js";
import { approve } from "../src/services/approve.js";
import { validateAssignees } from "../src/services/assignees.js";
import { checkin } from "../src/services/checkin.js";
import { close } from "../src/services/close.js";
import { create } from "../src/services/create.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { status } from "../src/services/status.js";
import { svcProject } from "./svc-harness.js";

/** Workflow services in process, second part: exact refusal texts and edge states the first part leaves open. */

describe("create, close, status and assignees (in process), second part", () => {
  it("REQ-DOC-002, REQ-DOC-014: parent and type refusals in full; an SDLC type is the whole name", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "CR", title: "c" });
    assert.equal(
      p.no(create, "claude", { type: "SOP", title: "x", parent: "CR-001" }, "invalid-parent").text,
      "Error: An SOP cannot be created under CR-001 (a CR); its parent must be a nothing.\nNext: Pick a parent of the right type; see: qms --user claude status <ID>",
    );
    assert.equal(p.no(create, "claude", { type: "VAR", title: "x" }, "invalid-parent").text, "Error: VAR documents need a parent (CR or INV).\nNext: Run: qms --user claude create VAR --parent <ID> --title ...");
    assert.equal(
      p.no(create, "claude", { type: "ADD", title: "x", parent: "CR-001" }, "invalid-parent").text,
      "Error: An ADD needs its parent CR-001 to be CLOSED; it is DRAFT.\nNext: Close CR-001 first, or amend it another way.",
    );
    p.no(create, "claude", { type: "QMS-RSX", title: "x" }, "invalid-type", /^Error: Unknown document type 'QMS-RSX'\./);
    p.ok(create, "claude", { type: "QMS-RS", title: "Requirements" });
    assert.equal(p.no(create, "claude", { type: "qms-rs", title: "again" }, "already-exists").text, "Error: SDLC-QMS-RS already exists.\nNext: See it with: qms --user claude status SDLC-QMS-RS");
  });

  it("REQ-WF-010, REQ-DOC-020: close refuses a final attachment and a missing draft; the cascade skips an open VR without a draft", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr1 = p.ok(create, "claude", { type: "VR", title: "one", parent: cr }).data.doc_id;
    const vr2 = p.ok(create, "claude", { type: "VR", title: "two", parent: cr }).data.doc_id;
    p.ok(checkin, "claude", { docId: vr1 });
    p.ok(close, "claude", { docId: vr1 });
    const metaFile = p.project().metaPath(p.project().parseId(vr1));
    fs.writeFileSync(metaFile, JSON.stringify({ ...p.meta(vr1), responsible_user: "claude" }));
    assert.equal(p.no(close, "claude", { docId: vr1 }, "invalid-transition").text, `Error: Cannot close ${vr1} from CLOSED: it is already terminal.\nNext: See: qms --user claude status ${vr1}`);
    p.ok(checkin, "claude", { docId: vr2 });
    fs.rmSync(p.file(`QMS/CR/${cr}/${vr2}-draft.md`));
    assert.equal(p.no(close, "claude", { docId: vr2 }, "corrupt-data").text, `Error: ${vr2} has no draft file to close.\nNext: Restore the draft from version control.`);
    p.ok(route, "claude", { docId: cr, kind: "review" });
    p.ok(review, "qa", { docId: cr, outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: cr, kind: "approval" });
    p.ok(approve, "qa", { docId: cr });
    const closed = p.ok(close, "claude", { docId: cr });
    assert.deepEqual([closed.data.cascade_closed, closed.lines], [[], [`Closed: ${cr} (v2.0)`]]);
    assert.equal(p.meta(vr2).status, "IN_EXECUTION", "the VR without a draft stays open");
  });

  it("REQ-QRY-002: status of a meta without type, of a round without assignees, and of two pending reviewers", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    assert.ok(p.ok(status, "bu", { docId: "SOP-001" }).lines.includes("Pending Reviewers: qa, tu_ui"));
    const metaFile = p.project().metaPath(p.project().parseId("SOP-001"));
    const { doc_type: _type, ...rest } = p.meta("SOP-001");
    fs.writeFileSync(metaFile, JSON.stringify({ ...rest, pending_assignees: [] }));
    const s = p.ok(status, "bu", { docId: "SOP-001" });
    assert.equal(s.data.doc_type, "SOP");
    assert.deepEqual(s.lines.slice(-2), ["Checked Out: False", "Pending Reviewers: (none)"]);
    fs.writeFileSync(metaFile, JSON.stringify({ ...rest, status: "IN_APPROVAL", pending_assignees: [] }));
    assert.equal(p.ok(status, "bu", { docId: "SOP-001" }).lines.at(-1), "Pending Approvers: (none)");
  });

  it("REQ-SEC-007: assigning nobody is refused with an example", (t) => {
    const p = svcProject(t);
    assert.throws(
      () => validateAssignees(p.project(), [], "review"),
      (err: unknown) => err instanceof RefusalError && err.refusal.message === "No assignees given." && err.refusal.hint === "Name at least one user, e.g. --assign qa",
    );
  });
});

describe("route (in process), second part", () => {
  it("REQ-WF-005, REQ-TASK-001: routing for approval records its type and assignees; two assignees are listed", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const r = p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    assert.deepEqual(r.lines, ["Routed: SOP-001 for REVIEW", "Status: DRAFT -> IN_REVIEW", "Assigned to: qa, tu_ui"]);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval", assign: ["qa"] });
    const [sc, ra] = p.audit("SOP-001").slice(-2);
    assert.deepEqual([sc?.event, sc?.from_status, sc?.to_status], ["STATUS_CHANGE", "REVIEWED", "IN_APPROVAL"]);
    assert.deepEqual([ra?.event, ra?.assignees, ra?.approval_type, ra?.review_type], ["ROUTE_APPROVAL", ["qa"], "APPROVAL", undefined]);
  });

  it("REQ-WF-012: a post-approval routing can be a retirement; a new review round starts with no outcomes on record", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("POST_REVIEWED");
    const r = p.ok(route, "claude", { docId: cr, kind: "approval", retire: true });
    assert.deepEqual([r.data.workflow, r.data.retiring, r.lines[0]], ["POST_APPROVAL", true, `Routed: ${cr} for POST_APPROVAL (retirement)`]);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const metaFile = p.project().metaPath(p.project().parseId("SOP-001"));
    fs.writeFileSync(metaFile, JSON.stringify({ ...p.meta("SOP-001"), review_outcomes: { qa: "RECOMMEND" } }));
    p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["tu_ui"] });
    assert.deepEqual([p.meta("SOP-001").status, p.meta("SOP-001").review_outcomes ?? {}], ["IN_REVIEW", {}]);
  });

  it("REQ-WF-001: a DRAFT routed for approval (its outcomes on record) is told to route for review first", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const metaFile = p.project().metaPath(p.project().parseId("SOP-001"));
    fs.writeFileSync(metaFile, JSON.stringify({ ...p.meta("SOP-001"), review_outcomes: { qa: "RECOMMEND" } }));
    assert.equal(
      p.no(route, "claude", { docId: "SOP-001", kind: "approval" }, "invalid-transition").text,
      "Error: Cannot route_approval from DRAFT (non-executable).\nNext: Route it for review first: qms --user claude route SOP-001 --review",
    );
  });
});
