import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { audit, makeHarnessProject, meta, qms, snapshotTree, tempDir } from "./helpers.js";

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function harness(): string {
  const root = makeHarnessProject();
  made.push(root);
  return root;
}

/** A project made by `qms init` (the seeded templates, with their placeholders). */
function initialized(): string {
  const root = tempDir("qms-newuser-");
  made.push(root);
  const r = qms(root, undefined, "init", "--yes");
  assert.equal(r.code, 0, r.out);
  return root;
}

function ok(root: string, user: string, ...args: string[]): string {
  const r = qms(root, user, ...args);
  assert.equal(r.code, 0, `${user} ${args.join(" ")}\n${r.out}`);
  return r.stdout;
}

function refused(root: string, user: string, ...args: string[]): string {
  const before = snapshotTree(root);
  const r = qms(root, user, ...args);
  assert.equal(r.code, 1, `${user} ${args.join(" ")} should be refused\n${r.out}`);
  assert.deepEqual(snapshotTree(root), before, "a refusal changes nothing");
  return r.out;
}

function effectiveSop(root: string): void {
  ok(root, "claude", "create", "SOP", "--title", "Procedure");
  ok(root, "claude", "route", "SOP-001", "--review");
  ok(root, "qa", "review", "SOP-001", "--recommend", "--comment", "fine");
  ok(root, "claude", "route", "SOP-001", "--approval");
  ok(root, "qa", "approve", "SOP-001");
}

const workspaceCopy = (root: string, user: string, id: string): string => path.join(root, ".claude", "users", user, "workspace", `${id}.md`);

describe("checkout --discard: abandoning a revision draft", () => {
  test("REQ-UX-004: the owner's checked-out N.1 draft of an EFFECTIVE SOP is dropped: back to EFFECTIVE 1.0, audited as DISCARD", () => {
    const root = harness();
    effectiveSop(root);
    const effectiveText = fs.readFileSync(path.join(root, "QMS/SOP/SOP-001.md"), "utf8");
    ok(root, "claude", "checkout", "SOP-001");
    fs.appendFileSync(workspaceCopy(root, "claude", "SOP-001"), "\nA change nobody wants.\n");
    // cancel points to discard for a v1.0+ revision draft
    const cancel = refused(root, "claude", "cancel", "SOP-001", "--confirm");
    assert.match(cancel, /only never-approved documents \(v0\.x\) can be cancelled/);
    assert.match(cancel, /To abandon this revision draft, discard it: qms --user claude checkout SOP-001 --discard/);
    assert.match(refused(root, "lead", "checkout", "SOP-001", "--discard"), /Only the owner .* may discard SOP-001; it is checked out by claude, not lead/);
    const out = ok(root, "claude", "checkout", "SOP-001", "--discard");
    assert.match(out, /Discarded: SOP-001 v1\.1 \(draft and workspace copy removed\)\nBack to: v1\.0 EFFECTIVE/);
    const m = meta(root, "SOP", "SOP-001");
    assert.deepEqual([m.status, m.version, m.checked_out, m.responsible_user, m.effective_version], ["EFFECTIVE", "1.0", false, null, "1.0"]);
    assert.ok(!fs.existsSync(path.join(root, "QMS/SOP/SOP-001-draft.md")), "draft removed");
    assert.ok(!fs.existsSync(workspaceCopy(root, "claude", "SOP-001")), "workspace copy removed");
    assert.equal(fs.readFileSync(path.join(root, "QMS/SOP/SOP-001.md"), "utf8"), effectiveText, "the text in force is untouched");
    const events = audit(root, "SOP", "SOP-001").slice(-2);
    assert.deepEqual(
      events.map((e) => [e.event, e.user, e.version, e.from_version ?? e.from_status, e.to_version ?? e.to_status]),
      [
        ["DISCARD", "claude", "1.0", "1.1", "1.0"],
        ["STATUS_CHANGE", "claude", "1.0", "DRAFT", "EFFECTIVE"],
      ],
    );
    assert.match(ok(root, "qa", "history", "SOP-001"), /DISCARD by claude - v1\.1 -> v1\.0/);
    // a new revision starts at 1.1 again, from the effective text
    ok(root, "claude", "checkout", "SOP-001");
    assert.equal(meta(root, "SOP", "SOP-001").version, "1.1");
  });

  test("REQ-UX-004: discard needs a checked-out revision: a v0.x document is cancelled instead, a checked-in draft is checked out first", () => {
    const root = harness();
    ok(root, "claude", "create", "SOP", "--title", "New");
    assert.match(refused(root, "claude", "checkout", "SOP-001", "--discard"), /never approved: there is no earlier version.*\nNext: A never-approved document is deleted instead \(once checked in\): qms --user claude cancel SOP-001 --confirm/);
    const other = harness();
    effectiveSop(other);
    ok(other, "claude", "checkout", "SOP-001");
    ok(other, "claude", "checkin", "SOP-001");
    const notOut = refused(other, "claude", "checkout", "SOP-001", "--discard");
    assert.match(notOut, /SOP-001 v1\.1 is not checked out/);
    assert.match(notOut, /Next: Check it out first, then run again: qms --user claude checkout SOP-001/);
    assert.match(refused(other, "claude", "cancel", "SOP-001"), /To abandon this revision draft, check it out, then discard it: qms --user claude checkout SOP-001 --discard/);
  });

  test("REQ-UX-004: a checked-out IN_EXECUTION N.X is discarded back to the version before the checkout, its draft untouched", () => {
    const root = harness();
    ok(root, "claude", "create", "CR", "--title", "A change");
    ok(root, "claude", "route", "CR-001", "--review");
    ok(root, "qa", "review", "CR-001", "--recommend", "--comment", "ok");
    ok(root, "claude", "route", "CR-001", "--approval");
    ok(root, "qa", "approve", "CR-001");
    ok(root, "claude", "release", "CR-001");
    const draft = path.join(root, "QMS/CR/CR-001/CR-001-draft.md");
    const text = fs.readFileSync(draft, "utf8");
    ok(root, "claude", "checkout", "CR-001");
    assert.equal(meta(root, "CR", "CR-001").version, "1.1");
    fs.appendFileSync(workspaceCopy(root, "claude", "CR-001"), "\nHalf-done execution notes.\n");
    assert.match(ok(root, "claude", "checkout", "CR-001", "--discard"), /Discarded: CR-001 v1\.1 \(workspace copy removed\)\nBack to: v1\.0 IN_EXECUTION/);
    const m = meta(root, "CR", "CR-001");
    assert.deepEqual([m.status, m.version, m.checked_out, m.responsible_user], ["IN_EXECUTION", "1.0", false, "claude"]);
    assert.equal(fs.readFileSync(draft, "utf8"), text);
    assert.deepEqual(audit(root, "CR", "CR-001").at(-1), { ...audit(root, "CR", "CR-001").at(-1), event: "DISCARD", from_version: "1.1", to_version: "1.0" });
  });
});

describe("route refuses template placeholders", () => {
  test("REQ-UX-007: a fresh SOP from the seeded template is refused with each placeholder and its line; --allow-placeholders routes it and is recorded", () => {
    const root = initialized();
    ok(root, "claude", "create", "SOP", "--title", "Code review");
    const copy = fs.readFileSync(workspaceCopy(root, "claude", "SOP-001"), "utf8").split("\n");
    const purposeLine = copy.findIndex((l) => l.startsWith("{{PURPOSE")) + 1;
    const out = refused(root, "claude", "route", "SOP-001", "--review");
    assert.match(out, /SOP-001 still contains \d+ template placeholders \(\.claude\/users\/claude\/workspace\/SOP-001\.md\); the template says none may remain when it is routed for review:/);
    assert.match(out, new RegExp(`  line ${purposeLine}: \\{\\{PURPOSE: why this procedure exists\\}\\}`));
    assert.doesNotMatch(out, /LIKE_THIS/, "the usage guide is an HTML comment, not content");
    assert.match(out, /Next: Fill them in \(or delete them\) in \.claude\/users\/claude\/workspace\/SOP-001\.md, then: qms --user claude route SOP-001 --review; or, to route it as it is \(recorded in the audit trail\): qms --user claude route SOP-001 --review --allow-placeholders/);
    ok(root, "claude", "route", "SOP-001", "--review", "--allow-placeholders");
    const route = audit(root, "SOP", "SOP-001").find((e) => e.event === "ROUTE_REVIEW")!;
    assert.equal(route.allow_placeholders, true);
    assert.ok(Array.isArray(route.placeholders) && (route.placeholders as string[]).includes(`line ${purposeLine}: {{PURPOSE: why this procedure exists}}`));
    assert.match(ok(root, "qa", "history", "SOP-001"), /ROUTE REVIEW by claude - v0\.1 - to: qa \(placeholders allowed: \d+\)/);
  });

  test("REQ-UX-007: a filled-in document routes; a CR keeps its [UPPERCASE] execution markers until release, then they must go; TEMPLATEs are exempt", () => {
    const root = initialized();
    ok(root, "claude", "create", "SOP", "--title", "Filled");
    fs.writeFileSync(workspaceCopy(root, "claude", "SOP-001"), "---\ntitle: Filled\nrevision_summary: Initial draft\n---\n\n# SOP-001: Filled\n\nUse `{{NAME}}` in code, it is fine.\n");
    ok(root, "claude", "route", "SOP-001", "--review");

    ok(root, "claude", "create", "CR", "--title", "A change");
    const cr = workspaceCopy(root, "claude", "CR-001");
    fs.writeFileSync(cr, fs.readFileSync(cr, "utf8").replace(/\{\{[^{}\n]*\}\}/g, "filled"));
    assert.match(fs.readFileSync(cr, "utf8"), /\[SUMMARY\]/);
    ok(root, "claude", "route", "CR-001", "--review");
    ok(root, "qa", "review", "CR-001", "--recommend", "--comment", "ok");
    ok(root, "claude", "route", "CR-001", "--approval");
    ok(root, "qa", "approve", "CR-001");
    ok(root, "claude", "release", "CR-001");
    ok(root, "claude", "checkout", "CR-001");
    const post = refused(root, "claude", "route", "CR-001", "--review");
    assert.match(post, /CR-001 still contains \d+ template placeholders/);
    assert.match(post, /line \d+: \[SUMMARY\]/);

    ok(root, "claude", "checkout", "TEMPLATE-SOP");
    ok(root, "claude", "route", "TEMPLATE-SOP", "--review");
  });
});

describe("refusals that say what to do", () => {
  test("REQ-UX-008: a reviewed document checked out and in again is refused for approval because its text changed since its review", () => {
    const root = harness();
    ok(root, "claude", "create", "SOP", "--title", "Procedure");
    ok(root, "claude", "route", "SOP-001", "--review");
    ok(root, "qa", "review", "SOP-001", "--recommend", "--comment", "fine");
    ok(root, "claude", "checkout", "SOP-001");
    const checkedOut = refused(root, "claude", "route", "SOP-001", "--approval");
    assert.match(checkedOut, /SOP-001 was reviewed \(last review by qa at v0\.1, \d{4}-\d\d-\d\d\), but it is checked out: routing checks it in/);
    ok(root, "claude", "checkin", "SOP-001");
    const out = refused(root, "claude", "route", "SOP-001", "--approval");
    assert.match(out, /SOP-001 was reviewed \(last review by qa at v0\.1, .*\), but it was checked out and checked in since: the text changed since its review/);
    assert.match(out, /Next: Route it for review again: qms --user claude route SOP-001 --review/);
    assert.doesNotMatch(out, /No reviews on record/);
    const never = harness();
    ok(never, "claude", "create", "SOP", "--title", "Never reviewed");
    assert.match(refused(never, "claude", "route", "SOP-001", "--approval"), /No reviews on record for SOP-001/);
  });

  test("REQ-UX-008: approving your own document says who approves it and how a quality user assigns one", () => {
    const root = harness();
    ok(root, "claude", "create", "SOP", "--title", "Mine");
    ok(root, "claude", "route", "SOP-001", "--review");
    ok(root, "qa", "review", "SOP-001", "--recommend", "--comment", "fine");
    ok(root, "claude", "route", "SOP-001", "--approval");
    const out = refused(root, "claude", "approve", "SOP-001");
    assert.match(out, /Permission denied: 'approve' requires group quality or reviewer; user 'claude' is in group 'administrator'\. You cannot approve your own document: that is for quality and reviewer users\./);
    assert.match(out, /Next: It waits for qa; ask them to run: qms --user qa approve SOP-001; or ask a quality user to add another approver: qms --user qa assign SOP-001 --assignees <approver>/);
    assert.doesNotMatch(out, /As an administrator you can/);
  });
});
