// The small pure helpers of src/core, exactly (issue #15: Stryker runs only in-process tests).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLoopbackHost } from "../src/core/net.js";
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
