import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  BUILTIN_PROMPTS,
  PACKAGE_PROMPTS_DIR,
  parsePromptConfig,
  promptCandidates,
  renderTaskBody,
  renderTaskBodyWith,
  resolvePromptConfig,
} from "../src/services/prompts.js";
import type { TaskSpec } from "../src/services/tasks.js";
import { listInbox, makeHarnessProject, qms, REPO_ROOT, type RunResult, tempDir } from "./helpers.js";

const SHIPPED = [
  "review/default.yaml",
  "review/review/default.yaml",
  "review/review/sop.yaml",
  "review/pre_review/default.yaml",
  "review/post_review/default.yaml",
  "review/post_review/cr.yaml",
  "approval/default.yaml",
  "approval/approval/default.yaml",
  "approval/pre_approval/default.yaml",
  "approval/post_approval/default.yaml",
];

function project() {
  const root = makeHarnessProject();
  const ok = (user: string, ...args: string[]): RunResult => {
    const r = qms(root, user, ...args);
    assert.equal(r.code, 0, `expected success: ${user} ${args.join(" ")}\n${r.out}`);
    return r;
  };
  const task = (user: string, name: string): string => fs.readFileSync(path.join(root, ".claude", "users", user, "inbox", name), "utf8");
  return { root, ok, task };
}

function spec(over: Partial<TaskSpec> = {}): TaskSpec {
  return {
    docId: "SOP-001",
    docType: "SOP",
    title: "Document Control",
    workflow: "REVIEW",
    status: "IN_REVIEW",
    version: "0.1",
    responsibleUser: "claude",
    assignedBy: "claude",
    assignee: "qa",
    now: new Date("2026-03-04T10:00:00Z"),
    ...over,
  };
}

/** Section headings in order of appearance. */
function headings(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^#{1,3} /.test(l))
    .map((l) => l.replace(/^#+ /, ""));
}

describe("review/approval prompts (spec §8.2, §12.9)", () => {
  it("REQ-PROMPT-001, REQ-PROMPT-005: test_review_task_prompt_generated: routing for review writes a structured prompt for each assignee", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "Release Procedure");
    p.ok("claude", "checkin", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui");
    for (const user of ["qa", "tu_ui"]) {
      assert.deepEqual(listInbox(p.root, user), ["task-SOP-001-review-v0-1.md"]);
      const text = p.task(user, "task-SOP-001-review-v0-1.md");
      assert.match(text, /^---\ntask_id: task-SOP-001-review-v0-1\ntask_type: REVIEW\nworkflow_type: REVIEW\ndoc_id: SOP-001\n/);
      assert.match(text, /\n# REVIEW REQUEST: SOP-001\n/);
      assert.match(text, /\*\*Workflow:\*\* REVIEW\n\*\*Version:\*\* 0\.1\n\*\*Assigned By:\*\* claude\n/);
      assert.match(text, /## MANDATORY VERIFICATION CHECKLIST/);
      assert.match(text, /\| Item \| Status \| Evidence \|/);
      assert.match(text, /## STRUCTURED REVIEW RESPONSE FORMAT/);
      assert.ok(text.includes(`## ${user} Review: SOP-001`), "the response format names the reviewer and document");
      assert.match(text, /## CRITICAL REMINDERS/);
      assert.match(text, /no "approve with comments"/);
      // the exact commands of our CLI, for this assignee
      assert.ok(text.includes(`qms --user ${user} review SOP-001 --recommend --comment "`), text);
      assert.ok(text.includes(`qms --user ${user} review SOP-001 --request-updates --comment "`), text);
      assert.ok(!text.includes("/qms "), "no slash-command form");
      // SOP review uses the SOP-specific file
      assert.match(text, /### Procedure Content/);
    }
  });

  it("REQ-PROMPT-001, REQ-PROMPT-005: test_approval_task_prompt_generated: routing for approval writes the final verification prompt", () => {
    const p = project();
    p.ok("claude", "create", "SOP", "--title", "Release Procedure");
    p.ok("claude", "route", "SOP-001", "--review");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    p.ok("claude", "route", "SOP-001", "--approval", "--assign", "qa", "bu");
    for (const user of ["qa", "bu"]) {
      const text = p.task(user, "task-SOP-001-approval-v0-1.md");
      assert.match(text, /task_type: APPROVAL\nworkflow_type: APPROVAL\n/);
      assert.match(text, /\n# APPROVAL REQUEST: SOP-001\n/);
      assert.match(text, /## FINAL VERIFICATION/);
      assert.match(text, /\| Item \| Verified \|\n\|------\|----------\|\n\| .+ \| YES \/ NO \|/);
      assert.match(text, /If ANY item is NO: REJECT/);
      assert.match(text, /## CRITICAL REMINDERS/);
      assert.ok(text.includes(`qms --user ${user} approve SOP-001\n`));
      assert.ok(text.includes(`qms --user ${user} reject SOP-001 --comment "`));
      assert.ok(!text.includes("MANDATORY VERIFICATION CHECKLIST"), "approval tasks are not review checklists");
    }
  });

  it("REQ-PROMPT-002: test_prompts_directory_exists: the package ships every prompt file, each valid", () => {
    assert.equal(PACKAGE_PROMPTS_DIR, path.join(REPO_ROOT, "prompts"));
    const yaml = createRequire(import.meta.url)("yaml") as { parse(s: string): unknown };
    for (const rel of SHIPPED) {
      const file = path.join(PACKAGE_PROMPTS_DIR, rel);
      assert.ok(fs.existsSync(file), `${rel} missing`);
      const text = fs.readFileSync(file, "utf8");
      const raw = yaml.parse(text) as { checklist?: unknown[]; critical_reminders?: unknown[] };
      assert.ok(Array.isArray(raw.checklist) && raw.checklist.length > 0, `${rel}: checklist`);
      assert.ok(Array.isArray(raw.critical_reminders) && raw.critical_reminders.length > 0, `${rel}: reminders`);
      const kind = rel.startsWith("review") ? "review" : "approval";
      assert.ok(parsePromptConfig(text, BUILTIN_PROMPTS[kind]), `${rel} fits the schema`);
    }
  });

  it("REQ-PROMPT-001, REQ-PROMPT-003: test_prompts_have_workflow_phase_context: a CR at post-review gets the CR post-review prompt", () => {
    const p = project();
    p.ok("claude", "create", "CR", "--title", "A change");
    p.ok("claude", "route", "CR-001", "--review");
    const pre = p.task("qa", "task-CR-001-pre_review-v0-1.md");
    assert.match(pre, /workflow_type: PRE_REVIEW/);
    assert.match(pre, /### Planned Content/);
    assert.ok(!pre.includes("Execution Compliance"));
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "plan ok");
    p.ok("claude", "route", "CR-001", "--approval");
    assert.match(p.task("qa", "task-CR-001-pre_approval-v0-1.md"), /Pre-approval authorizes work/);
    p.ok("qa", "approve", "CR-001");
    p.ok("claude", "release", "CR-001");
    p.ok("claude", "route", "CR-001", "--review");
    assert.deepEqual(listInbox(p.root, "qa"), ["task-CR-001-post_review-v1-0.md"]);
    const post = p.task("qa", "task-CR-001-post_review-v1-0.md");
    assert.match(post, /workflow_type: POST_REVIEW/);
    assert.match(post, /\*\*Workflow:\*\* POST_REVIEW/);
    assert.match(post, /### Execution Compliance/);
    assert.match(post, /Task Outcome of Pass or Fail/);
    assert.match(post, /### Execution Summary/);
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "executed");
    p.ok("claude", "route", "CR-001", "--approval");
    assert.match(p.task("qa", "task-CR-001-post_approval-v1-0.md"), /### Execution Record/);
  });

  it("REQ-PROMPT-004: test_review_prompt_has_checklist: one table per category, one row per item, evidence hints filled", () => {
    const text = renderTaskBody(spec());
    for (const cat of ["Frontmatter", "Document Structure", "Content Integrity", "Procedure Content"]) {
      assert.match(text, new RegExp(`### ${cat}\\n\\n\\| Item \\| Status \\| Evidence \\|\\n\\|------\\|--------\\|----------\\|\\n`));
    }
    assert.match(text, /\| `title:` is present and not empty \| PASS \/ FAIL \| \(quote the title\) \|/);
    assert.match(text, /\| .*TBD, TODO, XXX, FIXME.* \| PASS \/ FAIL \| {2}\|/);
  });

  it("REQ-PROMPT-005: test_prompt_has_required_sections: header, checklist, response format, reminders, commands, in order", () => {
    const review = headings(renderTaskBody(spec()));
    const order = ["REVIEW REQUEST: SOP-001", "MANDATORY VERIFICATION CHECKLIST", "STRUCTURED REVIEW RESPONSE FORMAT", "CRITICAL REMINDERS", "Commands"];
    const at = order.map((h) => review.indexOf(h));
    assert.ok(at.every((i) => i >= 0), `missing sections: ${review.join(" | ")}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, "sections in order");
    const approval = headings(renderTaskBody(spec({ workflow: "APPROVAL", status: "IN_APPROVAL" })));
    const aOrder = ["APPROVAL REQUEST: SOP-001", "FINAL VERIFICATION", "CRITICAL REMINDERS", "Commands"];
    const aAt = aOrder.map((h) => approval.indexOf(h));
    assert.ok(aAt.every((i) => i >= 0), `missing sections: ${approval.join(" | ")}`);
    assert.deepEqual([...aAt].sort((a, b) => a - b), aAt);
  });

  it("REQ-PROMPT-002, REQ-PROMPT-004, REQ-PROMPT-006: test_prompt_supports_custom_content: header, footer, extra sections, evidence prompts, placeholders", () => {
    const dir = tempDir("qms-prompts-");
    fs.mkdirSync(path.join(dir, "review", "review"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "review", "review", "sop.yaml"),
      [
        "custom_header: '> Project Foo: reviews are due within one day ({doc_id}).'",
        "checklist:",
        "  - category: Special | Checks",
        "    items:",
        "      - text: 'Uses {{TEMPLATE}} syntax correctly'",
        "        evidence_prompt: cite the line in {doc_id}",
        "      - Plain item",
        "critical_reminders:",
        "  - Custom reminder for {user}",
        "additional_sections:",
        "  - title: Project Notes",
        "    content: |",
        "      Read CR-{version} first.",
        "response_format: |",
        "  ## Custom format by {user} for {doc_id} ({workflow}, {doc_type})",
        "custom_footer: '*Footer for {title}*'",
      ].join("\n"),
    );
    const s = spec();
    const { config, source } = resolvePromptConfig(s, dir);
    assert.equal(source, path.join(dir, "review", "review", "sop.yaml"));
    const text = renderTaskBodyWith(s, config);
    assert.ok(text.startsWith("> Project Foo: reviews are due within one day (SOP-001).\n\n# REVIEW REQUEST: SOP-001"), text.slice(0, 200));
    assert.match(text, /### Special \\\| Checks/);
    assert.match(text, /\| Uses \{\{TEMPLATE\}\} syntax correctly \| PASS \/ FAIL \| \(cite the line in SOP-001\) \|/);
    assert.match(text, /\| Plain item \| PASS \/ FAIL \| {2}\|/);
    assert.match(text, /- Custom reminder for qa\n/);
    assert.match(text, /no "approve with comments"/, "the fixed statement is always present");
    assert.match(text, /## Project Notes\n\nRead CR-0\.1 first\.\n/);
    assert.match(text, /## Custom format by qa for SOP-001 \(REVIEW, SOP\)/);
    assert.ok(text.trimEnd().endsWith("*Footer for Document Control*"));
    assert.ok(text.indexOf("## Project Notes") < text.indexOf("## Commands"));
  });

  it("REQ-PROMPT-003: lookup order: type file, then phase default, then kind default, then built-in; malformed files are skipped", () => {
    const dir = tempDir("qms-prompts-");
    const put = (rel: string, body: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), body);
    };
    const cfg = (tag: string): string => `checklist:\n  - category: ${tag}\n    items: [x]\n`;
    const s = spec({ docType: "CR", workflow: "POST_REVIEW" });
    assert.deepEqual(promptCandidates(s, dir), [
      path.join(dir, "review", "post_review", "cr.yaml"),
      path.join(dir, "review", "post_review", "default.yaml"),
      path.join(dir, "review", "default.yaml"),
    ]);
    assert.equal(resolvePromptConfig(s, dir).source, "built-in");
    assert.deepEqual(resolvePromptConfig(s, dir).config, BUILTIN_PROMPTS.review);
    put("review/default.yaml", cfg("KIND"));
    assert.equal(resolvePromptConfig(s, dir).config.checklist[0]?.category, "KIND");
    put("review/post_review/default.yaml", cfg("PHASE"));
    assert.equal(resolvePromptConfig(s, dir).config.checklist[0]?.category, "PHASE");
    put("review/post_review/cr.yaml", cfg("TYPE"));
    assert.equal(resolvePromptConfig(s, dir).config.checklist[0]?.category, "TYPE");
    // keys a file leaves out come from the built-in defaults
    assert.equal(resolvePromptConfig(s, dir).config.response_format, BUILTIN_PROMPTS.review.response_format);
    put("review/post_review/cr.yaml", "checklist: [unclosed\n");
    assert.equal(resolvePromptConfig(s, dir).config.checklist[0]?.category, "PHASE", "unparsable file skipped");
    put("review/post_review/default.yaml", "checklist:\n  - category: 3\n");
    assert.equal(resolvePromptConfig(s, dir).config.checklist[0]?.category, "KIND", "schema mismatch skipped");
    // approval tasks never read review files
    const a = spec({ docType: "CR", workflow: "POST_APPROVAL" });
    assert.ok(promptCandidates(a, dir).every((f) => f.startsWith(path.join(dir, "approval"))));
    assert.equal(resolvePromptConfig(a, dir).source, "built-in");
    // a doc type that is not a plain name never becomes a path
    assert.ok(promptCandidates(spec({ docType: "../../etc/x" }), dir).every((f) => !f.includes("etc")));
  });

  it("REQ-PROMPT-003: the shipped lookup picks the expected files", () => {
    const src = (over: Partial<TaskSpec>): string => path.relative(PACKAGE_PROMPTS_DIR, resolvePromptConfig(spec(over)).source);
    assert.equal(src({ docType: "SOP", workflow: "REVIEW" }), path.join("review", "review", "sop.yaml"));
    assert.equal(src({ docType: "TEMPLATE", workflow: "REVIEW" }), path.join("review", "review", "default.yaml"));
    assert.equal(src({ docType: "CR", workflow: "POST_REVIEW" }), path.join("review", "post_review", "cr.yaml"));
    assert.equal(src({ docType: "VAR", workflow: "POST_REVIEW" }), path.join("review", "post_review", "default.yaml"));
    assert.equal(src({ docType: "INV", workflow: "PRE_REVIEW" }), path.join("review", "pre_review", "default.yaml"));
    assert.equal(src({ docType: "SOP", workflow: "APPROVAL" }), path.join("approval", "approval", "default.yaml"));
    assert.equal(src({ docType: "CR", workflow: "PRE_APPROVAL" }), path.join("approval", "pre_approval", "default.yaml"));
    assert.equal(src({ docType: "CR", workflow: "POST_APPROVAL" }), path.join("approval", "post_approval", "default.yaml"));
  });

  it("the yaml library is not loaded by read-only CLI commands", () => {
    const root = makeHarnessProject();
    qms(root, "claude", "create", "SOP", "--title", "T");
    const script = [
      `import { createRequire } from "node:module";`,
      `const { main } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist", "src", "cli", "main.js"))});`,
      `for (const args of [["--user","claude","status","SOP-001"],["--user","claude","inbox"],["--user","qa","namespace","list"]]) await main(args);`,
      `const cache = Object.keys(createRequire(import.meta.url).cache);`,
      `process.stderr.write("YAML_LOADED=" + cache.some((k) => k.includes("/node_modules/yaml/")) + "\\n");`,
      // positive control: writing a task does load it, so the probe above can see it
      `const { renderTaskBody } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist", "src", "services", "prompts.js"))});`,
      `renderTaskBody({ docId: "SOP-001", docType: "SOP", title: "T", workflow: "REVIEW", status: "IN_REVIEW", version: "0.1", responsibleUser: "claude", assignedBy: "claude", assignee: "qa", now: new Date() });`,
      `process.stderr.write("AFTER_TASK=" + Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("/node_modules/yaml/")) + "\\n");`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    assert.match(r.stderr, /YAML_LOADED=false/, r.stdout + r.stderr);
    assert.match(r.stderr, /AFTER_TASK=true/, r.stdout + r.stderr);
    assert.match(r.stdout, /Document: SOP-001/);
  });
});
