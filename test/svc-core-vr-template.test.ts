// The template language's exact parse errors, body and frontmatter handling, and the lookup's messages
// (src/core/vr/template.ts), in process for Stryker (issue #15). The language itself is in vr-template.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasTemplateHeader, headerOf, loopOf, newestFirst, parseTemplate, selectTemplate, type Template, type TemplateParseError } from "../src/core/vr/template.js";

function parsed(lines: string[]): Template {
  const r = parseTemplate(lines.join("\n"));
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.template;
}

function error(lines: string[]): TemplateParseError {
  const r = parseTemplate(lines.join("\n"));
  assert.ok(!r.ok, "expected a parse error");
  return r.error;
}

const HEADER = "<!-- @template: T | version: 1 | start: a -->";
const A = ["<!-- @prompt: a | next: end -->", "Say a.", "<!-- @end-prompt -->"];

/** [template lines, line, expected, found] */
const ERRORS: [string[], number, string, string][] = [
  [["text"], 1, "a header <!-- @template: NAME | version: N | start: PROMPT_ID -->", "none in the template"],
  [[HEADER, "<!-- @prompt: a | next: end -->", "open"], 3, "@end-prompt closing the guidance of prompt 'a' (line 2)", "the end of the template"],
  [[HEADER, ...A, "<!-- @loop: l -->", "<!-- @prompt: b | next: end -->", "<!-- @end-prompt -->"], 7, "@end-loop: l (loop opened at line 5)", "the end of the template"],
  [[HEADER, ...A, "<!-- @end -->", "<!-- @prompt: b | next: end -->"], 6, "no tags after @end (line 5)", "@prompt"],
  [[HEADER, "<!-- @gate: g | type: yesno | yes: end | no: end -->", "<!-- @loop: l -->"], 3, "@end-prompt closing the guidance of gate 'g' (line 2)", "@loop"],
  [["<!-- @prompt: a | next: end -->", HEADER], 1, "the @template header before any other tag", "@prompt"],
  [[HEADER, "<!-- @end-prompt -->"], 2, "@end-prompt only after a @prompt or @gate", "@end-prompt with no open prompt"],
  [[HEADER, "<!-- @loop: l -->", ...A, "<!-- @end -->"], 6, "@end-loop: l (loop opened at line 2)", "@end"],
  [[HEADER, "<!-- @promptx: a -->"], 2, "one of @template, @prompt, @gate, @loop, @end-loop, @end-prompt, @end", "@promptx"],
  [[HEADER, HEADER], 2, "one @template header only (the first is at line 1)", "a second @template header"],
  [["<!-- @template: | version: 1 | start: a -->"], 1, "a template name: @template: NAME | version: N | start: PROMPT_ID", "no name"],
  [["<!-- @template: T | start: a -->"], 1, "version: N (a whole number)", "no version"],
  [["<!-- @template: T | version: 1.5 | start: a -->"], 1, "version: N (a whole number)", "version: 1.5"],
  [["<!-- @template: T | version: v1 | start: a -->"], 1, "version: N (a whole number)", "version: v1"],
  [["<!-- @template: T | version: 1 -->"], 1, "start: PROMPT_ID", "no start"],
  [["<!-- @template: T | version: 1 | start: -->"], 1, "start: PROMPT_ID", "no start"],
  [["<!-- @template: T | version: 1 | start: zz -->", ...A], 1, "start: the ID of a @prompt or @gate in the template", "start: zz"],
  [[HEADER, "<!-- @prompt: | next: end -->"], 2, "@prompt: ID | next: ID", "no ID"],
  [[HEADER, "<!-- @prompt: 9a | next: end -->"], 2, "an ID of letters, digits and underscores", "'9a'"],
  [[HEADER, "<!-- @prompt: a-b | next: end -->"], 2, "an ID of letters, digits and underscores", "'a-b'"],
  [[HEADER, "<!-- @prompt: title | next: end -->"], 2, "an ID that is not a metadata name or end marker", "'title'"],
  [[HEADER, "<!-- @prompt: end | next: end -->"], 2, "an ID that is not a metadata name or end marker", "'end'"],
  [[HEADER, "<!-- @prompt: _n | next: end -->"], 2, "an ID that is not a metadata name or end marker", "'_n'"],
  [[HEADER, "<!-- @prompt: performed_date | next: end -->"], 2, "an ID that is not a metadata name or end marker", "'performed_date'"],
  [[HEADER, ...A, "<!-- @gate: a | type: yesno | yes: end | no: end -->"], 5, "a new ID ('a' is already used at line 2)", "'a'"],
  [[HEADER, "<!-- @prompt: a -->"], 2, "next: ID for prompt 'a'", "no next"],
  [[HEADER, "<!-- @prompt: a | next: -->"], 2, "next: ID for prompt 'a'", "no next"],
  [[HEADER, "<!-- @prompt: a | next: end | commit: yes -->"], 2, "commit: true or commit: false", "commit: yes"],
  [[HEADER, "<!-- @prompt: a | next: end | commit: -->"], 2, "commit: true or commit: false", "commit: "],
  [[HEADER, "<!-- @prompt: a | next: zz -->", "<!-- @end-prompt -->"], 2, "next: the ID of a @prompt or @gate (or 'end')", "next: zz"],
  [[HEADER, "<!-- @gate: | type: yesno | yes: end | no: end -->"], 2, "@gate: ID | type: yesno | yes: ID | no: ID", "no ID"],
  [[HEADER, "<!-- @gate: a | yes: end | no: end -->"], 2, "type: yesno for gate 'a'", "no type"],
  [[HEADER, "<!-- @gate: a | type: choice | yes: end | no: end -->"], 2, "type: yesno for gate 'a'", "type: choice"],
  [[HEADER, "<!-- @gate: a | type: yesno | no: end -->"], 2, "yes: ID for gate 'a'", "no yes target"],
  [[HEADER, "<!-- @gate: a | type: yesno | yes: | no: end -->"], 2, "yes: ID for gate 'a'", "no yes target"],
  [[HEADER, "<!-- @gate: a | type: yesno | yes: end -->"], 2, "no: ID for gate 'a'", "no no target"],
  [[HEADER, "<!-- @gate: a | type: yesno | yes: zz | no: end -->", "<!-- @end-prompt -->"], 2, "yes: the ID of a @prompt or @gate (or 'end')", "yes: zz"],
  [[HEADER, "<!-- @gate: a | type: yesno | yes: end | no: zz -->", "<!-- @end-prompt -->"], 2, "no: the ID of a @prompt or @gate (or 'end')", "no: zz"],
  [[HEADER, "<!-- @loop: l -->", "<!-- @loop: m -->"], 3, "@end-loop: l before another loop (loops do not nest)", "@loop: m"],
  [[HEADER, "<!-- @loop: -->"], 2, "@loop: NAME (letters, digits, underscores)", "no name"],
  [[HEADER, "<!-- @loop -->"], 2, "@loop: NAME (letters, digits, underscores)", "no name"],
  [[HEADER, "<!-- @loop: 9 -->"], 2, "@loop: NAME (letters, digits, underscores)", "'9'"],
  [[HEADER, "<!-- @loop: l -->", ...A, "<!-- @end-loop: l -->", "<!-- @loop: l -->"], 7, "a new loop name ('l' is already used at line 2)", "'l'"],
  [[HEADER, "<!-- @end-loop: x -->"], 2, "@end-loop only after a @loop", "@end-loop: x with no open loop"],
  [[HEADER, "<!-- @loop: l -->", "<!-- @end-loop: m -->"], 3, "@end-loop: l", "@end-loop: m"],
  [[HEADER, "<!-- @loop: l -->", "<!-- @end-loop: l -->"], 3, "at least one @prompt inside loop 'l'", "an empty loop"],
  [[HEADER, "<!-- @prompt: a | next: end | x -->"], 2, "key: value after '|'", "'x'"],
  [[HEADER, "<!-- @prompt: a | next: end |  -->"], 2, "key: value after '|'", "''"],
  [[HEADER, "<!-- @prompt: a | next: end | yes: b -->"], 2, "one of next, commit, default", "attribute 'yes'"],
  [[HEADER, "<!-- @prompt: a | next: end | next: end -->"], 2, "'next' once", "'next' twice"],
  [["<!-- @template: T | version: 1 | start: a | next: b -->"], 1, "one of version, start", "attribute 'next'"],
  [[HEADER, "<!-- @gate: a | type: yesno | yes: end | no: end | next: b -->"], 2, "one of type, yes, no", "attribute 'next'"],
];

describe("VR template parse errors, exactly (in process)", () => {
  it("REQ-INT-001..005: every parse error names its line, what was expected and what was found", () => {
    for (const [lines, line, expected, found] of ERRORS) {
      assert.deepEqual(error(lines), { line, expected, found, message: `line ${line}: expected ${expected}, found ${found}` }, lines.join("\n"));
    }
  });

  it("REQ-INT-001: CRLF and CR line ends are lines too", () => {
    const r = parseTemplate([HEADER, ...A, "{{a}}"].join("\r\n").replace("Say a.\r\n", "Say a.\r"));
    assert.ok(r.ok);
    assert.equal(r.template.nodes.a?.guidance, "Say a.");
    assert.deepEqual(r.template.body, [{ kind: "line", text: "{{a}}" }]);
  });
});

describe("VR template body and frontmatter (in process)", () => {
  it("REQ-INT-001, REQ-INT-003: the parsed flow: nodes with their lines, loops, order and the body with loop blocks", () => {
    const t = parsed([
      "<!-- preamble, dropped -->",
      "Preamble text kept",
      " <!-- @template : T2 | version : 12 | start : a --> ",
      "# Title",
      "<!--   @prompt:a|next:b|commit:true|default: x y   -->",
      "",
      "  Guidance a  ",
      "",
      "<!-- @end-prompt -->",
      "<!-- a body comment -->",
      "<!-- @loop: L_1 -->",
      "## {{_n}}",
      "<!-- @gate: b | type: yesno | yes: b | no: __end__ -->",
      "<!-- @end-prompt -->",
      "<!-- @end-loop: L_1 -->",
      "<!-- @end -->",
      "after end",
    ]);
    assert.deepEqual([t.name, t.version, t.start, t.revisionSummary], ["T2", 12, "a", undefined]);
    assert.deepEqual(t.nodes.a, { kind: "prompt", id: "a", next: "b", commit: true, default: "x y", guidance: "  Guidance a  ", line: 5 });
    assert.deepEqual(t.nodes.b, { kind: "gate", id: "b", type: "yesno", yes: "b", no: "__end__", guidance: "", line: 13, loop: "L_1" });
    assert.deepEqual(t.order, ["a", "b"]);
    assert.deepEqual(t.loops, { L_1: { name: "L_1", nodes: ["b"], line: 11 } });
    assert.deepEqual(t.body, [
      { kind: "line", text: "Preamble text kept" },
      { kind: "line", text: "# Title" },
      { kind: "line", text: "<!-- a body comment -->" },
      { kind: "loop", name: "L_1", body: [{ kind: "line", text: "## {{_n}}" }] },
      { kind: "line", text: "after end" },
    ]);
    assert.deepEqual(loopOf(t, "b"), t.loops.L_1);
    assert.equal(loopOf(t, "a"), undefined);
    assert.equal(loopOf(t, "zz"), undefined);
  });

  it("REQ-INT-003: commit is false unless said; default absent unless given", () => {
    const t = parsed([HEADER, "<!-- @prompt: a | next: end | commit: false -->", "<!-- @end-prompt -->"]);
    assert.deepEqual(t.nodes.a, { kind: "prompt", id: "a", next: "end", commit: false, guidance: "", line: 2 });
  });

  it("REQ-INT-001: multi-line comments are text: dropped before the header, body after it, guidance inside a prompt", () => {
    const t = parsed([
      "<!-- notice",
      "<!-- @prompt: fake | next: end -->",
      "-->",
      HEADER,
      "<!-- @prompt: a | next: end -->",
      "<!-- guidance note",
      "   still the note -->",
      "Say a.",
      "<!-- @end-prompt -->",
      "text <!-- open",
      "<!-- @gate: fake2 | type: yesno | yes: end | no: end -->",
      "--> closed",
      "<!-- one --> <!-- two",
      "-->",
      "<!-- done --> tail",
    ]);
    assert.deepEqual(t.order, ["a"], "the preamble's comment ends at the first -->, its last line is plain text");
    assert.equal(t.nodes.a?.guidance, "<!-- guidance note\n   still the note -->\nSay a.");
    assert.deepEqual(
      t.body.map((p) => (p.kind === "line" ? p.text : "")),
      ["-->", "text <!-- open", "<!-- @gate: fake2 | type: yesno | yes: end | no: end -->", "--> closed", "<!-- one --> <!-- two", "-->", "<!-- done --> tail"],
    );
  });

  it("REQ-INT-001: guidance loses its blank first and last lines only", () => {
    const t = parsed([HEADER, "<!-- @prompt: a | next: end -->", "", "  ", "x", "", "y", " ", "", "<!-- @end-prompt -->"]);
    assert.equal(t.nodes.a?.guidance, "x\n\ny");
    const blank = parsed([HEADER, "<!-- @prompt: a | next: end -->", "", " ", "<!-- @end-prompt -->"]);
    assert.equal(blank.nodes.a?.guidance, "");
  });

  it("REQ-INT-016: the template's own frontmatter is skipped; the instance frontmatter after it gives the revision summary", () => {
    const own = ["---", "title: TEMPLATE-VR", "revision_summary: the template's own", "---"];
    const instance = ["---", "title: '{{title}}'", "revision_summary: 'It''s new'", "---"];
    const t = parsed([...own, "", "<!-- a note", "over lines -->", "<!-- x -->", ...instance, HEADER, ...A, "body"]);
    assert.equal(t.revisionSummary, "It's new");
    assert.deepEqual(t.body, [{ kind: "line", text: "body" }]);
    const quoted = (value: string) => parsed([...own, ...instance.map((l) => (l.startsWith("revision_summary") ? `revision_summary: ${value}` : l)), HEADER, ...A]).revisionSummary;
    assert.equal(quoted('"Say \\"hi\\""'), 'Say "hi"');
    assert.equal(quoted('"bad \\q"'), "bad \\q", "a broken JSON string keeps its inside");
    assert.equal(quoted("plain words  "), "plain words");
    assert.equal(quoted("'"), "'");
    assert.equal(quoted('"'), '"');
    assert.equal(quoted("'a"), "'a");
    assert.equal(quoted('"a'), '"a');
    assert.equal(quoted("''"), "");
  });

  it("REQ-INT-016: a lone instance block is the instance frontmatter; a lone template block gives none", () => {
    const lone = parsed(["---", "title: '{{title}}'", "revision_summary: Initial", "---", HEADER, ...A, "body"]);
    assert.equal(lone.revisionSummary, "Initial");
    assert.deepEqual(lone.body, [{ kind: "line", text: "body" }]);
    const loneNoSummary = parsed(["---", "title: '{{title}}'", "---", HEADER, ...A]);
    assert.equal(loneNoSummary.revisionSummary, undefined);
    assert.equal("revisionSummary" in loneNoSummary, false);
    const instanceFirst = parsed(["---", "title: '{{title}}'", "---", "---", "title: second", "---", HEADER, ...A]);
    assert.equal(instanceFirst.revisionSummary, undefined);
    assert.deepEqual(instanceFirst.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "title: second", "---"], "after an instance block nothing more is frontmatter");
    const templateOnly = parsed(["---", "title: TEMPLATE-VR", "revision_summary: own", "---", HEADER, ...A, "body"]);
    assert.equal(templateOnly.revisionSummary, undefined);
    assert.deepEqual(templateOnly.body, [{ kind: "line", text: "body" }]);
    const notSecond = parsed(["---", "title: TEMPLATE-VR", "---", "---", "status: x", "---", HEADER, ...A]);
    assert.deepEqual(notSecond.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "status: x", "---"], "a block without title: is no frontmatter");
    const unclosed = parsed(["---", "title: x", HEADER, ...A]);
    assert.deepEqual(unclosed.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "title: x"]);
    const unclosedSecond = parsed(["---", "title: TEMPLATE", "---", "---", "title: '{{title}}'", HEADER, ...A]);
    assert.deepEqual(unclosedSecond.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "title: '{{title}}'"]);
    const indented = parsed([" ---", "title: '{{title}}'", "revision_summary: r", "--- ", HEADER, ...A]);
    assert.equal(indented.revisionSummary, "r");
    const secondSummary = parsed(["---", "title: TEMPLATE", "---", "---", "title: '{{title}}'", "revision_summary:", "---", HEADER, ...A]);
    assert.equal(secondSummary.revisionSummary, "");
    const notAtStart = parsed(["", "---", "title: '{{title}}'", "---", HEADER, ...A]);
    assert.deepEqual(notAtStart.body.map((p) => (p.kind === "line" ? p.text : "")), ["", "---", "title: '{{title}}'", "---"], "frontmatter starts on the first line");
    const titleLike = parsed(["---", "title: TEMPLATE", "---", "---", " title: x", "---", HEADER, ...A]);
    assert.deepEqual(titleLike.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", " title: x", "---"], "title: must start the line");
    const third = parsed(["---", "title: TEMPLATE", "---", "---", "title: '{{title}}'", "---", "---", "title: third", "---", HEADER, ...A]);
    assert.deepEqual(third.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "title: third", "---"], "two frontmatter blocks at most");
    const afterTag = parsed(["---", "title: TEMPLATE", "---", HEADER, "---", "title: '{{title}}'", "---", ...A]);
    assert.deepEqual(afterTag.body.map((p) => (p.kind === "line" ? p.text : "")), ["---", "title: '{{title}}'", "---"], "a tag ends the frontmatter search");
    assert.equal(afterTag.revisionSummary, undefined);
    const summaryLike = parsed(["---", "title: '{{title}}'", " revision_summary: r", "---", HEADER, ...A]);
    assert.equal(summaryLike.revisionSummary, undefined);
  });

  it("REQ-INT-002: a header tag inside a comment or text does not count as one; a tag needs the whole line", () => {
    assert.equal(hasTemplateHeader("x <!--  @template : T | version: 1 -->"), true);
    assert.equal(hasTemplateHeader("<!-- @templates: T -->"), false);
    assert.equal(hasTemplateHeader("@template: T"), false);
    const r = parseTemplate(["text <!-- @template: T | version: 1 | start: a -->", ...A].join("\n"));
    assert.ok(!r.ok);
    assert.equal(r.error.line, 2, "a tag mid-line is text; the @prompt is the first tag");
  });
});

describe("VR template lookup, exactly (in process)", () => {
  const text = (name: string, version: number) => [`<!-- @template: ${name} | version: ${version} | start: a -->`, ...A].join("\n");

  it("REQ-INT-002: the header's name and version are read without parsing the rest", () => {
    assert.deepEqual(headerOf("x\n<!-- @template:  VR  | start: a | version: 7 -->\n<!-- @template: B | version: 9 -->"), { name: "VR", version: 7 });
    assert.equal(headerOf("<!-- @template: VR -->"), undefined);
    assert.equal(headerOf("<!-- @template: VR | start: a -->"), undefined);
    assert.equal(headerOf("<!-- @template: VR | versions: 2 -->"), undefined);
    assert.equal(headerOf("<!-- @template: VR | xversion: 2 -->"), undefined);
    assert.deepEqual(headerOf("<!--@template:VR|version:3-->"), { name: "VR", version: 3 });
    assert.equal(headerOf("no header"), undefined);
  });

  it("REQ-INT-006: the lookup's refusals say what is wrong and what to do", () => {
    assert.deepEqual(selectTemplate([{ origin: "QMS/TEMPLATE/TEMPLATE-VR.md", text: "plain" }]), {
      ok: false,
      message: "No interactive VR template: neither the project nor the package has one with an @template header.",
      hint: "Restore QMS/TEMPLATE/TEMPLATE-VR.md (qms init seeds it).",
    });
    assert.equal(selectTemplate([]).ok, false);
    const broken = { origin: "QMS/.archive/TEMPLATE/TEMPLATE-VR-v1.0.md", text: "<!-- @template: VR | version: 1 | start: zz -->" };
    assert.deepEqual(selectTemplate([broken], { name: "VR", version: 1 }), {
      ok: false,
      message: "Template QMS/.archive/TEMPLATE/TEMPLATE-VR-v1.0.md is malformed: line 1: expected start: the ID of a @prompt or @gate in the template, found start: zz.",
      hint: "Fix QMS/.archive/TEMPLATE/TEMPLATE-VR-v1.0.md through a change record (the tags are described in its usage guide).",
    });
  });

  it("REQ-INT-006: the wanted name and version must both match; the project's template comes before the shipped one in any order", () => {
    const shipped = { origin: "seed", text: text("VR", 5), shipped: true };
    const project = { origin: "project", text: text("VR", 6) };
    const other = { origin: "other", text: text("XR", 5) };
    const pick = (candidates: Parameters<typeof selectTemplate>[0], wanted?: { name: string; version: number }) => {
      const c = selectTemplate(candidates, wanted);
      assert.ok(c.ok, c.ok ? "" : c.message);
      return [c.origin, c.exact, c.template.version];
    };
    assert.deepEqual(pick([shipped, project]), ["project", true, 6]);
    assert.deepEqual(pick([shipped]), ["seed", true, 5]);
    assert.deepEqual(pick([other, shipped], { name: "VR", version: 5 }), ["seed", true, 5], "another name with the same version does not match");
    assert.deepEqual(pick([other, project, shipped], { name: "XR", version: 6 }), ["other", false, 5], "no match: the first project template, not exact");
    assert.deepEqual(pick([{ origin: "plain", text: "no header" }, project], { name: "VR", version: 6 }), ["project", true, 6]);
  });

  it("REQ-INT-006: archived template names sort by major, then minor, newest first; other names are left out", () => {
    assert.deepEqual(newestFirst(["T-v1.2.md", "T-v1.10.md", "T-v2.0.md", "T-v1.2.txt", "T-v1.md", "T-v1.2.md.bak"]), ["T-v2.0.md", "T-v1.10.md", "T-v1.2.md"]);
    assert.deepEqual(newestFirst([]), []);
  });
});
