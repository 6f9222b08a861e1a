import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { newestFirst, parseTemplate, selectTemplate, type Template, type TemplateParseError } from "../src/core/vr/template.js";
import { REPO_ROOT } from "./helpers.js";

export const SHIPPED_VR = fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8");

function parsed(text: string): Template {
  const r = parseTemplate(text);
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.template;
}

function parseError(text: string): TemplateParseError {
  const r = parseTemplate(text);
  assert.ok(!r.ok, "expected a parse error");
  return r.error;
}

/** A small template: one prompt, a loop of one prompt and a gate, a final prompt. */
const SMALL = [
  "---", // 1
  "title: '{{title}}'",
  "revision_summary: Initial draft",
  "---",
  "", // 5
  "<!-- @template: MINI | version: 2 | start: intro -->",
  "# {{vr_id}}",
  "<!-- @prompt: intro | next: item | default: today -->",
  "Say hello to {{title}}.",
  "", // 10
  "Second guidance line.",
  "<!-- @end-prompt -->",
  "{{intro}}",
  "<!-- @loop: items -->",
  "## Item {{_n}}", // 15
  "<!-- @prompt: item | next: more | commit: true -->",
  "Describe item {{_n}}.",
  "<!-- @end-prompt -->",
  "{{item}}",
  "<!-- @gate: more | type: yesno | yes: item | no: done -->", // 20
  "Another item?",
  "<!-- @end-prompt -->",
  "<!-- @end-loop: items -->",
  "<!-- @prompt: done | next: end -->",
  "Anything else?", // 25
  "<!-- @end-prompt -->",
  "{{done}}",
  "<!-- @end -->",
  "**END OF DOCUMENT**",
].join("\n");

const lines = (text: string) => text.split("\n");
/** SMALL with line `n` (1-based) replaced. */
function withLine(n: number, replacement: string): string {
  const l = lines(SMALL);
  l[n - 1] = replacement;
  return l.join("\n");
}

describe("VR template language (spec §9.1)", () => {
  it("REQ-INT-001: tags in HTML comments are recognised and @end-prompt ends the guidance", () => {
    const t = parsed(SMALL);
    assert.deepEqual(t.order, ["intro", "item", "more", "done"]);
    assert.equal(t.nodes.intro?.guidance, "Say hello to {{title}}.\n\nSecond guidance line.");
    assert.equal(t.nodes.more?.guidance, "Another item?");
    const bodyText = JSON.stringify(t.body);
    assert.ok(!bodyText.includes("@prompt") && !bodyText.includes("Say hello") && !bodyText.includes("@end"), bodyText);
    assert.ok(bodyText.includes("{{intro}}") && bodyText.includes("**END OF DOCUMENT**"));
  });

  it("REQ-INT-002: the @template header gives name, version and start prompt", () => {
    const t = parsed(SMALL);
    assert.equal(t.name, "MINI");
    assert.equal(t.version, 2);
    assert.equal(t.start, "intro");
    assert.equal(t.revisionSummary, "Initial draft");
  });

  it("REQ-INT-002: a template without header, name or start is refused with the line and what was expected", () => {
    const noHeader = parseError(withLine(6, ""));
    assert.match(noHeader.expected, /@template header/);
    const noName = parseError(withLine(6, "<!-- @template: | version: 2 | start: intro -->"));
    assert.equal(noName.line, 6);
    assert.match(noName.expected, /template name/);
    const noStart = parseError(withLine(6, "<!-- @template: MINI | version: 2 -->"));
    assert.equal(noStart.line, 6);
    assert.match(noStart.expected, /start: PROMPT_ID/);
    const badVersion = parseError(withLine(6, "<!-- @template: MINI | version: two | start: intro -->"));
    assert.match(badVersion.message, /^line 6: expected version: N/);
    const unknownStart = parseError(withLine(6, "<!-- @template: MINI | version: 2 | start: nowhere -->"));
    assert.equal(unknownStart.line, 6);
    assert.match(unknownStart.found, /start: nowhere/);
  });

  it("REQ-INT-002: two @template headers are refused at the second one", () => {
    const e = parseError(withLine(7, "<!-- @template: MINI | version: 3 | start: intro -->"));
    assert.equal(e.line, 7);
    assert.match(e.expected, /one @template header only \(the first is at line 6\)/);
  });

  it("REQ-INT-003: @prompt takes id, next, commit (default false) and default", () => {
    const t = parsed(SMALL);
    assert.deepEqual(
      { ...t.nodes.intro, guidance: undefined },
      { kind: "prompt", id: "intro", next: "item", commit: false, default: "today", guidance: undefined, line: 8 },
    );
    assert.equal(t.nodes.item?.kind === "prompt" && t.nodes.item.commit, true);
    const noNext = parseError(withLine(8, "<!-- @prompt: intro -->"));
    assert.equal(noNext.line, 8);
    assert.match(noNext.expected, /next: ID/);
    const badCommit = parseError(withLine(16, "<!-- @prompt: item | next: more | commit: yes -->"));
    assert.equal(badCommit.line, 16);
    const unknownTarget = parseError(withLine(24, "<!-- @prompt: done | next: nowhere -->"));
    assert.equal(unknownTarget.line, 24);
    assert.match(unknownTarget.found, /next: nowhere/);
    const unknownAttribute = parseError(withLine(24, "<!-- @prompt: done | nxt: end -->"));
    assert.match(unknownAttribute.found, /attribute 'nxt'/);
    const duplicate = parseError(withLine(24, "<!-- @prompt: intro | next: end -->"));
    assert.match(duplicate.expected, /already used at line 8/);
  });

  it("REQ-INT-004: @gate takes id, type yesno, yes and no; another type is refused", () => {
    const t = parsed(SMALL);
    assert.deepEqual({ ...t.nodes.more, guidance: undefined }, { kind: "gate", id: "more", type: "yesno", yes: "item", no: "done", guidance: undefined, line: 20, loop: "items" });
    const e = parseError(withLine(20, "<!-- @gate: more | type: choice | yes: item | no: done -->"));
    assert.equal(e.line, 20);
    assert.match(e.expected, /type: yesno/);
    assert.match(parseError(withLine(20, "<!-- @gate: more | type: yesno | yes: item -->")).expected, /no: ID/);
  });

  it("REQ-INT-005: @loop/@end-loop enclose the repeated prompts; the body keeps {{_n}}", () => {
    const t = parsed(SMALL);
    assert.deepEqual(t.loops.items?.nodes, ["item", "more"]);
    assert.equal(t.nodes.item?.loop, "items");
    assert.equal(t.nodes.intro?.loop, undefined);
    const loop = t.body.find((p) => p.kind === "loop");
    assert.ok(loop && loop.kind === "loop" && JSON.stringify(loop.body).includes("## Item {{_n}}"));
  });

  it("REQ-INT-005: an unclosed or mismatched loop is refused with the line and the expected @end-loop", () => {
    const unclosed = parseError(withLine(23, ""));
    assert.equal(unclosed.line, 28, "the @end that arrives while the loop is open");
    assert.equal(unclosed.expected, "@end-loop: items (loop opened at line 14)");
    const unclosedAtEof = parseError(lines(SMALL).slice(0, 22).join("\n"));
    assert.equal(unclosedAtEof.line, 22);
    assert.match(unclosedAtEof.found, /end of the template/);
    const mismatched = parseError(withLine(23, "<!-- @end-loop: things -->"));
    assert.equal(mismatched.line, 23);
    assert.equal(mismatched.expected, "@end-loop: items");
    assert.equal(mismatched.found, "@end-loop: things");
    const nested = parseError(withLine(15, "<!-- @loop: inner -->"));
    assert.equal(nested.line, 15);
    assert.match(nested.expected, /loops do not nest/);
  });

  it("REQ-INT-001: guidance must be closed by @end-prompt before the next tag", () => {
    const e = parseError(withLine(12, ""));
    assert.equal(e.line, 14);
    assert.match(e.expected, /@end-prompt closing the guidance of prompt 'intro' \(line 8\)/);
    const stray = parseError(withLine(7, "<!-- @end-prompt -->"));
    assert.equal(stray.line, 7);
    assert.match(stray.expected, /only after a @prompt or @gate/);
  });

  it("an unknown tag, or a tag before the header, is refused", () => {
    const unknown = parseError(withLine(7, "<!-- @promt: x | next: end -->"));
    assert.equal(unknown.line, 7);
    assert.match(unknown.expected, /one of @template, @prompt/);
    const early = parseError(withLine(5, "<!-- @prompt: early | next: end -->"));
    assert.equal(early.line, 5);
    assert.match(early.expected, /@template header before any other tag/);
    const afterEnd = parseError(`${SMALL}\n<!-- @prompt: late | next: end -->`);
    assert.equal(afterEnd.line, 30);
  });

  it("REQ-INT-001: tag-like text inside a multi-line comment is not a tag", () => {
    const text = withLine(7, "<!-- note for authors:\n<!-- @prompt: fake | next: end -->\n-->");
    const t = parsed(text);
    assert.equal(t.nodes.fake, undefined);
  });

  it("the shipped TEMPLATE-VR is v5 with the flow of spec §9.1", () => {
    const t = parsed(SHIPPED_VR);
    assert.equal(t.name, "VR");
    assert.equal(t.version, 5);
    assert.equal(t.start, "related_eis");
    assert.equal(t.revisionSummary, "Initial draft");
    const flow = t.order.map((id) => {
      const n = t.nodes[id]!;
      return n.kind === "prompt" ? `${id}>${n.next}${n.commit ? "*" : ""}` : `${id}?${n.yes}:${n.no}`;
    });
    assert.deepEqual(flow, [
      "related_eis>objective",
      "objective>pre_conditions",
      "pre_conditions>step_instructions",
      "step_instructions>step_expected",
      "step_expected>step_actual",
      "step_actual>step_outcome*",
      "step_outcome>more_steps",
      "more_steps?step_instructions:summary_outcome",
      "summary_outcome>summary_narrative",
      "summary_narrative>end",
    ]);
    assert.deepEqual(t.loops.steps?.nodes, ["step_instructions", "step_expected", "step_actual", "step_outcome", "more_steps"]);
    const body = JSON.stringify(t.body);
    assert.ok(!body.includes("TEMPLATE DOCUMENT NOTICE") && !body.includes("TEMPLATE USAGE GUIDE"), "the preamble comments are not body");
  });
});

describe("VR template lookup (spec §9.5)", () => {
  const version = (v: number, name = "VR") => SMALL.replace("MINI | version: 2", `${name} | version: ${v}`);
  const effective = { origin: "QMS/TEMPLATE/TEMPLATE-VR.md", text: version(7) };
  const archived6 = { origin: "QMS/.archive/TEMPLATE/TEMPLATE-VR-v2.0.md", text: version(6) };
  const archived5 = { origin: "QMS/.archive/TEMPLATE/TEMPLATE-VR-v1.0.md", text: version(5) };
  const shipped = { origin: "seed/templates/TEMPLATE-VR.md", text: SHIPPED_VR, shipped: true };

  it("a new VR uses the project's EFFECTIVE interactive template", () => {
    const c = selectTemplate([effective, archived6, shipped]);
    assert.ok(c.ok);
    assert.equal(c.origin, effective.origin);
    assert.equal(c.template.version, 7);
    assert.equal(c.exact, true);
  });

  it("only when the project has no interactive template does the shipped one serve", () => {
    const plain = { origin: "QMS/TEMPLATE/TEMPLATE-VR.md", text: "---\ntitle: x\n---\n# not interactive\n" };
    const c = selectTemplate([plain, shipped]);
    assert.ok(c.ok);
    assert.equal(c.origin, shipped.origin);
    assert.equal(c.template.version, 5);
  });

  it("an existing source gets the version its template_version names: effective first, then the archive newest first", () => {
    const six = selectTemplate([effective, archived6, archived5, shipped], { name: "VR", version: 6 });
    assert.ok(six.ok);
    assert.equal(six.origin, archived6.origin);
    const five = selectTemplate([effective, archived6, archived5, shipped], { name: "VR", version: 5 });
    assert.ok(five.ok);
    assert.equal(five.origin, archived5.origin, "the project's own v5 before the shipped v5");
    const shippedFive = selectTemplate([effective, shipped], { name: "VR", version: 5 });
    assert.ok(shippedFive.ok);
    assert.equal(shippedFive.origin, shipped.origin);
  });

  it("a version nobody has falls back to the new-VR choice, marked not exact", () => {
    const c = selectTemplate([effective, shipped], { name: "VR", version: 3 });
    assert.ok(c.ok);
    assert.equal(c.origin, effective.origin);
    assert.equal(c.exact, false);
  });

  it("a malformed project template is refused with its parse error, not replaced silently", () => {
    const broken = { origin: "QMS/TEMPLATE/TEMPLATE-VR.md", text: version(7).replace("<!-- @end-loop: items -->", "") };
    const c = selectTemplate([broken, shipped]);
    assert.ok(!c.ok);
    assert.match(c.message, /TEMPLATE-VR\.md is malformed: line \d+: expected @end-loop: items/);
  });

  it("archived template files are ordered newest first", () => {
    assert.deepEqual(newestFirst(["TEMPLATE-VR-v1.0.md", "TEMPLATE-VR-v10.0.md", "TEMPLATE-VR-v2.0.md", "TEMPLATE-VR-v0.1.md", "x.md"]), [
      "TEMPLATE-VR-v10.0.md",
      "TEMPLATE-VR-v2.0.md",
      "TEMPLATE-VR-v1.0.md",
      "TEMPLATE-VR-v0.1.md",
    ]);
  });
});
