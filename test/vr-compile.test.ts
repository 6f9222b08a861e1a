import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { compileDocument } from "../src/core/vr/compile.js";
import { createSource, type ResponseEntry, resolvedMetadata, type VrSource } from "../src/core/vr/source.js";
import { parseTemplate, type Template } from "../src/core/vr/template.js";
import { REPO_ROOT } from "./helpers.js";

function template(text: string): Template {
  const r = parseTemplate(text);
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.template;
}

const VR = template(fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8"));

const at = (author: string, time: string, value: string, extra: Partial<ResponseEntry> = {}): ResponseEntry => ({
  value,
  author,
  timestamp: `2026-03-01T${time}Z`,
  ...extra,
});

/** The one-step record of the spec §9.5 example, closed. */
function oneStep(): VrSource {
  const s = createSource(VR, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Export keeps audit events" });
  s.cursor = "__end__";
  s.responses = {
    related_eis: [at("claude", "09:59:00", "EI-2")],
    objective: [at("claude", "10:00:05", "Verify that exports keep every audit event.")],
    pre_conditions: [at("claude", "10:00:30", "Branch main at 1a2b3c4.\nNo services needed.")],
    "step_instructions.1": [at("claude", "10:01:00", "Run: npm test -- export")],
    "step_expected.1": [at("claude", "10:01:30", "12 passed")],
    "step_actual.1": [at("claude", "10:02:10", "12 passed, 0 failed", { commit: "1a2b3c4" })],
    "step_outcome.1": [at("claude", "10:02:30", "Pass")],
    summary_outcome: [at("claude", "10:03:00", "Pass")],
    summary_narrative: [at("claude", "10:03:30", "The export was run once.")],
  };
  s.loops = { steps: { iterations: 1, closed: true, reopenings: [] } };
  s.gates = { "more_steps.1": { value: "no", timestamp: "2026-03-01T10:02:50Z" } };
  return s;
}

describe("VR compiler (spec §9.4, §9.5)", () => {
  it("REQ-INT-016: the record has the instance frontmatter, no preamble, tags or guidance", () => {
    const text = compileDocument(oneStep(), VR).text;
    assert.match(text, /^---\ntitle: Export keeps audit events\nrevision_summary: Initial draft\n---\n\n# CR-001-VR-001: Export keeps audit events\n\n## 1\. Verification Identification\n/);
    for (const gone of ["<!--", "@prompt", "@template", "TEMPLATE DOCUMENT NOTICE", "USAGE GUIDE", "Which execution item", "Answer yes or no", "{{"]) {
      assert.ok(!text.includes(gone), `compiled record contains ${gone}`);
    }
    assert.ok(!/\n\n\n/.test(text), "runs of blank lines collapse to one");
    assert.ok(text.endsWith("---\n\n**END OF DOCUMENT**\n"));
  });

  it("REQ-INT-024: block responses are blockquotes with the attribution below; the §9.5 example renders exactly", () => {
    const text = compileDocument(oneStep(), VR).text;
    const expected = [
      "## 2. Verification Objective",
      "",
      "> Verify that exports keep every audit event.",
      "",
      "*-- claude, 2026-03-01 10:00:05*",
      "",
      "---",
      "",
      "## 3. Prerequisites",
      "",
      "> Branch main at 1a2b3c4.",
      "> No services needed.",
      "",
      "*-- claude, 2026-03-01 10:00:30*",
      "",
      "---",
      "",
      "## 4. Verification Steps",
      "",
      "### 4.1 Step 1",
      "",
      "**Run: npm test -- export**",
      "*-- claude, 2026-03-01 10:01:00*",
      "",
      "> 12 passed",
      "",
      "*-- claude, 2026-03-01 10:01:30*",
      "",
      "```",
      "12 passed, 0 failed",
      "```",
      "*-- claude, 2026-03-01 10:02:10 | commit: 1a2b3c4*",
      "",
      "> Pass",
      "",
      "*-- claude, 2026-03-01 10:02:30*",
      "",
      "---",
    ].join("\n");
    assert.ok(text.includes(expected), text);
  });

  it("REQ-INT-024: placeholders in a table row and metadata are inline, without attribution", () => {
    const s = oneStep();
    s.responses.related_eis = [at("claude", "09:59:00", "EI-2 | EI-3\nEI-4")];
    const text = compileDocument(s, VR).text;
    assert.ok(text.includes("| Parent Document | Related EI(s) | Date |\n|-----------------|---------------|------|\n| CR-001 | EI-2 \\| EI-3<br>EI-4 | 2026-03-01 |\n\n---"), text);
  });

  it("REQ-INT-009: superseded entries come first, struck through, each with its attribution and the amendment reason", () => {
    const s = oneStep();
    s.responses.objective = [
      at("claude", "10:00:05", "Verify exports."),
      at("lead", "11:00:00", "Verify exports keep events.", { reason: "too vague" }),
      at("claude", "12:00:00", "Verify that exports keep every audit event.", { reason: "wording" }),
    ];
    s.responses["step_actual.1"] = [at("claude", "10:02:10", "wrong output", { commit: "aaaaaaa" }), at("claude", "10:05:00", "12 passed, 0 failed", { commit: "bbbbbbb", reason: "pasted the wrong run" })];
    const text = compileDocument(s, VR).text;
    assert.ok(
      text.includes(
        [
          "## 2. Verification Objective",
          "",
          "> ~~Verify exports.~~",
          "",
          "*-- claude, 2026-03-01 10:00:05 | superseded: too vague*",
          "",
          "> ~~Verify exports keep events.~~",
          "",
          "*-- lead, 2026-03-01 11:00:00 | superseded: wording*",
          "",
          "> Verify that exports keep every audit event.",
          "",
          "*-- claude, 2026-03-01 12:00:00*",
        ].join("\n"),
      ),
      text,
    );
    assert.ok(
      text.includes(["> ~~wrong output~~", "", "*-- claude, 2026-03-01 10:02:10 | commit: aaaaaaa | superseded: pasted the wrong run*", "", "```", "12 passed, 0 failed", "```", "*-- claude, 2026-03-01 10:05:00 | commit: bbbbbbb*"].join("\n")),
      text,
    );
  });

  it("REQ-INT-025: loop iterations become ### 4.n Step n subsections, in order", () => {
    const s = oneStep();
    s.loops.steps = { iterations: 3, closed: true, reopenings: [{ reason: "more", author: "claude", timestamp: "2026-03-01T11:00:00Z" }] };
    for (const n of [2, 3]) {
      s.responses[`step_instructions.${n}`] = [at("claude", `11:0${n}:00`, `Run step ${n}`)];
      s.responses[`step_actual.${n}`] = [at("claude", `11:0${n}:30`, `output ${n}`)];
    }
    const text = compileDocument(s, VR).text;
    const headings = text.split("\n").filter((l) => l.startsWith("### "));
    assert.deepEqual(headings, ["### 4.1 Step 1", "### 4.2 Step 2", "### 4.3 Step 3"]);
    assert.ok(text.includes("### 4.3 Step 3\n\n**Run step 3**\n*-- claude, 2026-03-01 11:03:00*\n\n```\noutput 3\n```\n*-- claude, 2026-03-01 11:03:30*\n\n---\n\n## 5. Summary"), text);
  });

  it("REQ-INT-016: missing responses render empty", () => {
    const s = createSource(VR, { docId: "CR-001-VR-002", parentDocId: "CR-001", title: "Nothing yet" });
    s.responses.related_eis = [at("claude", "09:00:00", "EI-1")];
    const text = compileDocument(s, VR).text;
    assert.ok(text.includes("## 2. Verification Objective\n\n---\n\n## 3. Prerequisites\n\n---\n\n## 4. Verification Steps\n\n---\n\n## 5. Summary\n\n---\n\n**END OF DOCUMENT**\n"), text);
    const started = createSource(VR, { docId: "CR-001-VR-002", parentDocId: "CR-001", title: "t" });
    started.loops = { steps: { iterations: 1, closed: false, reopenings: [] } };
    assert.ok(compileDocument(started, VR).text.includes("### 4.1 Step 1\n\n```\n```\n\n---"));
  });

  it("REQ-INT-023: date is the earliest response day, performer the most frequent author, performed_date the latest", () => {
    const s = oneStep();
    s.responses.related_eis = [at("lead", "09:59:00", "EI-2")];
    s.responses.objective = [{ value: "o", author: "lead", timestamp: "2026-02-27T23:30:00.123456Z" }];
    s.responses.summary_narrative = [{ value: "n", author: "qa", timestamp: "2026-03-04T08:00:00+00:00" }];
    const m = resolvedMetadata(s);
    assert.equal(m.date, "2026-02-27");
    assert.equal(m.performed_date, "2026-03-04");
    assert.equal(m.performer, "claude");
    assert.ok(compileDocument(s, VR).text.includes("| CR-001 | EI-2 | 2026-02-27 |"));
    s.metadata.date = "2026-01-01";
    s.metadata.performer = "someone";
    assert.equal(resolvedMetadata(s).date, "2026-01-01", "explicit values win");
    assert.equal(resolvedMetadata(s).performer, "someone");
    const tie = createSource(VR, { docId: "X", parentDocId: "CR-001", title: "t" });
    tie.responses = { a: [at("qa", "10:00:00", "1")], b: [at("lead", "09:00:00", "2")], c: [at("qa", "11:00:00", "3"), at("lead", "12:00:00", "4")] };
    assert.equal(resolvedMetadata(tie).performer, "lead", "a tie goes to who answered first");
  });

  it("REQ-INT-016: a value that contains a code fence gets a longer fence", () => {
    const s = oneStep();
    s.responses["step_actual.1"] = [at("claude", "10:02:10", "log:\n```\ninner\n```")];
    assert.ok(compileDocument(s, VR).text.includes("````\nlog:\n```\ninner\n```\n````\n*-- claude, 2026-03-01 10:02:10*"));
  });

  it("responses the template has no place for are listed, not lost", () => {
    const s = oneStep();
    s.responses.legacy_prompt = [at("claude", "10:04:00", "from an older template")];
    const compiled = compileDocument(s, VR);
    assert.deepEqual(compiled.unplaced, ["legacy_prompt"]);
    assert.ok(compiled.text.includes("## Responses not placed by template VR v5\n\n### legacy_prompt\n\n> from an older template\n\n*-- claude, 2026-03-01 10:04:00*\n\n**END OF DOCUMENT**"), compiled.text);
    assert.deepEqual(compileDocument(oneStep(), VR).unplaced, []);
  });

  it("REQ-INT-016: the same source always compiles to the same text", () => {
    assert.equal(compileDocument(oneStep(), VR).text, compileDocument(structuredClone(oneStep()), VR).text);
  });
});
