// The VR compiler's exact output (src/core/vr/compile.ts) for small templates: blocks, bold, tables, inline
// values, gates, loops, fences, superseded entries, unplaced responses and blank lines; in process for Stryker
// (issue #15). The shipped template's record is in vr-compile.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attribution, compileDocument } from "../src/core/vr/compile.js";
import { createSource, type ResponseEntry, type VrSource } from "../src/core/vr/source.js";
import { parseTemplate } from "../src/core/vr/template.js";

const at = (author: string, timestamp: string, value: string, extra: Partial<ResponseEntry> = {}): ResponseEntry => ({ value, author, timestamp, ...extra });

function compiled(lines: string[], fill: (s: VrSource) => void, title: string = "A | B"): { lines: string[]; unplaced: string[] } {
  const r = parseTemplate(lines.join("\n"));
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  const s = createSource(r.template, { docId: "D-1", parentDocId: "P-1", title });
  fill(s);
  const c = compileDocument(s, r.template);
  assert.equal(compileDocument(s, r.template).text, c.text, "the same source compiles to the same text");
  return { lines: c.text.split("\n"), unplaced: c.unplaced };
}

describe("VR compiler, exactly (in process)", () => {
  it("REQ-INT-024, REQ-INT-009: blocks, bold, table cells, inline values, gates and metadata; superseded entries struck through", () => {
    const c = compiled(
      [
        "---",
        "title: '{{title}}'",
        "revision_summary: From the template",
        "---",
        "<!-- @template: C | version: 4 | start: a -->",
        "",
        "",
        "# {{vr_id}} for {{ parent_doc_id }}",
        "",
        "<!-- @prompt: a | next: b -->",
        "A?",
        "<!-- @end-prompt -->",
        "  {{a}}  ",
        "<!-- @prompt: b | next: g -->",
        "B?",
        "<!-- @end-prompt -->",
        "**{{b}}**",
        "<!-- @gate: g | type: yesno | yes: end | no: end -->",
        "G?",
        "<!-- @end-prompt -->",
        "| {{title}} | {{a}} | {{g}} | {{zz}} | {{_n}} | {{date}} |",
        "Inline {{b}} and {{g}}; {{b}} again.",
        "**{{g}}** {{ g }}",
        "",
        "",
        "   ",
        "",
        "**END OF DOCUMENT**",
        "",
        "",
      ],
      (s) => {
        s.responses = {
          a: [
            at("lead", "2026-03-01T10:00:00Z", "first\r\n\r\nsecond  "),
            at("qa", "2026-03-01T10:30:00Z", "mid", { reason: "  fix \n wording " }),
            at("claude", "2026-03-01T11:00:00.5Z", "third | x\r\nfourth", { reason: 7 as unknown as string, commit: "abc" }),
          ],
          b: [at("qa", "2026-03-01T12:00:00Z", "bold 1\n\nbold 2")],
          stray: [at("claude", "2026-03-03T14:00:00Z", "lost")],
          empty: [],
        };
        s.gates = { g: { value: "no", timestamp: "t" } };
      },
    );
    assert.deepEqual(c.unplaced, ["stray"]);
    assert.deepEqual(c.lines, [
      "---",
      "title: A | B",
      "revision_summary: From the template",
      "---",
      "",
      "# D-1 for P-1",
      "",
      "> ~~first~~",
      ">",
      "> ~~second~~",
      "",
      "*-- lead, 2026-03-01 10:00:00 | superseded: fix wording*",
      "",
      "> ~~mid~~",
      "",
      "*-- qa, 2026-03-01 10:30:00*",
      "",
      "> third | x",
      "> fourth",
      "",
      "*-- claude, 2026-03-01 11:00:00 | commit: abc*",
      "",
      "**bold 1**",
      "",
      "**bold 2**",
      "*-- qa, 2026-03-01 12:00:00*",
      "",
      "| A \\| B | third \\| x<br>fourth | no | {{zz}} | {{_n}} | 2026-03-01 |",
      "Inline bold 1",
      "",
      "bold 2 and no; bold 1",
      "",
      "bold 2 again.",
      "*-- qa, 2026-03-01 12:00:00*",
      "*-- qa, 2026-03-01 12:00:00*",
      "**no** no",
      "",
      "---",
      "",
      "## Responses not placed by template C v4",
      "",
      "### stray",
      "",
      "> lost",
      "",
      "*-- claude, 2026-03-03 14:00:00*",
      "",
      "**END OF DOCUMENT**",
      "",
    ]);
  });

  it("REQ-INT-016: missing responses render empty; a title that is not text is empty; unplaced responses go last without an end marker", () => {
    const c = compiled(
      ["<!-- @template: E | version: 1 | start: a -->", "<!-- @prompt: a | next: end -->", "A?", "<!-- @end-prompt -->", "{{a}}", "**{{a}}**", "text {{a}}", "| {{a}} |"],
      (s) => {
        s.metadata.title = 5 as unknown as string;
        s.responses = { zeta: [at("u", "2026-01-01T00:00:00Z", "z")], alpha: [at("u", "2026-01-01T00:00:00Z", "a")] };
      },
    );
    assert.deepEqual(c.unplaced, ["zeta", "alpha"]);
    assert.deepEqual(c.lines, [
      "---",
      'title: ""',
      "revision_summary: Initial draft",
      "---",
      "",
      "text ",
      "|  |",
      "",
      "---",
      "",
      "## Responses not placed by template E v1",
      "",
      "### zeta",
      "",
      "> z",
      "",
      "*-- u, 2026-01-01 00:00:00*",
      "",
      "### alpha",
      "",
      "> a",
      "",
      "*-- u, 2026-01-01 00:00:00*",
      "",
    ]);
  });

  it("REQ-INT-025, REQ-INT-016: loop iterations repeat the loop body; a fenced response gets a fence longer than any inside it", () => {
    const c = compiled(
      [
        "<!-- @template: L | version: 1 | start: c -->",
        "{{c}} {{c.1}} {{_n}}",
        "<!-- @loop: l -->",
        "### Step {{_n}}",
        "<!-- @prompt: c | next: e -->",
        "C?",
        "<!-- @end-prompt -->",
        "~~~ text",
        "  {{c}}  ",
        "~~~~",
        "<!-- @gate: e | type: yesno | yes: c | no: end -->",
        "E?",
        "<!-- @end-prompt -->",
        "Gate {{e}}.",
        "<!-- @end-loop: l -->",
      ],
      (s) => {
        s.responses = { "c.1": [at("a", "2026-01-01T00:00:00Z", "~~~\nx\n ~~~~~ y")], "c.2": [] };
        s.gates = { "e.1": { value: "yes", timestamp: "t" } };
        s.loops = { l: { iterations: 3, closed: true, reopenings: [] } };
      },
      "T",
    );
    assert.deepEqual(c.unplaced, []);
    assert.deepEqual(c.lines, [
      "---",
      "title: T",
      "revision_summary: Initial draft",
      "---",
      "",
      "{{c}} ~~~",
      "x",
      " ~~~~~ y {{_n}}",
      "*-- a, 2026-01-01 00:00:00*",
      "### Step 1",
      "~~~~~~ text",
      "~~~",
      "x",
      " ~~~~~ y",
      "~~~~~~",
      "*-- a, 2026-01-01 00:00:00*",
      "",
      "Gate yes.",
      "### Step 2",
      "~~~ text",
      "~~~",
      "",
      "Gate .",
      "### Step 3",
      "~~~ text",
      "~~~",
      "",
      "Gate .",
      "",
    ]);
    const none = compiled(["<!-- @template: L | version: 1 | start: c -->", "<!-- @loop: l -->", "### Step {{_n}}", "<!-- @prompt: c | next: end -->", "<!-- @end-prompt -->", "<!-- @end-loop: l -->", "after"], (s) => {
      s.loops = {};
    });
    assert.deepEqual(none.lines.slice(4), ["", "after", ""], "a loop never started renders no iteration");
  });

  it("REQ-INT-016: a fence is the response's only when both fences are whole, alike and the inside is one response", () => {
    const c = compiled(
      [
        "<!-- @template: N | version: 1 | start: a -->",
        "<!-- @prompt: a | next: g -->",
        "A?",
        "<!-- @end-prompt -->",
        "<!-- @gate: g | type: yesno | yes: end | no: end -->",
        "G?",
        "<!-- @end-prompt -->",
        "```",
        "{{a}}",
        "~~~",
        "x",
        "```",
        "{{a}}",
        "``` more",
        "y",
        "````",
        "{{a}}",
        "```",
        "z",
        "```",
        "{{g}}",
        "```",
        "w",
        "```",
        "{{nope}}",
        "```",
        "v",
        "```",
        "{{a}} {{a}}",
        "```",
        "u",
        "```sh",
        "{{a}}",
        "````",
      ],
      (s) => {
        s.responses = { a: [at("a", "2026-01-01T00:00:00Z", "val")] };
      },
      "T",
    );
    assert.deepEqual(c.lines.slice(4), [
      "",
      "```",
      "> val",
      "",
      "*-- a, 2026-01-01 00:00:00*",
      "",
      "~~~",
      "x",
      "```",
      "> val",
      "",
      "*-- a, 2026-01-01 00:00:00*",
      "",
      "``` more",
      "y",
      "````",
      "> val",
      "",
      "*-- a, 2026-01-01 00:00:00*",
      "",
      "```",
      "z",
      "```",
      "",
      "```",
      "w",
      "```",
      "{{nope}}",
      "```",
      "v",
      "```",
      "val val",
      "*-- a, 2026-01-01 00:00:00*",
      "*-- a, 2026-01-01 00:00:00*",
      "```",
      "u",
      "```sh",
      "val",
      "```",
      "*-- a, 2026-01-01 00:00:00*",
      "",
    ]);
  });

  it("REQ-INT-016: blank lines collapse outside code fences only; the body starts after one blank line and ends with one newline", () => {
    const c = compiled(
      [
        "<!-- @template: B | version: 1 | start: a -->",
        "",
        "  ",
        "one",
        "",
        " ",
        "",
        "two",
        "~~~",
        "",
        "",
        "  ",
        "```",
        "~~",
        "~~~~",
        "",
        "",
        "three",
        "````",
        "",
        "",
        "```",
        "",
        "",
        "````",
        "",
        "",
        "<!-- @prompt: a | next: end -->",
        "<!-- @end-prompt -->",
      ],
      () => {},
      "T",
    );
    assert.deepEqual(c.lines.slice(4), ["", "one", "", "two", "~~~", "", "", "  ", "```", "~~", "~~~~", "", "three", "````", "", "", "```", "", "", "````", ""]);
  });

  it("REQ-INT-024: the attribution line: author, UTC time, commit and the reason it was superseded", () => {
    assert.equal(attribution(at("qa", "2026-03-01T10:00:00+01:00", "v")), "*-- qa, 2026-03-01 09:00:00*");
    assert.equal(attribution(at("qa", "2026-03-01T10:00:00Z", "v", { commit: "" })), "*-- qa, 2026-03-01 10:00:00*");
    assert.equal(attribution(at("qa", "2026-03-01T10:00:00Z", "v", { commit: null })), "*-- qa, 2026-03-01 10:00:00*");
    assert.equal(attribution(at("qa", "2026-03-01T10:00:00Z", "v", { commit: "c1" }), " a\t b \n"), "*-- qa, 2026-03-01 10:00:00 | commit: c1 | superseded: a b*");
    assert.equal(attribution(at("qa", "2026-03-01T10:00:00Z", "v"), ""), "*-- qa, 2026-03-01 10:00:00*");
  });

  it("REQ-INT-016: unplaced responses go before the last end marker (even on the first line); a lone CR is a line end", () => {
    const end = compiled(["<!-- @template: U | version: 1 | start: a -->", "  **END OF DOCUMENT**  ", "<!-- @prompt: a | next: end -->", "<!-- @end-prompt -->"], (s) => {
      s.responses = { x: [at("u", "2026-01-01T00:00:00Z", "one\rtwo")] };
    }, "T");
    assert.deepEqual(end.lines.slice(4), ["", "---", "", "## Responses not placed by template U v1", "", "### x", "", "> one", "> two", "", "*-- u, 2026-01-01 00:00:00*", "", "  **END OF DOCUMENT**  ", ""]);
    const twice = compiled(["<!-- @template: U | version: 1 | start: a -->", "**END OF DOCUMENT**", "middle", "**END OF DOCUMENT**", "<!-- @prompt: a | next: end -->", "<!-- @end-prompt -->"], (s) => {
      s.responses = { x: [at("u", "2026-01-01T00:00:00Z", "v")] };
    }, "T");
    assert.deepEqual(twice.lines.slice(4, 8), ["", "**END OF DOCUMENT**", "middle", ""]);
    assert.equal(twice.lines.at(-2), "**END OF DOCUMENT**");
  });
});
