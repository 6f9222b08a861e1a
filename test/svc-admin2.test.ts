import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RefusalError } from "../src/core/result.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import type { Actor } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { withdrawInto } from "../src/services/effects.js";
import { tokenCreate, tokenList, tokenRevoke } from "../src/services/tokens.js";
import { newChange } from "../src/store/change.js";
import { TokenStore } from "../src/store/tokens.js";
import { removeTempDir, tempDir } from "./helpers.js";
import { fix, legacyFixes } from "../src/services/fix.js";
import { namespaceCommand } from "../src/services/namespaces.js";
import { agentFileContent, userAdd } from "../src/services/users.js";
import { svcProject, T0 } from "./svc-harness.js";

/** Administration services in process, second part: exact texts and edge cases the first part leaves open. */

describe("fix (in process)", () => {
  it("REQ-FIX-001: only a frontmatter block at the very start is cleaned, and one closing the file counts", () => {
    assert.deepEqual(legacyFixes("Intro\n---\nchecked_out: yes\n---\nrest\n", "1.0", undefined), { text: "Intro\n---\nchecked_out: yes\n---\nrest\n", changes: [] });
    assert.deepEqual(legacyFixes("---\ntitle: t\nchecked_out: true  \n---", "1.0", undefined), { text: "---\ntitle: t\n---", changes: ["removed frontmatter line 'checked_out: true'"] });
    assert.deepEqual(legacyFixes("---\nwas_checked_out: 1\nchecked_out_date: 2020-01-01\n---\n", "1.0", undefined), {
      text: "---\nwas_checked_out: 1\n---\n",
      changes: ["removed frontmatter line 'checked_out_date: 2020-01-01'"],
    });
    assert.deepEqual(legacyFixes("---\nchecked_out: a\u2028b\n---\n", "1.0", undefined).changes, [], "a line that only starts like one is kept");
    // no line removed: the block stays byte for byte, even with other line ends than the body's
    const mixed = "---\ntitle: t\n---\r\nbody\r\n";
    assert.deepEqual(legacyFixes(mixed, "1.0", undefined), { text: mixed, changes: [] });
  });

  it("REQ-FIX-001: only whole **Version:** and **Effective Date:** TBD lines are set, each change said in words", () => {
    const body = [
      "**Version:** 10.0",
      "**Version:** 1.10",
      "**Version:** 0.5 \t",
      "**Version:**",
      "**Version:** 2.0",
      "**Version:** 0.5 draft",
      "x **Version:** 0.5",
      "**Effective Date:**TBD",
      "**Effective Date:**  TBD \t",
      "**Effective Date:** TBD later",
      "see **Effective Date:** TBD",
      "",
    ].join("\n");
    const r = legacyFixes(body, "2.0", "2026-03-02");
    assert.deepEqual(r.changes, [
      "body '**Version:** 10.0' set to 2.0",
      "body '**Version:** 1.10' set to 2.0",
      "body '**Version:** 0.5' set to 2.0",
      "body '**Version:** ' set to 2.0",
      "'**Effective Date:** TBD' set to 2026-03-02",
      "'**Effective Date:** TBD' set to 2026-03-02",
    ]);
    assert.equal(
      r.text,
      [
        "**Version:** 2.0",
        "**Version:** 2.0",
        "**Version:** 2.0",
        "**Version:** 2.0",
        "**Version:** 2.0",
        "**Version:** 0.5 draft",
        "x **Version:** 0.5",
        "**Effective Date:** 2026-03-02",
        "**Effective Date:** 2026-03-02",
        "**Effective Date:** TBD later",
        "see **Effective Date:** TBD",
        "",
      ].join("\n"),
    );
  });

  it("REQ-FIX-001: fix lists each change; a CLOSED record keeps its TBD date and gets its version", (t) => {
    const p = svcProject(t);
    p.effectiveSop();
    const file = p.file("QMS/SOP/SOP-001.md");
    fs.writeFileSync(file, "---\ntitle: t\nchecked_out: true\n---\n\n**Version:** 0.1\n");
    const r = p.ok(fix, "lead", { docId: "SOP-001" });
    assert.deepEqual(r.lines, ["Fixed SOP-001 (QMS/SOP/SOP-001.md):", "  - removed frontmatter line 'checked_out: true'", "  - body '**Version:** 0.1' set to 1.0"]);
    assert.deepEqual(r.data, { doc_id: "SOP-001", path: "QMS/SOP/SOP-001.md", changes: ["removed frontmatter line 'checked_out: true'", "body '**Version:** 0.1' set to 1.0"] });
    assert.equal(fs.readFileSync(file, "utf8"), "---\ntitle: t\n---\n\n**Version:** 1.0\n");
    const cr = p.crTo("POST_APPROVED");
    p.ok(close, "claude", { docId: cr });
    const closed = p.file(`QMS/CR/${cr}/${cr}.md`);
    fs.writeFileSync(closed, "---\ntitle: c\n---\n\n**Version:** 1.0\n**Effective Date:** TBD\n");
    const c = p.ok(fix, "lead", { docId: cr });
    assert.deepEqual(c.data.changes, [`body '**Version:** 1.0' set to 2.0`]);
    assert.equal(fs.readFileSync(closed, "utf8"), "---\ntitle: c\n---\n\n**Version:** 2.0\n**Effective Date:** TBD\n");
    assert.deepEqual(p.ok(fix, "lead", { docId: cr }).data, { doc_id: cr, path: `QMS/CR/${cr}/${cr}.md`, changes: [] });
  });

  it("REQ-FIX-001: fix's refusals go to stderr, as the Python tool's did, and say where to look", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const none = p.no(fix, "lead", { docId: "SOP-001" }, "not-found");
    assert.equal(none.text, "Error: SOP-001 has no effective file to fix (status DRAFT).\nNext: See its state with: qms --user lead status SOP-001");
    assert.equal(none.refusal.stderr, true);
    p.effectiveSop();
    p.ok(checkout, "claude", { docId: "SOP-002" });
    const draft = p.no(fix, "lead", { docId: "SOP-002" }, "invalid-state");
    assert.equal(draft.refusal.stderr, true);
    assert.equal(p.no(fix, "qa", { docId: "SOP-002" }, "permission-denied").refusal.stderr, true);
  });
});

describe("namespaces and users (in process), second part", () => {
  it("REQ-DOC-013: namespace add says what it registered and what to create next; the list is sorted by name", (t) => {
    const p = svcProject(t);
    const r = p.ok(namespaceCommand, "lead", { action: "add", name: "aaa" });
    assert.deepEqual(r.next, [{ action: "create", args: { doc_type: "AAA-RS", title: "..." }, lead: "Create its requirements specification with" }]);
    assert.equal(r.text.split("\n").at(-1), 'Create its requirements specification with: qms --user lead create AAA-RS --title ...');
    assert.deepEqual(r.data.action, "add");
    assert.deepEqual(r.data.namespaces.map((n) => [n.name, n.builtin]), [["AAA", false], ["FLOW", true], ["QMS", true]]);
    const listed = p.ok(namespaceCommand, "qa", { action: undefined as unknown as string });
    assert.deepEqual(listed.data, { action: "list", namespaces: r.data.namespaces });
    assert.deepEqual(listed.lines.slice(0, 2), ["SDLC namespaces:", "  AAA: QMS/SDLC-AAA/  types AAA-RS, AAA-RTM  IDs SDLC-AAA-RS, SDLC-AAA-RTM"]);
    assert.equal(
      p.no(namespaceCommand, "lead", { action: "add", name: "Aaa" }, "already-exists").text,
      "Error: Namespace AAA already exists.\nNext: See the namespaces with: qms --user lead namespace list",
    );
  });

  it("REQ-DOC-013: names and actions of 40 characters are shown whole, longer ones cut", (t) => {
    const p = svcProject(t);
    assert.equal(
      p.no(namespaceCommand, "lead", { action: "y".repeat(40) }, "invalid-argument").text,
      `Error: Unknown namespace action '${"y".repeat(40)}': use 'list' or 'add NAME'.\nNext: Run: qms --user lead namespace list`,
    );
    assert.equal(
      p.no(namespaceCommand, "lead", { action: "add", name: `9${"n".repeat(39)}` }, "invalid-argument").text,
      `Error: Invalid namespace '9${"N".repeat(39)}': start with a letter, then letters, digits or '_' (at most 30 characters).\nNext: Run: qms --user lead namespace add MYPROJ`,
    );
    assert.match(p.no(userAdd, "lead", { name: `-${"u".repeat(39)}`, group: "reviewer" }, "invalid-argument").text, new RegExp(`^Error: Invalid user name '-${"u".repeat(39)}': `));
  });

  it("REQ-USER-003: the group may be given with spaces around it", (t) => {
    const p = svcProject(t);
    const r = p.ok(userAdd, "lead", { name: "tu_pad", group: " quality " });
    assert.equal(r.data.group, "quality");
    assert.equal(p.read(".claude/agents/tu_pad.md"), agentFileContent("tu_pad", "quality"));
  });
});

describe("checkin and withdraw decisions (in process)", () => {
  it("REQ-DOC-008: a checkin without a workspace copy, or with a frontmatter field over its limit, is refused in these words", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    fs.rmSync(p.workspacePath("claude", "SOP-001"));
    assert.equal(
      p.no(checkin, "claude", { docId: "SOP-001" }, "not-checked-out").text,
      "Error: SOP-001 has no workspace copy for claude (expected .claude/users/claude/workspace/SOP-001.md).\nNext: Check it out first: qms --user claude checkout SOP-001; see: qms --user claude workspace",
    );
    p.edit("claude", "SOP-001", "---\ntitle: \"two\\nlines\"\n---\n\nbody\n");
    assert.equal(
      p.no(checkin, "claude", { docId: "SOP-001" }, "invalid-argument").text,
      "Error: The 'title:' in .claude/users/claude/workspace/SOP-001.md contains control characters or line breaks; the same limit applies as to --title.\nNext: Correct the frontmatter of the workspace copy, then check it in again.",
    );
    p.edit("claude", "SOP-001", "---\ntitle: null\nrevision_summary: 12\n---\n\nbody\n");
    p.ok(checkin, "claude", { docId: "SOP-001" });
    assert.equal(p.draft("SOP-001"), "---\ntitle: x\nrevision_summary: \"12\"\n---\n\nbody\n", "a null title keeps the draft's");
  });

  it("REQ-WF-018: withdrawing where no round is in progress is refused in these words", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const project = p.project();
    const loaded = project.load("SOP-001");
    const actor = { project, user: { name: "claude", group: "administrator" as const }, now: new Date(T0) } as unknown as Actor;
    assert.throws(
      () => withdrawInto(newChange(loaded.doc), actor, loaded),
      (err: unknown) => err instanceof RefusalError && err.refusal.code === "invalid-state" && err.refusal.message === "SOP-001 is DRAFT: there is no review or approval in progress to withdraw.",
    );
  });
});

describe("tokens (in process), second part", () => {
  it("REQ-TOK-002: token list in columns, its empty text, an empty label, and a 40-character unknown user in full", (t) => {
    const p = svcProject(t);
    const dir = tempDir("qms-store-");
    t.after(() => removeTempDir(dir));
    const store = new TokenStore(path.join(dir, "tokens.json"));
    const key = fs.realpathSync(p.root);
    const empty = p.ok(tokenList, "lead", { store });
    assert.deepEqual(empty.lines, [`No tokens for ${key} (store: ${store.file}).`]);
    assert.deepEqual(empty.data, { project: key, store: store.file, tokens: [] });
    const a = p.ok(tokenCreate, "lead", { user: "qa", label: "", store }).data;
    assert.equal(a.label, "qa", "an empty --label is no label");
    const b = p.ok(tokenCreate, "lead", { user: "tu_sketch", label: "sketch.laptop@home", store }).data;
    const listed = p.ok(tokenList, "lead", { store });
    const created = listed.data.tokens.map((x) => x.created);
    assert.deepEqual(listed.lines, [
      `Tokens for ${key} (store: ${store.file}):`,
      `  ${a.id}  qa           qa                   ${created[0]}`,
      `  ${b.id}  tu_sketch    sketch.laptop@home   ${created[1]}`,
    ]);
    assert.equal(listed.next, undefined);
    assert.equal(
      p.no(tokenCreate, "lead", { user: "m".repeat(40), store }, "unknown-user").text.split("\n")[0],
      `Error: Unknown user '${"m".repeat(40)}': a token can only be created for a user of this project.`,
    );
    p.no(tokenCreate, "lead", { user: undefined as unknown as string, store }, "invalid-argument", /^Error: token create needs --user NAME/);
    p.no(tokenRevoke, "lead", { what: undefined as unknown as string, store }, "invalid-argument", /^Error: token revoke needs a label/);
    const revoked = p.ok(tokenRevoke, "lead", { what: "qa", store });
    assert.deepEqual(revoked.data, { project: key, revoked: [{ id: a.id, user: "qa", label: "qa" }] });
  });
});
