import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { canonicalJson, chainEvents, checkChain, EMPTY_CHAIN, eventHash, sha256Hex } from "../src/core/audit-chain.js";
import type { AuditEvent } from "../src/core/audit-events.js";
import { replay } from "../src/core/replay.js";
import { makeContext } from "../src/services/context.js";
import { verify, type VerifyData } from "../src/services/verify.js";
import { Project } from "../src/store/project.js";
import { call, httpClient } from "./fixtures-mcp/harness.js";
import { auditFile, auditLines, copyProject, lifecycleProject, writeAuditLines } from "./fixtures-integrity/lifecycle.js";
import { copyFixture, qms } from "./helpers.js";

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});
function keep(dir: string): string {
  temps.push(dir);
  return dir;
}

function verified(root: string, ...docIds: string[]): VerifyData {
  const r = verify(makeContext(new Project(root), "qa"), { docIds });
  assert.ok(r.ok, r.ok ? "" : r.message);
  return r.data;
}

describe("REQ-ITG-001: the hash chain", () => {
  test("REQ-ITG-001: canonical JSON sorts keys at every level, drops whitespace and keeps UTF-8", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, "é"], c: null } }), '{"a":{"c":null,"d":[1,"é"]},"b":1}');
    assert.equal(eventHash({ a: 1, hash: "x" }), sha256Hex('{"a":1}'));
  });

  test("REQ-ITG-001: a new file chains from the hash of nothing; the first chained line after a legacy prefix from the prefix's bytes", () => {
    const fresh = chainEvents([{ ts: "t", event: "CREATE" }, { ts: "t", event: "CHECKIN" }], EMPTY_CHAIN);
    const parsed = fresh.lines.map((l) => JSON.parse(l) as Record<string, string>);
    assert.equal(parsed[0]!.prev, EMPTY_CHAIN);
    assert.equal(parsed[1]!.prev, parsed[0]!.hash);
    assert.equal(fresh.head, parsed[1]!.hash);
    assert.match(fresh.lines[0]!, /^\{"ts": "t", "event": "CREATE", "prev": "[0-9a-f]{64}", "hash": "[0-9a-f]{64}"\}$/, "the Python tool's separators");
    const legacy = '{"timestamp": "2026-11-24T06:45:26.698374+00:00", "action": "seed", "user": "system"}\n';
    const chained = chainEvents([{ ts: "t", event: "CHECKOUT" }], sha256Hex(legacy));
    const file = Buffer.from(legacy + chained.lines.join("\n") + "\n");
    assert.deepEqual(checkChain(file).findings, []);
    const edited = Buffer.from(legacy.replace("system", "systen") + chained.lines.join("\n") + "\n");
    assert.deepEqual(checkChain(edited).findings.map((f) => [f.line, f.problem]), [[2, "prefix-changed"]]);
  });

  test("REQ-ITG-001: the lines we append carry prev and hash and keep the Python-era layout", () => {
    const root = keep(lifecycleProject());
    const lines = auditLines(root, "SOP", "SOP-001");
    for (const line of lines) assert.match(line, /^\{"ts": "[^"]+", "event": "[A-Z_]+", "user": "[a-z]+", "version": "\d+\.\d+".*, "prev": "[0-9a-f]{64}", "hash": "[0-9a-f]{64}"\}$/);
    assert.deepEqual(checkChain(fs.readFileSync(auditFile(root, "SOP", "SOP-001"))).findings, []);
  });
});

describe("REQ-ITG-002: the trail replays to the meta", () => {
  test("REQ-ITG-002: a checkin of a REVIEWED document writes the STATUS_CHANGE the Python tool left out; replay gives the meta", () => {
    const root = keep(lifecycleProject());
    const events = auditLines(root, "SOP", "SOP-003").map((l) => JSON.parse(l) as AuditEvent);
    const checkinAt = events.findIndex((e) => e.event === "CHECKIN" && events.slice(0, events.indexOf(e)).some((x) => x.event === "REVIEW"));
    assert.deepEqual(
      { event: events[checkinAt + 1]!.event, from: events[checkinAt + 1]!.from_status, to: events[checkinAt + 1]!.to_status },
      { event: "STATUS_CHANGE", from: "REVIEWED", to: "DRAFT" },
    );
    const project = new Project(root);
    for (const [type, id] of [["SOP", "SOP-001"], ["SOP", "SOP-002"], ["SOP", "SOP-003"], ["SOP", "SOP-004"], ["CR", "CR-001"], ["CR", "CR-002"], ["CR", "CR-003"]] as const) {
      const meta = project.readMeta(project.parseId(id))!;
      const trail = project.readAudit(project.parseId(id))!;
      const { state, problems } = replay(trail, { createStatus: "DRAFT" });
      assert.deepEqual(problems, [], id);
      assert.deepEqual(state, { status: meta.status, version: meta.version, responsible_user: meta.responsible_user, checked_out: meta.checked_out }, `${type}/${id}`);
    }
  });

  test("REQ-ITG-002: a checkout during execution records the version it moves to", () => {
    const root = keep(lifecycleProject());
    const checkout = auditLines(root, "CR", "CR-002").map((l) => JSON.parse(l) as AuditEvent).filter((e) => e.event === "CHECKOUT").pop()!;
    assert.deepEqual([checkout.version, checkout.to_version], ["1.0", "1.1"]);
  });

  test("REQ-ITG-002: the Python tool's silent transitions replay too (checkout of EFFECTIVE, seeded documents)", () => {
    const root = keep(copyFixture());
    const project = new Project(root);
    for (const id of ["SOP-001", "SOP-008", "CR-001", "CR-002", "CR-002-VAR-001", "INV-001", "TEMPLATE-CR"]) {
      const doc = project.parseId(id);
      const meta = project.readMeta(doc)!;
      const { state } = replay(project.readAudit(doc)!, { createStatus: "DRAFT" });
      assert.deepEqual(state, { status: meta.status, version: meta.version, responsible_user: meta.responsible_user, checked_out: meta.checked_out }, id);
    }
  });
});

describe("REQ-ITG-003: qms verify on untouched and tampered copies", () => {
  let original = "";
  before(() => {
    original = keep(lifecycleProject());
  });

  test("REQ-ITG-003: an untouched project verifies clean (exit 0), ours and the Python tool's", () => {
    const r = qms(original, "qa", "verify");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Verified \d+ documents: the record is intact\./);
    const fixture = keep(copyFixture());
    const f = qms(fixture, "qa", "verify");
    assert.equal(f.code, 0, f.out);
    assert.match(f.out, /Verified 22 documents: the record is intact\./);
  });

  const cases: Array<{ name: string; tamper: (root: string) => void; doc: string; file: RegExp; line?: number; what: RegExp }> = [
    {
      name: "one character of an audit line edited",
      tamper: (r) => {
        const lines = auditLines(r, "SOP", "SOP-001");
        lines[3] = lines[3]!.replace('"user": "claude"', '"user": "claudf"');
        writeAuditLines(r, "SOP", "SOP-001", lines);
      },
      doc: "SOP-001",
      file: /QMS\/\.audit\/SOP\/SOP-001\.jsonl/,
      line: 4,
      what: /line 4 was edited/,
    },
    {
      name: "a space of an audit line edited",
      tamper: (r) => {
        const lines = auditLines(r, "CR", "CR-001");
        lines[6] = lines[6]!.replace('", "user"', '",  "user"');
        writeAuditLines(r, "CR", "CR-001", lines);
      },
      doc: "CR-001",
      file: /CR-001\.jsonl/,
      line: 7,
      what: /re-written by hand/,
    },
    {
      name: "a middle line deleted",
      tamper: (r) => writeAuditLines(r, "SOP", "SOP-001", auditLines(r, "SOP", "SOP-001").filter((_, i) => i !== 5)),
      doc: "SOP-001",
      file: /SOP-001\.jsonl/,
      line: 6,
      what: /missing/,
    },
    {
      name: "two lines swapped",
      tamper: (r) => {
        const lines = auditLines(r, "CR", "CR-001");
        [lines[4], lines[5]] = [lines[5]!, lines[4]!];
        writeAuditLines(r, "CR", "CR-001", lines);
      },
      doc: "CR-001",
      file: /CR-001\.jsonl/,
      line: 5,
      what: /out of order/,
    },
    {
      name: "the tail truncated",
      tamper: (r) => writeAuditLines(r, "SOP", "SOP-002", auditLines(r, "SOP", "SOP-002").slice(0, -1)),
      doc: "SOP-002",
      file: /SOP-002\.jsonl/,
      what: /truncated/,
    },
    {
      name: "a whole audit file replaced by a consistent-looking one",
      tamper: (r) => {
        const lines = auditLines(r, "SOP", "SOP-004").map((l) => JSON.parse(l) as Record<string, unknown>);
        lines[lines.length - 2]!.comment = "forged";
        const forged = chainEvents(lines, EMPTY_CHAIN);
        writeAuditLines(r, "SOP", "SOP-004", forged.lines);
        assert.deepEqual(checkChain(fs.readFileSync(auditFile(r, "SOP", "SOP-004"))).findings, [], "the forgery is a valid chain");
      },
      doc: "SOP-004",
      file: /SOP-004\.jsonl/,
      what: /rewritten/,
    },
    {
      name: "a meta status edited",
      tamper: (r) => {
        const file = path.join(r, "QMS/.meta/SOP/SOP-002.json");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"IN_REVIEW"', '"REVIEWED"'));
      },
      doc: "SOP-002",
      file: /QMS\/\.meta\/SOP\/SOP-002\.json/,
      what: /meta disagrees with its audit trail: status REVIEWED \(the trail says IN_REVIEW\)/,
    },
    {
      name: "an archive file deleted",
      tamper: (r) => fs.rmSync(path.join(r, "QMS/.archive/CR/CR-001/CR-001-v1.0.md")),
      doc: "CR-001",
      file: /QMS\/\.archive\/CR\/CR-001\/CR-001-v1\.0\.md/,
      what: /archived text of v1\.0 is missing/,
    },
    {
      name: "a temp file left",
      tamper: (r) => fs.writeFileSync(path.join(r, "QMS/.meta/SOP/.SOP-001.json.999999.3.tmp"), "{"),
      doc: "SOP-001",
      file: /QMS\/\.meta\/SOP\/\.SOP-001\.json\.999999\.3\.tmp/,
      what: /temp file left by an interrupted write/,
    },
    {
      name: "a task file deleted",
      tamper: (r) => fs.rmSync(path.join(r, ".claude/users/qa/inbox/task-SOP-002-review-v0-1.md")),
      doc: "SOP-002",
      file: /inbox\/task-SOP-002-review-v0-1\.md/,
      what: /pending reviewer but has no task/,
    },
    {
      name: "a workspace copy deleted while checked out",
      tamper: (r) => fs.rmSync(path.join(r, ".claude/users/claude/workspace/CR-002.md")),
      doc: "CR-002",
      file: /workspace\/CR-002\.md/,
      what: /checked out to claude, but claude's workspace has no copy/,
    },
    {
      name: "a draft without meta",
      tamper: (r) => fs.writeFileSync(path.join(r, "QMS/SOP/SOP-009-draft.md"), "---\ntitle: x\n---\n"),
      doc: "SOP-009",
      file: /QMS\/SOP\/SOP-009-draft\.md/,
      what: /document file without a meta file/,
    },
    {
      name: "a torn last line",
      tamper: (r) => fs.appendFileSync(auditFile(r, "SOP", "SOP-003"), '{"ts": "2026'),
      doc: "SOP-003",
      file: /SOP-003\.jsonl/,
      what: /incomplete/,
    },
  ];

  for (const c of cases) {
    test(`REQ-ITG-003, REQ-ITG-004, REQ-ITG-005, REQ-ITG-006: ${c.name} is reported with its document and line, exit 1`, () => {
      const copy = keep(copyProject(original));
      c.tamper(copy);
      const r = qms(copy, "qa", "verify");
      assert.equal(r.code, 1, r.out);
      assert.doesNotMatch(r.out, /at .+\.js:\d+/, "no stack trace");
      const data = verified(copy);
      const hit = data.findings.find((f) => f.doc_id === c.doc && c.file.test(f.file ?? "") && c.what.test(f.what));
      assert.ok(hit, `expected a finding for ${c.doc} ${c.file}: ${JSON.stringify(data.findings, null, 1)}`);
      if (c.line !== undefined) assert.equal(hit.line, c.line);
      const shown = `${hit.doc_id}  ${hit.file}${hit.line !== undefined ? `:${hit.line}` : ""}  `;
      assert.ok(r.stdout.includes(shown), `the report line names document, file and line: ${shown}\n${r.stdout}`);
    });
  }

  test("REQ-ITG-005: --json prints the findings as data; naming documents checks only those", () => {
    const copy = keep(copyProject(original));
    fs.rmSync(path.join(copy, "QMS/.archive/CR/CR-001/CR-001-v1.0.md"));
    const r = qms(copy, "qa", "verify", "--json");
    assert.equal(r.code, 1);
    const data = JSON.parse(r.stdout) as VerifyData;
    assert.equal(data.ok, false);
    assert.deepEqual(data.findings.map((f) => [f.check, f.doc_id]), [["archive", "CR-001"]]);
    const one = qms(copy, "qa", "verify", "SOP-001", "--json");
    assert.equal(one.code, 0, one.out);
    assert.equal((JSON.parse(one.stdout) as VerifyData).documents, 1);
    assert.equal(qms(copy, "qa", "verify", "CR-001").code, 1);
  });

  test("REQ-ITG-006: --anchor prints a digest; --against accepts it while the record only grows, and not once it is cut", () => {
    const copy = keep(copyProject(original));
    const anchored = qms(copy, "qa", "verify", "--anchor");
    assert.equal(anchored.code, 0, anchored.out);
    const digest = /Anchor: ([0-9a-f]{64})/.exec(anchored.stdout)?.[1];
    assert.ok(digest, anchored.stdout);
    assert.equal(qms(copy, "qa", "verify", "--against", digest).code, 0);
    assert.equal(qms(copy, "claude", "create", "SOP", "--title", "later").code, 0);
    const grown = qms(copy, "qa", "verify", "--against", digest);
    assert.equal(grown.code, 0, grown.out);
    assert.match(grown.stdout, /a prefix of today's record/);
    writeAuditLines(copy, "CR", "CR-003", auditLines(copy, "CR", "CR-003").slice(0, -2));
    const cut = qms(copy, "qa", "verify", "--against", digest, "--json");
    assert.equal(cut.code, 1);
    const data = JSON.parse(cut.stdout) as VerifyData;
    assert.equal(data.against?.ok, false);
    assert.ok(data.findings.some((f) => f.check === "anchor" && f.file === "QMS/.audit/CR/CR-003.jsonl"), cut.stdout);
    assert.equal(qms(copy, "qa", "verify", "--against", "f".repeat(64)).code, 1, "an unknown checkpoint is not a pass");
    assert.equal(qms(copy, "qa", "verify", "--against", "nothex").code, 1);
  });

  test("REQ-ITG-012: verify is for quality and administrators; qms_verify returns the findings as structured content", async () => {
    const copy = keep(copyProject(original));
    const r = qms(copy, "tu", "verify");
    assert.equal(r.code, 1);
    assert.match(r.out, /Permission denied: 'verify' requires group quality or administrator/);
    assert.equal(qms(copy, "lead", "verify").code, 0);
    fs.rmSync(path.join(copy, "QMS/.archive/CR/CR-001/CR-001-v1.0.md"));
    const { startHttpServer } = await import("../src/mcp/http.js");
    const srv = await startHttpServer({ project: new Project(copy), log: { log: () => undefined }, host: "127.0.0.1", port: 0, auth: "none", ui: false });
    const client = await httpClient(srv.url);
    try {
      const res = await call(client, "qms_verify", { user: "qa" });
      assert.equal(res.isError, undefined);
      const data = (res.structuredContent as { data: VerifyData }).data;
      assert.deepEqual(data.findings.map((f) => [f.check, f.doc_id, f.file]), [["archive", "CR-001", "QMS/.archive/CR/CR-001/CR-001-v1.0.md"]]);
      const denied = await call(client, "qms_verify", { user: "tu" });
      assert.equal(denied.isError, true);
      const one = await call(client, "qms_verify", { user: "lead", doc_ids: ["SOP-001"] });
      assert.equal((one.structuredContent as { data: VerifyData }).data.ok, true);
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
