// The pure integrity checks of src/core (audit chain, replay, checkDocument) in process, so Stryker's mutants of
// them are judged by exact findings (issue #15). The CLI and MCP side of `qms verify` is in integrity-verify.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChainFinding, canonicalJson, chainEvents, checkChain, EMPTY_CHAIN, eventHash, sha256Hex } from "../src/core/audit-chain.js";
import type { AuditEvent } from "../src/core/audit-events.js";
import { checkDocument, type DocCheckEnv, type DocFacts, type Finding } from "../src/core/integrity.js";
import type { DocMeta } from "../src/core/meta.js";
import { replay } from "../src/core/replay.js";

const RESTORE = "restore it from version control (or a backup); QMS records are never edited by hand";
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const ev = (event: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ts: "2026-01-01T00:00:00+00:00", event, user: "claude", version: "0.1", ...extra });
/** The lines of a chained file, each with its newline. */
function chained(events: Record<string, unknown>[], prev = EMPTY_CHAIN): string[] {
  return chainEvents(events, prev).lines.map((l) => `${l}\n`);
}
const problems = (text: string | Uint8Array): [number, string][] => checkChain(typeof text === "string" ? bytes(text) : text).findings.map((f: ChainFinding) => [f.line, f.problem]);

describe("REQ-ITG-001: the hash chain (in process)", () => {
  it("REQ-ITG-001: canonical JSON: sorted keys, undefined dropped in objects and null in arrays, no whitespace", () => {
    assert.equal(canonicalJson(undefined), "null");
    assert.equal(canonicalJson([undefined, 1, "a"]), '[null,1,"a"]');
    assert.equal(canonicalJson({ b: undefined, a: [{ z: 1, y: null }], c: "x" }), '{"a":[{"y":null,"z":1}],"c":"x"}');
    assert.equal(canonicalJson([]), "[]");
    assert.equal(canonicalJson({}), "{}");
    assert.equal(eventHash({ hash: "old", b: 2, a: 1 }), sha256Hex('{"a":1,"b":2}'));
    assert.equal(EMPTY_CHAIN, sha256Hex(""));
  });

  it("REQ-ITG-001: chained events drop any old prev/hash, get prev then hash last, in the Python layout", () => {
    const { lines, head } = chainEvents([{ ts: "t", event: "CREATE", prev: "stale", hash: "stale" }, { ts: "u", event: "CHECKIN" }], "p0");
    const h1 = sha256Hex('{"event":"CREATE","prev":"p0","ts":"t"}');
    const h2 = sha256Hex(`{"event":"CHECKIN","prev":"${h1}","ts":"u"}`);
    assert.deepEqual(lines, [`{"ts": "t", "event": "CREATE", "prev": "p0", "hash": "${h1}"}`, `{"ts": "u", "event": "CHECKIN", "prev": "${h1}", "hash": "${h2}"}`]);
    assert.equal(head, h2);
    assert.deepEqual(chainEvents([], "p0"), { lines: [], head: "p0" });
  });

  it("REQ-ITG-001, REQ-ITG-003: a whole chain checks clean; heads after every line are known", () => {
    const [l1, l2] = chained([ev("CREATE"), ev("CHECKIN")]);
    const h1 = (JSON.parse(l1!) as { hash: string }).hash;
    const h2 = (JSON.parse(l2!) as { hash: string }).hash;
    const r = checkChain(bytes(l1! + l2!));
    assert.deepEqual(r.findings, []);
    assert.equal(r.count, 2);
    assert.equal(r.head, h2);
    assert.deepEqual([r.headAt(0), r.headAt(1), r.headAt(2), r.headAt(3)], [EMPTY_CHAIN, h1, h2, undefined]);
    assert.deepEqual(r.lines.map((l) => [l.line, l.chained, l.event?.event]), [[1, true, "CREATE"], [2, true, "CHECKIN"]]);
    const empty = checkChain(new Uint8Array());
    assert.deepEqual([empty.findings, empty.count, empty.head, empty.headAt(0), empty.headAt(1), empty.lines], [[], 0, EMPTY_CHAIN, EMPTY_CHAIN, undefined, []]);
  });

  it("REQ-ITG-001: a view into a larger buffer is read at its own offset", () => {
    const [l1] = chained([ev("CREATE")]);
    const whole = bytes(`garbage\n${l1!}tail`);
    const view = whole.subarray(8, 8 + bytes(l1!).length);
    assert.deepEqual(checkChain(view).findings, []);
    assert.equal(checkChain(view).count, 1);
  });

  it("REQ-ITG-001: a legacy prefix is covered by its bytes; the first chained line follows them", () => {
    const legacy = `${JSON.stringify({ event: "CREATE", user: "claude" })}\n${JSON.stringify({ event: "CHECKIN" })}\n`;
    const [next] = chained([ev("ROUTE_REVIEW")], sha256Hex(legacy));
    const r = checkChain(bytes(legacy + next!));
    assert.deepEqual(r.findings, []);
    const firstLine = legacy.slice(0, legacy.indexOf("\n") + 1);
    assert.deepEqual([r.headAt(1), r.headAt(2)], [sha256Hex(firstLine), sha256Hex(legacy)]);
    assert.deepEqual(r.lines.map((l) => l.chained), [false, false, true]);
    const changed = checkChain(bytes(legacy.replace("claude", "qa") + next!));
    assert.deepEqual(changed.findings, [
      { line: 3, problem: "prefix-changed", what: "line 3 does not follow the 2 line(s) before it (written before the chain began): they were changed, or the event written before line 3 was deleted" },
    ]);
  });

  it("REQ-ITG-003: torn, unparseable and unchained lines are named with their line", () => {
    const [l1, l2] = chained([ev("CREATE"), ev("CHECKIN")]);
    const torn = checkChain(bytes(`${l1!}{"ts": "cut`));
    assert.deepEqual(torn.findings, [{ line: 2, problem: "torn", what: "line 2 is incomplete (no line end): a write was cut off or the file was truncated" }]);
    assert.equal(torn.count, 1);
    const bad = checkChain(bytes(`not json\n[1]\n\nnull\n5\n"text"\n${l1!}`));
    assert.deepEqual(bad.findings.slice(0, 6), [1, 2, 3, 4, 5, 6].map((n) => ({ line: n, problem: "unparseable", what: `line ${n} is not a JSON object (edited, or torn by an interrupted write)` })));
    assert.deepEqual(bad.lines.slice(0, 4).map((l) => [l.event, l.chained]), [[undefined, false], [undefined, false], [undefined, false], [undefined, false]]);
    const inserted = checkChain(bytes(`${l1!}{"event": "CHECKIN"}\n${l2!}`));
    assert.deepEqual(inserted.findings, [{ line: 2, problem: "unchained-after-chain", what: "line 2 has no hash although earlier lines do: inserted or edited after it was written" }]);
    assert.equal(inserted.headAt(2), inserted.headAt(1), "an unchained line after the chain keeps the value, so the next link still checks");
    assert.deepEqual(problems(`{"hash": 5}\n`), [], "a non-string hash is not a chained line");
  });

  it("REQ-ITG-003: an edited line breaks its hash; a re-formatted one its layout", () => {
    const [l1, l2] = chained([ev("CREATE"), ev("CHECKIN")]);
    const edited = l2!.replace('"user": "claude"', '"user": "qa"');
    assert.deepEqual(checkChain(bytes(l1! + edited)).findings, [{ line: 2, problem: "hash-mismatch", what: "line 2 was edited after it was written (its content no longer matches its hash)" }]);
    const compact = `${JSON.stringify(JSON.parse(l2!))}\n`;
    assert.deepEqual(checkChain(bytes(l1! + compact)).findings, [{ line: 2, problem: "layout", what: "line 2 was re-written by hand (same fields, not the layout the QMS writes)" }]);
  });

  it("REQ-ITG-003: deleted and reordered lines break the links, named by where they were written", () => {
    const [l1, l2, l3] = chained([ev("CREATE"), ev("CHECKIN"), ev("ROUTE_REVIEW")]);
    assert.deepEqual(checkChain(bytes(l2! + l3!)).findings, [{ line: 1, problem: "missing-before", what: "line 1 was not the first event written: the lines before it were deleted" }]);
    assert.deepEqual(checkChain(bytes(l1! + l3!)).findings, [
      { line: 2, problem: "missing-before", what: "line 2 does not follow line 1: the event written before it is missing (a line was deleted or inserted)" },
    ]);
    assert.deepEqual(checkChain(bytes(l1! + l3! + l2!)).findings, [
      { line: 2, problem: "out-of-order", what: "line 2 is out of order: it was written right after what is now line 3" },
      { line: 3, problem: "out-of-order", what: "line 3 is out of order: it was written right after what is now line 1" },
    ]);
    // a duplicated line: a link to its hash names the first line that carries it
    assert.deepEqual(problems(l1! + l2! + l1! + l3! + l2!), [
      [3, "missing-before"],
      [4, "out-of-order"],
      [5, "out-of-order"],
    ]);
    assert.match(checkChain(bytes(l1! + l2! + l1! + l3! + l2!)).findings[2]!.what, /right after what is now line 1$/);
    assert.deepEqual(problems(`{"prev": 7, "hash": "x"}\n`).map(([, p]) => p), ["hash-mismatch", "missing-before"]);
  });
});

const e = (event: string, extra: Record<string, unknown> = {}): AuditEvent => ({ ts: "t", event, user: "claude", version: "0.1", ...extra }) as AuditEvent;
const DRAFT = { createStatus: "DRAFT" } as const;

describe("REQ-ITG-002: replaying a trail gives the meta (in process)", () => {
  it("REQ-ITG-002: create, checkout and checkin set owner, checkout and status", () => {
    assert.deepEqual(replay([], DRAFT), { state: { status: undefined, version: undefined, responsible_user: null, checked_out: false }, problems: [], archived: [] });
    assert.deepEqual(replay([e("CREATE")], DRAFT).state, { status: "DRAFT", version: "0.1", responsible_user: "claude", checked_out: true });
    assert.deepEqual(replay([e("CREATE")], { createStatus: "IN_EXECUTION" }).state.status, "IN_EXECUTION");
    assert.deepEqual(replay([e("CREATE"), e("CHECKIN")], DRAFT).state, { status: "DRAFT", version: "0.1", responsible_user: "claude", checked_out: false });
    const seed = replay([e("CREATE", { legacy_action: "seed", status: "EFFECTIVE", version: "1.0" })], DRAFT);
    assert.deepEqual(seed, { state: { status: "EFFECTIVE", version: "1.0", responsible_user: null, checked_out: false }, problems: [], archived: [] });
    assert.equal(replay([e("CREATE", { legacy_action: "seed", status: "BOGUS" })], DRAFT).state.status, "EFFECTIVE");
    assert.equal(replay([e("CREATE", { legacy_action: "seed", status: "CLOSED" })], DRAFT).state.status, "CLOSED");
    assert.equal(replay([e("CREATE", { version: "x.y" })], DRAFT).state.version, undefined, "only N.X versions count");
    assert.equal(replay([e("CREATE", { version: 1.5 })], DRAFT).state.version, undefined, "a number is no version, even one that reads as N.X");
  });

  it("REQ-ITG-002: a checkout bumps to to_version; from_version means a new draft; PRE_APPROVED and POST_REVIEWED move", () => {
    const effective = [e("CREATE"), e("STATUS_CHANGE", { to_status: "EFFECTIVE" }), e("EFFECTIVE", { version: "1.0" })];
    assert.deepEqual(replay([...effective, e("CHECKOUT", { user: "qa", version: "1.0", from_version: "1.0", to_version: "1.1" })], DRAFT).state, {
      status: "DRAFT",
      version: "1.1",
      responsible_user: "qa",
      checked_out: true,
    });
    assert.equal(replay([...effective, e("CHECKOUT", { to_version: 1.1 })], DRAFT).state.version, "0.1", "a non-string to_version is ignored");
    assert.equal(replay([...effective, e("CHECKOUT", { to_version: "bad" })], DRAFT).state.version, "0.1");
    assert.equal(replay([...effective, e("CHECKOUT", { from_version: 1 })], DRAFT).state.status, "EFFECTIVE", "no from_version string: no new draft");
    const to = (status: string): string | undefined => replay([e("CREATE"), e("STATUS_CHANGE", { to_status: status }), e("CHECKOUT")], DRAFT).state.status;
    assert.deepEqual([to("PRE_APPROVED"), to("POST_REVIEWED"), to("IN_REVIEW"), to("IN_EXECUTION")], ["DRAFT", "IN_EXECUTION", "IN_REVIEW", "IN_EXECUTION"]);
    assert.equal(replay([e("CHECKOUT")], DRAFT).state.status, undefined, "no status yet: a checkout sets none");
  });

  it("REQ-ITG-002: checkin resets a reviewed state to DRAFT and archives the execution revision it replaces", () => {
    const after = (status: string, extra: Record<string, unknown> = {}) => replay([e("CREATE"), e("STATUS_CHANGE", { to_status: status }), e("CHECKIN", extra)], DRAFT);
    assert.deepEqual(["REVIEWED", "PRE_REVIEWED", "POST_REVIEWED", "IN_REVIEW", "IN_EXECUTION"].map((s) => after(s).state.status), ["DRAFT", "DRAFT", "DRAFT", "IN_REVIEW", "IN_EXECUTION"]);
    const exec = (version: string, extra: Record<string, unknown>) =>
      replay([e("CREATE", { version }), e("STATUS_CHANGE", { to_status: "IN_EXECUTION", version }), e("CHECKIN", { version, ...extra })], DRAFT).archived;
    assert.deepEqual(exec("1.2", { hash: "abc" }), ["1.1"]);
    assert.deepEqual(exec("1.2", {}), [], "no text hash: nothing was archived");
    assert.deepEqual(exec("1.0", { hash: "abc" }), [], "the first execution version replaces nothing");
    assert.deepEqual(after("DRAFT", { hash: "abc" }).archived, [], "outside execution a checkin archives nothing");
    assert.equal(after("DRAFT").state.checked_out, false);
  });

  it("REQ-ITG-002: status changes and withdraws need a valid to_status; an approval archives the version approved", () => {
    const r = replay(
      [
        e("CREATE"),
        e("STATUS_CHANGE", { to_status: "IN_APPROVAL" }),
        e("STATUS_CHANGE", { to_status: "APPROVED", version: "1.0" }),
        e("WITHDRAW", { to_status: "NOPE" }),
        e("STATUS_CHANGE"),
        e("ROUTE_REVIEW", { to_status: "CLOSED" }),
      ],
      DRAFT,
    );
    assert.deepEqual(r.archived, ["0.1"]);
    assert.equal(r.state.status, "APPROVED", "ROUTE_* events change nothing by themselves");
    assert.deepEqual(r.problems, [
      { index: 3, what: "WITHDRAW without a valid to_status" },
      { index: 4, what: "STATUS_CHANGE without a valid to_status" },
    ]);
    assert.equal(replay([e("CREATE"), e("WITHDRAW", { to_status: "REVIEWED" })], DRAFT).state.status, "REVIEWED");
    for (const to of ["PRE_APPROVED", "POST_APPROVED"]) assert.deepEqual(replay([e("CREATE"), e("STATUS_CHANGE", { to_status: to })], DRAFT).archived, ["0.1"], to);
    assert.deepEqual(replay([e("CREATE"), e("STATUS_CHANGE", { to_status: "EFFECTIVE" })], DRAFT).archived, []);
    assert.deepEqual(replay([e("STATUS_CHANGE", { to_status: "APPROVED", version: undefined })], DRAFT).archived, [], "no version before: nothing to archive");
  });

  it("REQ-ITG-002: EFFECTIVE, CLOSE and RETIRE clear the owner and the checkout", () => {
    for (const [event, status] of [["EFFECTIVE", "EFFECTIVE"], ["CLOSE", "CLOSED"], ["RETIRE", "RETIRED"]] as const) {
      assert.deepEqual(replay([e("CREATE"), e(event)], DRAFT).state, { status, version: "0.1", responsible_user: null, checked_out: false }, event);
    }
  });

  it("REQ-ITG-002: a trail that does not start with CREATE, or holds two, is a problem", () => {
    assert.deepEqual(replay([e("CHECKIN"), e("CREATE"), e("CREATE")], DRAFT).problems, [
      { index: 0, what: "the trail starts with CHECKIN, not CREATE: its beginning is missing" },
      { index: 1, what: "a second CREATE: two documents' trails in one file" },
      { index: 2, what: "a second CREATE: two documents' trails in one file" },
    ]);
  });
});

// ---- checkDocument ----

const KNOWN_USERS = new Set(["claude", "qa", "lead", "tu"]);
const ENV: DocCheckEnv = {
  userProblem: (name) => (KNOWN_USERS.has(name) ? undefined : "does not exist"),
  taskName: (docId, workflow, version) => `task-${docId}-${workflow.toLowerCase()}-v${version.replace(/\./g, "-")}`,
  normalize: (line) => line as unknown as AuditEvent,
};

function meta(fields: Partial<DocMeta> = {}): DocMeta {
  return { doc_id: "SOP-001", doc_type: "SOP", version: "0.1", status: "DRAFT", executable: false, responsible_user: "claude", checked_out: true, pending_assignees: [], ...fields };
}

function trail(events: Record<string, unknown>[]): Uint8Array {
  return bytes(chained(events).join(""));
}

function facts(fields: Partial<DocFacts> = {}): DocFacts {
  return {
    docId: "SOP-001",
    executable: false,
    attachment: false,
    metaPath: "QMS/.meta/SOP/SOP-001.json",
    meta: meta(),
    auditPath: "QMS/.audit/SOP/SOP-001.jsonl",
    audit: trail([ev("CREATE")]),
    draftPath: "QMS/SOP/SOP-001-draft.md",
    hasDraft: true,
    effectivePath: "QMS/SOP/SOP-001.md",
    hasEffective: false,
    archived: new Set(),
    archivePathOf: (v) => `QMS/.archive/SOP/SOP-001-v${v}.md`,
    tasks: [],
    workspace: [{ user: "claude", path: ".claude/users/claude/workspace/SOP-001.md" }],
    ...fields,
  };
}

const check = (f: Partial<DocFacts>, only?: Finding["check"]): Finding[] => checkDocument(facts(f), ENV).filter((x) => only === undefined || x.check === only);
const found = (f: Partial<DocFacts>, only?: Finding["check"]): string[] => check(f, only).map((x) => `${x.check}: ${x.what}`);

/** A trail and meta in agreement for an in-review document (not checked out). */
const IN_REVIEW_TRAIL = [ev("CREATE"), ev("CHECKIN"), ev("ROUTE_REVIEW"), ev("STATUS_CHANGE", { to_status: "IN_REVIEW" })];
const inReview = (fields: Partial<DocMeta> = {}): Partial<DocFacts> => ({ meta: meta({ status: "IN_REVIEW", checked_out: false, pending_assignees: ["qa"], ...fields }), audit: trail(IN_REVIEW_TRAIL), workspace: [] });
const EFFECTIVE_TRAIL = [ev("CREATE"), ev("CHECKIN"), ev("STATUS_CHANGE", { to_status: "EFFECTIVE", version: "1.0" }), ev("EFFECTIVE", { version: "1.0" })];
const effective = (fields: Partial<DocMeta> = {}, f: Partial<DocFacts> = {}): Partial<DocFacts> => ({
  meta: meta({ status: "EFFECTIVE", version: "1.0", responsible_user: null, checked_out: false, ...fields }),
  audit: trail(EFFECTIVE_TRAIL),
  hasDraft: false,
  hasEffective: true,
  workspace: [],
  ...f,
});

describe("REQ-ITG-003..005: one document's facts against its records (in process)", () => {
  it("REQ-ITG-003, REQ-ITG-004: a consistent draft, review and effective document have no findings", () => {
    assert.deepEqual(check({}), []);
    assert.deepEqual(check({ ...inReview(), tasks: [{ user: "qa", name: "task-SOP-001-review-v0-1.md", path: "p", assignedBy: "claude" }] }), []);
    assert.deepEqual(check(effective()), []);
  });

  it("REQ-ITG-003: chain findings name the audit file and line; the fix is a restore", () => {
    const [l1] = chained([ev("CREATE")]);
    assert.deepEqual(check({ audit: bytes(`${l1!}{"cut`) }), [{ check: "chain", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", line: 2, what: "line 2 is incomplete (no line end): a write was cut off or the file was truncated", fix: RESTORE }]);
  });

  it("REQ-ITG-006: the recorded head finds a trail gone, truncated or rewritten; a deleted document's head is not checked", () => {
    const audit = trail([ev("CREATE"), ev("CHECKIN")]);
    const report = checkChain(audit);
    const anchor = (head: DocFacts["head"], f: Partial<DocFacts> = {}) => check({ audit, meta: meta({ checked_out: false }), workspace: [], head, ...f }, "anchor");
    assert.deepEqual(anchor({ lines: 2, hash: report.head }), []);
    assert.deepEqual(anchor({ lines: 1, hash: report.headAt(1)! }), [], "a head recorded earlier still matches its line");
    assert.deepEqual(anchor({ lines: 3, hash: "x" }), [{ check: "anchor", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", line: 3, what: "the audit trail was truncated: 2 line(s) left of 3 recorded in the head store", fix: RESTORE }]);
    assert.deepEqual(anchor({ lines: 2, hash: report.headAt(1)! }), [{ check: "anchor", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", line: 2, what: "the audit trail was rewritten: line 2 is not the line the head store recorded there", fix: RESTORE }]);
    assert.deepEqual(anchor({ lines: 2, hash: "x" }, { audit: undefined }), [{ check: "anchor", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", what: "the audit trail is gone: the head store recorded 2 line(s)", fix: RESTORE }]);
    assert.deepEqual(anchor({ lines: 2, hash: "x", deleted: true }, { audit: undefined }), []);
    assert.deepEqual(anchor({ lines: 0, hash: EMPTY_CHAIN }, { audit: bytes("") }), []);
  });

  it("REQ-ITG-003: a meta that is not an object, missing, or with an unknown status stops the document's checks", () => {
    assert.deepEqual(check({ metaProblem: "the meta file is not a JSON object", hasDraft: false, workspace: [{ user: "tu", path: "w" }] }), [
      { check: "meta", doc_id: "SOP-001", file: "QMS/.meta/SOP/SOP-001.json", what: "the meta file is not a JSON object", fix: RESTORE },
    ]);
    assert.deepEqual(check({ meta: undefined }), [
      { check: "orphan", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", what: "an audit trail without a meta file: the document's meta is missing", fix: `${RESTORE} (the meta), or remove the trail if the document never existed` },
    ]);
    assert.deepEqual(check({ meta: undefined, audit: undefined }), []);
    assert.deepEqual(check({ meta: meta({ status: "BOGUS" as DocMeta["status"] }), hasDraft: false }), [
      { check: "meta", doc_id: "SOP-001", file: "QMS/.meta/SOP/SOP-001.json", what: 'the meta has an unknown status "BOGUS"', fix: RESTORE },
    ]);
  });

  it("REQ-ITG-002: a meta without a trail, an empty trail, trail problems and a meta that disagrees with its trail", () => {
    assert.deepEqual(check({ audit: undefined }), [{ check: "replay", doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", what: "the document has a meta file but no audit trail (no CREATE event)", fix: RESTORE }]);
    assert.deepEqual(found({ audit: bytes("") }), ["replay: the audit trail has no events (no CREATE event)"]);
    assert.deepEqual(found({ audit: bytes("junk\n") }), ["chain: line 1 is not a JSON object (edited, or torn by an interrupted write)", "replay: the audit trail has no events (no CREATE event)"]);
    const late = check({ audit: bytes(`junk\n${chained([ev("CHECKIN"), ev("CREATE")], sha256Hex("junk\n")).join("")}`), meta: meta({ checked_out: true }) }, "replay");
    assert.deepEqual(late.map((x) => [x.line, x.what]), [
      [2, "the trail starts with CHECKIN, not CREATE: its beginning is missing"],
      [3, "a second CREATE: two documents' trails in one file"],
    ]);
    assert.deepEqual(check({ meta: meta({ status: "IN_REVIEW", version: "0.2", responsible_user: "qa", checked_out: false }), workspace: [] }, "replay"), [
      {
        check: "replay",
        doc_id: "SOP-001",
        file: "QMS/.meta/SOP/SOP-001.json",
        what: "the meta disagrees with its audit trail: status IN_REVIEW (the trail says DRAFT); version 0.2 (the trail says 0.1); responsible_user qa (the trail says claude); checked_out false (the trail says true)",
        fix: `${RESTORE}; the audit trail is the record, the meta is its cache`,
      },
    ]);
    assert.deepEqual(found({ audit: trail([ev("ROUTE_REVIEW", { version: "x" })]), meta: meta({ responsible_user: null }) }, "replay"), [
      "replay: the trail starts with ROUTE_REVIEW, not CREATE: its beginning is missing",
      "replay: the meta disagrees with its audit trail: status DRAFT (the trail says nothing); version 0.1 (the trail says nothing); checked_out true (the trail says false)",
    ]);
    assert.deepEqual(found({ ...effective({ responsible_user: undefined as unknown as null }) }, "replay"), [], "no owner in the meta is the trail's null");
    assert.deepEqual(found({ meta: meta({ responsible_user: null, checked_out: false }), workspace: [] }, "replay"), [
      "replay: the meta disagrees with its audit trail: responsible_user null (the trail says claude); checked_out false (the trail says true)",
    ]);
    assert.deepEqual(found({ audit: trail([ev("CREATE"), ev("EFFECTIVE")]), meta: meta({ checked_out: "yes" as unknown as boolean }), workspace: [] }, "replay"), [
      "replay: the meta disagrees with its audit trail: status DRAFT (the trail says EFFECTIVE); responsible_user claude (the trail says null)",
    ]);
  });

  it("REQ-ITG-002: an attachment (VR) starts IN_EXECUTION", () => {
    const vr = { meta: meta({ status: "IN_EXECUTION" as const }) };
    assert.deepEqual(check({ ...vr, attachment: true }, "replay"), []);
    assert.deepEqual(found({ ...vr, attachment: false }, "replay"), ["replay: the meta disagrees with its audit trail: status IN_EXECUTION (the trail says DRAFT)"]);
  });

  it("REQ-ITG-004: draft and effective files must fit the status", () => {
    assert.deepEqual(check({ hasDraft: false }), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001-draft.md", what: "the document is DRAFT but its draft is missing", fix: RESTORE }]);
    assert.deepEqual(check(effective({}, { hasDraft: true })), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001-draft.md", what: "the document is EFFECTIVE but a draft is still there", fix: `${RESTORE}, or remove the stray draft` }]);
    assert.deepEqual(check(effective({}, { hasEffective: false })), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001.md", what: "the document is EFFECTIVE but its effective file is missing", fix: RESTORE }]);
    const closed = (f: Partial<DocFacts>) => found({ ...effective({ status: "CLOSED" }), audit: trail([...EFFECTIVE_TRAIL, ev("CLOSE", { version: "1.0" })]), ...f }, "files");
    assert.deepEqual(closed({}), []);
    assert.deepEqual(closed({ hasDraft: true, hasEffective: false }), ["files: the document is CLOSED but a draft is still there", "files: the document is CLOSED but its closed file is missing"]);
    const retired = (f: Partial<DocFacts>) => check({ ...effective({ status: "RETIRED" }), audit: trail([...EFFECTIVE_TRAIL, ev("RETIRE", { version: "1.0" })]), ...f }, "files");
    assert.deepEqual(retired({ hasEffective: false }), []);
    assert.deepEqual(retired({ hasEffective: true }), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001.md", what: "the document is RETIRED but its effective file is still there", fix: `${RESTORE}, or remove the stray file` }]);
    assert.deepEqual(retired({ hasDraft: true, hasEffective: false }).map((x) => x.what), ["the document is RETIRED but a draft is still there"]);
  });

  it("REQ-ITG-004: a revision of an effective document keeps its effective file; a first draft has none", () => {
    const revision = (fields: Partial<DocMeta>, f: Partial<DocFacts>) => check({ meta: meta({ version: "1.1", effective_version: "1.0", ...fields }), archived: new Set(["1.0"]), ...f }, "files");
    assert.deepEqual(revision({}, { hasEffective: true }), []);
    assert.deepEqual(revision({}, { hasEffective: false }), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001.md", what: "v1.0 is in force while v1.1 is revised, but its effective file is missing", fix: RESTORE }]);
    assert.deepEqual(check({ hasEffective: true }, "files"), [{ check: "files", doc_id: "SOP-001", file: "QMS/SOP/SOP-001.md", what: "the document is DRAFT and has no version in force, but an effective file is there", fix: `${RESTORE}, or remove the stray file` }]);
    assert.deepEqual(check({ hasEffective: true, meta: meta({ effective_version: "" }) }, "files").length, 1, "an empty effective_version is none");
    assert.deepEqual(check({ hasEffective: true, meta: meta({ effective_version: "1.0", executable: true }) }, "files").length, 1, "executables do not stay in force while revised");
    assert.deepEqual(revision({}, { hasEffective: false, hasDraft: false }).map((x) => x.what), ["the document is DRAFT but its draft is missing", "v1.0 is in force while v1.1 is revised, but its effective file is missing"]);
  });

  it("REQ-ITG-004: every approved version before the current one, and what the trail archived, has its archive file", () => {
    const archive = (version: string, archived: string[], f: Partial<DocFacts> = {}, fields: Partial<DocMeta> = {}) =>
      check({ meta: meta({ version, ...fields }), audit: trail([ev("CREATE", { version })]), archived: new Set(archived), ...f }, "archive");
    assert.deepEqual(archive("2.1", ["1.0", "2.0"]), []);
    assert.deepEqual(archive("2.1", ["1.0"]), [{ check: "archive", doc_id: "SOP-001", file: "QMS/.archive/SOP/SOP-001-v2.0.md", what: "the archived text of v2.0 is missing", fix: RESTORE }]);
    assert.deepEqual(archive("2.0", ["1.0"]), [], "the current major's N.0 is not archived yet");
    assert.deepEqual(archive("3.0", []).map((x) => x.what), ["the archived text of v1.0 is missing", "the archived text of v2.0 is missing"]);
    assert.deepEqual(archive("0.1", []), []);
    const sorted = check({ meta: meta({ version: "2.0" }), audit: trail([ev("CREATE"), ev("STATUS_CHANGE", { to_status: "APPROVED", version: "1.0" }), ev("STATUS_CHANGE", { to_status: "DRAFT", version: "2.0" })]), archived: new Set() }, "archive");
    assert.deepEqual(sorted.map((x) => x.what), ["the archived text of v0.1 is missing", "the archived text of v1.0 is missing"], "in version order");
    assert.deepEqual(archive("1.1", [], { hasEffective: true }, { effective_version: "1.0" }), [], "the version in force is its effective file");
    assert.deepEqual(archive("1.1", [], { hasEffective: false }, { effective_version: "1.0" }).map((x) => x.what), ["the archived text of v1.0 is missing"]);
    const byTrail = check({ audit: trail([ev("CREATE"), ev("STATUS_CHANGE", { to_status: "APPROVED", version: "1.0" }), ev("STATUS_CHANGE", { to_status: "DRAFT", version: "1.0" })]), meta: meta({ version: "1.0" }), archived: new Set() }, "archive");
    assert.deepEqual(byTrail.map((x) => x.what), ["the archived text of v0.1 is missing"]);
  });

  it("REQ-ITG-004: an execution revision checked out is archived only at checkin", () => {
    const missing = found({ meta: meta({ status: "IN_EXECUTION", executable: true, version: "1.1", checked_out: true }), attachment: true, audit: trail([ev("CREATE", { version: "1.1" })]), archived: new Set() }, "archive");
    assert.deepEqual(missing, [], "while checked out, the previous minor (1.0) is still the text being executed");
    const notOut = found({ meta: meta({ status: "IN_EXECUTION", executable: true, version: "1.1", checked_out: false }), attachment: true, audit: trail([ev("CREATE", { version: "1.1" }), ev("CHECKIN", { version: "1.1" })]), archived: new Set(), workspace: [] }, "archive");
    assert.deepEqual(notOut, ["archive: the archived text of v1.0 is missing"]);
    const draft = found({ meta: meta({ version: "1.1", checked_out: true }), audit: trail([ev("CREATE", { version: "1.1" })]), archived: new Set() }, "archive");
    assert.deepEqual(draft, ["archive: the archived text of v1.0 is missing"], "only IN_EXECUTION skips the previous minor");
  });

  it("REQ-ITG-005: every pending assignee has the round's task; any other task is stale", () => {
    const task = (user: string, name: string, assignedBy?: string) => ({ user, name, path: `.claude/users/${user}/inbox/${name}`, ...(assignedBy ? { assignedBy } : {}) });
    assert.deepEqual(check(inReview(), "tasks"), [
      { check: "tasks", doc_id: "SOP-001", file: ".claude/users/qa/inbox/task-SOP-001-review-v0-1.md", what: "qa is a pending reviewer but has no task task-SOP-001-review-v0-1.md", fix: "re-assign qa (assign), or withdraw and route again" },
    ]);
    const approval = { ...inReview(), meta: meta({ status: "IN_APPROVAL", checked_out: false, pending_assignees: ["qa"] }), audit: trail([...IN_REVIEW_TRAIL, ev("STATUS_CHANGE", { to_status: "IN_APPROVAL" })]) };
    assert.deepEqual(found(approval, "tasks"), ["tasks: qa is a pending approver but has no task task-SOP-001-approval-v0-1.md"]);
    assert.deepEqual(check({ ...inReview(), tasks: [task("qa", "task-SOP-001-review-v0-2.md")] }, "tasks").map((x) => [x.what, x.fix, x.file]), [
      ["qa is a pending reviewer but has no task task-SOP-001-review-v0-1.md", "re-assign qa (assign), or withdraw and route again", ".claude/users/qa/inbox/task-SOP-001-review-v0-1.md"],
      ["a task of another round is in qa's inbox", "remove the stale task file", ".claude/users/qa/inbox/task-SOP-001-review-v0-2.md"],
    ]);
    assert.deepEqual(found({ ...inReview(), tasks: [task("qa", "task-SOP-001-review-v0-1.md"), task("tu", "task-SOP-001-review-v0-1.md")] }, "tasks"), ["tasks: a task for tu, who is not a pending assignee"]);
    assert.deepEqual(found({ tasks: [task("qa", "task-SOP-001-review-v0-1.md")] }, "tasks"), ["tasks: a task for qa, who is not a pending assignee (the document is DRAFT)"]);
    assert.deepEqual(found({ meta: meta({ pending_assignees: ["qa"] }) }, "tasks"), [], "outside a round nobody is due a task");
    assert.deepEqual(found({ meta: meta({ pending_assignees: ["qa"] }), tasks: [task("qa", "task-SOP-001-review-v0-1.md")] }, "tasks"), ["tasks: a task for qa, who is not a pending assignee (the document is DRAFT)"], "a stale pending list outside a round");
    assert.deepEqual(found({ ...inReview({ pending_assignees: "qa" as unknown as string[] }) }, "tasks"), [], "a pending list that is not a list is none");
  });

  it("REQ-ITG-005: a checked-out document has one workspace copy, its owner's; otherwise none", () => {
    assert.deepEqual(check({ workspace: [] }, "workspace"), [
      { check: "workspace", doc_id: "SOP-001", file: ".claude/users/claude/workspace/SOP-001.md", what: "checked out to claude, but claude's workspace has no copy", fix: "claude checks it out again after a withdraw, or an administrator restores the copy" },
    ]);
    assert.deepEqual(check({ workspace: [...facts().workspace, { user: "tu", path: "w/tu" }] }, "workspace"), [
      { check: "workspace", doc_id: "SOP-001", file: "w/tu", what: "a copy in tu's workspace, but the document is checked out to claude", fix: "remove the stray copy" },
    ]);
    assert.deepEqual(found({ meta: meta({ responsible_user: null }), workspace: [{ user: "tu", path: "w/tu" }] }, "workspace"), ["workspace: a copy in tu's workspace, but the document is checked out to nobody"]);
    assert.deepEqual(check({ meta: meta({ checked_out: false }), audit: trail([ev("CREATE"), ev("CHECKIN")]) }, "workspace"), [
      { check: "workspace", doc_id: "SOP-001", file: ".claude/users/claude/workspace/SOP-001.md", what: "a workspace copy of claude, but the document is not checked out", fix: "remove the stray copy (check the document out to edit it)" },
    ]);
  });

  it("REQ-ITG-005: the owner, pending assignees, inbox owners and assigners exist", () => {
    assert.deepEqual(
      check({ ...inReview({ responsible_user: "ghost", pending_assignees: ["qa", "nobody"] }), tasks: [{ user: "qa", name: "task-SOP-001-review-v0-1.md", path: "t1", assignedBy: "ghost" }, { user: "nobody", name: "task-SOP-001-review-v0-1.md", path: "t2" }] }, "users"),
      [
        { check: "users", doc_id: "SOP-001", file: "QMS/.meta/SOP/SOP-001.json", what: "ghost (named in the meta) does not exist", fix: "have an administrator add the user, or restore its agent file" },
        { check: "users", doc_id: "SOP-001", file: "QMS/.meta/SOP/SOP-001.json", what: "nobody (named in the meta) does not exist", fix: "have an administrator add the user, or restore its agent file" },
        { check: "users", doc_id: "SOP-001", file: "t1", what: "the task's assigner ghost does not exist", fix: "have an administrator add the user, or remove the task" },
        { check: "users", doc_id: "SOP-001", file: "t2", what: "the task's inbox owner nobody does not exist", fix: "have an administrator add the user, or remove the task" },
      ],
    );
    assert.deepEqual(found({ ...inReview({ responsible_user: null }), tasks: [{ user: "qa", name: "task-SOP-001-review-v0-1.md", path: "t1" }] }, "users"), []);
  });
});
