import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { compileDocument } from "../src/core/vr/compile.js";
import { interact, progress } from "../src/core/vr/engine.js";
import { loadSource, serializeSource, type VrSource } from "../src/core/vr/source.js";
import { newestFirst, selectTemplate, type TemplateCandidate } from "../src/core/vr/template.js";
import { REPO_ROOT } from "./helpers.js";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures-vr", "QMS");
const ARCHIVE = path.join(FIXTURES, ".archive", "TEMPLATE");
const SHIPPED: TemplateCandidate = { origin: "seed/templates/TEMPLATE-VR.md", text: fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8"), shipped: true };

/** The lookup order of spec §9.5 for a project without an EFFECTIVE TEMPLATE-VR: its archive newest first, then the package. */
const CANDIDATES: TemplateCandidate[] = [
  ...newestFirst(fs.readdirSync(ARCHIVE)).map((name) => ({ origin: `QMS/.archive/TEMPLATE/${name}`, text: fs.readFileSync(path.join(ARCHIVE, name), "utf8") })),
  SHIPPED,
];

const CASES = [
  { id: "CR-010-VR-001", version: 3, origin: "QMS/.archive/TEMPLATE/TEMPLATE-VR-v1.0.md" },
  { id: "CR-010-VR-002", version: 4, origin: "QMS/.archive/TEMPLATE/TEMPLATE-VR-v2.0.md" },
  { id: "CR-010-VR-003", version: 5, origin: "seed/templates/TEMPLATE-VR.md" },
];

function fixture(id: string) {
  const sourceText = fs.readFileSync(path.join(FIXTURES, ".meta", "VR", `${id}.source.json`), "utf8");
  const raw = JSON.parse(sourceText) as unknown;
  const loaded = loadSource(raw);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.message);
  const stored = fs.readFileSync(path.join(FIXTURES, "CR", "CR-010", `${id}.md`), "utf8");
  return { sourceText, raw, source: loaded.source, stored };
}

function templateFor(source: VrSource) {
  const choice = selectTemplate(CANDIDATES, { name: source.template, version: source.template_version });
  assert.ok(choice.ok, choice.ok ? "" : choice.message);
  return choice;
}

/** The lines that carry responses and their attribution: quotes, attributions, bold values, table rows, fenced output. */
function responseLines(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.push(line);
    } else if (fenced || /^>/.test(line) || line.startsWith("*-- ") || line.startsWith("|") || (/^\*\*.+\*\*$/.test(line) && line !== "**END OF DOCUMENT**")) {
      out.push(line);
    }
  }
  return out;
}

describe("Python-era VR sources, template versions 3-5 (spec §9.2, §9.5)", () => {
  for (const c of CASES) {
    it(`REQ-INT-006: the v${c.version} source ${c.id} loads unchanged`, () => {
      const f = fixture(c.id);
      assert.equal(f.source.template_version, c.version);
      assert.deepEqual(f.source, f.raw);
      assert.equal(serializeSource(f.source), f.sourceText.trimEnd(), "written back byte for byte");
    });

    it(`the v${c.version} source ${c.id} finds its template by version`, () => {
      const choice = templateFor(fixture(c.id).source);
      assert.equal(choice.origin, c.origin);
      assert.equal(choice.exact, true);
      assert.equal(choice.template.version, c.version);
    });

    it(`REQ-INT-013: progress shows ${c.id} (v${c.version}) complete`, () => {
      const f = fixture(c.id);
      const p = progress(f.source, templateFor(f.source).template);
      assert.equal(p.complete, true);
      assert.equal(p.answered, p.total);
      assert.ok(p.items.every((i) => i.answered));
    });

    it(`REQ-INT-016: compiling ${c.id} (v${c.version}) reproduces the stored record's responses and attribution lines in order`, () => {
      const f = fixture(c.id);
      const compiled = compileDocument(f.source, templateFor(f.source).template);
      assert.deepEqual(compiled.unplaced, []);
      const expected = responseLines(f.stored);
      assert.ok(expected.length > 20, "the extraction sees the record");
      assert.deepEqual(responseLines(compiled.text), expected);
      assert.equal(compiled.text.replace(/^---\n[\s\S]*?\n---\n/, ""), f.stored.replace(/^---\n[\s\S]*?\n---\n/, ""), "the body matches too");
    });
  }

  it("REQ-INT-008: a Python-era source can be amended; the engine only appends to it", () => {
    const f = fixture("CR-010-VR-001");
    const t = templateFor(f.source).template;
    const actor = { user: "lead", now: new Date("2026-02-01T12:00:00Z") };
    assert.ok(!interact(f.source, t, { respond: "more" }, actor).ok, "a complete record takes no new response");
    const g = interact(f.source, t, { goto: "step_outcome.2", reason: "rows not checked" }, actor);
    assert.ok(g.ok);
    const r = interact(g.source, t, { respond: "Fail: row count not compared" }, actor);
    assert.ok(r.ok);
    assert.deepEqual(r.source.responses["step_outcome.2"]?.[0], f.source.responses["step_outcome.2"]?.[0]);
    assert.deepEqual(r.source.responses["step_outcome.2"]?.[1], { value: "Fail: row count not compared", author: "lead", timestamp: "2026-02-01T12:00:00Z", reason: "rows not checked" });
    assert.equal(r.source.cursor, "__end__");
    assert.match(compileDocument(r.source, t).text, /> ~~Pass~~\n\n\*-- claude, 2025-10-14 09:18:30 \| superseded: rows not checked\*\n\n> Fail: row count not compared\n\n\*-- lead, 2026-02-01 12:00:00\*/);
  });

  it("a source whose template version nobody has compiles with the newest template, losing no response", () => {
    const f = fixture("CR-010-VR-001");
    const choice = selectTemplate([SHIPPED], { name: "VR", version: 3 });
    assert.ok(choice.ok);
    assert.equal(choice.exact, false);
    const compiled = compileDocument(f.source, choice.template);
    for (const entries of Object.values(f.source.responses)) {
      for (const e of entries) for (const line of e.value.split("\n")) assert.ok(compiled.text.includes(line), `missing: ${line}`);
    }
  });
});
