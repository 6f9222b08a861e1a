import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import type { AuditEvent } from "../src/core/audit-events.js";
import { create } from "../src/services/create.js";
import { formatEvent } from "../src/services/history.js";
import { fallbackBody } from "../src/services/templates.js";
import { agentFileContent } from "../src/services/users.js";
import { svcProject } from "./svc-harness.js";

const at = (e: Partial<AuditEvent> & Record<string, unknown>): AuditEvent => ({ ts: "2026-03-02T09:00:00+00:00", user: "qa", version: "1.0", event: "CREATE", ...e }) as AuditEvent;

describe("history lines (in process)", () => {
  it("REQ-QRY-003: every event type has its line of spec §5.15", () => {
    const line = (e: Record<string, unknown>) => formatEvent(at(e));
    assert.deepEqual(line({ event: "ROUTE_APPROVAL", approval_type: "PRE_APPROVAL", assignees: ["qa", "tu_ui"] }), ["[2026-03-02T09:00:00+00:00] ROUTE PRE_APPROVAL by qa - v1.0 - to: qa, tu_ui"]);
    assert.deepEqual(line({ event: "ROUTE_APPROVAL", assignees: "qa", retiring: true }), ["[2026-03-02T09:00:00+00:00] ROUTE APPROVAL by qa - v1.0 - to: qa (retirement)"]);
    assert.deepEqual(line({ event: "ROUTE_REVIEW", assignees: [] }), ["[2026-03-02T09:00:00+00:00] ROUTE REVIEW by qa - v1.0 - to: "]);
    assert.deepEqual(line({ event: "ASSIGN", assignees: ["tu_sim"] }), ["[2026-03-02T09:00:00+00:00] ASSIGN by qa - v1.0 - added: tu_sim"]);
    assert.deepEqual(line({ event: "REJECT", comment: "no\r\nnever" }), ["[2026-03-02T09:00:00+00:00] REJECT by qa - v1.0", "    no", "    never"]);
    assert.deepEqual(line({ event: "REVERT", reason: "again" }), ["[2026-03-02T09:00:00+00:00] REVERT by qa - v1.0", "    again"]);
    assert.deepEqual(line({ event: "REVIEW", outcome: "RECOMMEND", comment: "" }), ["[2026-03-02T09:00:00+00:00] REVIEW by qa - v1.0 - RECOMMEND"]);
    assert.deepEqual(line({ event: "EFFECTIVE", from_version: "0.3" }), ["[2026-03-02T09:00:00+00:00] EFFECTIVE - v0.3 -> v1.0"]);
    assert.deepEqual(line({ event: "EFFECTIVE", from_version: "1.0" }), ["[2026-03-02T09:00:00+00:00] EFFECTIVE - v1.0"], "a seeded document has no 'from'");
    assert.deepEqual(line({ event: "EFFECTIVE" }), ["[2026-03-02T09:00:00+00:00] EFFECTIVE - v1.0"]);
    assert.deepEqual(line({ event: "RETIRE", from_version: "1.1", version: "2.0" }), ["[2026-03-02T09:00:00+00:00] RETIRE by qa - v1.1 -> v2.0"]);
    assert.deepEqual(line({ event: "CHECKOUT", from_version: "1.0", version: "1.1" }), ["[2026-03-02T09:00:00+00:00] CHECKOUT by qa - v1.1 (from v1.0)"]);
    assert.deepEqual(line({ event: "WITHDRAW", from_status: "IN_REVIEW", to_status: "DRAFT" }), ["[2026-03-02T09:00:00+00:00] WITHDRAW by qa - v1.0 - IN_REVIEW -> DRAFT"]);
    assert.deepEqual(line({ event: "RELEASE" }), ["[2026-03-02T09:00:00+00:00] RELEASE by qa - v1.0"]);
    assert.deepEqual(line({ event: "", user: "" }), ["[2026-03-02T09:00:00+00:00] UNKNOWN by ? - v1.0"]);
    assert.deepEqual(line({ event: "CREATE", title: { odd: 1 } }), ['[2026-03-02T09:00:00+00:00] CREATE by qa - v1.0 - "{\\"odd\\":1}"']);
  });

  it("REQ-QRY-003: Python-era audit lines keep their own action, user and details", () => {
    assert.deepEqual(formatEvent(at({ legacy_action: "seed", user: "", status: "EFFECTIVE", title: "Seeded" })), ["[2026-03-02T09:00:00+00:00] SEED by system - v1.0 - EFFECTIVE - Seeded"]);
    assert.deepEqual(formatEvent(at({ legacy_action: "", user: "lead" })), ["[2026-03-02T09:00:00+00:00] LEGACY by lead - v1.0"]);
  });
});

describe("generated texts (in process)", () => {
  it("REQ-USER-003: a new user's agent file names the group and the commands that user can run", () => {
    const reviewer = agentFileContent("tu_x", "reviewer");
    assert.match(reviewer, /^---\nname: tu_x\ngroup: reviewer\ndescription: QMS user\n---\n\n# tu_x\n\nQMS user in group \*\*reviewer\*\*\.\n/);
    assert.match(reviewer, /- Pending tasks: `qms --user tu_x inbox`/);
    assert.match(reviewer, /- Review: `qms --user tu_x review <DOC_ID> --recommend\|--request-updates --comment \.\.\.`/);
    assert.match(reviewer, /- Approve or reject: `qms --user tu_x approve <DOC_ID>` \/ `qms --user tu_x reject <DOC_ID> --comment \.\.\.`/);
    assert.doesNotMatch(agentFileContent("ini", "initiator"), /Approve or reject/, "initiators do not approve");
    assert.match(agentFileContent("q", "quality"), /Approve or reject/);
  });

  it("REQ-TEMPLATE-001, REQ-TEMPLATE-003, REQ-TEMPLATE-004, REQ-TEMPLATE-005: a new document uses the project's template of its type, with the title and ID filled in; else a minimal one", (t) => {
    const p = svcProject(t);
    const fallback = p.ok(create, "claude", { type: "SOP", title: "No template" });
    assert.equal(p.draft(fallback.data.doc_id), `---\ntitle: No template\nrevision_summary: Initial draft\n---\n\n${fallbackBody("SOP-001", "No template")}`);
    assert.match(fallbackBody("SOP-001", "T"), /^# SOP-001: T\n\n## 1\. Purpose\n/);
    assert.match(fallbackBody("SOP-001", "T"), /\*\*END OF DOCUMENT\*\*\n$/);
    fs.writeFileSync(
      p.file("QMS/TEMPLATE/TEMPLATE-SOP.md"),
      "---\ntitle: SOP template\n---\n\n<!-- TEMPLATE DOCUMENT NOTICE: remove me -->\n\n---\ntitle: '{{TITLE}}'\nrevision_summary: example\n---\n\n# SOP-XXX: {{TITLE}}\n\nBody of {{title}}.\n",
    );
    const made = p.ok(create, "claude", { type: "SOP", title: "From template" }).data.doc_id;
    assert.equal(p.draft(made), "---\ntitle: From template\nrevision_summary: Initial draft\n---\n\n# SOP-002: From template\n\nBody of From template.\n");
    fs.writeFileSync(p.file("QMS/TEMPLATE/TEMPLATE-SOP.md"), "---\ntitle: SOP template\n---\n\nno example frontmatter\n");
    assert.match(p.draft(p.ok(create, "claude", { type: "SOP", title: "Unusable" }).data.doc_id) ?? "", /## 1\. Purpose/, "a template without an example falls back");
    fs.writeFileSync(p.file("QMS/TEMPLATE/TEMPLATE-SOP.md"), "---\ntitle: SOP template\n---\n\n---\ntitle: x\n---\n\n   \n");
    assert.match(p.draft(p.ok(create, "claude", { type: "SOP", title: "Empty example" }).data.doc_id) ?? "", /## 1\. Purpose/, "an example with an empty body falls back");
    fs.writeFileSync(p.file("QMS/TEMPLATE/TEMPLATE-SOP.md"), "---\ntitle: SOP template\n---\n\n<!-- a comment, not the notice -->\n---\ntitle: x\n---\n\nSOP-XXX body\n");
    assert.match(p.draft(p.ok(create, "claude", { type: "SOP", title: "Other comment" }).data.doc_id) ?? "", /## 1\. Purpose/, "only the TEMPLATE DOCUMENT NOTICE comment is removed before the example");
    fs.writeFileSync(p.file("QMS/TEMPLATE/TEMPLATE-SOP.md"), "---\ntitle: SOP template\n---\n\n<!--\nTEMPLATE DOCUMENT NOTICE\nmany lines\n-->\n\n---\ntitle: x\n---\n\nSOP-XXX of {{TITLE}} and {{TITLE}}\n");
    assert.match(p.draft(p.ok(create, "claude", { type: "SOP", title: "Twice" }).data.doc_id) ?? "", /\n\nSOP-006 of Twice and Twice\n$/, "a multi-line notice is removed; every placeholder is filled");
  });
});
