// The small pure helpers of src/core, exactly (issue #15: Stryker runs only in-process tests).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditTimestamp, isoDate } from "../src/core/audit-events.js";
import { closestMatches, didYouMean, editDistance, listWhenFew } from "../src/core/did-you-mean.js";
import { BASE_DOC_TYPES, creatableTypeKeys, sdlcTypeSpec } from "../src/core/doctypes.js";
import { isChildTypeKey, isFamilyRootType, NAMESPACE_PATTERN, TEMPLATE_NAME_PATTERN } from "../src/core/ids.js";
import { clearOwnership, clearReviewTracking, type DocMeta } from "../src/core/meta.js";
import { isLoopbackHost } from "../src/core/net.js";
import { HOST_ONLY_OPERATIONS, renderStepLine, step } from "../src/core/next.js";
import { describePlaceholder, findPlaceholders } from "../src/core/placeholders.js";
import { pythonJsonLine, pythonJsonPretty } from "../src/core/pyjson.js";
import { sha256Hex } from "../src/core/sha256.js";
import { TOKEN_LABEL_PATTERN, TOKEN_REFERENCE_PATTERN, USER_NAME_PATTERN } from "../src/core/users.js";
import { parseYaml } from "../src/core/yaml.js";

describe("small core helpers (in process)", () => {
  it("REQ-TOK-003: loopback is localhost, 127.0.0.0/8 and ::1 (bracketed or not, any case); nothing else", () => {
    for (const host of ["localhost", " LocalHost ", "127.0.0.1", "127.255.0.9", "::1", "[::1]", "::ffff:127.0.0.1", "[::FFFF:127.1.2.3]"]) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ["", "0.0.0.0", "128.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.1000", "x127.0.0.1", "localhost.example", "::2", "::ffff:10.0.0.1", "::ffff:127.0.0.1x", "1::1"]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it("REQ-USER-003, REQ-TOK-002: user names, token labels and token references follow their grammar", () => {
    for (const ok of ["a", "qa", "tu_ui", "Ab-9", `a${"b".repeat(63)}`]) assert.equal(USER_NAME_PATTERN.test(ok), true, ok);
    for (const bad of ["", "9a", "_a", "-a", "a b", "a/b", "a.b", `a${"b".repeat(64)}`, "a\n"]) assert.equal(USER_NAME_PATTERN.test(bad), false, bad);
    for (const ok of ["ci", "9", "my.label@host-1_x", `a${"b".repeat(63)}`]) assert.equal(TOKEN_LABEL_PATTERN.test(ok), true, ok);
    for (const bad of ["", ".a", "@a", "a b", "a/b", `a${"b".repeat(64)}`]) assert.equal(TOKEN_LABEL_PATTERN.test(bad), false, bad);
    for (const ok of ["label", "0a1b2c", `qms_${"A".repeat(20)}`, `qms_${"a-_".repeat(66)}ab`]) assert.equal(TOKEN_REFERENCE_PATTERN.test(ok), true, ok);
    for (const bad of ["", "qms_short!", `qms_${"a".repeat(19)}!`, `qms_${"a".repeat(201)}`, "a b", "x/../y"]) assert.equal(TOKEN_REFERENCE_PATTERN.test(bad), false, bad);
  });

  it("REQ-ITG-001: SHA-256 in hex of text and bytes; YAML parsed, malformed YAML throws", () => {
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(sha256Hex(new TextEncoder().encode("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(sha256Hex("abc"), sha256Hex(new Uint8Array([0x61, 0x62, 0x63])));
    assert.deepEqual(parseYaml("a: [1, 2]\nb:\n  c: x\n"), { a: [1, 2], b: { c: "x" } });
    assert.throws(() => parseYaml("a: [1\n"));
  });
});

describe("names, types and texts (in process)", () => {
  it("REQ-UX-006: edit distance counts insertions, deletions, substitutions and adjacent swaps", () => {
    assert.deepEqual(
      [["", ""], ["abc", ""], ["", "ab"], ["ab", "ba"], ["abc", "acb"], ["abcd", "badc"], ["ca", "abc"], ["a", "b"], ["ab", "abc"], ["abc", "xbc"], ["abcdef", "abdcef"], ["SOP", "sop"]].map(([a, b]) => editDistance(a!, b!)),
      [0, 3, 2, 1, 1, 2, 3, 1, 1, 1, 1, 3],
    );
  });

  it("REQ-UX-006: the closest names: same letters win, then within a third of the length (1 to 3), nearest then alphabetical", () => {
    assert.deepEqual(closestMatches("  qa ", ["QA", "Qa", "qa", "lead"]), ["QA", "Qa"], "the typed name itself is no suggestion; a case-insensitive match wins");
    assert.deepEqual(closestMatches("", ["a"]), []);
    assert.deepEqual(closestMatches("   ", ["a"]), []);
    assert.deepEqual(closestMatches("x".repeat(60), ["x".repeat(59)]), ["x".repeat(59)], "60 characters still get suggestions");
    assert.deepEqual(closestMatches("ab", ["ax", "zz", "b"]), ["ax", "b"], "short names: one edit");
    assert.deepEqual(closestMatches("abcdef", ["abcxyz", "abcxyf", "abcdxf", "abcdef1"]), ["abcdef1", "abcdxf", "abcxyf"], "six letters: two edits, nearest first then alphabetical");
    assert.deepEqual(closestMatches("abcdefghijkl", ["abcdefghixyz", "abcdefghiwyz", "abcdefwxyzkl"]), ["abcdefghiwyz", "abcdefghixyz"], "at most three edits however long");
    assert.deepEqual(closestMatches("sop-1", ["SOP-2", "SOP-3", "SOP-4", "SOP-5"]), ["SOP-2", "SOP-3", "SOP-4"], "at most three");
    assert.deepEqual(closestMatches("sop-1", ["SOP-2", "SOP-3"], 1), ["SOP-2"]);
    assert.deepEqual(closestMatches("ab", ["ab", "ab"]), []);
    assert.deepEqual(closestMatches("aa", ["ab", "ab", "ac"]), ["ab", "ac"], "duplicates once");
    assert.deepEqual(closestMatches("aaa", ["a".repeat(121), "aab"]), ["aab"], "very long candidates are skipped");
    assert.equal(didYouMean("sop-1", ["SOP-2", "SOP-3", "SOP-4"]), "Did you mean SOP-2, SOP-3 or SOP-4?");
    assert.equal(listWhenFew("Types", []), "");
    assert.equal(listWhenFew("Types", ["a", "b", "c"], 3), "Types: a, b, c.");
    assert.equal(listWhenFew("Types", ["a", "b", "c"], 2), "");
    assert.equal(listWhenFew("Users", Array.from({ length: 12 }, (_, i) => `u${i}`)).startsWith("Users: u0, u1"), true, "twelve is still few");
  });

  it("REQ-UX-007: placeholders: fences of either kind close only with a long enough fence of the same kind; comments span lines", () => {
    const found = (lines: string[], markers = true) => findPlaceholders(lines.join("\n"), { markers }).map((p) => `${p.line}:${p.kind}:${p.text}`);
    assert.deepEqual(found(["~~~~", "{{A}}", "~~~", "```", "{{B}}", "~~~~~", "{{C}}"]), ["7:drafting:{{C}}"]);
    assert.deepEqual(found(["```", "{{A}}", "```x", "{{B}}", "```", "{{C}}"]), ["6:drafting:{{C}}"], "a fence line with text after it does not close");
    assert.deepEqual(found(["    ```", "{{A}}"]), ["2:drafting:{{A}}"], "four spaces of indent is no fence");
    assert.deepEqual(found(["   ```", "{{A}}", "   ```  ", "{{B}}"]), ["4:drafting:{{B}}"]);
    assert.deepEqual(found(["a <!-- {{A}}", "{{B}} --> {{C}} <!-- x --> {{D}} <!-- {{E}}", "```", "{{F}} -->", "{{G}}"]), ["2:drafting:{{C}}", "2:drafting:{{D}}", "5:drafting:{{G}}"], "a fence inside a comment is comment");
    assert.deepEqual(found(["`{{A}}` ``{{B}}`` {{C}} `{{D}}"]), ["1:drafting:{{C}}", "1:drafting:{{D}}"], "an unclosed backtick hides nothing");
    assert.deepEqual(found(["[AB] [A] [A1] [AB](x) [AB][r] [AB]: u [Ab] [AB_] [A B] {{x}} [CD]"]), ["1:drafting:{{x}}", "1:execution:[AB]", "1:execution:[A1]", "1:execution:[AB_]", "1:execution:[A B]", "1:execution:[CD]"]);
    assert.deepEqual(found(["[AB] {{x}}", "{{y}}\r", "{{a{b}}"], false), ["1:drafting:{{x}}", "2:drafting:{{y}}"]);
    assert.deepEqual(found(["{{}}", "{{a\nb}}"]), ["1:drafting:{{}}"]);
    assert.deepEqual(findPlaceholders("x\r\n{{A}}", { markers: true }), [{ line: 2, text: "{{A}}", kind: "drafting" }]);
    assert.equal(describePlaceholder({ line: 3, text: "{{A}}", kind: "drafting" }), "line 3: {{A}}");
    const long = `{{${"x".repeat(70)}}}`;
    assert.equal(describePlaceholder({ line: 1, text: long, kind: "drafting" }), `line 1: ${long.slice(0, 67)}…}}`);
    const seventy = `{{${"x".repeat(66)}}}`;
    assert.equal(describePlaceholder({ line: 1, text: seventy, kind: "drafting" }), `line 1: ${seventy}`, "70 characters are shown whole");
  });

  it("REQ-CFG-005: the type registry and the SDLC types of each namespace", () => {
    assert.deepEqual(sdlcTypeSpec("QMS", "RS", "SDLC-QMS"), { key: "QMS-RS", executable: false, path: "SDLC-QMS", singleton: true });
    assert.deepEqual(creatableTypeKeys({ QMS: { path: "x" }, FLOW: { path: "y" } }), ["SOP", "CR", "INV", "TP", "ER", "VAR", "ADD", "VR", "TEMPLATE", "QMS-RS", "QMS-RTM", "FLOW-RS", "FLOW-RTM"]);
    assert.deepEqual(creatableTypeKeys({}), Object.keys(BASE_DOC_TYPES));
    assert.deepEqual([isChildTypeKey("VR"), isChildTypeKey("CR"), isFamilyRootType("INV"), isFamilyRootType("TP")], [true, false, true, false]);
    for (const ok of ["A", "QMS_2", `A${"B".repeat(29)}`]) assert.equal(NAMESPACE_PATTERN.test(ok), true, ok);
    for (const bad of ["", "1A", "a", "A-B", `A${"B".repeat(30)}`]) assert.equal(NAMESPACE_PATTERN.test(bad), false, bad);
    for (const ok of ["CR", "1X", `A${"B".repeat(39)}`]) assert.equal(TEMPLATE_NAME_PATTERN.test(ok), true, ok);
    for (const bad of ["", "_X", "cr", `A${"B".repeat(40)}`]) assert.equal(TEMPLATE_NAME_PATTERN.test(bad), false, bad);
  });

  it("REQ-AUDIT-002: audit timestamps are UTC seconds with +00:00; dates are the UTC day", () => {
    assert.equal(auditTimestamp(new Date("2026-03-01T23:59:59.999Z")), "2026-03-01T23:59:59+00:00");
    assert.equal(isoDate(new Date("2026-03-01T23:59:59.999Z")), "2026-03-01");
  });

  it("REQ-AUDIT-001: JSON in the Python layout: separators, escaped non-ASCII, undefined fields dropped, pretty with two spaces", () => {
    assert.equal(pythonJsonLine({ a: 1, b: [1, "é", null, { c: true }], d: undefined, e: "\u007f~" }), '{"a": 1, "b": [1, "\\u00e9", null, {"c": true}], "e": "\\u007f~"}');
    assert.equal(pythonJsonLine([]), "[]");
    assert.equal(pythonJsonLine({}), "{}");
    assert.equal(pythonJsonLine(undefined), "null");
    assert.equal(pythonJsonLine("€"), '"\\u20ac"');
    assert.equal(pythonJsonPretty({ a: [1], t: "ü" }), '{\n  "a": [\n    1\n  ],\n  "t": "\\u00fc"\n}');
  });

  it("REQ-WF-018: a new round clears the review tracking; ownership is cleared with the checkout", () => {
    const meta = (): DocMeta => ({ doc_id: "SOP-001", doc_type: "SOP", version: "0.1", status: "IN_REVIEW", executable: false, responsible_user: "claude", checked_out: true, checked_out_date: "d", pending_assignees: ["qa"], review_outcomes: { qa: "RECOMMEND" }, completed_reviewers: ["tu"] });
    const m = meta();
    clearReviewTracking(m);
    assert.deepEqual([m.pending_assignees, m.review_outcomes, m.completed_reviewers, "pending_reviewers" in m], [[], {}, [], false]);
    const kept = { ...meta(), pending_reviewers: ["x"] };
    clearReviewTracking(kept, true);
    assert.deepEqual([kept.pending_assignees, kept.review_outcomes, kept.completed_reviewers, kept.pending_reviewers], [[], { qa: "RECOMMEND" }, [], []]);
    const o = meta();
    clearOwnership(o);
    assert.deepEqual([o.responsible_user, o.checked_out, o.checked_out_date], [null, false, null]);
  });

  it("REQ-NEXT-001: a step carries only what it was given; its line is lead: step", () => {
    assert.deepEqual(step("status"), { action: "status" });
    assert.deepEqual(step("route", "SOP-001", { args: { route_type: "review" }, user: "claude", lead: "Then" }), { action: "route", doc_id: "SOP-001", args: { route_type: "review" }, user: "claude", lead: "Then" });
    assert.deepEqual(step("route", "", { user: "", lead: "" }), { action: "route", doc_id: "", user: "", lead: "" });
    assert.equal(renderStepLine(step("inbox", undefined, { lead: "See" }), () => "X"), "See: X");
    assert.equal(renderStepLine(step("inbox", undefined, { lead: "" }), () => "X"), "X");
    assert.deepEqual(HOST_ONLY_OPERATIONS, ["user", "namespace", "init", "token", "mcp"]);
  });
});
