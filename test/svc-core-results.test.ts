// Service results, refusals and document IDs/frontmatter edge cases (src/core/result.ts, ids.ts, frontmatter.ts),
// exactly, in process for Stryker (issue #15).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument, parseYamlMapping, serializeDocument, yamlScalar } from "../src/core/frontmatter.js";
import { isIdProblem, type ParsedId, parseDocId } from "../src/core/ids.js";
import { step } from "../src/core/next.js";
import { fail, RefusalError, refusalText, refuse, success, successLines } from "../src/core/result.js";

const render = (s: { action: string; doc_id?: string }) => `<${s.action}${s.doc_id ? ` ${s.doc_id}` : ""}>`;

describe("service results (in process)", () => {
  it("REQ-NEXT-001: a success carries next steps and warnings only when there are some", () => {
    assert.deepEqual(success({ a: 1 }, ["x"]), { ok: true, data: { a: 1 }, lines: ["x"] });
    assert.deepEqual(success({}, [], { next: [], warnings: [] }), { ok: true, data: {}, lines: [] });
    assert.deepEqual(success({}, ["y"], { warnings: ["careful"] }), { ok: true, data: {}, lines: ["y"], warnings: ["careful"] });
    const next = [step("checkin", "SOP-001")];
    assert.deepEqual(success({}, [], { next, warnings: ["w"] }), { ok: true, data: {}, lines: [], next, warnings: ["w"] });
    assert.deepEqual(successLines(success({}, ["a", "b"]), render), ["a", "b"]);
    assert.deepEqual(successLines(success({}, ["a"], { next: [step("route", "SOP-001", { lead: "Then" }), step("status")] }), render), ["a", "Then: <route SOP-001>", "<status>"]);
  });

  it("REQ-NEXT-001: a refusal's hint is words, one step or several; extra fields are kept", () => {
    assert.deepEqual(refuse("locked", "Busy.", "Wait."), { ok: false, code: "locked", message: "Busy.", hint: "Wait." });
    const one = step("status", "SOP-001");
    assert.deepEqual(refuse("not-owner", "No.", one), { ok: false, code: "not-owner", message: "No.", next: [one] });
    assert.deepEqual(refuse("not-owner", "No.", [one, step("inbox")]), { ok: false, code: "not-owner", message: "No.", next: [one, step("inbox")] });
    assert.deepEqual(refuse("not-owner", "No.", []), { ok: false, code: "not-owner", message: "No." });
    assert.deepEqual(refuse("not-found", "Gone.", undefined, { details: ["d"], stderr: true }), { ok: false, code: "not-found", message: "Gone.", details: ["d"], stderr: true });
    assert.throws(
      () => fail("invalid-state", "Stop.", "Do this."),
      (e: unknown) => e instanceof RefusalError && e.message === "Stop." && e instanceof Error && JSON.stringify(e.refusal) === JSON.stringify({ ok: false, code: "invalid-state", message: "Stop.", hint: "Do this." }),
    );
  });

  it("REQ-NEXT-001: a refusal's text: the error, its details, then one Next line with the hint and each step", () => {
    assert.equal(refusalText(refuse("locked", "Busy."), render), "Error: Busy.");
    assert.equal(refusalText(refuse("locked", "Busy.", undefined, { details: [] }), render), "Error: Busy.");
    assert.equal(refusalText(refuse("locked", "Busy.", undefined, { details: ["a", "b"] }), render), "Error: Busy.\na\nb");
    assert.equal(refusalText(refuse("locked", "Busy.", [step("inbox", undefined, { lead: "See" }), step("status", "X")]), render), "Error: Busy.\nNext: See: <inbox>; <status X>");
    assert.equal(refusalText({ ...refuse("locked", "Busy.", "Words."), next: [step("inbox")] }, render), "Error: Busy.\nNext: Words.; <inbox>");
  });
});

describe("document IDs and frontmatter edges (in process)", () => {
  const parsed = (raw: string): ParsedId => {
    const r = parseDocId(raw, { QMS: { path: "SDLC-QMS" } });
    if (isIdProblem(r)) assert.fail(`${raw}: ${r.reason}`);
    return r;
  };

  it("REQ-DOC-004, REQ-DOC-012: every ID form: its type, folders, family and parent", () => {
    assert.deepEqual(parsed("SOP-001"), { id: "SOP-001", typeKey: "SOP", spec: { key: "SOP", executable: false, path: "SOP" }, dir: "SOP", archiveDir: "SOP" });
    assert.deepEqual(parsed("ER-004"), { id: "ER-004", typeKey: "ER", spec: { key: "ER", executable: true, path: "ER", parentTypes: ["TP"] }, dir: "ER", archiveDir: "ER", legacyDirs: ["CR"] });
    assert.deepEqual(parsed("template-my_t1"), { id: "TEMPLATE-MY_T1", typeKey: "TEMPLATE", spec: { key: "TEMPLATE", executable: false, path: "TEMPLATE", named: true }, dir: "TEMPLATE", archiveDir: "TEMPLATE" });
    assert.deepEqual(parsed("SDLC-QMS-RTM"), { id: "SDLC-QMS-RTM", typeKey: "QMS-RTM", spec: { key: "QMS-RTM", executable: false, path: "SDLC-QMS", singleton: true }, dir: "SDLC-QMS", archiveDir: "SDLC-QMS" });
    assert.deepEqual(parsed("INV-0002"), { id: "INV-0002", typeKey: "INV", spec: { key: "INV", executable: true, path: "INV", folderPerDoc: true }, dir: "INV/INV-0002", archiveDir: "INV/INV-0002" });
    const add = parsed("INV-002-VAR-010-ADD-003");
    assert.deepEqual({ ...add, spec: undefined }, { id: "INV-002-VAR-010-ADD-003", typeKey: "ADD", spec: undefined, dir: "INV/INV-002", archiveDir: "INV/INV-002", rootId: "INV-002", parentId: "INV-002-VAR-010" });
    assert.deepEqual([add.spec.path, add.spec.parentStatus, add.spec.key], ["INV", "CLOSED", "ADD"]);
    assert.equal(parsed("CR-1234-TP-0001").parentId, "CR-1234");
    const long = `TEMPLATE-${"A".repeat(40)}`;
    assert.equal(parsed(long).id, long);
    assert.equal(isIdProblem(parseDocId(`TEMPLATE-${"A".repeat(41)}`, {})), true);
    assert.equal(isIdProblem(parseDocId(`SDLC-${"A".repeat(31)}-RS`, { [`${"A".repeat(31)}`]: { path: "x" } })), true);
    assert.equal(parsed(`SDLC-QMS-RS`).typeKey, "QMS-RS");
    assert.equal(isIdProblem(parseDocId("SDLC-QMS-RSX", { QMS: { path: "x" } })), true);
    assert.equal(isIdProblem(parseDocId("TP-01", {})), true);
    let asked = 0;
    parseDocId("SOP-001", () => {
      asked++;
      return {};
    });
    assert.equal(asked, 0, "namespaces are looked up only for SDLC IDs");
  });

  it("REQ-META-001: flat frontmatter lines and scalars; anything else goes to the YAML library", () => {
    assert.deepEqual(parseYamlMapping("a: 1\nb: -2.50\nc: x y\nd: 'q'\ne:\tz\nf-g_h: ok\n_i: j"), { a: 1, b: "-2.50", c: "x y", d: "q", e: "z", "f-g_h": "ok", _i: "j" });
    assert.deepEqual(parseYamlMapping("a: 'it''s'\nb: ''"), { a: "it's", b: "" });
    assert.deepEqual(parseYamlMapping("a: 'x' y'"), {}, "a lone quote inside is not a flat scalar; the library refuses it");
    assert.deepEqual(parseYamlMapping("a: '"), {}, "an unclosed quote");
    assert.deepEqual(parseYamlMapping('a: "x\\u00e9"'), { a: "xé" });
    assert.deepEqual(parseYamlMapping('a: "x" # c'), { a: "x" }, "a JSON string with a comment goes to the library");
    assert.deepEqual(parseYamlMapping("a: *ref"), {});
    assert.deepEqual(parseYamlMapping("a: b: c"), {});
    assert.deepEqual(parseYamlMapping("a: x #c"), { a: "x" });
    assert.deepEqual(parseYamlMapping("a: -"), { a: "-" });
    assert.deepEqual(parseYamlMapping("a: 1.2.3"), { a: "1.2.3" });
    assert.deepEqual(parseYamlMapping("a: TRUE"), { a: "TRUE" }, "only true and false are booleans");
    assert.deepEqual(parseYamlMapping("  # note\n\na: 1"), { a: 1 });
    assert.deepEqual(parseYamlMapping("9a: 1"), { "9a": 1 }, "a key the flat reader refuses goes to the library");
    assert.deepEqual(parseYamlMapping("a:b"), {}, "no space after the colon: no key");
    assert.deepEqual(parseYamlMapping("- 1"), {});
    assert.deepEqual(parseYamlMapping("x"), {}, "a bare scalar is no mapping");
    assert.deepEqual(parseDocument("---\na: 1\n---   \nrest").frontmatter, { a: 1 });
    assert.deepEqual(parseDocument("---\na: 1\n---x\nrest"), { frontmatter: {}, body: "---\na: 1\n---x\nrest", hasFrontmatter: false });
    assert.deepEqual(parseDocument("---\na: 1\n---\r\n\r\nbody"), { frontmatter: { a: 1 }, body: "body", hasFrontmatter: true });
    assert.equal(parseDocument("---\na: 1\n---\n\n\nbody").body, "\nbody", "one blank line after the frontmatter is dropped");
  });

  it("REQ-META-001: only plain values stay unquoted", () => {
    for (const plain of ["Plain", "9 lives", "(x)", "a-b", "a.b", "x y z", "a/b"]) assert.equal(yamlScalar(plain), plain, plain);
    for (const quoted of ["", " lead", "trail ", "a: b", "#x", "a#b", "it's", 'say "x"', "-x", "[x]", "yes", "No", "ON", "off", "~", "12", "-1.5", "TRUE", "null", "a\tb", "a\nb", "a\rb"]) {
      assert.equal(yamlScalar(quoted), JSON.stringify(quoted), quoted);
    }
    assert.equal(serializeDocument({}, "body"), "---\n---\n\nbody");
    assert.equal(serializeDocument({ title: 12, revision_summary: undefined }, "\n\n\nbody"), '---\ntitle: "12"\n---\n\nbody');
  });
});
