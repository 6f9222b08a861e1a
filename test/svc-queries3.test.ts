import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import type { DocMeta } from "../src/core/meta.js";
import { STATUSES } from "../src/core/statuses.js";
import { checkin } from "../src/services/checkin.js";
import { comments } from "../src/services/comments.js";
import { create } from "../src/services/create.js";
import { recentEvents } from "../src/services/feed.js";
import { inbox } from "../src/services/inbox.js";
import { list, next } from "../src/services/list.js";
import { effectiveFileVersion, read } from "../src/services/read.js";
import { route } from "../src/services/route.js";
import { vrRecord } from "../src/services/vr-record.js";
import { svcProject } from "./svc-harness.js";

/** Query services in process, third part: odd stored data and exact texts. */

describe("vr record (in process)", () => {
  it("spec §9.2: a stored record of odd shapes is read as far as it goes; one that is no object is refused in these words", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr = p.ok(create, "claude", { type: "VR", title: "odd", parent: cr }).data.doc_id;
    const source = p.file(`QMS/.meta/VR/${vr}.source.json`);
    fs.writeFileSync(source, JSON.stringify({ template: "VR", template_version: 5, responses: { only: [{ author: 7 }] } }));
    const one = p.ok(vrRecord, "qa", { docId: vr });
    assert.deepEqual(one.data, {
      doc_id: vr,
      template: "VR",
      template_version: "5",
      responses: [{ prompt: "only", value: '""', author: "7", timestamp: "", reason: null, commit: null, superseded: false }],
    });
    assert.deepEqual(one.lines, [`Record of ${vr}: 1 response`, "  [] only by 7"]);
    fs.writeFileSync(source, JSON.stringify({ responses: { plain: "a value", list: ["bare", { value: { x: 1 }, timestamp: "2026-01-01T00:00:00Z" }] } }));
    const odd = p.ok(vrRecord, "qa", { docId: vr });
    assert.deepEqual([odd.data.template, odd.data.template_version], [null, null]);
    assert.deepEqual(odd.data.responses.map((r) => [r.prompt, r.value, r.superseded]), [
      ["plain", "a value", false],
      ["list", "bare", true],
      ["list", '{"x":1}', false],
    ]);
    fs.writeFileSync(source, JSON.stringify({ responses: "not a map" }));
    assert.deepEqual(p.ok(vrRecord, "qa", { docId: vr }).lines, [`Record of ${vr}: 0 responses`]);
    fs.writeFileSync(source, JSON.stringify({ responses: [{ value: "in a list" }] }));
    assert.deepEqual(p.ok(vrRecord, "qa", { docId: vr }).data.responses.map((r) => [r.prompt, r.value]), [["0", "in a list"]]);
    for (const raw of ["null", '"text"', "3"]) {
      fs.writeFileSync(source, raw);
      assert.equal(
        p.no(vrRecord, "qa", { docId: vr }, "corrupt-data").text,
        `Error: QMS/.meta/VR/${vr}.source.json is not a JSON object.\nNext: Restore it from version control.`,
        raw,
      );
    }
  });
});

describe("comments of hand-written audit trails (in process)", () => {
  const line = (event: Record<string, unknown>): string => JSON.stringify({ user: "qa", version: "0.1", ...event });

  it("REQ-QRY-004: only the last real ROUTE_REVIEW starts the current round; legacy, empty and non-text comments never show", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    const audit = p.file("QMS/.audit/SOP/SOP-001.jsonl");
    const write = (events: Array<Record<string, unknown>>): void => fs.writeFileSync(audit, `${events.map(line).join("\n")}\n`);
    write([
      { ts: "2026-01-01T00:00:00Z", event: "REVIEW", user: "old", comment: "before any round" },
      { ts: "2026-01-01T00:00:01Z", event: "ROUTE_REVIEW", user: "claude" },
      { ts: "2026-01-01T00:00:02Z", event: "REVIEW", outcome: "RECOMMEND", comment: "in the round" },
      { ts: "2026-01-01T00:00:03Z", event: "REJECT", comment: "a rejection" },
      { ts: "2026-01-01T00:00:04Z", event: "ROUTE_REVIEW", legacy_action: "route" },
      { ts: "2026-01-01T00:00:05Z", event: "REVIEW", legacy_action: "review", comment: "legacy review" },
      { ts: "2026-01-01T00:00:06Z", event: "REVIEW", comment: "" },
      { ts: "2026-01-01T00:00:07Z", event: "REVIEW", comment: 5 },
      { ts: "2026-01-01T00:00:08Z", event: "APPROVE", comment: "not a comment event" },
    ]);
    const r = p.ok(comments, "tu_ui", { docId: "SOP-001" });
    assert.deepEqual(r.data, [
      { version: "0.1", user: "old", event: "REVIEW", outcome: "", ts: "2026-01-01T00:00:00Z", comment: "before any round" },
      { version: "0.1", user: "qa", event: "REJECT", outcome: "REJECTED", ts: "2026-01-01T00:00:03Z", comment: "a rejection" },
    ]);
    assert.deepEqual(r.lines, [
      "Comments for SOP-001:",
      "",
      "[v0.1] old () - 2026-01-01T00:00:00Z",
      "before any round",
      "",
      "[v0.1] qa (REJECTED) - 2026-01-01T00:00:03Z",
      "a rejection",
      "",
      "1 review comment of the current round is hidden while SOP-001 is IN_REVIEW; they show once the review completes.",
    ]);
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001", version: "0.2" }).lines, ["No comments for SOP-001 on version 0.2."]);
    write([
      { ts: "2026-01-01T00:00:01Z", event: "ROUTE_REVIEW", user: "claude" },
      { ts: "2026-01-01T00:00:02Z", event: "REVIEW", comment: "first" },
      { ts: "2026-01-01T00:00:03Z", event: "REVIEW", comment: "second", version: "0.2" },
    ]);
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001" }).lines, [
      "No comments for SOP-001.",
      "",
      "2 review comments of the current round are hidden while SOP-001 is IN_REVIEW; they show once the review completes.",
    ]);
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001", version: "0.2" }).lines.at(-1), "1 review comment of the current round is hidden while SOP-001 is IN_REVIEW; they show once the review completes.");
    write([
      { ts: "2026-01-01T00:00:02Z", event: "REVIEW", comment: "no round on record" },
      { ts: "2026-01-01T00:00:03Z", event: "REVIEW", comment: "still none" },
    ]);
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001" }).data, [], "without a ROUTE_REVIEW every review is of the current round");
    fs.writeFileSync(p.project().metaPath(p.project().parseId("SOP-001")), JSON.stringify({ ...p.meta("SOP-001"), status: "REVIEWED" }));
    assert.deepEqual(p.ok(comments, "tu_ui", { docId: "SOP-001" }).data.map((c) => c.comment), ["no round on record", "still none"], "out of review everything shows");
  });
});

describe("feed reading order (in process)", () => {
  const at = (iso: string): Date => new Date(iso);

  it("REQ-WEB-023: files are read newest first; a file last written before the oldest kept event is not read", (t) => {
    const p = svcProject(t);
    const put = (id: string, ts: string, mtime: string, user = "qa"): void => {
      const file = p.file(`QMS/.audit/SOP/${id}.jsonl`);
      fs.writeFileSync(file, `${JSON.stringify({ ts, event: "CREATE", user, version: "0.1", title: "T" })}\n`);
      fs.utimesSync(file, at(mtime), at(mtime));
    };
    put("SOP-001", "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z");
    put("SOP-002", "2026-01-01T11:00:00Z", "2026-01-01T10:00:00Z");
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 1 }).data.events.map((e) => e.doc_id), ["SOP-002"], "written at the very second of the oldest kept event: read");
    put("SOP-001", "2026-01-01T11:00:00Z", "2026-01-01T09:00:00Z");
    put("SOP-002", "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z");
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 1 }).data.events.map((e) => e.doc_id), ["SOP-002"], "SOP-001 was last written before 10:00, so it is not read");
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 2 }).data.events.map((e) => e.doc_id), ["SOP-001", "SOP-002"]);
    put("SOP-002", "0000 not a time", "2026-01-01T12:00:00Z");
    assert.deepEqual(p.ok(recentEvents, "qa", { limit: 1 }).data.events.map((e) => e.doc_id), ["SOP-001"], "an unreadable time stops nothing: SOP-001 is read and is newer");
    fs.writeFileSync(p.file("QMS/.audit/SOP/not-an-id.jsonl"), `${JSON.stringify({ ts: "2026-01-01T13:00:00Z", event: "CREATE", user: "qa", version: "0.1" })}\n`);
    assert.deepEqual(p.ok(recentEvents, "qa", { user: " " }).data.events.map((e) => e.doc_id), ["SOP-001", "SOP-002"], "a blank user filters nothing; a file that names no document is skipped");
    put("SOP-002", "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z", "tu_ui");
    const mine = p.ok(recentEvents, "qa", { user: " tu_ui " });
    assert.deepEqual(mine.lines, ["SOP-002 [2026-01-01T10:00:00Z] CREATE by tu_ui - v0.1 - \"T\""]);
    assert.deepEqual(p.ok(recentEvents, "qa", { user: "bu" }).lines, ["No audit events."]);
  });
});

describe("list and next, third part (in process)", () => {
  it("REQ-WEB-020, REQ-WEB-022: 'needs me' is any step of the caller's; a damaged meta is a warning; a meta without type or owner still lists", (t) => {
    const p = svcProject(t);
    p.ok(create, "lead", { type: "SOP", title: "Two reviewers" });
    p.ok(route, "lead", { docId: "SOP-001", kind: "review", assign: ["qa", "tu_ui"] });
    assert.deepEqual(p.ok(list, "qa", { mine: true }).data.documents.map((d) => d.doc_id), ["SOP-001"], "one of two pending reviewers");
    p.ok(create, "claude", { type: "SOP", title: "Ownerless" });
    p.ok(checkin, "claude", { docId: "SOP-002" });
    const metaFile = p.project().metaPath(p.project().parseId("SOP-002"));
    const { doc_type: _type, ...rest } = p.meta("SOP-002");
    fs.writeFileSync(metaFile, JSON.stringify({ ...rest, responsible_user: null }));
    fs.writeFileSync(p.file("QMS/.meta/SOP/SOP-009.json"), "{ damaged");
    const r = p.ok(list, "qa", {});
    assert.deepEqual(r.warnings?.map((w) => w.replace(`${p.root}/`, "")), ["SOP-009: QMS/.meta/SOP/SOP-009.json is not valid JSON."]);
    const row = r.data.documents.find((d) => d.doc_id === "SOP-002")!;
    assert.deepEqual([row.doc_type, row.responsible_user, row.checkout_holder, row.next], ["SOP", null, null, [{ action: "route", doc_id: "SOP-002", args: { route_type: "review" } }]]);
    assert.deepEqual(p.ok(next, "qa", { docId: "SOP-002" }).lines, ["anyone: route --review SOP-002"]);
    assert.deepEqual(p.ok(next, "qa", { docId: "SOP-001" }).data, { doc_id: "SOP-001", next: [{ action: "review", doc_id: "SOP-001", user: "qa" }, { action: "review", doc_id: "SOP-001", user: "tu_ui" }] });
  });

  it("REQ-WEB-020: an open VR's row says its owner closes it (an attachment is not routed)", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr = p.ok(create, "claude", { type: "VR", title: "v", parent: cr }).data.doc_id;
    p.ok(checkin, "claude", { docId: vr });
    const rows = p.ok(list, "qa", {}).data.documents;
    assert.deepEqual(rows.find((d) => d.doc_id === vr)!.next, [{ action: "close", doc_id: vr, user: "claude" }]);
    assert.deepEqual(rows.find((d) => d.doc_id === cr)!.next, [{ action: "route", doc_id: cr, args: { route_type: "review" }, user: "claude" }]);
    assert.deepEqual([rows.find((d) => d.doc_id === vr)!.executable, rows.find((d) => d.doc_id === cr)!.executable], [true, true]);
  });
});

describe("inbox, third part (in process)", () => {
  it("REQ-QRY-005: a task file's missing ID and type are derived from its name and workflow", (t) => {
    const p = svcProject(t);
    fs.writeFileSync(p.file(".claude/users/qa/inbox/task-bare.md"), "---\ndoc_id: SOP-005\ntitle: Bare\nversion: 0.3\nassigned_by: lead\nassigned_date: 2026-01-02\n---\n");
    fs.writeFileSync(p.file(".claude/users/qa/inbox/task-review.md"), "---\nworkflow_type: APPROVAL_REVIEW\ntask_id: t-7\n---\n");
    const r = p.ok(inbox, "qa", undefined);
    assert.deepEqual(r.data.tasks.map((x) => [x.task_id, x.task_type, x.workflow_type, x.doc_id, x.version]), [["task-bare", "TASK", "", "SOP-005", "0.3"], ["t-7", "REVIEW", "APPROVAL_REVIEW", "", ""]]);
    assert.deepEqual(r.lines.slice(0, 4), ["Inbox for qa: 2 tasks", "", "[TASK] SOP-005 - Bare", "    Workflow: ? | From: lead | Date: 2026-01-02 | Version: 0.3"]);
    fs.rmSync(p.file(".claude/users/qa/inbox/task-review.md"));
    assert.equal(p.ok(inbox, "qa", undefined).lines[0], "Inbox for qa: 1 task");
  });
});

describe("read, third part (in process)", () => {
  it("REQ-QRY-001: the effective file's version comes from the meta: effective_version, else the version of an EFFECTIVE, CLOSED or RETIRED document", () => {
    const meta = (m: Partial<DocMeta>): DocMeta => ({ doc_id: "SOP-001", doc_type: "SOP", version: "2.0", status: "DRAFT", ...m }) as DocMeta;
    assert.equal(effectiveFileVersion(meta({ effective_version: "1.0", status: "DRAFT", version: "1.1" })), "1.0");
    assert.equal(effectiveFileVersion(meta({ effective_version: "", status: "EFFECTIVE" })), "2.0");
    assert.equal(effectiveFileVersion(meta({ effective_version: "" })), undefined);
    for (const status of ["EFFECTIVE", "CLOSED", "RETIRED"] as const) assert.equal(effectiveFileVersion(meta({ status })), "2.0", status);
    for (const status of ["DRAFT", "IN_EXECUTION", "APPROVED"] as const) assert.equal(effectiveFileVersion(meta({ status })), undefined, status);
  });

  it("REQ-QRY-001: read refusals say what exists and what to run", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    assert.equal(
      p.no(read, "qa", { docId: "SOP-001", version: "1.0" }, "not-found").text,
      "Error: Version 1.0 of SOP-001 is not in the archive.\nNext: See which versions exist with: qms --user qa history SOP-001",
    );
    p.effectiveSop();
    assert.equal(
      p.no(read, "qa", { docId: "SOP-002", draft: true }, "not-found").text,
      "Error: SOP-002 has no draft (status EFFECTIVE, version 1.0).\nNext: Read the effective version with: qms --user qa read SOP-002",
    );
    const retired = p.project().load("SOP-002");
    fs.writeFileSync(p.project().metaPath(retired.doc), JSON.stringify({ ...retired.meta, status: "RETIRED" }));
    fs.rmSync(p.file("QMS/SOP/SOP-002.md"));
    assert.equal(
      p.no(read, "qa", { docId: "SOP-002" }, "not-found").text,
      "Error: SOP-002 is RETIRED and has no readable file left.\nNext: See its history: qms --user qa history SOP-002",
    );
    fs.writeFileSync(p.file("QMS/.archive/SOP/SOP-002-v1.0.md"), "last words\n");
    assert.deepEqual(p.ok(read, "qa", { docId: "SOP-002" }).data, { doc_id: "SOP-002", source: "archive", version: "1.0", path: "QMS/.archive/SOP/SOP-002-v1.0.md", content: "last words\n" });
    assert.deepEqual(p.ok(read, "qa", { docId: "SOP-002", version: "1.0" }).data.source, "archive");
  });
});

describe("list filters and table (in process)", () => {
  it("REQ-WEB-020: an unknown type, status or owner is refused with the valid ones, all of them while there are at most 12 users", (t) => {
    const p = svcProject(t);
    assert.deepEqual(p.ok(list, "qa", {}).lines, ["No documents."]);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const types = "SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, FLOW-RS, FLOW-RTM, QMS-RS, QMS-RTM";
    assert.equal(p.no(list, "qa", { type: "sopp" }, "invalid-argument").text, `Error: Unknown document type 'SOPP'. Did you mean SOP? Valid: ${types}.\nNext: See every document with: qms --user qa list`);
    assert.equal(
      p.no(list, "qa", { status: "x".repeat(41) }, "invalid-argument").text.split("\n")[0],
      `Error: Unknown status '${"X".repeat(40)}…'. Valid: ${STATUSES.join(", ")}.`,
    );
    assert.match(p.no(list, "qa", { status: "Y".repeat(40) }, "invalid-argument").text, new RegExp(`^Error: Unknown status '${"Y".repeat(40)}'\\. Valid: `));
    const users = "lead, claude, bu, ian, qa, tu_scene, tu_sim, tu_sketch, tu_ui";
    for (const name of ["u1", "u2"]) fs.writeFileSync(p.file(`.claude/agents/${name}.md`), `---\nname: ${name}\ngroup: reviewer\n---\n`);
    const metaFile = p.project().metaPath(p.project().parseId("SOP-001"));
    fs.writeFileSync(metaFile, JSON.stringify({ ...p.meta("SOP-001"), responsible_user: "ghost" }));
    assert.deepEqual(p.ok(list, "qa", { owner: "ghost" }).data.documents.map((d) => d.doc_id), ["SOP-001"], "an owner without an agent file is still an owner");
    assert.equal(p.no(list, "qa", { owner: "nobody" }, "invalid-argument").text.split("\n")[0], `Error: Unknown owner 'nobody'. Valid: ${users}, u1, u2, ghost.`);
    fs.writeFileSync(p.file(".claude/agents/u3.md"), "---\nname: u3\ngroup: reviewer\n---\n");
    assert.equal(p.no(list, "qa", { owner: "nobody" }, "invalid-argument").text.split("\n")[0], "Error: Unknown owner 'nobody'.", "13 users are not listed");
  });

  it("REQ-WEB-020: the table marks a missing owner and checkout with '-'; rows carry no stray pending lists", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "Ownerless" });
    p.ok(checkin, "claude", { docId: "SOP-001" });
    const metaFile = p.project().metaPath(p.project().parseId("SOP-001"));
    fs.writeFileSync(metaFile, JSON.stringify({ ...p.meta("SOP-001"), responsible_user: null }));
    const r = p.ok(list, "qa", {});
    assert.deepEqual(r.lines, ["ID       TYPE  VERSION  STATUS  OWNER  CHECKED OUT BY  TITLE", "SOP-001  SOP   0.1      DRAFT   -      -               Ownerless"]);
    const { last_change: _when, ...row } = r.data.documents[0]!;
    assert.deepEqual(row, {
      doc_id: "SOP-001",
      title: "Ownerless",
      doc_type: "SOP",
      version: "0.1",
      status: "DRAFT",
      executable: false,
      responsible_user: null,
      checked_out: false,
      checkout_holder: null,
      pending_reviewers: [],
      pending_approvers: [],
      parent_id: null,
      depth: 0,
      next: [{ action: "route", doc_id: "SOP-001", args: { route_type: "review" } }],
    });
    const cr = p.crTo("IN_EXECUTION");
    assert.deepEqual(p.ok(next, "qa", { docId: cr }).data.next, [{ action: "route", doc_id: cr, args: { route_type: "review" }, user: "claude" }], "an executable in execution is routed, not closed");
  });
});
