/**
 * Compatibility with a project written by the Python QMS tool (shared/fixtures/python-era-project, see its
 * FIXTURE.md): every document opens for every user with every query command, `status` agrees with the
 * `.meta` files, and the CLI continues each workflow where the Python tool left it. Legacy audit lines and
 * archives are never rewritten: audit files only grow by appended lines.
 *
 * The workflow parts use the lifecycle services (checkout, checkin, route, review, approve, release).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { comments } from "../src/services/comments.js";
import { makeContext } from "../src/services/context.js";
import { history } from "../src/services/history.js";
import { read } from "../src/services/read.js";
import { status } from "../src/services/status.js";
import { audit, copyFixture, FIXTURE, listInbox, meta, qms, type RunResult, snapshotTree, statusFields } from "./helpers.js";

const USERS = ["lead", "claude", "qa", "tu_ui"];

/** A fixture copy we can write to (the shared fixture is read-only on disk and cpSync keeps the modes). */
const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function fixtureCopy(): string {
  const root = copyFixture();
  made.push(root);
  const chmod = (p: string): void => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) chmod(path.join(p, e));
  };
  chmod(root);
  return root;
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.out}`);
  return r;
}


/** Every document under QMS/ (dot folders excluded), ID from the file name without `.md` / `-draft.md`. */
function documentIds(root: string): string[] {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(".")) continue;
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith(".md")) ids.add(e.name.replace(/(-draft)?\.md$/, ""));
    }
  };
  walk(path.join(root, "QMS"));
  return [...ids].sort();
}

/** `.meta/{TYPE}/{ID}.json` located by file name (the type key is the folder). */
function metaFileOf(root: string, id: string): string | undefined {
  const metaRoot = path.join(root, "QMS", ".meta");
  for (const type of fs.readdirSync(metaRoot)) {
    const file = path.join(metaRoot, type, `${id}.json`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** Every audit file of the original fixture is a byte-prefix of the same file in `root` (append-only). */
function assertAuditAppendOnly(root: string): void {
  const auditRoot = path.join(FIXTURE, "QMS", ".audit");
  for (const type of fs.readdirSync(auditRoot)) {
    for (const file of fs.readdirSync(path.join(auditRoot, type))) {
      const original = fs.readFileSync(path.join(auditRoot, type, file));
      const now = fs.readFileSync(path.join(root, "QMS", ".audit", type, file));
      assert.ok(now.subarray(0, original.length).equals(original), `${type}/${file} was rewritten, not appended to`);
    }
  }
}

/** Every archive of the original fixture is still there, byte for byte. */
function assertArchivesUntouched(root: string): void {
  const walk = (rel: string): void => {
    const dir = path.join(FIXTURE, rel);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else assert.ok(fs.readFileSync(path.join(root, r)).equals(fs.readFileSync(path.join(FIXTURE, r))), `archive ${r} changed`);
    }
  };
  walk(path.join("QMS", ".archive"));
}

// ---------------------------------------------------------------------------------------------------------
describe("every Python-era document opens for every user", () => {
  let root = "";
  let ids: string[] = [];
  before(() => {
    root = fixtureCopy();
    ids = documentIds(root);
  });

  it("finds the documents of FIXTURE.md", () => {
    for (const id of ["SOP-001", "SOP-007", "SOP-008", "SOP-009", "CR-001", "CR-002", "CR-002-TP-001", "CR-002-VAR-001", "CR-003", "INV-001", "TEMPLATE-CR", "TEMPLATE-TC"]) {
      assert.ok(ids.includes(id), `${id} not found under QMS/ (found ${ids.join(", ")})`);
    }
  });

  it("status, history, read and comments succeed for every document and user, change nothing, and status agrees with .meta", () => {
    const snapshot = snapshotTree(root);
    for (const [i, id] of ids.entries()) {
      const metaFile = metaFileOf(root, id);
      assert.ok(metaFile, `${id} has a .meta file in the fixture`);
      const m = JSON.parse(fs.readFileSync(metaFile, "utf8")) as Record<string, unknown>;
      const expected = {
        Document: id,
        Version: m.version,
        Status: m.status,
        "Responsible User": (m.responsible_user as string | null) ?? "N/A",
        "Checked Out": m.checked_out === true ? "True" : "False",
        Executable: m.executable === true ? "True" : "False",
      };
      // The real CLI, each document's four queries run by one of the users in turn (every user gets every
      // command on several documents) ...
      const user = USERS[i % USERS.length]!;
      const f = statusFields(ok(qms(root, user, "status", id), `${user}: status ${id}`).stdout);
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, f[k]])), expected, `${id}: status vs .meta`);
      const h = ok(qms(root, user, "history", id), `${user}: history ${id}`);
      assert.match(h.stdout, new RegExp(`^Audit History: ${id}\\n\\[`));
      const r = ok(qms(root, user, "read", id), `${user}: read ${id}`);
      assert.match(r.stdout, /^---\ntitle: /, `${id}: read prints the document`);
      ok(qms(root, user, "comments", id), `${user}: comments ${id}`);
      // ... and the same services in-process for every user (the CLI adds only argv parsing and printing).
      for (const u of USERS) {
        const ctx = makeContext(root, u);
        const st = status(ctx, { docId: id });
        assert.ok(st.ok, `${u}: status ${id}: ${JSON.stringify(st)}`);
        assert.deepEqual(
          [st.data.version, st.data.status, st.data.responsible_user, st.data.checked_out, st.data.executable],
          [m.version, m.status, m.responsible_user ?? null, m.checked_out === true, m.executable === true],
          `${u}: status ${id}`,
        );
        for (const res of [history(ctx, { docId: id }), read(ctx, { docId: id }), comments(ctx, { docId: id })]) {
          assert.ok(res.ok, `${u} on ${id}: ${JSON.stringify(res)}`);
        }
      }
    }
    assert.deepEqual(snapshotTree(root), snapshot, "queries write nothing");
  });

  it("REQ-QRY-002: status matches the Python tool's first lines (FIXTURE.md)", () => {
    const table = `
SOP-001 | 1.0 | EFFECTIVE | N/A | False
SOP-008 | 1.1 | DRAFT | claude | True
SOP-009 | 0.1 | IN_REVIEW | claude | False
CR-001 | 2.0 | CLOSED | N/A | False
CR-002 | 1.0 | IN_EXECUTION | claude | False
CR-002-TP-001 | 0.1 | DRAFT | claude | False
CR-002-VAR-001 | 0.1 | DRAFT | claude | True
INV-001 | 1.0 | PRE_APPROVED | claude | False
CR-003 | 0.1 | PRE_REVIEWED | claude | False`;
    for (const row of table.trim().split("\n")) {
      const [id, version, st, owner, checkedOut] = row.split(" | ");
      const f = statusFields(ok(qms(root, "qa", "status", id!), `status ${id}`).stdout);
      assert.deepEqual([f.Version, f.Status, f["Responsible User"], f["Checked Out"]], [version, st, owner, checkedOut], id);
    }
    const sop9 = statusFields(qms(root, "qa", "status", "SOP-009").stdout);
    assert.equal(sop9["Pending Reviewers"], "qa, tu_ui");
    assert.equal(statusFields(qms(root, "qa", "status", "SOP-008").stdout)["Effective Version"], "1.0");
  });

  it("REQ-QRY-005: inbox for every user: qa and tu_ui have the SOP-009 review, lead and claude nothing", () => {
    for (const user of ["qa", "tu_ui"]) {
      const out = ok(qms(root, user, "inbox"), `${user}: inbox`).stdout;
      assert.match(out, /\[REVIEW\] SOP-009 - Release Procedure\n {4}Workflow: REVIEW \| From: claude \| Date: 2026-11-24 \| Version: 0\.1/);
    }
    for (const user of ["lead", "claude"]) assert.equal(ok(qms(root, user, "inbox"), `${user}: inbox`).stdout, "Inbox is empty\n");
  });

  it("REQ-QRY-001, REQ-QRY-003, REQ-QRY-004, REQ-QRY-006: workspace, legacy history lines, comments and the read modes on Python-written files", () => {
    const ws = ok(qms(root, "claude", "workspace"), "workspace").stdout;
    assert.match(ws, /CR-002-VAR-001 - v0\.1 DRAFT - Unexpected lock timeout/);
    assert.match(ws, /SOP-008 - v1\.1 DRAFT - Coding Standards/);
    assert.equal(ok(qms(root, "qa", "workspace"), "workspace").stdout, "Workspace is empty\n");

    assert.match(
      ok(qms(root, "qa", "history", "SOP-001"), "history").stdout,
      /^Audit History: SOP-001\n\[2026-11-24T06:45:26\+00:00\] SEED by system - v1\.0 - EFFECTIVE - Document seeded during QMS initialization\n$/,
    );
    assert.match(ok(qms(root, "qa", "history", "SOP-008"), "history").stdout, /\] CHECKOUT by claude - v1\.1 \(from v1\.0\)\n$/);

    const cr1 = ok(qms(root, "tu_ui", "comments", "CR-001"), "comments").stdout;
    assert.match(cr1, /\[v0\.1\] qa \(REJECTED\) - 2026-11-24T06:45:29\+00:00\nMissing rollback plan\./);
    assert.match(cr1, /\[v1\.0\] qa \(RECOMMEND\) - .*\nAll EIs pass\./);
    assert.match(ok(qms(root, "tu_ui", "comments", "CR-003"), "comments").stdout, /\(UPDATES_REQUIRED\)[^\n]*\nSection 3 is empty\./);

    const same = (rel: string, r: RunResult): void => assert.equal(r.stdout, `${fs.readFileSync(path.join(root, rel), "utf8")}\n`, rel);
    same("QMS/SOP/SOP-008.md", ok(qms(root, "qa", "read", "SOP-008"), "read"));
    same("QMS/SOP/SOP-008-draft.md", ok(qms(root, "qa", "read", "SOP-008", "--draft"), "read --draft"));
    same("QMS/.archive/SOP/SOP-008-v0.1.md", ok(qms(root, "qa", "read", "SOP-008", "--version", "0.1"), "read --version 0.1"));
    same("QMS/.archive/CR/CR-001/CR-001-v1.0.md", ok(qms(root, "qa", "read", "CR-001", "--version", "1.0"), "read --version 1.0"));
    same("QMS/CR/CR-001/CR-001.md", ok(qms(root, "qa", "read", "CR-001", "--version", "2.0"), "read --version 2.0 (the closed file)"));
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("documents without .meta (pre-migration) open", () => {
  it("status/read/history of a seeded SOP whose .meta was deleted", () => {
    const root = fixtureCopy();
    fs.rmSync(path.join(root, "QMS/.meta/SOP/SOP-003.json"));
    const f = statusFields(ok(qms(root, "qa", "status", "SOP-003"), "status").stdout);
    assert.deepEqual([f.Version, f.Status, f["Responsible User"], f["Checked Out"], f.Location], ["1.0", "EFFECTIVE", "N/A", "False", "effective (QMS/SOP/SOP-003.md)"]);
    const r = ok(qms(root, "qa", "read", "SOP-003"), "read");
    assert.equal(r.stdout, `${fs.readFileSync(path.join(root, "QMS/SOP/SOP-003.md"), "utf8")}\n`);
    ok(qms(root, "qa", "history", "SOP-003"), "history");
    ok(qms(root, "qa", "comments", "SOP-003"), "comments");
  });
});

// ---------------------------------------------------------------------------------------------------------
describe("continuing the Python-era workflows with our CLI (lifecycle services)", () => {
  it("REQ-WF-004, REQ-WF-006: SOP-009: reviewed by qa and tu_ui, routed for approval, approved: EFFECTIVE 1.0", () => {
    const root = fixtureCopy();
    const auditBefore = fs.readFileSync(path.join(root, "QMS/.audit/SOP/SOP-009.jsonl"), "utf8");
    ok(qms(root, "qa", "review", "SOP-009", "--recommend", "--comment", "Checklist complete."), "qa review");
    assert.equal(meta(root, "SOP", "SOP-009").status, "IN_REVIEW", "still waiting for tu_ui");
    assert.deepEqual(listInbox(root, "qa"), [], "qa's task is done");
    ok(qms(root, "tu_ui", "review", "SOP-009", "--recommend", "--comment", "UI part fine."), "tu_ui review");
    assert.equal(meta(root, "SOP", "SOP-009").status, "REVIEWED");
    ok(qms(root, "claude", "route", "SOP-009", "--approval"), "route approval");
    ok(qms(root, "qa", "approve", "SOP-009"), "approve");
    const m = meta(root, "SOP", "SOP-009");
    assert.deepEqual([m.status, m.version, m.effective_version, m.responsible_user], ["EFFECTIVE", "1.0", "1.0", null]);
    assert.ok(fs.existsSync(path.join(root, "QMS/SOP/SOP-009.md")));
    assert.ok(!fs.existsSync(path.join(root, "QMS/SOP/SOP-009-draft.md")));
    assert.ok(fs.existsSync(path.join(root, "QMS/.archive/SOP/SOP-009-v0.1.md")), "draft archived at 0.1");
    const auditNow = fs.readFileSync(path.join(root, "QMS/.audit/SOP/SOP-009.jsonl"), "utf8");
    assert.ok(auditNow.startsWith(auditBefore), "the Python-written lines stay byte-for-byte");
    const added = audit(root, "SOP", "SOP-009").slice(auditBefore.trim().split("\n").length).map((e) => e.event);
    assert.deepEqual(added.slice(0, 2), ["REVIEW", "REVIEW"]);
    assert.ok(added.includes("APPROVE") && added.includes("EFFECTIVE"), added.join(","));
    assert.match(ok(qms(root, "lead", "comments", "SOP-009"), "comments").stdout, /Checklist complete\.[\s\S]*UI part fine\./);
    assertAuditAppendOnly(root);
    assertArchivesUntouched(root);
  });

  it("REQ-WF-005: CR-003: approval routing is refused by the gate (UPDATES_REQUIRED on record), nothing changes", () => {
    const root = fixtureCopy();
    const snapshot = snapshotTree(root);
    const r = qms(root, "claude", "route", "CR-003", "--approval");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /qa requested updates/);
    assert.deepEqual(snapshotTree(root), snapshot);
  });

  it("REQ-WF-021: CR-002: checkout during execution gives IN_EXECUTION 1.1", () => {
    const root = fixtureCopy();
    ok(qms(root, "claude", "checkout", "CR-002"), "checkout");
    const m = meta(root, "CR", "CR-002");
    assert.deepEqual([m.status, m.version, m.checked_out, m.responsible_user], ["IN_EXECUTION", "1.1", true, "claude"]);
    const last = audit(root, "CR", "CR-002").at(-1)!;
    assert.deepEqual([last.event, last.version], ["CHECKOUT", "1.0"], "CHECKOUT logs the version checked out");
    assert.ok(fs.existsSync(path.join(root, ".claude/users/claude/workspace/CR-002.md")));
    assert.match(ok(qms(root, "claude", "workspace"), "workspace").stdout, /CR-002 - v1\.1 IN_EXECUTION/);
    assertAuditAppendOnly(root);
  });

  it("REQ-WF-006: SOP-008: checkin of the 1.1 revision, review, approval: EFFECTIVE 2.0, v1.0 archive untouched", () => {
    const root = fixtureCopy();
    fs.appendFileSync(path.join(root, ".claude/users/claude/workspace/SOP-008.md"), "\nRevision 1.1 text.\n");
    ok(qms(root, "claude", "checkin", "SOP-008"), "checkin");
    // the Python era approved SOP-008 with its template placeholders still in: routing its revision needs the recorded override
    ok(qms(root, "claude", "route", "SOP-008", "--review", "--allow-placeholders"), "route review");
    ok(qms(root, "qa", "review", "SOP-008", "--recommend", "--comment", "Revision fine."), "review");
    ok(qms(root, "claude", "route", "SOP-008", "--approval"), "route approval");
    ok(qms(root, "qa", "approve", "SOP-008"), "approve");
    const m = meta(root, "SOP", "SOP-008");
    assert.deepEqual([m.status, m.version, m.effective_version, m.checked_out], ["EFFECTIVE", "2.0", "2.0", false]);
    assert.match(fs.readFileSync(path.join(root, "QMS/SOP/SOP-008.md"), "utf8"), /Revision 1\.1 text\./);
    assert.ok(!fs.existsSync(path.join(root, "QMS/SOP/SOP-008-draft.md")));
    assert.ok(fs.existsSync(path.join(root, "QMS/.archive/SOP/SOP-008-v1.1.md")), "approved draft archived at 1.1");
    assert.match(ok(qms(root, "qa", "read", "SOP-008", "--version", "1.0"), "read --version 1.0").stdout, /^---\ntitle: Coding Standards/);
    assert.match(ok(qms(root, "qa", "read", "SOP-008"), "read").stdout, /Revision 1\.1 text\./);
    assertAuditAppendOnly(root);
    assertArchivesUntouched(root);
  });

  it("REQ-WF-008: INV-001: release from PRE_APPROVED", () => {
    const root = fixtureCopy();
    ok(qms(root, "claude", "release", "INV-001"), "release");
    const m = meta(root, "INV", "INV-001");
    assert.deepEqual([m.status, m.version, m.execution_phase], ["IN_EXECUTION", "1.0", "post_release"]);
    assert.deepEqual(audit(root, "INV", "INV-001").slice(-2).map((e) => e.event), ["RELEASE", "STATUS_CHANGE"]);
    assertAuditAppendOnly(root);
  });

  it("REQ-DOC-004: create CR after the Python-era CRs gets CR-004", () => {
    const root = fixtureCopy();
    assert.match(ok(qms(root, "claude", "create", "CR", "--title", "Next change"), "create").stdout, /Created: CR-004 /);
    assert.ok(fs.existsSync(path.join(root, "QMS/CR/CR-004/CR-004-draft.md")));
    assert.equal(meta(root, "CR", "CR-004").status, "DRAFT");
    assertAuditAppendOnly(root);
  });
});
