import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { BUILTIN_PROMPTS, fillPlaceholders, parsePromptConfig, type PromptConfig, promptConfigFrom, renderTaskBodyWith, resolvePromptConfig } from "../src/services/prompts.js";
import type { TaskSpec } from "../src/services/task-spec.js";
import { tempDir } from "./helpers.js";

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  docId: "SOP-007",
  docType: "SOP",
  title: "Pipes | and\nbreaks",
  workflow: "REVIEW",
  status: "IN_REVIEW",
  version: "0.3",
  responsibleUser: "claude",
  assignedBy: "claude",
  assignee: "qa",
  now: new Date("2026-03-02T09:00:00Z"),
  ...over,
});

const small: PromptConfig = {
  checklist: [{ category: "Cat {doc_id}", items: ["Plain | item", { text: "With evidence for {user}", evidence_prompt: "quote {version}" }, { text: "No evidence" }] }],
  critical_reminders: ["Remind {assigned_by}"],
  additional_sections: [{ title: "Extra {doc_type}", content: "Body of {title}\n\n" }],
  response_format: "## {user} on {doc_id}",
  custom_header: "  Header {workflow}  ",
  custom_footer: " Footer {{doc_id}} {unknown} ",
};

describe("review and approval task prompts (in process; REQ-PROMPT-001..006)", () => {
  it("REQ-PROMPT-001, REQ-PROMPT-002: a review task's body, laid out exactly: header, checklist tables with evidence, format, reminders, sections, commands, footer", () => {
    assert.equal(
      renderTaskBodyWith(spec(), small),
      [
        "Header REVIEW",
        "",
        "# REVIEW REQUEST: SOP-007",
        "",
        "**Document:** SOP-007 - Pipes | and\nbreaks",
        "**Workflow:** REVIEW",
        "**Version:** 0.3",
        "**Assigned By:** claude",
        "**Date:** 2026-03-02",
        "",
        "---",
        "",
        "## MANDATORY VERIFICATION CHECKLIST",
        "",
        "**Check every item below. A single FAIL means the document is not ready.**",
        "",
        "Fill in these tables before you submit your review:",
        "",
        "### Cat SOP-007",
        "",
        "| Item | Status | Evidence |",
        "|------|--------|----------|",
        "| Plain \\| item | PASS / FAIL |  |",
        "| With evidence for qa | PASS / FAIL | (quote 0.3) |",
        "| No evidence | PASS / FAIL |  |",
        "",
        "---",
        "",
        "## STRUCTURED REVIEW RESPONSE FORMAT",
        "",
        "Write your review comment in this format:",
        "",
        "```",
        "## qa on SOP-007",
        "```",
        "",
        "---",
        "",
        "## CRITICAL REMINDERS",
        "",
        "- Remind claude",
        "",
        '**There is no "approve with comments" and no severity scale for findings.**',
        "**If any deficiency exists, the only valid outcome is REQUEST UPDATES.**",
        "",
        "---",
        "",
        "## Extra SOP",
        "",
        "Body of Pipes | and\nbreaks",
        "",
        "---",
        "",
        "## Commands",
        "",
        "Read the document first:",
        "```",
        "qms --user qa read SOP-007 --draft",
        "```",
        "",
        "Submit your review:",
        "",
        "**If ALL items PASS:**",
        "```",
        'qms --user qa review SOP-007 --recommend --comment "[your structured review]"',
        "```",
        "",
        "**If ANY item FAILS:**",
        "```",
        'qms --user qa review SOP-007 --request-updates --comment "[your structured review with findings]"',
        "```",
        "",
        'With the MCP server: `qms_review(doc_id="SOP-007", outcome="recommend" or "request-updates", comment="...", user="qa")`.',
        "",
        "---",
        "",
        "Footer {{doc_id}} {unknown}",
        "",
      ].join("\n"),
    );
  });

  it("REQ-PROMPT-001, REQ-PROMPT-002: an approval task's body: final verification YES/NO tables, rejection format, and no header, format, reminders or footer when the configuration has none", () => {
    const body = renderTaskBodyWith(spec({ workflow: "APPROVAL", status: "IN_APPROVAL" }), { ...small, critical_reminders: [], additional_sections: [], custom_header: " ", custom_footer: "", response_format: "" });
    assert.equal(
      body,
      [
        "# APPROVAL REQUEST: SOP-007",
        "",
        "**Document:** SOP-007 - Pipes | and\nbreaks",
        "**Workflow:** APPROVAL",
        "**Version:** 0.3",
        "**Assigned By:** claude",
        "**Date:** 2026-03-02",
        "",
        "---",
        "",
        "## FINAL VERIFICATION",
        "",
        "**Confirm every item below against the version you are approving. Answer YES only with evidence.**",
        "",
        "### Cat SOP-007",
        "",
        "| Item | Verified |",
        "|------|----------|",
        "| Plain \\| item | YES / NO |",
        "| With evidence for qa | YES / NO |",
        "| No evidence | YES / NO |",
        "",
        "**If ANY item is NO: REJECT.** There is no conditional approval.",
        "",
        "---",
        "",
        "## CRITICAL REMINDERS",
        "",
        "**Rejecting is always the safe choice: if you are not certain every item is YES, reject.**",
        "",
        "---",
        "",
        "## Commands",
        "",
        "Read the document first:",
        "```",
        "qms --user qa read SOP-007 --draft",
        "```",
        "",
        "**If ALL items are YES:**",
        "```",
        "qms --user qa approve SOP-007",
        "```",
        "",
        "**If ANY item is NO:**",
        "```",
        'qms --user qa reject SOP-007 --comment "[what is wrong and what must change]"',
        "```",
        "",
        'With the MCP server: `qms_approve(doc_id="SOP-007", user="qa")` or `qms_reject(doc_id="SOP-007", comment="...", user="qa")`.',
        "",
      ].join("\n"),
    );
    const withFormat = renderTaskBodyWith(spec({ workflow: "APPROVAL" }), { ...small, response_format: "Reason: {doc_id}" });
    assert.match(withFormat, /\n## REJECTION COMMENT FORMAT\n\nIf you reject, your comment must follow this format:\n\n```\nReason: SOP-007\n```\n/);
  });

  it("REQ-PROMPT-004: {key} placeholders are filled from the task, never inside {{...}}, and unknown keys are kept", () => {
    const s = spec({ workflow: "POST_REVIEW", docType: "CR", title: "T", assignedBy: "lead", version: "1.1" });
    assert.equal(
      fillPlaceholders("{doc_id} {user} {assignee} {version} {workflow} {doc_type} {title} {assigned_by} {{doc_id}} {nope} {Doc_id}", s),
      "SOP-007 qa qa 1.1 POST_REVIEW CR T lead {{doc_id}} {nope} {Doc_id}",
    );
  });

  it("REQ-PROMPT-003, REQ-PROMPT-006: a prompt file sets what it names and keeps the defaults for the rest; a malformed one is ignored", () => {
    const d = BUILTIN_PROMPTS.review;
    assert.deepEqual(promptConfigFrom(null, d), d);
    assert.deepEqual(promptConfigFrom(undefined, d), d);
    assert.deepEqual(promptConfigFrom({ custom_header: "H", custom_footer: null }, d), { ...d, custom_header: "H", custom_footer: "" });
    assert.deepEqual(promptConfigFrom({ checklist: [{ category: "C", items: ["a", { text: "b", evidence_prompt: "e" }, { text: "c", evidence_prompt: 3 }] }] }, d)!.checklist, [{ category: "C", items: ["a", { text: "b", evidence_prompt: "e" }, { text: "c" }] }]);
    assert.deepEqual(promptConfigFrom({ critical_reminders: ["r"], additional_sections: [{ title: "t", content: "c" }] }, d), { ...d, critical_reminders: ["r"], additional_sections: [{ title: "t", content: "c" }] });
    for (const bad of [
      [],
      "text",
      { checklist: "x" },
      { checklist: [null] },
      { checklist: [{ category: 1, items: [] }] },
      { checklist: [{ category: "C", items: "x" }] },
      { checklist: [{ category: "C", items: [3] }] },
      { checklist: [{ category: "C", items: [{ evidence_prompt: "e" }] }] },
      { critical_reminders: "r" },
      { critical_reminders: ["r", 2] },
      { additional_sections: {} },
      { additional_sections: [{ title: "t" }] },
      { additional_sections: [{ content: "c" }] },
      { additional_sections: [null] },
      { response_format: 3 },
      { custom_header: [] },
      { custom_footer: {} },
    ]) {
      assert.equal(promptConfigFrom(bad, d), undefined, JSON.stringify(bad));
    }
    assert.equal(parsePromptConfig("checklist: [unclosed", d), undefined, "YAML that does not parse");
    assert.deepEqual(parsePromptConfig("custom_footer: F\n", d), { ...d, custom_footer: "F" });
  });

  it("REQ-PROMPT-003: the most specific prompt file wins (doc type, then workflow, then kind); a malformed one falls through; none: the built-in defaults", (t) => {
    const dir = tempDir("qms-prompts-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string): string => {
      const f = path.join(dir, rel);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, text);
      return f;
    };
    assert.deepEqual(resolvePromptConfig({ workflow: "REVIEW", docType: "SOP" }, dir), { config: BUILTIN_PROMPTS.review, source: "built-in" });
    assert.deepEqual(resolvePromptConfig({ workflow: "APPROVAL", docType: "SOP" }, dir), { config: BUILTIN_PROMPTS.approval, source: "built-in" });
    const kind = write("review/default.yaml", "custom_header: kind\n");
    assert.deepEqual(resolvePromptConfig({ workflow: "PRE_REVIEW", docType: "CR" }, dir), { config: { ...BUILTIN_PROMPTS.review, custom_header: "kind" }, source: kind });
    const wf = write("review/pre_review/default.yaml", "custom_header: workflow\n");
    assert.equal(resolvePromptConfig({ workflow: "PRE_REVIEW", docType: "CR" }, dir).source, wf);
    const type = write("review/pre_review/cr.yaml", "custom_header: [not, a, string]\n");
    assert.equal(resolvePromptConfig({ workflow: "PRE_REVIEW", docType: "CR" }, dir).source, wf, "a malformed file falls through to the next");
    fs.writeFileSync(type, "custom_header: type\n");
    assert.deepEqual(resolvePromptConfig({ workflow: "PRE_REVIEW", docType: "CR" }, dir), { config: { ...BUILTIN_PROMPTS.review, custom_header: "type" }, source: type });
    assert.equal(resolvePromptConfig({ workflow: "PRE_REVIEW", docType: "../cr" }, dir).source, wf, "only a plain type name becomes a file name");
    const appr = write("approval/default.yaml", "custom_footer: a\n");
    assert.deepEqual(resolvePromptConfig({ workflow: "POST_APPROVAL", docType: "CR" }, dir), { config: { ...BUILTIN_PROMPTS.approval, custom_footer: "a" }, source: appr });
  });
});
