import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { create } from "../src/services/create.js";
import { fix, legacyFixes } from "../src/services/fix.js";
import { namespaceCommand } from "../src/services/namespaces.js";
import { route } from "../src/services/route.js";
import { userAdd, userList, userUsage } from "../src/services/users.js";
import { svcProject } from "./svc-harness.js";

describe("users (in process)", () => {
  it("REQ-USER-002, REQ-USER-003: an administrator adds a user: agent file with the group, workspace and inbox", (t) => {
    const p = svcProject(t);
    const r = p.ok(userAdd, "lead", { name: "tu_new", group: "reviewer" });
    assert.deepEqual(r.data, { name: "tu_new", group: "reviewer", agent_file: ".claude/agents/tu_new.md", workspace: ".claude/users/tu_new/workspace", inbox: ".claude/users/tu_new/inbox" });
    assert.deepEqual(r.lines, ["Created user 'tu_new' (group reviewer)", "  Agent file: .claude/agents/tu_new.md", "  Workspace:  .claude/users/tu_new/workspace/", "  Inbox:      .claude/users/tu_new/inbox/", ""]);
    assert.deepEqual(r.next, [{ action: "inbox", user: "tu_new", lead: "The new user can now run" }]);
    assert.match(p.read(".claude/agents/tu_new.md") ?? "", /^group: reviewer$/m);
    assert.ok(fs.statSync(p.file(".claude/users/tu_new/inbox")).isDirectory());
    // the new user is a user at once: qa can assign them to a review
    p.ok(create, "claude", { type: "SOP", title: "x" });
    assert.deepEqual(p.ok(route, "claude", { docId: "SOP-001", kind: "review", assign: ["tu_new"] }).data.assignees, ["tu_new"]);
  });

  it("REQ-USER-003, REQ-SEC-002: user --add is for administrators, with a valid new name and a group", (t) => {
    const p = svcProject(t);
    p.no(userAdd, "qa", { name: "x1", group: "reviewer" }, "permission-denied", /Permission denied: 'user --add' requires group administrator; user 'qa' is in group 'quality'\./);
    p.no(userAdd, "lead", { name: "1abc", group: "reviewer" }, "invalid-argument", /Invalid user name '1abc': use a letter followed by letters, digits, '_' or '-' \(at most 64 characters\)\./);
    p.no(userAdd, "lead", { name: "claude", group: "reviewer" }, "already-exists", /'claude' is a hard-coded administrator; it needs no agent file\./);
    p.no(userAdd, "lead", { name: "qa", group: "reviewer" }, "already-exists", /User 'qa' already exists \(\.claude\/agents\/qa\.md\)\./);
    p.no(userAdd, "lead", { name: "newbie" }, "invalid-argument", /user --add needs --group\./);
    p.no(userAdd, "lead", { name: "newbie", group: "owner" }, "invalid-argument", /Invalid group 'owner': it must be one of administrator, initiator, quality, reviewer\./);
    const usage = userUsage();
    assert.equal(usage.ok, false);
    assert.match(usage.ok ? "" : usage.message, /user needs an action: --add NAME --group GROUP, or --list\./);
  });

  it("REQ-USER-005: user --list shows the hard-coded administrators first, then every agent file with its group", (t) => {
    const p = svcProject(t);
    const r = p.ok(userList, "claude", undefined);
    assert.equal(r.lines[0], "Users:");
    assert.deepEqual(r.lines.slice(1, 3).map((l) => l.trim().replace(/\s+/g, " ")).sort(), ["claude administrator (hard-coded)", "lead administrator (hard-coded)"]);
    const names = r.data.users.map((u) => `${u.name}:${u.group}${u.builtin ? "*" : ""}`);
    for (const expected of ["qa:quality", "tu_ui:reviewer", "ian:initiator"]) assert.ok(names.includes(expected), `${expected} in ${names.join(" ")}`);
    assert.deepEqual(names.slice(0, 2).sort(), ["claude:administrator*", "lead:administrator*"]);
    p.no(userList, "tu_ui", undefined, "permission-denied", /'user --list' requires group administrator/);
    fs.writeFileSync(p.file(".claude/agents/broken.md"), "---\nname: broken\ngroup: boss\n---\n");
    p.no(create, "broken", { type: "SOP", title: "x" }, "invalid-user", /Agent file \.claude\/agents\/broken\.md has group "boss"; it must be one of administrator, initiator, quality, reviewer\./);
  });
});

describe("namespaces (in process)", () => {
  it("REQ-DOC-013, REQ-DOC-014: administrators register an SDLC namespace; its RS and RTM can then be created", (t) => {
    const p = svcProject(t);
    const before = p.ok(namespaceCommand, "tu_ui", { action: "list" });
    assert.equal(before.lines[0], "SDLC namespaces:");
    p.no(namespaceCommand, "tu_ui", { action: "add", name: "PROJ" }, "permission-denied", /'namespace add' requires group administrator/);
    p.no(create, "claude", { type: "PROJ-RS", title: "x" }, "invalid-type", /Unknown document type 'PROJ-RS'/);
    const r = p.ok(namespaceCommand, "lead", { action: "add", name: " proj " });
    assert.deepEqual(r.data.added, { name: "PROJ", path: "SDLC-PROJ", types: ["PROJ-RS", "PROJ-RTM"], builtin: false });
    assert.deepEqual(r.lines, ["Registered SDLC namespace PROJ", "  Folder: QMS/SDLC-PROJ/", "  Types:  PROJ-RS, PROJ-RTM (IDs SDLC-PROJ-RS, SDLC-PROJ-RTM)", ""]);
    const listed = p.ok(namespaceCommand, "qa", { action: "" });
    assert.ok(listed.lines.includes("  PROJ: QMS/SDLC-PROJ/  types PROJ-RS, PROJ-RTM  IDs SDLC-PROJ-RS, SDLC-PROJ-RTM"), listed.text);
    const rs = p.ok(create, "claude", { type: "PROJ-RS", title: "Requirements" }).data;
    assert.deepEqual([rs.doc_id, rs.path], ["SDLC-PROJ-RS", "QMS/SDLC-PROJ/SDLC-PROJ-RS-draft.md"]);
    p.no(create, "claude", { type: "PROJ-RS", title: "again" }, "already-exists", /SDLC-PROJ-RS already exists\./);
    p.no(namespaceCommand, "lead", { action: "add", name: "PROJ" }, "already-exists", /Namespace PROJ already exists\./);
    p.no(namespaceCommand, "lead", { action: "add", name: "" }, "invalid-argument", /namespace add needs a NAME\./);
    p.no(namespaceCommand, "lead", { action: "add", name: "9X" }, "invalid-argument", /Invalid namespace '9X': start with a letter/);
    p.no(namespaceCommand, "lead", { action: "remove", name: "PROJ" }, "invalid-argument", /Unknown namespace action 'remove': use 'list' or 'add NAME'\./);
  });
});

describe("fix (in process)", () => {
  it("REQ-FIX-001: fix cleans legacy lines of an effective file, line by line, for administrators only", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    p.no(fix, "qa", { docId: "SOP-001" }, "permission-denied", /'fix' requires group administrator/);
    const file = p.file("QMS/SOP/SOP-001.md");
    const original = fs.readFileSync(file, "utf8");
    assert.deepEqual(p.ok(fix, "lead", { docId: "SOP-001" }).lines, ["No fixes needed for SOP-001"]);
    fs.writeFileSync(file, original.replace(/^---\n/, "---\nchecked_out: true\nchecked_out_date: 2020-01-01\n").replace(/$/, "\n**Version:** 0.3\n**Effective Date:** TBD\n"));
    const r = p.ok(fix, "lead", { docId: "SOP-001" });
    assert.equal(r.lines[0], "Fixed SOP-001 (QMS/SOP/SOP-001.md):");
    assert.equal(r.data.changes.length, 4, r.text);
    const fixed = fs.readFileSync(file, "utf8");
    assert.doesNotMatch(fixed, /checked_out/);
    assert.match(fixed, /^\*\*Version:\*\* 1\.0$/m);
    assert.match(fixed, /^\*\*Effective Date:\*\* 2026-03-02$/m);
    assert.deepEqual(p.events("SOP-001").at(-1), "STATUS_CHANGE", "no audit event");
    p.ok(create, "claude", { type: "SOP", title: "draft only" });
    p.no(fix, "lead", { docId: "SOP-002" }, "not-found", /SOP-002 has no effective file to fix \(status DRAFT\)\./);
  });

  it("REQ-FIX-001: the legacy clean-ups are a pure line edit; CLOSED documents keep their dates", () => {
    const text = "---\ntitle: t\nchecked_out: false\n---\n\n**Version:**\nbody **Version:** 0.1 stays\n**Effective Date:** TBD\n";
    const eff = legacyFixes(text, "2.0", "2026-03-02");
    assert.equal(eff.text, "---\ntitle: t\n---\n\n**Version:** 2.0\nbody **Version:** 0.1 stays\n**Effective Date:** 2026-03-02\n");
    const closed = legacyFixes(text, "2.0", undefined);
    assert.match(closed.text, /\*\*Effective Date:\*\* TBD/);
    assert.equal(closed.changes.length, 2);
    const crlf = legacyFixes("---\r\ntitle: t\r\nchecked_out: true\r\n---\r\nx\r\n", "1.0", undefined);
    assert.equal(crlf.text, "---\r\ntitle: t\r\n---\r\nx\r\n");
    assert.deepEqual(legacyFixes("plain\n", "1.0", "2026-01-01"), { text: "plain\n", changes: [] });
  });
});
