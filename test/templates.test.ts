import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import { Project } from "../src/store/project.js";
import { SEED_DIR } from "../src/services/init.js";
import { newDocumentContent } from "../src/services/templates.js";
import { makeHarnessProject, qms, REPO_ROOT, type RunResult, tempDir } from "./helpers.js";

const SEEDED = ["ADD", "CR", "ER", "INV", "SOP", "TC", "TP", "VAR", "VR"];

/** A project made by `qms init`, so QMS/TEMPLATE holds the seeded templates. */
function initialized() {
  const root = tempDir("qms-tpl-");
  const r = qms(root, undefined, "init", "--root", root, "--yes");
  assert.equal(r.code, 0, r.out);
  const ok = (user: string, ...args: string[]): RunResult => {
    const res = qms(root, user, ...args);
    assert.equal(res.code, 0, `expected success: ${args.join(" ")}\n${res.out}`);
    return res;
  };
  return { root, ok };
}

const read = (root: string, rel: string): string => fs.readFileSync(path.join(root, rel), "utf8");

describe("document templates (spec §8.3, §12.10)", () => {
  it("REQ-TEMPLATE-001: test_new_document_uses_template: an SOP starts from TEMPLATE-SOP", () => {
    const p = initialized();
    p.ok("claude", "create", "SOP", "--title", "Document Control");
    const text = read(p.root, "QMS/SOP/SOP-001-draft.md");
    assert.match(text, /^---\ntitle: Document Control\nrevision_summary: Initial draft\n---\n/);
    assert.match(text, /\n# SOP-001: Document Control\n/);
    assert.match(text, /## 4\. Responsibilities/);
    assert.match(text, /## 5\. Procedure/);
    assert.match(text, /\*\*END OF DOCUMENT\*\*/);
    // the workspace copy is the same content
    assert.equal(read(p.root, ".claude/users/claude/workspace/SOP-001.md"), text);
  });

  it("REQ-TEMPLATE-001: test_cr_uses_cr_template: a CR has the plan and the execution table", () => {
    const p = initialized();
    p.ok("claude", "create", "CR", "--title", "Add login page");
    const text = read(p.root, "QMS/CR/CR-001/CR-001-draft.md");
    assert.match(text, /^---\ntitle: Add login page\nrevision_summary: Initial draft\n---\n/);
    assert.match(text, /\n# CR-001: Add login page\n/);
    assert.match(text, /## 8\. Implementation Plan/);
    assert.match(text, /## 9\. Execution/);
    assert.match(text, /\| EI-1 \| \{\{TASK\}\} \| \{\{Yes\/No\}\} \| \[SUMMARY\] \| \[Pass\/Fail\] \| \[PERFORMER\] - \[DATE\] \|/);
  });

  it("REQ-TEMPLATE-002: test_templates_in_qms_template_directory: content comes from QMS/TEMPLATE and is substantial", () => {
    const p = initialized();
    for (const t of SEEDED) assert.ok(fs.existsSync(path.join(p.root, "QMS", "TEMPLATE", `TEMPLATE-${t}.md`)), t);
    p.ok("claude", "create", "INV", "--title", "Missed review");
    const text = read(p.root, "QMS/INV/INV-001/INV-001-draft.md");
    assert.ok(text.length > 100);
    assert.match(text, /^---\ntitle: /);
    assert.match(text, /## 4\. Root Cause Analysis/);
    // the project copy is what counts: change it and new documents follow
    const file = path.join(p.root, "QMS", "TEMPLATE", "TEMPLATE-INV.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("## 4. Root Cause Analysis", "## 4. Why It Happened"));
    p.ok("claude", "create", "INV", "--title", "Second");
    assert.match(read(p.root, "QMS/INV/INV-002/INV-002-draft.md"), /## 4\. Why It Happened/);
  });

  it("REQ-TEMPLATE-003: test_title_substitution and test_doc_id_substitution", () => {
    const p = initialized();
    const title = "Unique Title 7f3a";
    p.ok("claude", "create", "SOP", "--title", title);
    const text = read(p.root, "QMS/SOP/SOP-001-draft.md");
    const body = parseDocument(text).body;
    assert.ok(body.includes(title));
    assert.ok(body.includes("SOP-001"));
    assert.ok(!text.includes("{{TITLE}}"));
    assert.ok(!text.includes("SOP-XXX"));
  });

  it("REQ-TEMPLATE-004, REQ-META-001: test_frontmatter_title_initialized and test_frontmatter_revision_summary_initialized", () => {
    const p = initialized();
    p.ok("claude", "create", "CR", "--title", "Title: with 'quotes' and # hash");
    const fm = parseDocument(read(p.root, "QMS/CR/CR-001/CR-001-draft.md")).frontmatter;
    assert.equal(fm.title, "Title: with 'quotes' and # hash");
    assert.equal(fm.revision_summary, "Initial draft");
    assert.deepEqual(Object.keys(fm), ["title", "revision_summary"]);
  });

  it("REQ-TEMPLATE-001: the NOTICE comment is removed, the usage guide kept for the author", () => {
    const p = initialized();
    p.ok("claude", "create", "SOP", "--title", "X");
    const text = read(p.root, "QMS/SOP/SOP-001-draft.md");
    assert.ok(!text.includes("TEMPLATE DOCUMENT NOTICE"));
    assert.ok(text.includes("TEMPLATE USAGE GUIDE"));
    assert.equal((text.match(/^title: /gm) ?? []).length, 1, "one frontmatter block only");
  });

  it("REQ-TEMPLATE-003: child documents get their full ID in place of TYPE-XXX", () => {
    const p = initialized();
    p.ok("claude", "create", "CR", "--title", "Parent");
    p.ok("claude", "create", "VAR", "--parent", "CR-001", "--title", "Step 2 failed");
    p.ok("claude", "create", "TP", "--parent", "CR-001", "--title", "Login tests");
    p.ok("claude", "create", "ER", "--parent", "CR-001-TP-001", "--title", "Step 1 failed");
    assert.match(read(p.root, "QMS/CR/CR-001/CR-001-VAR-001-draft.md"), /\n# CR-001-VAR-001: Step 2 failed\n/);
    assert.match(read(p.root, "QMS/CR/CR-001/CR-001-TP-001-draft.md"), /\n# CR-001-TP-001: Login tests\n/);
    assert.match(read(p.root, "QMS/CR/CR-001/CR-001-TP-001-ER-001-draft.md"), /\n# CR-001-TP-001-ER-001: Step 1 failed\n/);
  });

  it("REQ-TEMPLATE-005: test_document_created_without_template_file and test_fallback_includes_document_heading", () => {
    const root = makeHarnessProject();
    assert.deepEqual(fs.readdirSync(path.join(root, "QMS", "TEMPLATE")), []);
    const r = qms(root, "claude", "create", "SOP", "--title", "No Template Here");
    assert.equal(r.code, 0, r.out);
    const text = read(root, "QMS/SOP/SOP-001-draft.md");
    const doc = parseDocument(text);
    assert.equal(doc.frontmatter.title, "No Template Here");
    assert.equal(doc.frontmatter.revision_summary, "Initial draft");
    assert.match(doc.body, /^# SOP-001: No Template Here$/m);
    for (const h of ["## 1. Purpose", "## 2. Scope", "## 3. Content", "**END OF DOCUMENT**"]) assert.ok(doc.body.includes(h), h);
  });

  it("REQ-TEMPLATE-005: a malformed template (no example frontmatter) falls back to the minimal document", () => {
    const root = makeHarnessProject();
    fs.writeFileSync(path.join(root, "QMS", "TEMPLATE", "TEMPLATE-SOP.md"), "---\ntitle: Broken\n---\n\njust text, no example frontmatter\n");
    const out = newDocumentContent(new Project(root), "SOP", "SOP-004", "T");
    assert.equal(out.fromTemplate, false);
    assert.match(out.content, /\n# SOP-004: T\n/);
  });

  it("REQ-TEMPLATE-001: every seeded template has the §8.3 structure and yields a document", () => {
    const root = makeHarnessProject();
    for (const t of SEEDED) {
      const src = fs.readFileSync(path.join(SEED_DIR, "templates", `TEMPLATE-${t}.md`), "utf8");
      const own = parseDocument(src);
      assert.ok(own.hasFrontmatter && typeof own.frontmatter.title === "string", `${t}: own frontmatter`);
      assert.match(own.body, /^<!--[\s\S]*?TEMPLATE DOCUMENT NOTICE[\s\S]*?-->\s*\n---\ntitle: '\{\{(TITLE|title)\}\}'\n/, `${t}: notice then example frontmatter`);
      assert.match(src, /<!--[\s\S]*?TEMPLATE USAGE GUIDE[\s\S]*?-->/, `${t}: usage guide`);
      assert.match(src, /\*\*END OF DOCUMENT\*\*\n$/, `${t}: end marker`);
      fs.writeFileSync(path.join(root, "QMS", "TEMPLATE", `TEMPLATE-${t}.md`), src);
      const id = t === "VR" ? "CR-001-VR-001" : `${t}-001`;
      const out = newDocumentContent(new Project(root), t, id, "Sample");
      assert.equal(out.fromTemplate, true, t);
      assert.ok(!out.content.includes("TEMPLATE DOCUMENT NOTICE"), t);
      assert.match(out.content, /^---\ntitle: Sample\nrevision_summary: Initial draft\n---\n/, t);
      if (t !== "VR") {
        assert.ok(out.content.includes(`# ${id}: Sample`), `${t}: heading`);
        assert.ok(out.content.includes("{{"), `${t}: drafting placeholders`);
      }
    }
    assert.equal(path.relative(REPO_ROOT, SEED_DIR), "seed");
  });

  it("TEMPLATE-VR is an interactive template with the v5 prompt flow", () => {
    const src = fs.readFileSync(path.join(SEED_DIR, "templates", "TEMPLATE-VR.md"), "utf8");
    const tags = [...src.matchAll(/<!--\s*(@[a-z-]+)(?::\s*([^>]*?))?\s*-->/g)].map((m) => `${m[1]}${m[2] ? `: ${m[2]}` : ""}`);
    assert.equal(tags.filter((t) => t.startsWith("@template")).length, 1);
    assert.equal(tags[0], "@template: VR | version: 5 | start: related_eis");
    const flow = tags.filter((t) => /^@(prompt|gate|loop|end-loop|end)\b/.test(t) && t !== "@end-prompt");
    assert.deepEqual(flow, [
      "@prompt: related_eis | next: objective",
      "@prompt: objective | next: pre_conditions",
      "@prompt: pre_conditions | next: step_instructions",
      "@loop: steps",
      "@prompt: step_instructions | next: step_expected",
      "@prompt: step_expected | next: step_actual",
      "@prompt: step_actual | next: step_outcome | commit: true",
      "@prompt: step_outcome | next: more_steps",
      "@gate: more_steps | type: yesno | yes: step_instructions | no: summary_outcome",
      "@end-loop: steps",
      "@prompt: summary_outcome | next: summary_narrative",
      "@prompt: summary_narrative | next: end",
      "@end",
    ]);
    // every prompt's response has a place in the document
    for (const id of ["related_eis", "objective", "pre_conditions", "step_instructions", "step_expected", "step_actual", "step_outcome", "summary_outcome", "summary_narrative"]) {
      assert.ok(src.includes(`{{${id}}}`), id);
    }
  });
});
