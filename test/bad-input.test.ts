import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeHarnessProject, qms, snapshotTree, tempDir } from "./helpers.js";

/** Every refused command must exit 1, say why, and leave the tree byte-for-byte unchanged. */
function refusedWithoutChange(root: string, user: string, args: string[], pattern: RegExp): void {
  const before = snapshotTree(root);
  const r = qms(root, user, ...args);
  assert.equal(r.code, 1, `expected exit 1 for ${args.join(" ").slice(0, 80)}: ${r.out.slice(0, 300)}`);
  assert.match(r.out, pattern);
  assert.match(r.out, /Next: |Valid types|must|Run /);
  assert.deepEqual(snapshotTree(root), before, `tree changed by ${args.join(" ").slice(0, 80)}`);
}

/** A bad command line exits 2, says what is missing, and changes nothing. */
function usageErrorWithoutChange(root: string, user: string, args: string[], pattern: RegExp): void {
  const before = snapshotTree(root);
  const r = qms(root, user, ...args);
  assert.equal(r.code, 2, `expected exit 2 for ${args.join(" ")}: ${r.out.slice(0, 300)}`);
  assert.match(r.stderr, pattern);
  assert.deepEqual(snapshotTree(root), before);
}

// NUL cannot travel through argv at all; the in-process test below covers it.
const HOSTILE_IDS = ["../x", "CR-001/../../etc", "/etc/passwd", "A".repeat(10_000), "..", "SOP-001/", "C:\\x", "sop 001", "SOP-1"];

describe("bad input is refused before any path is built", () => {
  const root = makeHarnessProject();
  qms(root, "claude", "create", "SOP", "--title", "existing");
  qms(root, "claude", "create", "CR", "--title", "existing");

  for (const id of HOSTILE_IDS) {
    for (const command of [["status"], ["read"], ["history"], ["checkout"], ["checkin"], ["route", "--review"], ["approve"], ["cancel", "--confirm"], ["close"]]) {
      const shown = JSON.stringify(id.slice(0, 20));
      it(`${command[0]} ${shown}`, () => {
        const args = [command[0]!, id, ...command.slice(1)];
        refusedWithoutChange(root, command[0] === "approve" ? "qa" : "claude", args, /Invalid document ID|not found/);
      });
    }
  }

  it("services refuse hostile IDs in-process too (NUL bytes, non-strings)", async () => {
    const { makeContext } = await import("../src/services/context.js");
    const { status } = await import("../src/services/status.js");
    const { checkout } = await import("../src/services/checkout.js");
    const ctx = makeContext(root, "claude");
    const before = snapshotTree(root);
    for (const id of ["SOP-001\u0000", "SOP-001\u0000/../../x", 42, null, undefined, { id: "SOP-001" }, ...HOSTILE_IDS]) {
      for (const result of [status(ctx, { docId: id as string }), checkout(ctx, { docId: id as string })]) {
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.code, "invalid-id", `${String(id).slice(0, 20)} -> ${result.message}`);
      }
    }
    assert.deepEqual(snapshotTree(root), before);
  });

  it("--parent traversal", () => refusedWithoutChange(root, "claude", ["create", "TP", "--parent", "../../etc", "--title", "x"], /Invalid document ID/));
  it("REQ-SEC-007: assignee traversal", () => refusedWithoutChange(root, "claude", ["route", "SOP-001", "--review", "--assign", "../../qa"], /unknown user/i));
  it("REQ-SEC-006: user traversal", () => refusedWithoutChange(root, "../lead", ["status", "SOP-001"], /Unknown user/));
  it("REQ-SEC-006: 10 kB user name", () => refusedWithoutChange(root, "u".repeat(10_000), ["inbox"], /Unknown user/));
  it("REQ-DOC-001: unknown type", () => refusedWithoutChange(root, "claude", ["create", "../SOP", "--title", "x"], /Unknown document type/));
  it("title with a line break", () => refusedWithoutChange(root, "claude", ["create", "SOP", "--title", "a\nb"], /--title/));
  it("10 kB title", () => refusedWithoutChange(root, "claude", ["create", "SOP", "--title", "t".repeat(10_000)], /--title/));
  it("template name traversal", () => refusedWithoutChange(root, "claude", ["create", "TEMPLATE", "--name", "../../x", "--title", "x"], /template name/i));
  // a required flag left out is a bad command line (exit 2), refused before anything runs (issue 9)
  it("review without an outcome", () => usageErrorWithoutChange(root, "qa", ["review", "SOP-001", "--comment", "x"], /--recommend or --request-updates/));
  it("reject without a comment", () => usageErrorWithoutChange(root, "qa", ["reject", "SOP-001"], /--comment/));
  it("route with neither --review nor --approval", () => usageErrorWithoutChange(root, "claude", ["route", "SOP-001"], /--review or --approval/));
  it("REQ-WF-001: wrong state: approve a DRAFT", () => refusedWithoutChange(root, "qa", ["approve", "SOP-001"], /not in approval/));
  it("REQ-WF-001: wrong state: release a DRAFT", () => refusedWithoutChange(root, "claude", ["release", "CR-001"], /PRE_APPROVED/));

  it("argument parse errors exit 2", () => {
    const r = qms(root, "claude", "route");
    assert.equal(r.code, 2);
    const r2 = qms(root, "claude", "frobnicate");
    assert.equal(r2.code, 2);
  });

  it("outside a project: a clear error naming init", () => {
    const outside = tempDir("qms-outside-");
    const r = qms(outside, "claude", "status", "SOP-001");
    assert.equal(r.code, 1);
    assert.match(r.out, /No QMS project found/);
    assert.match(r.out, /qms init/);
  });
});
