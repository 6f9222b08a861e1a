import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseQuickQuery } from "../src/cli/fast-path.js";
import { closestMatches, didYouMean, editDistance, listWhenFew } from "../src/core/did-you-mean.js";
import { findPlaceholders } from "../src/core/placeholders.js";
import { parseMcpGet, registeredToken } from "../src/session/doctor-local.js";

describe("did you mean (src/core/did-you-mean.ts)", () => {
  test("REQ-UX-006: edit distance counts insertions, deletions, substitutions and adjacent swaps as one", () => {
    assert.equal(editDistance("qa", "qa"), 0);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("SOP-09", "SOP-009"), 1);
    assert.equal(editDistance("SPO", "SOP"), 1, "a swap is one edit");
    assert.equal(editDistance("kitten", "sitting"), 3);
  });

  test("REQ-UX-006: a case-only difference wins; otherwise only close names are suggested, best first", () => {
    assert.deepEqual(closestMatches("QA", ["lead", "claude", "qa", "tu"]), ["qa"]);
    assert.deepEqual(closestMatches("SOPP", ["SOP", "CR", "INV", "TP"]), ["SOP"]);
    assert.deepEqual(closestMatches("DOC", ["SOP", "CR", "INV"]), [], "two edits in three letters is not close");
    assert.deepEqual(closestMatches("SOP-01", ["SOP-001", "SOP-010", "CR-001"]), ["SOP-001", "SOP-010"]);
    assert.deepEqual(closestMatches("x".repeat(61), ["x".repeat(61)]), [], "long inputs get no suggestion");
    assert.equal(didYouMean("claud", ["claude", "lead"]), "Did you mean claude?");
    assert.equal(didYouMean("SOP-01", ["SOP-001", "SOP-010"]), "Did you mean SOP-001 or SOP-010?");
    assert.equal(didYouMean("zzz", ["claude"]), "");
    assert.equal(listWhenFew("Known users", ["a", "b"]), "Known users: a, b.");
    assert.equal(listWhenFew("Known users", Array.from({ length: 13 }, (_, i) => `u${i}`)), "");
  });
});

describe("template placeholders (src/core/placeholders.ts)", () => {
  const text = [
    "---",
    "title: {{TITLE}}",
    "---",
    "<!--",
    "PLACEHOLDERS {{LIKE_THIS}} [LIKE_THIS]",
    "-->",
    "## 1. Purpose",
    "{{PURPOSE: why}} and `{{inline code}}`",
    "```",
    "{{IN_A_FENCE}} [FENCED]",
    "```",
    "| EI-1 | [SUMMARY] | [Pass/Fail] | [PERFORMER] - [DATE] |",
    "- [X] done, [a link](http://x), [REF][1], [CR ID]",
    "<!-- one-line comment {{HIDDEN}} --> visible {{SHOWN}}",
  ].join("\n");

  test("REQ-UX-007: {{…}} and [UPPERCASE] markers are found with their line numbers; code, fences and comments are not content", () => {
    const all = findPlaceholders(text, { markers: true }).map((p) => `${p.line}:${p.text}`);
    assert.deepEqual(all, ["2:{{TITLE}}", "8:{{PURPOSE: why}}", "12:[SUMMARY]", "12:[PERFORMER]", "12:[DATE]", "13:[CR ID]", "14:{{SHOWN}}"]);
  });

  test("REQ-UX-007: without markers (an executable document before release) only {{…}} counts", () => {
    assert.deepEqual(
      findPlaceholders(text, { markers: false }).map((p) => p.text),
      ["{{TITLE}}", "{{PURPOSE: why}}", "{{SHOWN}}"],
    );
  });
});

describe("CLI fast path: list and --json", () => {
  test("REQ-UX-002, REQ-UX-003: list with its filters and --json on every query take the fast path; anything else does not", () => {
    assert.deepEqual(parseQuickQuery(["-u", "qa", "list"], ""), { name: "list", user: "qa" });
    assert.deepEqual(parseQuickQuery(["-u", "qa", "list", "--type", "SOP", "--mine", "--json"], ""), { name: "list", user: "qa", type: "SOP", mine: true, json: true });
    assert.deepEqual(parseQuickQuery(["status", "SOP-001", "--json"], "qa"), { name: "status", user: "qa", docId: "SOP-001", json: true });
    assert.deepEqual(parseQuickQuery(["read", "SOP-001", "--json", "--draft"], "qa"), { name: "read", user: "qa", docId: "SOP-001", json: true, draft: true });
    for (const argv of [
      ["list", "--type"],
      ["list", "--type", "SOP", "--type", "CR"],
      ["list", "--type", "--mine"],
      ["list", "--draft"],
      ["status", "SOP-001", "--mine"],
      ["status", "SOP-001", "--json", "--json"],
      ["inbox", "--user", "qa"],
    ]) {
      assert.equal(parseQuickQuery(argv, "qa"), undefined, argv.join(" "));
    }
  });
});

describe("doctor --local: reading `claude mcp get qms`", () => {
  test("REQ-UX-011: the registration's scope, type, URL and headers are read; the token comes from Authorization or X-API-Key", () => {
    const out = [
      "qms:",
      "  Scope: User config (available in all your projects)",
      "  Status: ✘ Failed to connect",
      "  Type: http",
      "  URL: http://127.0.0.1:8000/mcp",
      "  Headers:",
      "    X-API-Key: abc",
      "    Authorization: Bearer abc",
      "",
      "To remove this server, run: claude mcp remove qms -s user",
    ].join("\n");
    const reg = parseMcpGet(out)!;
    assert.equal(reg.type, "http");
    assert.equal(reg.url, "http://127.0.0.1:8000/mcp");
    assert.match(reg.scope, /^User config/);
    assert.deepEqual(reg.headers, { "X-API-Key": "abc", Authorization: "Bearer abc" });
    assert.equal(registeredToken(reg), "abc");
    assert.equal(registeredToken({ ...reg, headers: { "x-api-key": "k" } }), "k");
    assert.equal(registeredToken({ ...reg, headers: {} }), "");
    assert.equal(parseMcpGet('No MCP server named "qms".'), undefined);
  });
});
