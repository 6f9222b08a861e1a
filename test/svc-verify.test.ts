import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { create } from "../src/services/create.js";
import { route } from "../src/services/route.js";
import { verify } from "../src/services/verify.js";
import { type SvcProject, svcProject } from "./svc-harness.js";

const RESTORE = "restore it from version control (or a backup); QMS records are never edited by hand";

function twoDocs(t: { after: (fn: () => void) => void }): SvcProject {
  const p = svcProject(t);
  p.ok(create, "claude", { type: "SOP", title: "One" });
  p.ok(create, "claude", { type: "CR", title: "Two" });
  p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
  return p;
}
const auditOf = (p: SvcProject): string => path.join(p.root, "QMS", ".audit", "SOP", "SOP-001.jsonl");

describe("qms verify as a service (in process; integrity spec §3, §4)", () => {
  it("REQ-ITG-003: an untouched project verifies clean: data and the report line; only quality and administrators may verify", (t) => {
    const p = twoDocs(t);
    const r = p.ok(verify, "qa", {});
    assert.equal(r.text, "Verified 2 documents: the record is intact.");
    assert.deepEqual([r.data.ok, r.data.findings, r.data.documents, r.data.notes, r.data.checked_at], [true, [], 2, [], "2026-03-02T09:04:00.000Z"]);
    assert.match(String(r.data.head_store), /\.jsonl$/);
    assert.equal(r.data.anchor, undefined);
    assert.equal(r.data.against, undefined);
    assert.equal(p.ok(verify, "claude", { docIds: ["SOP-001"] }).text, "Verified 1 document: the record is intact.");
    assert.equal(
      p.no(verify, "ian", {}, "permission-denied").text,
      "Error: Permission denied: 'verify' requires group quality or administrator; user 'ian' is in group 'initiator'.\nNext: As an initiator you can create, checkout, checkin, route, release, revert, close and cancel your documents.",
    );
    assert.equal(p.no(verify, "qa", { docIds: ["SOP-009"] }, "not-found").text, "Error: Document not found: SOP-009.\nNext: Check the ID; run verify without IDs to check every document.");
    assert.equal(p.no(verify, "qa", { docIds: ["no such"] }, "invalid-id").refusal.code, "invalid-id");
  });

  it("REQ-ITG-004, REQ-ITG-005, REQ-ITG-006: findings name the document, the file and line, what is wrong and the fix; the report counts them", (t) => {
    const p = twoDocs(t);
    fs.writeFileSync(path.join(p.root, "QMS", "SOP", "SOP-009.md"), "x");
    fs.writeFileSync(path.join(p.root, "QMS", "SOP", ".SOP-001-draft.md.999999.1.tmp"), "x");
    const audit = auditOf(p);
    fs.writeFileSync(audit, `${fs.readFileSync(audit, "utf8").split("\n")[0]}\n`);
    const r = p.ok(verify, "qa", {});
    assert.equal(r.data.ok, false);
    assert.deepEqual(
      r.data.findings.map((f) => [f.check, f.doc_id, f.file, f.line]),
      [
        ["anchor", "SOP-001", "QMS/.audit/SOP/SOP-001.jsonl", 2],
        ["replay", "SOP-001", "QMS/.meta/SOP/SOP-001.json", undefined],
        ["orphan", "SOP-009", "QMS/SOP/SOP-009.md", undefined],
        ["temp", "SOP-001", "QMS/SOP/.SOP-001-draft.md.999999.1.tmp", undefined],
      ],
    );
    assert.deepEqual(r.text.split("\n").slice(2), [
      `SOP-009  QMS/SOP/SOP-009.md  a document file without a meta file. Fix: ${RESTORE} (the meta), or remove the file if the document never existed.`,
      "SOP-001  QMS/SOP/.SOP-001-draft.md.999999.1.tmp  a temp file left by an interrupted write. Fix: remove it (the next qms write or server start removes it too).",
      "Verified 2 documents: 4 findings.",
    ]);
    assert.match(r.text.split("\n")[0]!, /^SOP-001 {2}QMS\/\.audit\/SOP\/SOP-001\.jsonl:2 {2}the audit trail was truncated: 1 line\(s\) left of 4 recorded in the head store\. Fix: /);
    const only = p.ok(verify, "qa", { docIds: ["SOP-009"] });
    assert.deepEqual([only.data.documents, only.data.findings.map((f) => f.doc_id)], [0, ["SOP-009"]], "an orphan can be named on its own");
    assert.equal(only.text.split("\n").at(-1), "Verified 0 documents: 1 finding.");
  });

  it("REQ-ITG-006: --anchor prints a digest that --against later finds a prefix of the record, until the trail is cut, rewritten or removed", (t) => {
    const p = twoDocs(t);
    const anchored = p.ok(verify, "qa", { anchor: true });
    const digest = anchored.data.anchor!;
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(anchored.text.split("\n"), ["Verified 2 documents: the record is intact.", `Anchor: ${digest}`]);
    const same = p.ok(verify, "qa", { against: ` ${digest.toUpperCase()} ` });
    assert.deepEqual(same.data.against, { digest, known: true, ok: true });
    assert.equal(same.text.split("\n").at(-1), `Against ${digest.slice(0, 12)}…: a prefix of today's record.`);
    p.ok(create, "claude", { type: "SOP", title: "Later" });
    assert.deepEqual(p.ok(verify, "qa", { against: digest }).data.against, { digest, known: true, ok: true }, "more events since: still a prefix");

    const unknown = p.ok(verify, "qa", { against: "0".repeat(64) });
    assert.deepEqual([unknown.data.ok, unknown.data.against], [false, { digest: "0".repeat(64), known: false, ok: false }]);
    assert.deepEqual(unknown.text.split("\n"), [
      "-  checkpoint 000000000000… is not today's record and is not in this machine's head store, so it cannot be compared. Fix: run verify --against on the machine that made the checkpoint.",
      "Verified 3 documents: 1 finding.",
      "Against 000000000000…: NOT a prefix of today's record.",
    ]);
    assert.equal(p.no(verify, "qa", { against: "xyz" }, "invalid-argument").text, "Error: --against takes a digest printed by verify --anchor (64 hex digits).");

    const audit = auditOf(p);
    const lines = fs.readFileSync(audit, "utf8").split("\n").filter((l) => l !== "");
    const anchorFinding = (): Array<[string | undefined, number | undefined, string]> =>
      p.ok(verify, "qa", { against: digest }).data.findings.filter((f) => f.what.includes("checkpoint")).map((f) => [f.file, f.line, f.what.replace(/of \d{4}-\d\d-\d\dT[\d:.]+Z/, "of <T>")]);
    fs.writeFileSync(audit, `${lines.slice(0, 1).join("\n")}\n`);
    assert.deepEqual(anchorFinding(), [["QMS/.audit/SOP/SOP-001.jsonl", 2, `the audit trail is shorter than at the checkpoint of <T> (1 of ${lines.length} lines)`]]);
    // a rewritten trail: the last line carries another chain value than the one the checkpoint recorded
    fs.writeFileSync(audit, `${[...lines.slice(0, -1), lines.at(-1)!.replace(/("hash": ?")[0-9a-f]{64}"/, `$1${"f".repeat(64)}"`)].join("\n")}\n`);
    assert.deepEqual(anchorFinding(), [["QMS/.audit/SOP/SOP-001.jsonl", lines.length, `the audit trail was rewritten since the checkpoint of <T>: line ${lines.length} differs`]]);
    fs.rmSync(audit);
    assert.deepEqual(anchorFinding(), [["QMS/.audit/SOP/SOP-001.jsonl", undefined, `the audit trail was in the checkpoint of <T> (${lines.length} lines) and is gone`]]);
  });
});
