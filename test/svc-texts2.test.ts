import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { create } from "../src/services/create.js";
import { fallbackBody, newDocumentContent } from "../src/services/templates.js";
import { agentFileContent } from "../src/services/users.js";
import { svcProject } from "./svc-harness.js";

/** Generated texts in full: the minimal document, template filling, agent files. */

describe("generated texts, second part (in process)", () => {
  it("REQ-TEMPLATE-005: without a template a new document gets the minimal body, exactly", () => {
    assert.equal(
      fallbackBody("SOP-007", "Cleaning"),
      "# SOP-007: Cleaning\n\n## 1. Purpose\n\n[Describe the purpose of this document]\n\n---\n\n## 2. Scope\n\n[Describe what this document covers]\n\n---\n\n## 3. Content\n\n[Document content]\n\n---\n\n**END OF DOCUMENT**\n",
    );
  });

  it("REQ-TEMPLATE-001, REQ-TEMPLATE-003: the notice comment is removed wherever it starts and with the blank lines after it", (t) => {
    const p = svcProject(t);
    const template = p.file("QMS/TEMPLATE/TEMPLATE-SOP.md");
    const made = (): string => p.draft(p.ok(create, "claude", { type: "SOP", title: "T" }).data.doc_id) ?? "";
    fs.writeFileSync(template, "---\ntitle: SOP template\n---\n\n<!-- NOTE: this is the\n  TEMPLATE DOCUMENT NOTICE -->\n---\ntitle: x\n---\n\nSOP-XXX body\n");
    assert.equal(made(), "---\ntitle: T\nrevision_summary: Initial draft\n---\n\nSOP-001 body\n", "text before the words in the comment");
    fs.writeFileSync(template, "---\ntitle: SOP template\n---\n\n---\ntitle: x\n---\n\nBefore <!-- TEMPLATE DOCUMENT NOTICE -->\n\n\nAfter {{TITLE}}\n");
    assert.equal(made(), "---\ntitle: T\nrevision_summary: Initial draft\n---\n\nBefore After T\n", "the blank lines after the notice go with it");
    fs.writeFileSync(template, "---\ntitle: SOP template\n---\n\n---\ntitle: x\n---\n\n\n\n");
    assert.equal(made(), `---\ntitle: T\nrevision_summary: Initial draft\n---\n\n${fallbackBody("SOP-003", "T")}`, "an example of blank lines only is no template");
    assert.equal(newDocumentContent(p.project(), "SOP", "SOP-009", "T").fromTemplate, false);
    assert.equal(newDocumentContent(p.project(), "CR", "CR-009", "T").fromTemplate, false, "no template of the type");
    fs.writeFileSync(template, "---\ntitle: SOP template\n---\n\n---\ntitle: x\n---\n\nbody\n");
    assert.deepEqual(newDocumentContent(p.project(), "SOP", "SOP-009", "T"), { content: "---\ntitle: T\nrevision_summary: Initial draft\n---\n\nbody\n", fromTemplate: true });
  });

  it("REQ-USER-003: the agent file of a new user, exactly; who may approve gets the approve line", () => {
    assert.equal(
      agentFileContent("tu_x", "reviewer"),
      [
        "---",
        "name: tu_x",
        "group: reviewer",
        "description: QMS user",
        "---",
        "",
        "# tu_x",
        "",
        "QMS user in group **reviewer**.",
        "",
        "- Pending tasks: `qms --user tu_x inbox`",
        "- Checked-out documents: `qms --user tu_x workspace`",
        "- Review: `qms --user tu_x review <DOC_ID> --recommend|--request-updates --comment ...`",
        "- Approve or reject: `qms --user tu_x approve <DOC_ID>` / `qms --user tu_x reject <DOC_ID> --comment ...`",
        "",
      ].join("\n"),
    );
    const initiator = agentFileContent("ini", "initiator");
    assert.equal(initiator, "---\nname: ini\ngroup: initiator\ndescription: QMS user\n---\n\n# ini\n\nQMS user in group **initiator**.\n\n- Pending tasks: `qms --user ini inbox`\n- Checked-out documents: `qms --user ini workspace`\n- Review: `qms --user ini review <DOC_ID> --recommend|--request-updates --comment ...`\n");
    assert.match(agentFileContent("q", "quality"), /\n- Approve or reject: `qms --user q approve <DOC_ID>`/);
    assert.doesNotMatch(agentFileContent("a", "administrator"), /Approve or reject/);
  });
});
