import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { commandLineStep } from "../src/core/command-line.js";
import { refusalText, type ServiceResult } from "../src/core/result.js";
import { initBlockers, initPlan, initProject, seededTemplateIds } from "../src/services/init.js";
import { snapshotTree, tempDir } from "./helpers.js";

const TEMPLATES = ["TEMPLATE-ADD", "TEMPLATE-CR", "TEMPLATE-ER", "TEMPLATE-INV", "TEMPLATE-SOP", "TEMPLATE-TC", "TEMPLATE-TP", "TEMPLATE-VAR", "TEMPLATE-VR"];
const NOW = new Date("2026-03-02T09:00:00.123Z");
const PLAN = [
  "qms.config.json (version 1.0, created timestamp, sdlc_namespaces, owner_tasks on)",
  "QMS/ with CR/, INV/, TEMPLATE/, .meta/, .audit/, .archive/",
  `QMS/TEMPLATE/: 9 templates (${TEMPLATES.join(", ")}), EFFECTIVE 1.0, with .meta and .audit records`,
  ".claude/users/{lead,claude,qa,tu}/workspace/ and inbox/",
  ".claude/agents/qa.md (group quality), .claude/agents/tu.md (group reviewer)",
  ".claude/hooks/qms-write-guard.js, .claude/hooks/README.md (write guard for QMS/.meta, .audit, .archive, qms-cli/)",
];
const createdFor = (extra: { marker: boolean; tu: boolean; settings: boolean }): string[] => [
  ...(extra.marker ? [".claude-qms"] : []),
  "qms.config.json",
  "QMS/",
  ...["CR", "INV", "TEMPLATE", ".meta", ".audit", ".archive"].map((d) => `QMS/${d}/`),
  ...["lead", "claude", "qa", "tu"].flatMap((u) => [`.claude/users/${u}/workspace/`, `.claude/users/${u}/inbox/`]),
  ".claude/agents/qa.md",
  ...(extra.tu ? [".claude/agents/tu.md"] : []),
  ...TEMPLATES.flatMap((t) => [`QMS/TEMPLATE/${t}.md`, `QMS/.meta/TEMPLATE/${t}.json`, `QMS/.audit/TEMPLATE/${t}.jsonl`]),
  ".claude/hooks/qms-write-guard.js",
  ".claude/hooks/README.md",
  ...(extra.settings ? [".claude/settings.json"] : []),
  "CLAUDE.md",
];
const refused = <T>(r: ServiceResult<T>): string => {
  assert.equal(r.ok, false);
  return refusalText(r as Extract<ServiceResult<T>, { ok: false }>, commandLineStep("lead"));
};

describe("qms init as a service (in process; spec §2.3, REQ-INIT-001..012)", () => {
  it("REQ-INIT-001, REQ-INIT-002, REQ-INIT-003, REQ-INIT-004, REQ-INIT-005, REQ-INIT-007, REQ-INIT-008, REQ-INIT-009, REQ-INIT-012: a fresh directory gets the whole project, and the result lists exactly what was made", (t) => {
    const root = tempDir("qms-init-");
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    assert.deepEqual(seededTemplateIds(), TEMPLATES);
    assert.deepEqual(initBlockers(root), []);
    assert.deepEqual(initPlan(root, true), [...PLAN, ".claude/settings.json (registers the write guard hook)", "CLAUDE.md (starter instructions for the claude orchestrator)", ".claude-qms (project marker)"]);
    const r = initProject({ root, createMarker: true, now: NOW });
    assert.ok(r.ok);
    assert.deepEqual(r.data, { root, created: createdFor({ marker: true, tu: true, settings: true }), templates: TEMPLATES, users: ["lead", "claude", "qa", "tu"], marker_created: true, settings_created: true });
    assert.deepEqual(r.lines, [
      `Initialized QMS project at ${root}`,
      "",
      "Created:",
      "  qms.config.json",
      "  QMS/ (CR, INV, TEMPLATE, .meta, .audit, .archive)",
      `  QMS/TEMPLATE/: ${TEMPLATES.join(", ")} (EFFECTIVE 1.0)`,
      "  .claude/users/: lead, claude, qa, tu (workspace/ and inbox/)",
      "  .claude/agents/: qa.md (quality), tu.md (reviewer)",
      "  .claude/hooks/: qms-write-guard.js, README.md",
      "  .claude/settings.json (write guard registered)",
      "  CLAUDE.md",
      "  .claude-qms",
      "",
      "Next steps:",
      `  cd ${root}`,
    ]);
    assert.deepEqual(r.next, [
      { action: "create", user: "claude", args: { doc_type: "SOP", title: "Document Control" } },
      { action: "inbox", user: "claude" },
      { action: "mcp", lead: "The MCP server for Claude Code (see the qms docs/mcp-server.md)" },
    ]);
    assert.equal(fs.readFileSync(path.join(root, "qms.config.json"), "utf8"), '{\n  "version": "1.0",\n  "created": "2026-03-02T09:00:00.123000+00:00",\n  "sdlc_namespaces": [],\n  "owner_tasks": true\n}\n');
    assert.equal(fs.readFileSync(path.join(root, ".claude-qms"), "utf8"), "This directory is a QMS project root (created by qms init).\n");
    const meta = JSON.parse(fs.readFileSync(path.join(root, "QMS", ".meta", "TEMPLATE", "TEMPLATE-SOP.json"), "utf8"));
    assert.deepEqual(meta, {
      doc_id: "TEMPLATE-SOP",
      doc_type: "TEMPLATE",
      version: "1.0",
      status: "EFFECTIVE",
      executable: false,
      responsible_user: null,
      checked_out: false,
      checked_out_date: null,
      effective_version: "1.0",
      supersedes: null,
      pending_assignees: [],
      pending_reviewers: [],
      completed_reviewers: [],
      review_outcomes: {},
      approval_date: "2026-03-02",
    });
    const events = fs.readFileSync(path.join(root, "QMS", ".audit", "TEMPLATE", "TEMPLATE-SOP.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(events.map(({ event, user, version, title, from_version }) => ({ event, user, version, title, from_version })), [
      { event: "CREATE", user: "system", version: "1.0", title: "Standard Operating Procedure Template", from_version: undefined },
      { event: "EFFECTIVE", user: "system", version: "1.0", title: undefined, from_version: "1.0" },
    ]);
    assert.equal(fs.readFileSync(path.join(root, "QMS", "TEMPLATE", "TEMPLATE-SOP.md"), "utf8"), fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "seed", "templates", "TEMPLATE-SOP.md"), "utf8"));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(root, ".claude", "settings.json"), "utf8")).hooks.PreToolUse.length > 0, true);
    for (const u of ["lead", "claude", "qa", "tu"]) assert.ok(fs.statSync(path.join(root, ".claude", "users", u, "inbox")).isDirectory());
    assert.ok(fs.readFileSync(path.join(root, "CLAUDE.md"), "utf8").length > 0);

    // a second init refuses, names every blocker and changes nothing
    const before = snapshotTree(root);
    assert.equal(
      refused(initProject({ root, createMarker: true, now: NOW })),
      `Error: Refusing to initialize ${root}: 'QMS', '.claude/users', '.claude/agents/qa.md', 'CLAUDE.md', 'qms.config.json' already exist. Nothing was changed.\nNext: init only sets up a fresh project; remove or move those files first, or use the existing project as it is, e.g.: qms --user claude inbox`,
    );
    assert.deepEqual(snapshotTree(root), before);
  });

  it("REQ-INIT-004, REQ-INIT-009, REQ-INIT-010: a project's own .claude/settings.json and tu.md are kept (and said so); one blocker is named alone", (t) => {
    const root = tempDir("qms-init-");
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    fs.mkdirSync(path.join(root, ".claude", "agents"), { recursive: true });
    fs.writeFileSync(path.join(root, ".claude", "settings.json"), "{}");
    fs.writeFileSync(path.join(root, ".claude", "agents", "tu.md"), "mine");
    assert.deepEqual(initPlan(root, false), [...PLAN, "CLAUDE.md (starter instructions for the claude orchestrator)"]);
    fs.writeFileSync(path.join(root, ".claude-qms"), "already\n");
    assert.deepEqual(initPlan(root, true), [...PLAN, "CLAUDE.md (starter instructions for the claude orchestrator)"], "an existing marker is not planned");
    const r = initProject({ root, createMarker: true, now: NOW });
    assert.ok(r.ok);
    assert.deepEqual(r.data.created, createdFor({ marker: false, tu: false, settings: false }));
    assert.deepEqual([r.data.marker_created, r.data.settings_created], [false, false]);
    assert.ok(r.lines.includes("  .claude/settings.json already existed: register the hook yourself (see .claude/hooks/README.md)"));
    assert.ok(!r.lines.includes("  .claude-qms"));
    assert.equal(fs.readFileSync(path.join(root, ".claude", "settings.json"), "utf8"), "{}");
    assert.equal(fs.readFileSync(path.join(root, ".claude", "agents", "tu.md"), "utf8"), "mine");
    assert.equal(fs.readFileSync(path.join(root, ".claude-qms"), "utf8"), "already\n");

    const other = tempDir("qms-init-");
    t.after(() => fs.rmSync(other, { recursive: true, force: true }));
    fs.writeFileSync(path.join(other, "CLAUDE.md"), "x");
    assert.deepEqual(initBlockers(other), ["CLAUDE.md"]);
    assert.match(refused(initProject({ root: other, createMarker: false, now: NOW })), /^Error: Refusing to initialize .*: 'CLAUDE\.md' already exists\. Nothing was changed\.\n/);
  });

  it("REQ-INIT-009, REQ-INIT-010: no directory, or an incomplete package, is refused before anything is written", (t) => {
    const root = tempDir("qms-init-");
    const seed = tempDir("qms-init-seed-");
    t.after(() => {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(seed, { recursive: true, force: true });
    });
    const missing = path.join(root, "nope");
    assert.equal(refused(initProject({ root: missing, createMarker: false })), `Error: Cannot initialize ${missing}: it is not an existing directory.\nNext: Create it first (mkdir -p ${missing}) or pass another --root.`);
    assert.equal(fs.existsSync(missing), false);
    assert.equal(
      refused(initProject({ root, createMarker: true, seedDir: seed })),
      `Error: The qms package is incomplete: seed file(s) templates/TEMPLATE-*.md, agents/qa.md, agents/tu.md, hooks/qms-write-guard.js, hooks/README.md, claude.md missing under ${seed}.\nNext: Reinstall the qms package.`,
    );
    fs.mkdirSync(path.join(seed, "templates"));
    fs.writeFileSync(path.join(seed, "templates", "TEMPLATE-X.md"), "---\ntitle: X\n---\n");
    fs.writeFileSync(path.join(seed, "templates", "notes.md"), "not a template");
    fs.writeFileSync(path.join(seed, "claude.md"), "c");
    assert.deepEqual(seededTemplateIds(seed), ["TEMPLATE-X"]);
    assert.match(refused(initProject({ root, createMarker: true, seedDir: seed })), /seed file\(s\) agents\/qa\.md, agents\/tu\.md, hooks\/qms-write-guard\.js, hooks\/README\.md missing under/);
    assert.deepEqual(fs.readdirSync(root), [], "nothing written");
  });
});
