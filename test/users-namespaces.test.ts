import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import { harness, meta } from "./helpers.js";

const project = harness;

const agentFile = (root: string, name: string): string => path.join(root, ".claude", "agents", `${name}.md`);

describe("users (spec §2.4, §12.11)", () => {
  it("REQ-USER-002, REQ-USER-003, REQ-CFG-003: test_user_add_creates_structure: agent file, workspace, inbox; listed", () => {
    const p = project();
    const r = p.ok("lead", "user", "--add", "alice", "--group", "initiator");
    assert.match(r.stdout, /Created user 'alice' \(group initiator\)/);
    const doc = parseDocument(fs.readFileSync(agentFile(p.root, "alice"), "utf8"));
    assert.deepEqual(doc.frontmatter, { name: "alice", group: "initiator", description: "QMS user" });
    assert.match(doc.body, /qms --user alice inbox/);
    assert.match(doc.body, /qms --user alice workspace/);
    assert.ok(fs.statSync(path.join(p.root, ".claude", "users", "alice", "workspace")).isDirectory());
    assert.ok(fs.statSync(path.join(p.root, ".claude", "users", "alice", "inbox")).isDirectory());
    assert.match(p.ok("claude", "user", "--list").stdout, /alice\s+initiator/);
    // and the new user works at once
    assert.match(p.ok("alice", "inbox").stdout, /empty/i);
  });

  it("REQ-USER-003: test_user_add_requires_admin: quality, reviewer and initiator users are refused", () => {
    const p = project();
    p.ok("lead", "user", "--add", "ini", "--group", "initiator");
    for (const user of ["qa", "tu_ui", "ini"]) {
      const r = p.no(user, "user", "--add", "mallory", "--group", "administrator");
      assert.match(r.out, /Permission denied/);
      assert.match(r.out, /administrator/);
    }
    assert.ok(!fs.existsSync(agentFile(p.root, "mallory")));
  });

  it("REQ-USER-003: user --add refusals: built-in names, bad names, missing or bad group, existing user", () => {
    const p = project();
    for (const name of ["lead", "claude"]) assert.match(p.no("lead", "user", "--add", name, "--group", "reviewer").out, /hard-coded administrator/);
    for (const name of ["bad name", "../evil", "-x", "9lives", "a".repeat(65)]) {
      assert.match(p.no("lead", "user", "--add", name, "--group", "reviewer").out, /Invalid user name/, name);
    }
    assert.match(p.no("lead", "user", "--add", "bob").out, /needs --group/);
    const bad = p.run("lead", "user", "--add", "bob", "--group", "wizard");
    assert.notEqual(bad.code, 0);
    assert.ok(!fs.existsSync(agentFile(p.root, "bob")));
    assert.match(p.no("lead", "user", "--add", "qa", "--group", "reviewer").out, /already exists/);
    assert.match(p.no("lead", "user").out, /--add NAME --group GROUP, or --list/);
  });

  it("REQ-USER-001, REQ-USER-005: test_user_list_command and test_user_list_shows_groups", () => {
    const p = project();
    const out = p.ok("lead", "user", "--list").stdout;
    const lines = out.split("\n").filter((l) => l.startsWith("  "));
    assert.deepEqual(
      lines.map((l) => l.trim().split(/\s+/).slice(0, 2)),
      [
        ["lead", "administrator"],
        ["claude", "administrator"],
        ["bu", "reviewer"],
        ["qa", "quality"],
        ["tu_scene", "reviewer"],
        ["tu_sim", "reviewer"],
        ["tu_sketch", "reviewer"],
        ["tu_ui", "reviewer"],
      ],
    );
    // an agent file without a group is listed as unknown
    fs.writeFileSync(agentFile(p.root, "ghost"), "---\nname: ghost\n---\n");
    assert.match(p.ok("claude", "user", "--list").stdout, /ghost\s+unknown/);
  });

  it("REQ-USER-001, REQ-CFG-004: test_hardcoded_admins_work: lead and claude act without agent files", () => {
    const p = project();
    assert.ok(!fs.existsSync(agentFile(p.root, "lead")));
    assert.ok(!fs.existsSync(agentFile(p.root, "claude")));
    p.ok("lead", "create", "SOP", "--title", "By lead");
    p.ok("claude", "create", "SOP", "--title", "By claude");
    assert.equal(meta(p.root, "SOP", "SOP-001").responsible_user, "lead");
    assert.equal(meta(p.root, "SOP", "SOP-002").responsible_user, "claude");
    p.ok("lead", "user", "--add", "x1", "--group", "reviewer");
    p.ok("claude", "namespace", "add", "ADMINNS");
  });

  it("REQ-USER-004, REQ-SEC-006: test_unknown_user_error: guidance on becoming a user, nothing changed", () => {
    const p = project();
    for (const args of [["inbox"], ["create", "SOP", "--title", "x"], ["user", "--list"], ["namespace", "list"]]) {
      const r = p.no("stranger", ...args);
      assert.match(r.out, /Unknown user 'stranger'/);
      assert.match(r.out, /\.claude\/agents\/stranger\.md/);
      assert.match(r.out, /group: /);
      assert.match(r.out, /user --add stranger --group/);
    }
  });

  it("REQ-USER-002, REQ-CFG-004, REQ-SEC-001: test_agent_group_assignment: the group in the agent file drives permissions", () => {
    const p = project();
    // tu_ui is a reviewer: cannot create
    assert.match(p.no("tu_ui", "create", "SOP", "--title", "x").out, /Permission denied/);
    // an initiator added by an admin can
    p.ok("lead", "user", "--add", "author", "--group", "initiator");
    p.ok("author", "create", "SOP", "--title", "Mine");
    // changing the group in the file changes the rights
    const file = agentFile(p.root, "tu_ui");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("group: reviewer", "group: initiator"));
    p.ok("tu_ui", "create", "SOP", "--title", "Now allowed");
    // an invalid group is an error, not a silent downgrade
    fs.writeFileSync(file, "---\nname: tu_ui\ngroup: superuser\n---\n");
    assert.match(p.no("tu_ui", "inbox").out, /group/);
  });
});

describe("SDLC namespaces (spec §3.5, §12.7 test_sdlc_*)", () => {
  it("REQ-DOC-001, REQ-DOC-014: test_sdlc_document_types: QMS-RS and QMS-RTM without registration", () => {
    const p = project();
    assert.match(p.ok("claude", "create", "QMS-RS", "--title", "QMS Requirements").stdout, /Created: SDLC-QMS-RS \(v0\.1, DRAFT\)/);
    p.ok("claude", "create", "QMS-RTM", "--title", "QMS Traceability");
    assert.ok(fs.existsSync(path.join(p.root, "QMS", "SDLC-QMS", "SDLC-QMS-RS-draft.md")));
    assert.ok(fs.existsSync(path.join(p.root, "QMS", "SDLC-QMS", "SDLC-QMS-RTM-draft.md")));
    assert.equal(meta(p.root, "QMS-RS", "SDLC-QMS-RS").doc_type, "QMS-RS");
    // singletons
    assert.match(p.no("claude", "create", "QMS-RS", "--title", "again").out, /already exists/);
  });

  it("REQ-DOC-014: test_sdlc_document_identification: FLOW-RS lives in QMS/SDLC-FLOW", () => {
    const p = project();
    p.ok("claude", "create", "FLOW-RS", "--title", "Flow Requirements");
    assert.ok(fs.existsSync(path.join(p.root, "QMS", "SDLC-FLOW", "SDLC-FLOW-RS-draft.md")));
    const m = meta(p.root, "FLOW-RS", "SDLC-FLOW-RS");
    assert.equal(m.doc_id, "SDLC-FLOW-RS");
    assert.equal(m.doc_type, "FLOW-RS");
    assert.match(p.ok("qa", "status", "SDLC-FLOW-RS").stdout, /Document: SDLC-FLOW-RS/);
  });

  it("REQ-CFG-005: test_sdlc_namespace_list: any user sees the built-ins with path and types", () => {
    const p = project();
    for (const user of ["qa", "tu_ui", "claude"]) {
      const out = p.ok(user, "namespace", "list").stdout;
      assert.match(out, /FLOW: QMS\/SDLC-FLOW\/ {2}types FLOW-RS, FLOW-RTM/);
      assert.match(out, /QMS: QMS\/SDLC-QMS\/ {2}types QMS-RS, QMS-RTM/);
    }
    assert.match(p.ok("qa", "namespace").stdout, /SDLC namespaces:/, "list is the default action");
    assert.ok(!fs.existsSync(path.join(p.root, "QMS", ".meta", "sdlc_namespaces.json")), "listing writes nothing");
  });

  it("REQ-DOC-013, REQ-DOC-014: test_sdlc_namespace_registration: add MYPROJ, persisted, listed, usable", () => {
    const p = project();
    const r = p.ok("claude", "namespace", "add", "myproj");
    assert.match(r.stdout, /Registered SDLC namespace MYPROJ/);
    assert.ok(fs.statSync(path.join(p.root, "QMS", "SDLC-MYPROJ")).isDirectory());
    const file = path.join(p.root, "QMS", ".meta", "sdlc_namespaces.json");
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { MYPROJ: { path: "SDLC-MYPROJ" } });
    assert.match(p.ok("qa", "namespace", "list").stdout, /MYPROJ: QMS\/SDLC-MYPROJ\/ {2}types MYPROJ-RS, MYPROJ-RTM/);
    p.ok("claude", "create", "MYPROJ-RS", "--title", "MyProj Requirements");
    assert.ok(fs.existsSync(path.join(p.root, "QMS", "SDLC-MYPROJ", "SDLC-MYPROJ-RS-draft.md")));
    assert.equal(meta(p.root, "MYPROJ-RS", "SDLC-MYPROJ-RS").doc_id, "SDLC-MYPROJ-RS");
    // a second one keeps the first
    p.ok("lead", "namespace", "add", "OTHER_2");
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { MYPROJ: { path: "SDLC-MYPROJ" }, OTHER_2: { path: "SDLC-OTHER_2" } });
  });

  it("REQ-DOC-001, REQ-DOC-014: unregistered namespaces are unknown types", () => {
    const p = project();
    const r = p.no("claude", "create", "NOPE-RS", "--title", "x");
    assert.match(r.out, /Unknown document type 'NOPE-RS'/);
    assert.match(r.out, /namespace add/);
  });

  it("REQ-DOC-013: namespace add refusals leave the tree unchanged", () => {
    const p = project();
    for (const user of ["qa", "tu_ui"]) assert.match(p.no(user, "namespace", "add", "X").out, /Permission denied/);
    for (const ns of ["QMS", "flow"]) assert.match(p.no("claude", "namespace", "add", ns).out, /already exists \(built-in\)/);
    for (const ns of ["1ABC", "A-B", "A.B", "../X", "A".repeat(31)]) assert.match(p.no("claude", "namespace", "add", ns).out, /Invalid namespace/, ns);
    assert.match(p.no("claude", "namespace", "add").out, /needs a NAME/);
    assert.match(p.no("claude", "namespace", "remove", "X").out, /Unknown namespace action/);
    p.ok("claude", "namespace", "add", "DUP");
    assert.match(p.no("claude", "namespace", "add", "dup").out, /Namespace DUP already exists\./);
  });
});
