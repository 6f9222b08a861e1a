import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { create } from "../src/services/create.js";
import { recentEvents } from "../src/services/feed.js";
import { initProject } from "../src/services/init.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { vrRecord } from "../src/services/vr-record.js";
import { removeTempDir, tempDir } from "./helpers.js";
import { svcProject } from "./svc-harness.js";

describe("audit feed (in process)", () => {
  it("REQ-WEB-023: the feed lists the latest events across documents, newest first, limited and filterable by user", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "one" });
    p.ok(create, "lead", { type: "SOP", title: "two" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    const all = p.ok(recentEvents, "tu_ui", {});
    assert.deepEqual(all.data.events.map((e) => `${e.doc_id} ${e.event.event} ${e.event.user}`), [
      "SOP-001 STATUS_CHANGE qa",
      "SOP-001 REVIEW qa",
      "SOP-001 ROUTE_REVIEW claude",
      "SOP-001 STATUS_CHANGE claude",
      "SOP-001 CHECKIN claude",
      "SOP-002 CREATE lead",
      "SOP-001 CREATE claude",
    ]);
    assert.match(all.lines[0]!, /^SOP-001 \[2026-03-02T09:\d\d:00\+00:00\] STATUS by qa - v0\.1 - IN_REVIEW -> REVIEWED$/);
    assert.deepEqual(p.ok(recentEvents, "tu_ui", { limit: 2 }).data.events.map((e) => e.event.event), ["STATUS_CHANGE", "REVIEW"]);
    assert.deepEqual(p.ok(recentEvents, "tu_ui", { user: " lead " }).data.events.map((e) => e.doc_id), ["SOP-002"]);
    assert.deepEqual(p.ok(recentEvents, "tu_ui", { user: "nobody" }).lines, ["No audit events."]);
    assert.equal(p.ok(recentEvents, "tu_ui", { limit: 0 }).data.events.length, 1, "at least one");
  });
});

describe("VR record (in process)", () => {
  it("spec §9.2: the stored responses of a VR, in order, with authors, amendments and evidence commits", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr = p.ok(create, "claude", { type: "VR", title: "evidence", parent: cr }).data.doc_id;
    p.no(vrRecord, "qa", { docId: vr }, "not-found", new RegExp(`${vr} has no stored interactive record\\.`));
    p.no(vrRecord, "qa", { docId: cr }, "not-found", /has no stored interactive record/);
    const source = p.file(`QMS/.meta/VR/${vr}.source.json`);
    fs.writeFileSync(source, JSON.stringify({
      template: "TEMPLATE-VR",
      template_version: "1.0",
      responses: {
        step_1: [
          { value: "first try", author: "claude", timestamp: "2026-03-02T10:00:00Z" },
          { value: "12 passed", author: "claude", timestamp: "2026-03-02T10:05:00Z", reason: "typo", commit: "1a2b3c4" },
        ],
        objective: { value: 42, author: "lead", timestamp: "2026-03-02T09:00:00Z" },
      },
    }));
    const r = p.ok(vrRecord, "qa", { docId: vr });
    assert.deepEqual([r.data.template, r.data.template_version], ["TEMPLATE-VR", "1.0"]);
    assert.deepEqual(r.data.responses.map((x) => [x.prompt, x.value, x.author, x.reason, x.commit, x.superseded]), [
      ["objective", "42", "lead", null, null, false],
      ["step_1", "first try", "claude", null, null, true],
      ["step_1", "12 passed", "claude", "typo", "1a2b3c4", false],
    ]);
    assert.deepEqual(r.lines, [
      `Record of ${vr}: 3 responses`,
      "  [2026-03-02T09:00:00Z] objective by lead",
      "  [2026-03-02T10:00:00Z] step_1 by claude (superseded)",
      "  [2026-03-02T10:05:00Z] step_1 by claude (commit 1a2b3c4)",
    ]);
    fs.writeFileSync(source, "[1, 2]");
    p.no(vrRecord, "qa", { docId: vr }, "corrupt-data", new RegExp(`QMS/\\.meta/VR/${vr}\\.source\\.json is not a JSON object\\.`));
  });
});

describe("init (in process)", () => {
  it("REQ-INIT-001, REQ-INIT-002: init sets up a fresh project and refuses to touch an existing one", (t) => {
    const root = tempDir("qms-init-");
    t.after(() => removeTempDir(root));
    const now = new Date("2026-03-02T09:00:00Z");
    const r = initProject({ root, createMarker: false, now });
    assert.equal(r.ok, true, r.ok ? "" : r.message);
    for (const rel of ["qms.config.json", "QMS/TEMPLATE", ".claude/users/claude/inbox", ".claude/agents/qa.md", "CLAUDE.md"]) assert.ok(fs.existsSync(path.join(root, rel)), rel);
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8")).version, "1.0");
    const again = initProject({ root, createMarker: false, now });
    assert.equal(again.ok, false);
    assert.match(again.ok ? "" : again.message, /^Refusing to initialize .*: 'QMS', .*'qms\.config\.json' already exist\. Nothing was changed\.$/);
    const missing = initProject({ root: path.join(root, "nope"), createMarker: false, now });
    assert.match(missing.ok ? "" : missing.message, /it is not an existing directory\./);
  });
});
