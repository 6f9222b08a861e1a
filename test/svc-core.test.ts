import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandLineStep } from "../src/core/command-line.js";
import { TEXT_FIELDS, textFieldProblem } from "../src/core/fields.js";
import { minimalFrontmatterDocument, parseDocument, serializeDocument, yamlScalar } from "../src/core/frontmatter.js";
import { formatSequence, isIdProblem, MAX_ID_LENGTH, parseDocId } from "../src/core/ids.js";
import { whoActsNext } from "../src/core/next-steps.js";
import { step } from "../src/core/next.js";
import { refusalText, refuse, success, successLines } from "../src/core/result.js";
import { inferExecutionPhase, isActiveWorkflow, isStatus, isTerminal } from "../src/core/statuses.js";
import { formatVersion, isVersionString, nextMajor, nextMinor, parseVersion, previousMinor } from "../src/core/version.js";

const NAMESPACES = { QMS: { path: "SDLC-QMS" }, FLOW: { path: "SDLC-FLOW" } };

describe("document IDs (in process)", () => {
  it("REQ-DOC-004, REQ-DOC-005, REQ-DOC-012: an ID tells its type and folder; children live in their family's folder", () => {
    const parsed = (raw: string) => {
      const r = parseDocId(raw, NAMESPACES);
      if (isIdProblem(r)) assert.fail(`${raw}: ${r.reason}`);
      return r;
    };
    assert.deepEqual(
      (({ id, typeKey, dir, archiveDir }) => ({ id, typeKey, dir, archiveDir }))(parsed("sop-001")),
      { id: "SOP-001", typeKey: "SOP", dir: "SOP", archiveDir: "SOP" },
    );
    const cr = parsed("CR-012");
    assert.deepEqual([cr.typeKey, cr.dir, cr.rootId, cr.parentId, cr.spec.executable], ["CR", "CR/CR-012", undefined, undefined, true]);
    const er = parsed("CR-001-TP-002-ER-003");
    assert.deepEqual([er.typeKey, er.dir, er.archiveDir, er.rootId, er.parentId, er.spec.path], ["ER", "CR/CR-001", "CR/CR-001", "CR-001", "CR-001-TP-002", "CR"]);
    const vr = parsed("INV-002-VR-001");
    assert.deepEqual([vr.typeKey, vr.dir, vr.parentId, vr.spec.attachment], ["VR", "INV/INV-002", "INV-002", true]);
    const legacy = parsed("VAR-001");
    assert.deepEqual([legacy.typeKey, legacy.dir, legacy.legacyDirs], ["VAR", "VAR", [BASE_PATH("VAR")]]);
    assert.deepEqual([parsed("TEMPLATE-CR").typeKey, parsed("TEMPLATE-CR").dir], ["TEMPLATE", "TEMPLATE"]);
    const rs = parsed("SDLC-FLOW-RS");
    assert.deepEqual([rs.typeKey, rs.dir, rs.spec.singleton], ["FLOW-RS", "SDLC-FLOW", true]);
    assert.equal(parsed("SOP-123456").id, "SOP-123456");
  });

  it("REQ-DOC-004, REQ-SEC-009: anything that is not a document ID is refused before a path is built", () => {
    const reason = (raw: unknown): string => {
      const r = parseDocId(raw, () => NAMESPACES);
      return isIdProblem(r) ? r.reason : `accepted as ${r.id}`;
    };
    assert.equal(reason(""), "the document ID is empty");
    assert.equal(reason(undefined), "the document ID is empty");
    assert.equal(reason(7), "the document ID is empty");
    assert.equal(reason(`SOP-${"1".repeat(MAX_ID_LENGTH)}`), "the document ID is longer than 120 characters");
    assert.equal(reason("S".repeat(MAX_ID_LENGTH)).startsWith("the ID does not match"), true, "120 characters are not too long");
    for (const bad of ["../SOP-001", "SOP-001/x", "SOP 001", "SOP-001\0"]) assert.equal(reason(bad), "a document ID contains only letters, digits, '-' and '_' (no paths)", JSON.stringify(bad));
    for (const bad of ["SOP-01", "SOP-1234567", "XX-001", "CR-001-SOP-001", "CR-001-TP", "TEMPLATE-", "SOP-001-TP-001", "xSOP-001", "SOP-001x"]) {
      assert.match(reason(bad), /^the ID does not match any document ID form \(SOP-001, CR-001, CR-001-TP-001, INV-002-VAR-001, TEMPLATE-CR, SDLC-QMS-RS\)$/, bad);
    }
    assert.equal(reason("SDLC-NOPE-RS"), "SDLC namespace NOPE is not registered (see: qms namespace list)");
    assert.deepEqual([formatSequence(7), formatSequence(42), formatSequence(1234)], ["007", "042", "1234"]);
  });
});

function BASE_PATH(key: string): string {
  return key === "VAR" ? "CR" : key;
}

describe("versions and statuses (in process)", () => {
  it("REQ-DOC-006, REQ-WF-021: versions are N.X; approval starts N+1.0, each checkout of an execution X+1", () => {
    assert.deepEqual(parseVersion("12.34"), { major: 12, minor: 34 });
    assert.deepEqual(parseVersion("garbage"), { major: 0, minor: 1 });
    assert.deepEqual(parseVersion("1.2.3"), { major: 0, minor: 1 });
    assert.equal(formatVersion({ major: 3, minor: 0 }), "3.0");
    assert.deepEqual([nextMajor("0.4"), nextMajor("1.7"), nextMinor("1.0"), nextMinor("2.9"), previousMinor("1.3"), previousMinor("1.0")], ["1.0", "2.0", "1.1", "2.10", "1.2", "1.0"]);
    for (const ok of ["0.1", "10.0", "123456.123456"]) assert.equal(isVersionString(ok), true, ok);
    for (const bad of ["1", "1.", ".1", "1.2.3", "v1.0", "1234567.0", " 1.0"]) assert.equal(isVersionString(bad), false, bad);
  });

  it("REQ-WF-011, REQ-WF-014: CLOSED and RETIRED are terminal; the pre-release half of an executable's life is known", () => {
    assert.deepEqual(["CLOSED", "RETIRED", "EFFECTIVE", "DRAFT"].map((s) => isTerminal(s as never)), [true, true, false, false]);
    assert.deepEqual(["IN_REVIEW", "IN_PRE_APPROVAL", "IN_POST_REVIEW", "REVIEWED", "DRAFT"].map((s) => isActiveWorkflow(s as never)), [true, true, true, false, false]);
    for (const s of ["DRAFT", "IN_PRE_REVIEW", "PRE_REVIEWED", "IN_PRE_APPROVAL", "PRE_APPROVED"]) assert.equal(inferExecutionPhase(s as never), "pre_release", s);
    for (const s of ["IN_EXECUTION", "IN_POST_REVIEW", "POST_REVIEWED", "IN_POST_APPROVAL", "POST_APPROVED", "CLOSED"]) assert.equal(inferExecutionPhase(s as never), "post_release", s);
    assert.equal(isStatus("IN_REVIEW"), true);
    for (const bad of ["in_review", "", 3, null, "OPEN"]) assert.equal(isStatus(bad), false, String(bad));
  });
});

describe("frontmatter and text fields (in process)", () => {
  it("REQ-META-001: only title and revision_summary are written back, as scalars that read back the same", () => {
    assert.equal(serializeDocument({ title: "Plain title", revision_summary: null }, "\n\nBody\n"), "---\ntitle: Plain title\n---\n\nBody\n");
    assert.equal(serializeDocument({ title: "a: b", revision_summary: "yes" }, "x"), '---\ntitle: "a: b"\nrevision_summary: "yes"\n---\n\nx');
    for (const v of ["true", "null", "12", "-3.5", "", "trailing ", "#x", "it's", "(ok) fine"]) {
      const text = serializeDocument({ title: v }, "b");
      assert.equal(parseDocument(text).frontmatter.title, v, JSON.stringify(v));
    }
    assert.equal(yamlScalar("(ok) fine"), "(ok) fine");
    assert.equal(yamlScalar("Title 2"), "Title 2");
    assert.equal(yamlScalar("off"), '"off"');
    assert.equal(minimalFrontmatterDocument("---\ntitle: T\nstatus: DRAFT\nrevision_summary: r\n---\n\nbody\n"), "---\ntitle: T\nrevision_summary: r\n---\n\nbody\n");
    assert.equal(minimalFrontmatterDocument("no frontmatter\n"), "no frontmatter\n");
  });

  it("REQ-META-001: frontmatter is read as YAML: scalars, quotes, lists; a document without one is all body", () => {
    const doc = parseDocument("---\ntitle: 'It''s'\nn: 3\nf: 1.50\nok: true\nno: false\nnone: ~\nempty:\nq: \"a\\tb\"\n---\n\n\nBody\n");
    assert.deepEqual(doc.frontmatter, { title: "It's", n: 3, f: "1.50", ok: true, no: false, none: null, empty: null, q: "a\tb" });
    assert.deepEqual(parseDocument("---\ntitle: t\ntags: [a, b]\n---\n").frontmatter, { title: "t", tags: ["a", "b"] }, "richer YAML goes to the YAML library");
    assert.deepEqual(parseDocument("---\n- a\n- b\n---\n").frontmatter, {}, "a list is no mapping");
    assert.equal(doc.body, "\nBody\n");
    assert.equal(doc.hasFrontmatter, true);
    assert.deepEqual(parseDocument("---\ntitle: x\n---").frontmatter, { title: "x" });
    assert.deepEqual(parseDocument("---\r\ntitle: crlf\r\n---\r\nbody"), { frontmatter: { title: "crlf" }, body: "body", hasFrontmatter: true });
    assert.deepEqual(parseDocument("Body only\n---\ntitle: no\n---\n"), { frontmatter: {}, body: "Body only\n---\ntitle: no\n---\n", hasFrontmatter: false });
    assert.deepEqual(parseDocument("---\n: : :\n  - [\n---\nb").frontmatter, {}, "unparsable YAML is no frontmatter data");
    assert.deepEqual(parseDocument("---\n# comment\n\ntitle: x # a YAML comment\n---\n").frontmatter, { title: "x" });
  });

  it("REQ-FLD-001: text fields have limits: titles one line of at most 200 characters; comments may span lines", () => {
    assert.equal(textFieldProblem(TEXT_FIELDS.title, "t".repeat(200)), undefined);
    assert.equal(textFieldProblem(TEXT_FIELDS.title, "t".repeat(201)), "is longer than 200 characters");
    assert.equal(textFieldProblem(TEXT_FIELDS.title, "a\nb"), "contains control characters or line breaks");
    assert.equal(textFieldProblem(TEXT_FIELDS.title, "a\u007fb"), "contains control characters or line breaks");
    assert.equal(textFieldProblem(TEXT_FIELDS.comment, "line 1\r\nline 2\ttab"), undefined);
    assert.equal(textFieldProblem(TEXT_FIELDS.comment, "bell\u0007"), "contains control characters");
    assert.equal(textFieldProblem(TEXT_FIELDS.reason, "r".repeat(2001)), "is longer than 2000 characters");
    assert.equal(textFieldProblem(TEXT_FIELDS.revision_summary, "s".repeat(5000)), undefined);
    assert.equal(textFieldProblem(TEXT_FIELDS.comment, "c".repeat(20001)), "is longer than 20000 characters");
  });
});

describe("results and next steps (in process)", () => {
  it("REQ-WEB-022: the next step of each status names who must act", () => {
    const base = { doc_id: "SOP-001", executable: false, responsible_user: "claude", checked_out: false, pending_assignees: [] as string[], review_outcomes: {} };
    const next = (over: Partial<typeof base> & { status: string; attachment?: boolean }) => whoActsNext({ ...base, ...over } as never);
    assert.deepEqual(next({ status: "IN_REVIEW", pending_assignees: ["qa", "tu_ui"] }), [
      { action: "review", doc_id: "SOP-001", user: "qa" },
      { action: "review", doc_id: "SOP-001", user: "tu_ui" },
    ]);
    assert.deepEqual(next({ status: "IN_POST_APPROVAL", pending_assignees: ["qa"] }), [{ action: "approve", doc_id: "SOP-001", user: "qa" }]);
    assert.deepEqual(next({ status: "REVIEWED", review_outcomes: { qa: "RECOMMEND" } as never }), [{ action: "route", doc_id: "SOP-001", args: { route_type: "approval" }, user: "claude" }]);
    assert.deepEqual(next({ status: "PRE_REVIEWED", review_outcomes: { qa: "UPDATES_REQUIRED" } as never }), [{ action: "checkout", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "DRAFT", checked_out: true }), [{ action: "checkin", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "DRAFT" }), [{ action: "route", doc_id: "SOP-001", args: { route_type: "review" }, user: "claude" }]);
    assert.deepEqual(next({ status: "PRE_APPROVED" }), [{ action: "release", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "IN_EXECUTION" }), [{ action: "route", doc_id: "SOP-001", args: { route_type: "review" }, user: "claude" }]);
    assert.deepEqual(next({ status: "IN_EXECUTION", checked_out: true }), [{ action: "checkin", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "IN_EXECUTION", attachment: true }), [{ action: "close", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "IN_EXECUTION", attachment: true, checked_out: true }), [{ action: "checkin", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "POST_APPROVED" }), [{ action: "close", doc_id: "SOP-001", user: "claude" }]);
    assert.deepEqual(next({ status: "POST_APPROVED", responsible_user: null as never }), [{ action: "close", doc_id: "SOP-001" }], "nobody named when there is no owner");
    for (const s of ["EFFECTIVE", "CLOSED", "RETIRED"]) assert.deepEqual(next({ status: s }), [], s);
  });

  it("REQ-NEXT-001: a refusal reads as the rule, its details, then Next: with each step as a command line", () => {
    const r = refuse("not-owner", "Only the owner may route SOP-001.", [step("status", "SOP-001", { lead: "See" }), step("route", "SOP-001", { args: { route_type: "review", assignees: ["qa", "tu ui"] } })], { details: ["  detail"] });
    assert.equal(refusalText(r, commandLineStep("lead")), 'Error: Only the owner may route SOP-001.\n  detail\nNext: See: qms --user lead status SOP-001; qms --user lead route SOP-001 --review --assign qa "tu ui"');
    assert.equal(refusalText(refuse("locked", "Busy.", "Retry in a moment."), commandLineStep(undefined)), "Error: Busy.\nNext: Retry in a moment.");
    assert.equal(refusalText(refuse("locked", "Busy.", ""), commandLineStep(undefined)), "Error: Busy.");
    assert.deepEqual(Object.keys(refuse("locked", "Busy.")), ["ok", "code", "message"]);
    const s = success({ a: 1 }, ["Done."], { next: [step("checkin", "SOP-001", { user: "claude", lead: "Then" })], warnings: [] });
    assert.deepEqual(Object.keys(s), ["ok", "data", "lines", "next"], "empty warnings are left out");
    assert.deepEqual(successLines(s, commandLineStep("qa")), ["Done.", "Then: qms --user claude checkin SOP-001"]);
    assert.equal(commandLineStep("lead")(step("token", undefined, { args: { command: "revoke", reference: "my label" } })), 'qms token revoke "my label"');
    assert.equal(commandLineStep("lead")(step("namespace", undefined, { args: { add: "PROJ" } })), "qms --user lead namespace add PROJ");
    assert.equal(commandLineStep("lead")(step("namespace", undefined, { args: { list: true } })), "qms --user lead namespace list");
    assert.equal(commandLineStep("lead")(step("create", undefined, { args: { doc_type: "SOP", title: "A $title" } })), 'qms --user lead create SOP --title "A \\$title"');
    assert.equal(commandLineStep("lead")(step("cancel", "SOP-001", { args: { confirm: true, dry: false } })), "qms --user lead cancel SOP-001 --confirm");
    assert.equal(commandLineStep(undefined)(step("inbox")), "qms inbox");
  });
});
