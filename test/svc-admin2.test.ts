import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { close } from "../src/services/close.js";
import { fix, legacyFixes } from "../src/services/fix.js";
import { svcProject } from "./svc-harness.js";

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
});
