import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import { initPlan, initProject } from "../src/services/init.js";
import { audit, makeHarnessProject, meta, QMS_BIN, qms, REPO_ROOT, type RunResult, snapshotTree, tempDir } from "./helpers.js";

const TEMPLATES = ["ADD", "CR", "ER", "INV", "SOP", "TC", "TP", "VAR", "VR"].map((t) => `TEMPLATE-${t}`);

/** `node bin/qms.js init ...` in `cwd`, with `input` on stdin (EOF after it). */
function init(cwd: string, args: string[], input = ""): RunResult {
  const r = spawnSync(process.execPath, [QMS_BIN, "init", ...args], { cwd, encoding: "utf8", input, env: { ...process.env, QMS_USER: "" } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

function initialized(): string {
  const root = tempDir("qms-init-");
  const r = init(root, ["--root", root, "--yes"]);
  assert.equal(r.code, 0, r.out);
  return root;
}

const has = (root: string, rel: string): boolean => fs.existsSync(path.join(root, rel));
const isDir = (root: string, rel: string): boolean => has(root, rel) && fs.statSync(path.join(root, rel)).isDirectory();

describe("qms init (spec §2.3, §12.11)", () => {
  it("REQ-INIT-001, REQ-INIT-002, REQ-INIT-003, REQ-CFG-001: test_init_creates_complete_structure", () => {
    const root = initialized();
    const config = JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8"));
    assert.deepEqual(Object.keys(config), ["version", "created", "sdlc_namespaces", "owner_tasks"]);
    assert.equal(config.owner_tasks, true, "new projects get owner tasks (agents-and-hub §3)");
    assert.equal(config.version, "1.0");
    assert.match(config.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.ok(Math.abs(Date.parse(config.created) - Date.now()) < 60_000);
    assert.deepEqual(config.sdlc_namespaces, []);
    for (const d of ["CR", "INV", "TEMPLATE", ".meta", ".audit", ".archive"]) assert.ok(isDir(root, `QMS/${d}`), d);
    for (const u of ["lead", "claude", "qa", "tu"]) {
      assert.ok(isDir(root, `.claude/users/${u}/workspace`), u);
      assert.ok(isDir(root, `.claude/users/${u}/inbox`), u);
    }
    assert.ok(!has(root, "QMS/SOP"), "the newest init seeds no SOP folder");
    // the project is discoverable from a subdirectory
    const sub = path.join(root, "src", "deep");
    fs.mkdirSync(sub, { recursive: true });
    const r = qms(sub, "claude", "status", "TEMPLATE-CR");
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Status: EFFECTIVE/);
  });

  it("REQ-INIT-005: test_init_seeds_templates: EFFECTIVE 1.0 with meta and a normal-schema audit trail", () => {
    const root = initialized();
    assert.deepEqual(fs.readdirSync(path.join(root, "QMS", "TEMPLATE")).sort(), TEMPLATES.map((t) => `${t}.md`));
    const fixtureKeys = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "..", "shared", "fixtures", "python-era-project", "QMS", ".meta", "TEMPLATE", "TEMPLATE-CR.json"), "utf8")));
    for (const id of TEMPLATES) {
      const m = meta(root, "TEMPLATE", id);
      assert.deepEqual(Object.keys(m), fixtureKeys, `${id}: same fields as the Python seed`);
      assert.equal(m.doc_id, id);
      assert.equal(m.doc_type, "TEMPLATE");
      assert.equal(m.status, "EFFECTIVE");
      assert.equal(m.version, "1.0");
      assert.equal(m.effective_version, "1.0");
      assert.equal(m.executable, false);
      assert.equal(m.responsible_user, null);
      assert.equal(m.checked_out, false);
      assert.deepEqual(m.pending_assignees, []);
      assert.deepEqual(m.review_outcomes, {});
      assert.match(String(m.approval_date), /^\d{4}-\d\d-\d\d$/);
      const events = audit(root, "TEMPLATE", id);
      assert.deepEqual(events.map((e) => e.event), ["CREATE", "EFFECTIVE"]);
      for (const e of events) {
        assert.equal(e.user, "system");
        assert.equal(e.version, "1.0");
        assert.match(String(e.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      }
      const title = parseDocument(fs.readFileSync(path.join(root, "QMS", "TEMPLATE", `${id}.md`), "utf8")).frontmatter.title;
      assert.equal(events[0]?.title, title);
    }
    // a seeded template is a working controlled document: it can be revised
    const r = qms(root, "claude", "checkout", "TEMPLATE-SOP");
    assert.equal(r.code, 0, r.out);
    assert.equal(meta(root, "TEMPLATE", "TEMPLATE-SOP").version, "1.1");
  });

  it("REQ-INIT-004: test_init_seeds_agents: qa (quality) and tu (reviewer) are usable users", () => {
    const root = initialized();
    assert.equal(parseDocument(fs.readFileSync(path.join(root, ".claude/agents/qa.md"), "utf8")).frontmatter.group, "quality");
    assert.equal(parseDocument(fs.readFileSync(path.join(root, ".claude/agents/tu.md"), "utf8")).frontmatter.group, "reviewer");
    assert.match(fs.readFileSync(path.join(root, ".claude/agents/qa.md"), "utf8"), /qms --user qa inbox/);
    const list = qms(root, "lead", "user", "--list");
    assert.match(list.stdout, /qa\s+quality/);
    assert.match(list.stdout, /tu\s+reviewer/);
    assert.equal(qms(root, "tu", "inbox").code, 0);
  });

  it("REQ-INIT-007: test_init_seeds_hooks: the write guard blocks QMS-managed paths and is registered", () => {
    const root = initialized();
    const hook = path.join(root, ".claude", "hooks", "qms-write-guard.js");
    assert.ok(fs.existsSync(hook));
    assert.ok(has(root, ".claude/hooks/README.md"));
    const settings = JSON.parse(fs.readFileSync(path.join(root, ".claude", "settings.json"), "utf8"));
    const entry = settings.hooks.PreToolUse[0];
    assert.match(entry.matcher, /Edit/);
    assert.match(entry.matcher, /Write/);
    assert.match(entry.hooks[0].command, /\.claude\/hooks\/qms-write-guard\.js/);
    const run = (event: object): { code: number; stderr: string } => {
      const r = spawnSync(process.execPath, [hook], { input: JSON.stringify({ hook_event_name: "PreToolUse", cwd: root, ...event }), encoding: "utf8", env: { ...process.env, CLAUDE_PROJECT_DIR: root } });
      return { code: r.status ?? -1, stderr: r.stderr };
    };
    for (const rel of ["QMS/.meta/TEMPLATE/TEMPLATE-CR.json", "QMS/.audit/TEMPLATE/TEMPLATE-CR.jsonl", "QMS/.archive/SOP/SOP-001-v0.1.md", "qms-cli/qms.js"]) {
      for (const tool of ["Write", "Edit", "MultiEdit"]) {
        const r = run({ tool_name: tool, tool_input: { file_path: path.join(root, rel) } });
        assert.equal(r.code, 2, `${tool} ${rel}`);
        assert.match(r.stderr, /qms/);
      }
    }
    assert.equal(run({ tool_name: "NotebookEdit", tool_input: { notebook_path: "QMS/.meta/x.ipynb" } }).code, 2);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "echo '{}' > QMS/.meta/TEMPLATE/TEMPLATE-CR.json" } }).code, 2);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "echo x | tee -a QMS/.audit/TEMPLATE/TEMPLATE-CR.jsonl" } }).code, 2);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "rm -rf QMS/.archive" } }).code, 2);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "mv QMS/.meta /tmp/x" } }).code, 2);
    // allowed: the workspace, documents via the CLI, reading protected files
    assert.equal(run({ tool_name: "Write", tool_input: { file_path: path.join(root, ".claude/users/claude/workspace/SOP-001.md") } }).code, 0);
    assert.equal(run({ tool_name: "Edit", tool_input: { file_path: path.join(root, "QMS/.metadata-notes.md") } }).code, 0);
    assert.equal(run({ tool_name: "Read", tool_input: { file_path: path.join(root, "QMS/.meta/TEMPLATE/TEMPLATE-CR.json") } }).code, 0);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "cat QMS/.meta/TEMPLATE/TEMPLATE-CR.json > /tmp/out.json 2>&1" } }).code, 0);
    assert.equal(run({ tool_name: "Bash", tool_input: { command: "qms --user claude checkin SOP-001" } }).code, 0);
    assert.equal(run({ tool_name: "Write", tool_input: { file_path: "/tmp/elsewhere.txt" } }).code, 0);
  });

  it("REQ-INIT-007: an existing .claude/settings.json is left alone", () => {
    const root = tempDir("qms-init-");
    fs.mkdirSync(path.join(root, ".claude"));
    fs.writeFileSync(path.join(root, ".claude", "settings.json"), '{"model": "mine"}\n');
    const plan = initPlan(root, true);
    assert.ok(!plan.some((l) => l.includes("settings.json")));
    const r = init(root, ["--root", root, "--yes"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(fs.readFileSync(path.join(root, ".claude", "settings.json"), "utf8"), '{"model": "mine"}\n');
    assert.match(r.stdout, /register the hook yourself/);
  });

  it("REQ-INIT-008: test_init_seeds_claude_md: mentions the QMS and the claude identity", () => {
    const root = initialized();
    const text = fs.readFileSync(path.join(root, "CLAUDE.md"), "utf8");
    assert.match(text, /QMS/);
    assert.match(text, /`claude`/);
    assert.match(text, /qms --user claude/);
    assert.match(text, /qms_inbox/);
  });

  it("REQ-INIT-006: test_docs_directory_exists: the package ships its docs", () => {
    for (const f of ["README.md", "cli-reference.md", "getting-started.md", "project-structure.md", "configuration.md", "users-and-permissions.md", "mcp-server.md"]) {
      assert.ok(fs.statSync(path.join(REPO_ROOT, "docs", f)).size > 500, f);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    for (const f of ["prompts", "seed", "docs"]) assert.ok(pkg.files.includes(f), `package.json files: ${f}`);
  });

  it("test_init_does_not_seed_qms_docs", () => {
    const root = initialized();
    assert.ok(!has(root, "QMS-Docs"));
    assert.ok(!has(root, "QMS/QMS-Docs"));
  });

  for (const [name, make] of [
    ["test_init_blocked_by_existing_qms", (r: string) => fs.mkdirSync(path.join(r, "QMS"))],
    ["test_init_blocked_by_existing_users", (r: string) => fs.mkdirSync(path.join(r, ".claude", "users"), { recursive: true })],
    ["test_init_blocked_by_existing_qa_agent", (r: string) => {
      fs.mkdirSync(path.join(r, ".claude", "agents"), { recursive: true });
      fs.writeFileSync(path.join(r, ".claude", "agents", "qa.md"), "---\nname: qa\ngroup: quality\n---\n");
    }],
    ["test_init_blocked_by_existing_config", (r: string) => fs.writeFileSync(path.join(r, "qms.config.json"), "{}")],
    ["test_init_blocked_by_existing_claude_md", (r: string) => fs.writeFileSync(path.join(r, "CLAUDE.md"), "# mine\n")],
  ] as const) {
    it(`REQ-INIT-009: ${name}: refused before any write, naming the blocker`, () => {
      const root = tempDir("qms-init-");
      make(root);
      const blocker = ["QMS", ".claude/users", ".claude/agents/qa.md", "qms.config.json", "CLAUDE.md"].find((b) => has(root, b))!;
      const before = snapshotTree(root);
      for (const args of [["--root", root, "--yes"], ["--root", root]]) {
        const r = init(root, args, "y\n");
        assert.equal(r.code, 1, r.out);
        assert.ok(r.out.includes(`'${blocker}'`), r.out);
        assert.match(r.out, /Nothing was changed/);
        assert.ok(!r.out.includes("Proceed?"), "no prompt when init cannot proceed");
        assert.deepEqual(snapshotTree(root), before);
      }
    });
  }

  it("REQ-INIT-009: several blockers are all named", () => {
    const root = tempDir("qms-init-");
    fs.writeFileSync(path.join(root, "CLAUDE.md"), "x");
    fs.writeFileSync(path.join(root, "qms.config.json"), "{}");
    const r = initProject({ root, createMarker: true });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.code, "already-exists");
      assert.match(r.message, /'CLAUDE\.md'/);
      assert.match(r.message, /'qms\.config\.json'/);
    }
    assert.ok(!has(root, ".claude-qms"));
  });

  it("REQ-INIT-010: test_init_with_root_flag and test_init_root_places_marker", () => {
    const parent = tempDir("qms-init-");
    const root = path.join(parent, "proj");
    fs.mkdirSync(root);
    const r = init(parent, ["--root", "proj", "--yes"]);
    assert.equal(r.code, 0, r.out);
    assert.ok(has(root, "qms.config.json"));
    assert.ok(has(root, ".claude-qms"));
    assert.ok(!has(parent, "QMS"), "nothing in the working directory");
    assert.match(r.stdout, new RegExp(`Initialized QMS project at ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.match(r.stdout, /qms --user claude create SOP --title/);
    assert.match(r.stdout, /qms mcp/);
  });

  it("REQ-INIT-010: test_init_root_does_not_duplicate_marker", () => {
    const root = tempDir("qms-init-");
    fs.writeFileSync(path.join(root, ".claude-qms"), "my marker\n");
    const r = init(root, ["--root", root, "--yes"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(fs.readFileSync(path.join(root, ".claude-qms"), "utf8"), "my marker\n");
    assert.equal(fs.readdirSync(root).filter((f) => f.startsWith(".claude-qms")).length, 1);
  });

  it("REQ-INIT-010: a --root that does not exist is refused", () => {
    const parent = tempDir("qms-init-");
    const before = snapshotTree(parent);
    const r = init(parent, ["--root", path.join(parent, "missing"), "--yes"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /does not exist/);
    assert.deepEqual(snapshotTree(parent), before);
  });

  it("REQ-INIT-011: test_init_detects_marker_in_parent: run from project/qms-cli initializes project", () => {
    const root = tempDir("qms-init-");
    fs.writeFileSync(path.join(root, ".claude-qms"), "");
    const cli = path.join(root, "qms-cli");
    fs.mkdirSync(cli);
    const r = init(cli, ["--yes"]);
    assert.equal(r.code, 0, r.out);
    assert.ok(has(root, "qms.config.json"));
    assert.ok(has(root, "QMS/TEMPLATE/TEMPLATE-CR.md"));
    assert.ok(!has(cli, "QMS"));
    assert.equal(fs.readFileSync(path.join(root, ".claude-qms"), "utf8"), "");
  });

  it("REQ-INIT-011: without a marker and without --root, init sets up the working directory (TS, issue 9); inside another project it refuses with guidance", () => {
    const root = tempDir("qms-init-");
    const cwd = path.join(root, "somewhere");
    fs.mkdirSync(cwd);
    const r = init(cwd, ["--yes"]);
    assert.equal(r.code, 0, r.out);
    assert.ok(has(cwd, "qms.config.json") && has(cwd, "QMS/TEMPLATE/TEMPLATE-SOP.md"));
    assert.ok(!has(root, "qms.config.json") && !has(cwd, ".claude-qms"), "nothing above it, no marker");
    const nested = path.join(cwd, "sub");
    fs.mkdirSync(nested);
    const before = snapshotTree(root);
    const inside = init(nested, ["--yes"]);
    assert.equal(inside.code, 1);
    assert.match(inside.out, /is inside the QMS project/);
    assert.match(inside.out, /--root/);
    assert.deepEqual(snapshotTree(root), before);
  });

  for (const [name, input] of [
    ["test_init_confirmation_aborts_on_no", "n\n"],
    ["test_init_confirmation_aborts_on_empty", "\n"],
    ["test_init_aborts_on_eof", ""],
    ["aborts on any other answer", "sure\n"],
  ] as const) {
    it(`REQ-INIT-012: ${name}: nothing is created`, () => {
      const root = tempDir("qms-init-");
      const before = snapshotTree(root);
      const r = init(root, ["--root", root], input);
      assert.equal(r.code, 1, r.out);
      assert.match(r.stdout, /Proceed\? \[y\/N\]/);
      assert.match(r.stdout, /Aborted\./);
      assert.deepEqual(snapshotTree(root), before);
      assert.ok(!has(root, ".claude-qms"), "not even the marker");
    });
  }

  for (const answer of ["y", "yes", "Y", " yes "]) {
    it(`REQ-INIT-012: test_init_confirmation_proceeds_on_yes (${JSON.stringify(answer)})`, () => {
      const root = tempDir("qms-init-");
      const r = init(root, ["--root", root], `${answer}\n`);
      assert.equal(r.code, 0, r.out);
      assert.ok(has(root, "qms.config.json"));
      assert.ok(!r.stdout.includes("Aborted"));
    });
  }

  it("REQ-INIT-012: test_init_confirmation_shows_artifact_list", () => {
    const root = tempDir("qms-init-");
    const r = init(root, ["--root", root], "n\n");
    const prompt = r.stdout.slice(0, r.stdout.indexOf("Proceed?"));
    for (const item of ["qms.config.json", "QMS/", "TEMPLATE-CR", "TEMPLATE-VR", ".claude/users/", "lead", "claude", "qa", "tu", ".claude/agents/qa.md", ".claude/agents/tu.md", "qms-write-guard.js", ".claude/settings.json", "CLAUDE.md", ".claude-qms"]) {
      assert.ok(prompt.includes(item), `${item} listed`);
    }
  });

  it("REQ-INIT-012: test_init_yes_flag_skips_confirmation (-y too)", () => {
    for (const flag of ["--yes", "-y"]) {
      const root = tempDir("qms-init-");
      const r = init(root, ["--root", root, flag]);
      assert.equal(r.code, 0, r.out);
      assert.ok(!r.stdout.includes("Proceed?"));
      assert.ok(has(root, "qms.config.json"));
    }
  });

  it("init does not need --user and ignores one", () => {
    const withUser = tempDir("qms-init-");
    const r = qms(withUser, "nobody", "init", "--root", withUser, "--yes");
    assert.equal(r.code, 0, r.out);
    const plain = tempDir("qms-init-");
    assert.equal(qms(plain, undefined, "init", "--root", plain, "--yes").code, 0);
    // the same project, and the name given with --user appears nowhere in it
    assert.deepEqual([...snapshotTree(withUser, () => "file").keys()].sort(), [...snapshotTree(plain, () => "file").keys()].sort());
    const mentions = [...snapshotTree(withUser, (f) => (fs.readFileSync(f, "utf8").includes("nobody") ? "mentions" : "")).entries()].filter(([, v]) => v === "mentions");
    assert.deepEqual(mentions, []);
  });

  it("REQ-CFG-001: test_project_root_discovery_via_config and _via_qms_fallback", () => {
    const root = initialized();
    const sub = path.join(root, "a", "b");
    fs.mkdirSync(sub, { recursive: true });
    assert.match(qms(sub, "claude", "create", "SOP", "--title", "From below").stdout, /Created: SOP-001/);
    assert.ok(has(root, "QMS/SOP/SOP-001-draft.md"));
    const legacy = makeHarnessProject(); // QMS/ but no qms.config.json
    assert.ok(!has(legacy, "qms.config.json"));
    const deep = path.join(legacy, "x", "y");
    fs.mkdirSync(deep, { recursive: true });
    assert.match(qms(deep, "claude", "create", "SOP", "--title", "Legacy").stdout, /Created: SOP-001/);
    assert.ok(has(legacy, "QMS/SOP/SOP-001-draft.md"));
    const outside = tempDir("qms-none-");
    const r = qms(outside, "claude", "inbox");
    assert.equal(r.code, 1);
    assert.match(r.out, /qms init/);
  });

  it("REQ-INIT-004, REQ-WF-002: test_full_document_lifecycle_in_initialized_project", () => {
    const root = initialized();
    const ok = (user: string, ...args: string[]): void => {
      const r = qms(root, user, ...args);
      assert.equal(r.code, 0, `${user} ${args.join(" ")}\n${r.out}`);
    };
    ok("claude", "create", "SOP", "--title", "Document Control");
    // the seeded template's placeholders are filled in before the document is routed
    fs.writeFileSync(path.join(root, ".claude/users/claude/workspace/SOP-001.md"), "---\ntitle: Document Control\nrevision_summary: Initial draft\n---\n\n# SOP-001: Document Control\n\nEvery controlled document is reviewed and approved.\n");
    ok("claude", "checkin", "SOP-001");
    ok("claude", "route", "SOP-001", "--review", "--assign", "qa", "tu");
    ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok");
    ok("tu", "review", "SOP-001", "--recommend", "--comment", "ok");
    ok("claude", "route", "SOP-001", "--approval", "--assign", "qa", "tu");
    ok("qa", "approve", "SOP-001");
    ok("tu", "approve", "SOP-001");
    const m = meta(root, "SOP", "SOP-001");
    assert.equal(m.status, "EFFECTIVE");
    assert.equal(m.version, "1.0");
    assert.ok(has(root, "QMS/SOP/SOP-001.md"));
  });

  it("initProject is deterministic given `now`", () => {
    const root = tempDir("qms-init-");
    const now = new Date("2026-02-03T04:05:06.789Z");
    const r = initProject({ root, createMarker: false, now });
    assert.ok(r.ok);
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, "qms.config.json"), "utf8")).created, "2026-02-03T04:05:06.789000+00:00");
    assert.equal(meta(root, "TEMPLATE", "TEMPLATE-CR").approval_date, "2026-02-03");
    assert.equal(audit(root, "TEMPLATE", "TEMPLATE-CR")[0]?.ts, "2026-02-03T04:05:06+00:00");
    if (r.ok) {
      assert.deepEqual(r.data.templates, TEMPLATES);
      assert.equal(r.data.marker_created, false);
      assert.ok(r.data.created.includes("CLAUDE.md"));
    }
    assert.ok(!has(root, ".claude-qms"));
    assert.ok(!has(root, "QMS/.meta/.lock"), "no stray lock file");
  });
});
