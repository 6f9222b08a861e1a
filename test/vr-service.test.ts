import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { ServiceResult } from "../src/core/result.js";
import { parseSourceJson, type VrSource } from "../src/core/vr/source.js";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import type { ServiceContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { type InteractData, type InteractInput, interact } from "../src/services/interact.js";
import { read } from "../src/services/read.js";
import { release } from "../src/services/release.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { Project } from "../src/store/project.js";
import { evidenceCommitter } from "../src/store/vr-files.js";
import { makeHarnessProject, REPO_ROOT, snapshotTree } from "./helpers.js";

const VR = "CR-001-VR-001";

/** A harness project driven in process, with a clock that moves one second per call. */
class Bench {
  readonly project: Project;
  private clock = Date.parse("2026-03-01T10:00:00Z");

  constructor(
    readonly root: string,
    t: TestContext,
  ) {
    this.project = new Project(root);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  }

  ctx(user: string): ServiceContext {
    this.clock += 1000;
    return { project: this.project, user, now: new Date(this.clock) };
  }

  file(rel: string): string {
    return path.join(this.root, rel);
  }

  read(rel: string): string | undefined {
    return fs.existsSync(this.file(rel)) ? fs.readFileSync(this.file(rel), "utf8") : undefined;
  }

  session(user = "claude", id = VR): VrSource | undefined {
    const text = this.read(`.claude/users/${user}/workspace/${id}.interact`);
    if (text === undefined) return undefined;
    const parsed = parseSourceJson(text);
    assert.ok(parsed.ok);
    return parsed.source;
  }

  stored(id = VR): string | undefined {
    return this.read(`QMS/.meta/VR/${id}.source.json`);
  }

  act(user: string, input: Omit<InteractInput, "docId"> & { docId?: string }): InteractData {
    return ok(interact(this.ctx(user), { docId: VR, ...input }));
  }

  /** A refusal with this code that leaves every file as it was. */
  refused(code: string, call: () => ServiceResult<unknown>): string {
    const before = snapshotTree(this.root);
    const r = call();
    assert.equal(r.ok, false, "expected a refusal");
    if (r.ok) return "";
    assert.equal(r.code, code, r.message);
    assert.deepEqual(snapshotTree(this.root), before, `the refusal changed files: ${r.message}`);
    return r.message;
  }
}

function ok<T>(r: ServiceResult<T>): T {
  assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
  return r.data;
}

function bench(t: TestContext): Bench {
  return new Bench(makeHarnessProject(), t);
}

/** CR-001 released (IN_EXECUTION), the parent a VR needs. */
function releasedCr(b: Bench): void {
  ok(create(b.ctx("claude"), { type: "CR", title: "Importer CR" }));
  ok(checkin(b.ctx("claude"), { docId: "CR-001" }));
  ok(route(b.ctx("claude"), { docId: "CR-001", kind: "review" }));
  ok(review(b.ctx("qa"), { docId: "CR-001", outcome: "recommend", comment: "ok" }));
  ok(route(b.ctx("claude"), { docId: "CR-001", kind: "approval" }));
  ok(approve(b.ctx("qa"), { docId: "CR-001" }));
  ok(release(b.ctx("claude"), { docId: "CR-001" }));
}

function withVr(t: TestContext, user = "claude"): Bench {
  const b = bench(t);
  releasedCr(b);
  ok(create(b.ctx(user), { type: "VR", parent: "CR-001", title: "Importer check" }));
  return b;
}

/** Answer in order: related_eis, objective, pre_conditions, then one loop iteration per entry of `steps`. */
function answerUpToSummary(b: Bench, steps: string[]): void {
  for (const value of ["EI-1", "The importer rejects malformed files", "main at HEAD"]) b.act("claude", { respond: value });
  steps.forEach((name, i) => {
    for (const value of [`run ${name}`, `${name} expected`, `${name} output`, "Pass"]) b.act("claude", { respond: value });
    b.act("claude", { respond: i < steps.length - 1 ? "yes" : "no" });
  });
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined } as NodeJS.ProcessEnv });
}

function gitRepo(root: string): void {
  git(root, "init", "-q");
  git(root, "config", "user.name", "Repo Owner");
  git(root, "config", "user.email", "owner@example.com");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
}

describe("VR through the services: create, checkout, checkin, read, close (spec §5, §9.2)", () => {
  it("REQ-INT-007: create VR --parent needs the parent IN_EXECUTION and gives a session plus a placeholder, not an editable copy", (t) => {
    const b = bench(t);
    ok(create(b.ctx("claude"), { type: "CR", title: "Not released" }));
    const message = b.refused("invalid-parent", () => create(b.ctx("claude"), { type: "VR", parent: "CR-001", title: "Too early" }));
    assert.match(message, /needs its parent CR-001 to be IN_EXECUTION; it is DRAFT/);
    b.refused("invalid-parent", () => create(b.ctx("claude"), { type: "VR", title: "No parent" }));

    const c = withVr(t);
    const meta = JSON.parse(c.read(`QMS/.meta/VR/${VR}.json`)!);
    assert.deepEqual([meta.status, meta.version, meta.execution_phase, meta.checked_out], ["IN_EXECUTION", "1.0", "post_release", true]);
    const session = c.session()!;
    assert.deepEqual([session.doc_id, session.template, session.template_version, session.cursor], [VR, "VR", 5, "related_eis"]);
    assert.deepEqual(session.metadata, { parent_doc_id: "CR-001", vr_id: VR, title: "Importer check" });
    assert.match(c.read(`.claude/users/claude/workspace/${VR}.md`)!, /only a placeholder/);
    const draft = c.read(`QMS/CR/CR-001/${VR}-draft.md`)!;
    assert.match(draft, /^---\ntitle: Importer check\nrevision_summary: Initial draft\n---\n\n# CR-001-VR-001: Importer check\n/);
    assert.ok(!draft.includes("@prompt") && !draft.includes("@template"), "the draft is the compiled empty record, no tags");
    assert.equal(c.stored(), undefined, "no source is stored before the first checkin");
  });

  it("REQ-INT-018: checkin compiles the session into the draft, stores it as .source.json and removes the session and placeholder", (t) => {
    const b = withVr(t);
    answerUpToSummary(b, ["bad.csv"]);
    const session = b.read(`.claude/users/claude/workspace/${VR}.interact`)!;
    const r = ok(checkin(b.ctx("claude"), { docId: VR }));
    assert.deepEqual([r.status, r.version], ["IN_EXECUTION", "1.0"]);
    assert.equal(b.stored(), session, "the stored source is the session, byte for byte");
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.interact`), undefined);
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.md`), undefined);
    const draft = b.read(`QMS/CR/CR-001/${VR}-draft.md`)!;
    assert.match(draft, /> The importer rejects malformed files\n\n\*-- claude, 2026-03-01 10:00:1\d\*/);
    assert.match(draft, /### 4\.1 Step 1\n\n\*\*run bad\.csv\*\*/);
  });

  it("REQ-INT-007, REQ-INT-017: checkout seeds the session from .source.json (no editable markdown); the next checkin archives the previous record", (t) => {
    const b = withVr(t);
    answerUpToSummary(b, ["bad.csv"]);
    ok(checkin(b.ctx("claude"), { docId: VR }));
    const stored = b.stored()!;
    const firstRecord = b.read(`QMS/CR/CR-001/${VR}-draft.md`)!;
    const out = checkout(b.ctx("claude"), { docId: VR });
    assert.ok(out.ok);
    assert.deepEqual(out.next?.map((s) => s.action), ["interact"]);
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.interact`), stored);
    assert.match(b.read(`.claude/users/claude/workspace/${VR}.md`)!, /only a placeholder/);
    assert.equal(b.act("claude", {}).current?.key, "summary_outcome", "the session continues where the record stopped");
    b.act("claude", { respond: "Pass" });
    ok(checkin(b.ctx("claude"), { docId: VR }));
    assert.equal(b.read(`QMS/.archive/CR/CR-001/${VR}-v1.0.md`), firstRecord);
    assert.match(b.read(`QMS/CR/CR-001/${VR}-draft.md`)!, /## 5\. Summary\n\n> Pass\n/);
  });

  it("REQ-INT-019: read compiles from the owner's session while the record is being authored, else shows the stored record", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-7" });
    const live = ok(read(b.ctx("qa"), { docId: VR }));
    assert.equal(live.compiled_from, "session");
    assert.match(live.content, /\| CR-001 \| EI-7 \| 2026-03-01 \|/);
    assert.ok(!b.read(`QMS/CR/CR-001/${VR}-draft.md`)!.includes("EI-7"), "the draft on disk is untouched");
    ok(checkin(b.ctx("claude"), { docId: VR }));
    const after = ok(read(b.ctx("qa"), { docId: VR }));
    assert.equal(after.compiled_from, undefined);
    assert.equal(after.content, b.read(`QMS/CR/CR-001/${VR}-draft.md`));
    const sop = ok(create(b.ctx("claude"), { type: "SOP", title: "Plain" }));
    assert.equal(ok(read(b.ctx("qa"), { docId: sop.doc_id })).compiled_from, undefined, "otherwise plain markdown");
  });

  it("REQ-DOC-018: the owner closes a checked-out VR from IN_EXECUTION; its session is compiled into the closed record", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-3" });
    const r = ok(close(b.ctx("claude"), { docId: VR }));
    assert.deepEqual(r.cascade_closed, []);
    assert.match(b.read(`QMS/CR/CR-001/${VR}.md`)!, /\| CR-001 \| EI-3 \|/);
    assert.equal(b.read(`QMS/CR/CR-001/${VR}-draft.md`), undefined);
    assert.match(b.stored()!, /"EI-3"/);
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.interact`), undefined);
    assert.equal(JSON.parse(b.read(`QMS/.meta/VR/${VR}.json`)!).status, "CLOSED");
    b.refused("invalid-state", () => interact(b.ctx("claude"), { docId: VR, respond: "more" }));
    b.refused("invalid-state", () => checkout(b.ctx("claude"), { docId: VR }));
  });

  it("REQ-DOC-020: closing the parent cascade-closes its open VRs, compiling the session of each VR's own owner", (t) => {
    const b = bench(t);
    releasedCr(b);
    ok(create(b.ctx("lead"), { type: "VR", parent: "CR-001", title: "Checked out by lead" }));
    ok(create(b.ctx("claude"), { type: "VR", parent: "CR-001", title: "Checked in" }));
    b.act("lead", { respond: "EI-1 by lead" });
    ok(interact(b.ctx("claude"), { docId: "CR-001-VR-002", respond: "EI-2" }));
    ok(checkin(b.ctx("claude"), { docId: "CR-001-VR-002" }));
    const checkedIn = b.read("QMS/CR/CR-001/CR-001-VR-002-draft.md");
    ok(route(b.ctx("claude"), { docId: "CR-001", kind: "review" }));
    ok(review(b.ctx("qa"), { docId: "CR-001", outcome: "recommend", comment: "ok" }));
    ok(route(b.ctx("claude"), { docId: "CR-001", kind: "approval" }));
    ok(approve(b.ctx("qa"), { docId: "CR-001" }));
    const r = close(b.ctx("claude"), { docId: "CR-001" });
    assert.ok(r.ok);
    assert.deepEqual(r.data.cascade_closed, [VR, "CR-001-VR-002"]);
    assert.ok(r.lines.includes(`Cascade closed: ${VR}`));
    assert.match(b.read(`QMS/CR/CR-001/${VR}.md`)!, /\| CR-001 \| EI-1 by lead \|/);
    assert.match(b.stored(VR)!, /"author": "lead"/);
    assert.equal(b.read(`.claude/users/lead/workspace/${VR}.interact`), undefined);
    assert.equal(b.read(`.claude/users/lead/workspace/${VR}.md`), undefined);
    assert.equal(b.read("QMS/CR/CR-001/CR-001-VR-002.md"), checkedIn, "a checked-in VR is promoted as it is");
    for (const id of [VR, "CR-001-VR-002"]) assert.equal(JSON.parse(b.read(`QMS/.meta/VR/${id}.json`)!).status, "CLOSED");
  });

  it("REQ-INT-018: route's auto-checkin of a checked-out VR compiles it too", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-9" });
    ok(route(b.ctx("claude"), { docId: VR, kind: "review" }));
    assert.equal(JSON.parse(b.read(`QMS/.meta/VR/${VR}.json`)!).status, "IN_POST_REVIEW");
    assert.match(b.read(`QMS/CR/CR-001/${VR}-draft.md`)!, /\| CR-001 \| EI-9 \|/);
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.interact`), undefined);
  });
});

describe("interact (spec §9.3, §9.5)", () => {
  it("REQ-INT-010: interact alone shows the document, the current prompt with its guidance, and how to answer", (t) => {
    const b = withVr(t);
    const r = interact(b.ctx("claude"), { docId: VR });
    assert.ok(r.ok);
    assert.deepEqual(r.lines.slice(0, 4), [`${VR}: Importer check`, "Template: VR v5", "", "Prompt: related_eis"]);
    assert.match(r.lines.join("\n"), /Which execution item\(s\) of the parent document/);
    assert.equal(r.data.current?.key, "related_eis");
    assert.match(r.data.current?.guidance ?? "", /execution item/);
    assert.deepEqual(r.data.progress.answered, 0);
    assert.deepEqual(r.next, [{ action: "interact", doc_id: VR, args: { respond: "<answer>" }, lead: "Answer with" }]);
  });

  it("REQ-INT-011: a response is recorded with the user and the UTC time, then the next prompt is presented", (t) => {
    const b = withVr(t);
    const r = b.act("claude", { respond: "EI-1" });
    assert.deepEqual(r.recorded, { key: "related_eis", kind: "response", value: "EI-1" });
    assert.deepEqual(b.session()?.responses.related_eis, [{ value: "EI-1", author: "claude", timestamp: "2026-03-01T10:00:09Z" }]);
    assert.equal(r.current?.key, "objective", "the next prompt is presented");
  });

  it("REQ-INT-011: --respond --file records a host file's content (CLI) or a workspace file's (MCP)", (t) => {
    const b = withVr(t);
    fs.writeFileSync(b.file("evidence.txt"), "Error: row 3 malformed\n");
    b.act("claude", { respond: "", file: "evidence.txt", hostDir: b.root });
    assert.equal(b.session()?.responses.related_eis?.[0]?.value, "Error: row 3 malformed");
    fs.writeFileSync(b.file(".claude/users/claude/workspace/out.txt"), "objective from the workspace");
    b.act("claude", { file: "out.txt" });
    assert.equal(b.session()?.responses.objective?.[0]?.value, "objective from the workspace");
    const both = b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, respond: "x", file: "out.txt" }));
    assert.match(both, /either as a value or as a file/);
  });

  it("REQ-INT-011: a --file that does not exist, is a folder, a FIFO or empty is refused and nothing changes", (t) => {
    const b = withVr(t);
    fs.mkdirSync(b.file("adir"));
    fs.writeFileSync(b.file("empty.txt"), "  \n");
    execFileSync("mkfifo", [b.file("pipe")]);
    const host = (file: string): (() => ServiceResult<unknown>) => () => interact(b.ctx("claude"), { docId: VR, file, hostDir: b.root });
    assert.match(b.refused("not-found", host("missing.txt")), /The response file missing\.txt does not exist/);
    assert.match(b.refused("invalid-argument", host("adir")), /is a folder, not a file/);
    assert.match(b.refused("invalid-argument", host("pipe")), /not a regular file/);
    assert.match(b.refused("invalid-argument", host("empty.txt")), /The file empty\.txt is empty/);
    const ws = b.file(".claude/users/claude/workspace");
    fs.mkdirSync(path.join(ws, "sub"));
    fs.symlinkSync(b.file("QMS/.meta/VR/CR-001-VR-001.json"), path.join(ws, "link.txt"));
    const mcp = (file: string): (() => ServiceResult<unknown>) => () => interact(b.ctx("claude"), { docId: VR, file });
    assert.match(b.refused("not-found", mcp("missing.txt")), /does not exist in your workspace/);
    assert.match(b.refused("unsafe-file", mcp("sub")), /it is a folder/);
    assert.match(b.refused("unsafe-file", mcp("link.txt")), /symbolic link/);
    assert.match(b.refused("unsafe-file", mcp("../../qa/workspace/x.txt")), /stays inside it/);
    assert.match(b.refused("unsafe-file", mcp("/etc/passwd")), /stays inside it/);
  });

  it("REQ-INT-011: an empty response is refused", (t) => {
    const b = withVr(t);
    assert.match(b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, respond: "   " })), /every prompt needs an explicit answer/);
    b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, respond: "" }));
  });

  it("REQ-INT-004: a gate answered other than yes or no is refused", (t) => {
    const b = withVr(t);
    answerUpToSummary(b, []);
    for (const v of ["run", "expected", "output", "Pass"]) b.act("claude", { respond: v });
    assert.equal(b.act("claude", {}).current?.kind, "gate");
    const r = interact(b.ctx("claude"), { docId: VR });
    assert.ok(r.ok);
    assert.deepEqual(r.next?.map((s) => s.args?.respond), ["yes", "no"]);
    assert.match(b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, respond: "maybe" })), /accepts only yes or no/);
    assert.deepEqual(b.act("claude", { respond: "YES" }).recorded, { key: "more_steps.1", kind: "gate", value: "yes" });
  });

  it("REQ-INT-012: goto to an unknown prompt or an unanswered one, and goto without a reason, are refused", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-1" });
    assert.match(b.refused("not-found", () => interact(b.ctx("claude"), { docId: VR, goto: "no_such_prompt", reason: "x" })), /'no_such_prompt' is not a prompt of template VR v5/);
    assert.match(b.refused("invalid-state", () => interact(b.ctx("claude"), { docId: VR, goto: "objective", reason: "x" })), /'objective' has not been answered yet/);
    assert.match(b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, goto: "related_eis" })), /needs a reason/);
    const g = b.act("claude", { goto: "related_eis", reason: "wrong EI" });
    assert.equal(g.current?.amending?.reason, "wrong EI");
    b.act("claude", { respond: "EI-2" });
    assert.deepEqual(b.session()?.responses.related_eis?.map((e) => [e.value, e.reason]), [["EI-1", undefined], ["EI-2", "wrong EI"]]);
    assert.equal(b.act("claude", {}).current?.key, "objective", "the cursor returned");
    b.act("claude", { goto: "related_eis", reason: "again" });
    const c = b.act("claude", { cancelGoto: true });
    assert.equal(c.current?.key, "objective");
    assert.equal(b.session()?.responses.related_eis?.length, 2, "cancel-goto records nothing");
    b.refused("invalid-state", () => interact(b.ctx("claude"), { docId: VR, cancelGoto: true }));
  });

  it("REQ-INT-012: reopen of an open loop is refused; of a closed one it adds an iteration and returns afterwards", (t) => {
    const b = withVr(t);
    answerUpToSummary(b, []);
    b.act("claude", { respond: "run" });
    assert.match(b.refused("invalid-state", () => interact(b.ctx("claude"), { docId: VR, reopen: "steps", reason: "more" })), /Loop 'steps' is open/);
    for (const v of ["expected", "output", "Pass", "no"]) b.act("claude", { respond: v });
    assert.match(b.refused("not-found", () => interact(b.ctx("claude"), { docId: VR, reopen: "nope", reason: "x" })), /'nope' is not a loop/);
    b.refused("invalid-argument", () => interact(b.ctx("claude"), { docId: VR, reopen: "steps" }));
    const r = b.act("claude", { reopen: "steps", reason: "forgot one" });
    assert.deepEqual(r.current?.loop, { name: "steps", iteration: 2 });
    for (const v of ["run 2", "e2", "o2", "Pass", "no"]) b.act("claude", { respond: v });
    assert.equal(b.act("claude", {}).current?.key, "summary_outcome");
    assert.deepEqual(b.session()?.loops.steps?.reopenings.map((x) => x.reason), ["forgot one"]);
  });

  it("REQ-INT-012: several flags run one action by priority progress > compile > cancel-goto > goto > reopen > respond, and say what was not run", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-1" });
    const cases: Array<[Omit<InteractInput, "docId">, string]> = [
      [{ progress: true, compile: true, cancelGoto: true, goto: "related_eis", reopen: "steps", respond: "x", reason: "r" }, "progress"],
      [{ compile: true, cancelGoto: true, goto: "related_eis", reopen: "steps", respond: "x", reason: "r" }, "compile"],
      [{ goto: "related_eis", reopen: "steps", respond: "x", reason: "r" }, "goto"],
      [{ cancelGoto: true, reopen: "steps", respond: "x", reason: "r" }, "cancel-goto"],
      [{ respond: "objective text", reason: "r" }, "respond"],
    ];
    for (const [flags, action] of cases) {
      const r = interact(b.ctx("claude"), { docId: VR, ...flags });
      assert.ok(r.ok, r.ok ? "" : r.message);
      assert.equal(r.data.action, action);
      if (Object.keys(flags).filter((k) => k !== "reason").length > 1) assert.match(r.warnings?.[0] ?? "", new RegExp(`^Only one action runs per call: ${action} was run`));
    }
    assert.equal(b.session()?.responses.objective?.[0]?.value, "objective text");
    assert.equal(b.session()?.responses.related_eis?.length, 1, "goto, then cancel-goto: nothing was amended");
  });

  it("REQ-INT-013: progress and compile change nothing; any known user previews the checked-in record, the holder its session", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-1" });
    assert.match(b.refused("not-found", () => interact(b.ctx("qa"), { docId: VR, compile: true })), /has no checked-in record yet \(claude is authoring it\)/);
    ok(checkin(b.ctx("claude"), { docId: VR }));
    ok(checkout(b.ctx("claude"), { docId: VR }));
    b.act("claude", { respond: "objective in the session only" });
    const before = snapshotTree(b.root);
    const mine = b.act("claude", { compile: true });
    assert.equal(mine.from, "session");
    assert.match(mine.compiled ?? "", /objective in the session only/);
    for (const user of ["qa", "tu_ui"]) {
      const theirs = b.act(user, { compile: true });
      assert.equal(theirs.from, "stored");
      assert.ok(!(theirs.compiled ?? "").includes("objective in the session only"));
      assert.match(theirs.compiled ?? "", /\| CR-001 \| EI-1 \|/);
      const p = b.act(user, { progress: true });
      assert.deepEqual([p.progress.answered, p.progress.items[0]?.answered], [1, true]);
    }
    const compiled = interact(b.ctx("qa"), { docId: VR, compile: true });
    assert.ok(compiled.ok);
    assert.equal(compiled.lines.length, 1, "the record as one block, like read");
    assert.equal(compiled.next, undefined);
    assert.deepEqual(snapshotTree(b.root), before, "previews write nothing");
    b.refused("unknown-user", () => interact(b.ctx("nobody"), { docId: VR, compile: true }));
  });

  it("REQ-SEC-002: interact is for initiators, and only the holder of the checkout answers; other users are refused", (t) => {
    const b = withVr(t);
    assert.match(b.refused("checked-out", () => interact(b.ctx("lead"), { docId: VR, respond: "x" })), /checked out by claude/);
    b.refused("permission-denied", () => interact(b.ctx("qa"), { docId: VR, respond: "x" }));
    b.refused("invalid-type", () => interact(b.ctx("claude"), { docId: "CR-001", respond: "x" }));
    ok(checkin(b.ctx("claude"), { docId: VR }));
    assert.match(b.refused("not-checked-out", () => interact(b.ctx("claude"), { docId: VR, respond: "x" })), /is not checked out/);
  });

  it("REQ-INT-008: a session edited by hand to drop or rewrite checked-in responses is refused; the parent's close keeps the checked-in record", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-1" });
    ok(checkin(b.ctx("claude"), { docId: VR }));
    ok(checkout(b.ctx("claude"), { docId: VR }));
    b.act("claude", { respond: "objective" });
    const file = b.file(`.claude/users/claude/workspace/${VR}.interact`);
    const edited = b.session()!;
    edited.responses.related_eis = [{ value: "EI-99", author: "claude", timestamp: "2026-03-01T10:00:00Z" }];
    fs.writeFileSync(file, JSON.stringify(edited, null, 2));
    assert.match(b.refused("corrupt-data", () => interact(b.ctx("claude"), { docId: VR, respond: "x" })), /has lost or changed the checked-in responses of 'related_eis'/);
    b.refused("corrupt-data", () => checkin(b.ctx("claude"), { docId: VR }));
    assert.ok(!ok(read(b.ctx("qa"), { docId: VR })).content.includes("EI-99"), "read shows the checked-in record");
    delete (edited.responses as Record<string, unknown>).related_eis;
    fs.writeFileSync(file, JSON.stringify(edited, null, 2));
    b.refused("corrupt-data", () => interact(b.ctx("claude"), { docId: VR }));
    ok(route(b.ctx("claude"), { docId: "CR-001", kind: "review" }));
    ok(review(b.ctx("qa"), { docId: "CR-001", outcome: "recommend", comment: "ok" }));
    ok(route(b.ctx("claude"), { docId: "CR-001", kind: "approval" }));
    ok(approve(b.ctx("qa"), { docId: "CR-001" }));
    const stored = b.stored();
    assert.deepEqual(ok(close(b.ctx("claude"), { docId: "CR-001" })).cascade_closed, [VR]);
    assert.equal(b.stored(), stored, "the tampered session did not replace the checked-in source");
    assert.match(b.read(`QMS/CR/CR-001/${VR}.md`)!, /\| CR-001 \| EI-1 \|/);
  });

  it("a lost session is started again from the last checked-in record, with a warning", (t) => {
    const b = withVr(t);
    b.act("claude", { respond: "EI-1" });
    ok(checkin(b.ctx("claude"), { docId: VR }));
    ok(checkout(b.ctx("claude"), { docId: VR }));
    fs.rmSync(b.file(`.claude/users/claude/workspace/${VR}.interact`));
    const r = interact(b.ctx("claude"), { docId: VR });
    assert.ok(r.ok);
    assert.match(r.warnings?.[0] ?? "", /no session .* a new one starts from the last checked-in record/);
    assert.equal(b.read(`.claude/users/claude/workspace/${VR}.interact`), b.stored());
  });

  it("REQ-INT-002: a project TEMPLATE-VR with two headers or an unclosed loop refuses create VR, naming the problem", (t) => {
    const shipped = fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8");
    const broken = {
      "two headers": shipped.replace("# {{vr_id}}", "<!-- @template: VR | version: 6 | start: objective -->\n\n# {{vr_id}}"),
      "an unclosed loop": shipped.replace("<!-- @end-loop: steps -->", ""),
    };
    for (const [what, text] of Object.entries(broken)) {
      const b = bench(t);
      releasedCr(b);
      fs.writeFileSync(b.file("QMS/TEMPLATE/TEMPLATE-VR.md"), text);
      const message = b.refused("corrupt-data", () => create(b.ctx("claude"), { type: "VR", parent: "CR-001", title: what }));
      assert.match(message, /Template QMS\/TEMPLATE\/TEMPLATE-VR\.md is malformed: line \d+/, what);
    }
  });

  it("a project's own EFFECTIVE TEMPLATE-VR is used for new VRs", (t) => {
    const shipped = fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8");
    const b = bench(t);
    releasedCr(b);
    fs.writeFileSync(b.file("QMS/TEMPLATE/TEMPLATE-VR.md"), shipped.replace("version: 5", "version: 6").replace("Which execution item(s)", "Which EI"));
    ok(create(b.ctx("claude"), { type: "VR", parent: "CR-001", title: "Own template" }));
    const r = b.act("claude", {});
    assert.deepEqual(r.template, { name: "VR", version: 6, origin: "QMS/TEMPLATE/TEMPLATE-VR.md" });
    assert.match(r.current?.guidance ?? "", /^Which EI/);
  });
});

describe("evidence commits (REQ-INT-020, REQ-INT-021)", () => {
  it("REQ-INT-020: a commit prompt commits the project as the acting user with [QMS] {DOC_ID} | {context} | {prompt_id} and keeps the short hash", (t) => {
    const b = withVr(t);
    gitRepo(b.root);
    answerUpToSummary(b, []);
    b.act("claude", { respond: "run" });
    b.act("claude", { respond: "expected" });
    fs.writeFileSync(b.file("result.log"), "observed\n");
    const r = b.act("claude", { respond: "observed" });
    const head = git(b.root, "log", "-1", "--format=%h|%an|%s").trim();
    assert.equal(head, `${r.evidence?.hash}|claude|[QMS] ${VR} | Evidence capture during VR execution | step_actual.1`);
    assert.equal(r.recorded?.commit, r.evidence?.hash);
    assert.equal(b.session()?.responses["step_actual.1"]?.[0]?.commit, r.evidence?.hash);
    assert.match(git(b.root, "show", "--name-only", "--format=", "HEAD"), /^result\.log$/m);
    const res = interact(b.ctx("claude"), { docId: VR });
    assert.ok(res.ok);
  });

  it("REQ-INT-021: the commit never holds the lock file, container folders, ignored files or a token store inside the project", (t) => {
    const b = withVr(t);
    fs.writeFileSync(b.file(".gitignore"), "ignored.txt\n");
    gitRepo(b.root);
    answerUpToSummary(b, []);
    b.act("claude", { respond: "run" });
    b.act("claude", { respond: "expected" });
    fs.mkdirSync(b.file(".claude/users/claude/container/home"), { recursive: true });
    fs.writeFileSync(b.file(".claude/users/claude/container/home/.bash_history"), "secret\n");
    fs.writeFileSync(b.file("ignored.txt"), "ignored\n");
    fs.mkdirSync(b.file("config/qms"), { recursive: true });
    fs.writeFileSync(b.file("config/qms/tokens.json"), "{}\n");
    fs.writeFileSync(b.file("config/qms/heads.json"), "{}\n");
    fs.writeFileSync(b.file("evidence.txt"), "kept\n");
    const saved = process.env.QMS_TOKEN_STORE;
    process.env.QMS_TOKEN_STORE = b.file("config/qms/tokens.json");
    t.after(() => {
      if (saved === undefined) delete process.env.QMS_TOKEN_STORE;
      else process.env.QMS_TOKEN_STORE = saved;
    });
    const r = b.act("claude", { respond: "observed" });
    assert.ok(r.evidence?.hash);
    const files = git(b.root, "show", "--name-only", "--format=", "HEAD").trim().split("\n");
    assert.ok(files.includes("evidence.txt"), files.join(","));
    for (const f of files) assert.ok(!/container|ignored\.txt|config\/qms|QMS\/\.lock/.test(f), `committed: ${f}`);
  });

  it("REQ-INT-020: nothing changed, or not a git repository: no commit and no hash, the response is still recorded", (t) => {
    const b = withVr(t);
    answerUpToSummary(b, []);
    b.act("claude", { respond: "run" });
    b.act("claude", { respond: "expected" });
    const r = interact(b.ctx("claude"), { docId: VR, respond: "observed" });
    assert.ok(r.ok);
    assert.equal(r.data.recorded?.key, "step_actual.1");
    assert.equal(r.data.evidence?.hash, undefined, "not a git repository");
    assert.equal(r.data.recorded?.commit, undefined);
    assert.ok(!r.lines.some((l) => l.includes("Evidence commit")), "skipped silently");
    assert.equal(b.session()?.responses["step_actual.1"]?.[0]?.commit, undefined);

    const c = bench(t);
    fs.writeFileSync(c.file("x.txt"), "x\n");
    gitRepo(c.root);
    const commit = evidenceCommitter(c.project, "claude", new Date("2026-03-01T10:00:00Z"), {});
    assert.equal(commit("[QMS] X | ctx | p"), undefined, "a clean tree: nothing to commit");
    assert.equal(git(c.root, "log", "--format=%s").trim(), "initial");
  });
});

describe("Python-era VR records through interact (spec §9.2, §9.5)", () => {
  const FIXTURES = path.join(REPO_ROOT, "test", "fixtures-vr", "QMS");
  const IDS = ["CR-010-VR-001", "CR-010-VR-002", "CR-010-VR-003"];

  function pythonEra(t: TestContext): Bench {
    const b = bench(t);
    fs.cpSync(FIXTURES, b.file("QMS"), { recursive: true });
    fs.mkdirSync(b.file("QMS/.meta/CR"), { recursive: true });
    fs.writeFileSync(b.file("QMS/.meta/CR/CR-010.json"), JSON.stringify({ doc_id: "CR-010", doc_type: "CR", version: "1.0", status: "IN_EXECUTION", executable: true, execution_phase: "post_release", responsible_user: "claude", checked_out: false, pending_assignees: [] }));
    for (const id of IDS) {
      const meta = { doc_id: id, doc_type: "VR", version: "1.0", status: "CLOSED", executable: true, execution_phase: "post_release", responsible_user: null, checked_out: false, checked_out_date: null, effective_version: null, pending_assignees: [] };
      fs.writeFileSync(b.file(`QMS/.meta/VR/${id}.json`), JSON.stringify(meta, null, 2));
    }
    return b;
  }

  /** The lines that carry responses and their attribution (as in test/vr-compat). */
  function responseLines(markdown: string): string[] {
    const out: string[] = [];
    let fenced = false;
    for (const line of markdown.split("\n")) {
      if (/^(```|~~~)/.test(line)) {
        fenced = !fenced;
        out.push(line);
      } else if (fenced || line.startsWith(">") || line.startsWith("*-- ") || line.startsWith("|") || (/^\*\*.+\*\*$/.test(line) && line !== "**END OF DOCUMENT**")) {
        out.push(line);
      }
    }
    return out;
  }

  for (const id of IDS) {
    it(`REQ-INT-013: ${id}: --progress shows the Python-era record complete and --compile reproduces its responses and attribution lines in order`, (t) => {
      const b = pythonEra(t);
      const before = snapshotTree(b.root);
      const p = b.act("qa", { docId: id, progress: true });
      assert.equal(p.from, "stored");
      assert.ok(p.progress.complete && p.progress.answered === p.progress.total, JSON.stringify(p.progress.items.filter((i) => !i.answered)));
      const c = b.act("tu_ui", { docId: id, compile: true });
      assert.equal(c.template.origin === "seed/templates/TEMPLATE-VR.md", id === "CR-010-VR-003");
      const stored = b.read(`QMS/CR/CR-010/${id}.md`)!;
      assert.deepEqual(responseLines(c.compiled ?? ""), responseLines(stored));
      assert.deepEqual(snapshotTree(b.root), before);
    });
  }

  it("REQ-INT-017: checking out a Python-era VR seeds the session with its source byte for byte", (t) => {
    const b = pythonEra(t);
    const id = "CR-010-VR-003";
    const meta = JSON.parse(b.read(`QMS/.meta/VR/${id}.json`)!);
    fs.writeFileSync(b.file(`QMS/.meta/VR/${id}.json`), JSON.stringify({ ...meta, status: "IN_EXECUTION", responsible_user: "claude" }));
    fs.renameSync(b.file(`QMS/CR/CR-010/${id}.md`), b.file(`QMS/CR/CR-010/${id}-draft.md`));
    ok(checkout(b.ctx("claude"), { docId: id }));
    assert.equal(b.read(`.claude/users/claude/workspace/${id}.interact`), b.stored(id)!.trimEnd());
    const g = b.act("claude", { docId: id, goto: "summary_narrative", reason: "add the log name" });
    assert.equal(g.current?.key, "summary_narrative");
    b.act("claude", { docId: id, respond: "As before; log in run-7.txt" });
    ok(checkin(b.ctx("claude"), { docId: id }));
    const source = parseSourceJson(b.stored(id)!);
    assert.ok(source.ok);
    const original = parseSourceJson(fs.readFileSync(path.join(FIXTURES, ".meta", "VR", `${id}.source.json`), "utf8"));
    assert.ok(original.ok);
    for (const [key, entries] of Object.entries(original.source.responses)) {
      assert.deepEqual(source.source.responses[key]?.slice(0, entries.length), entries, `${key}: earlier entries kept`);
    }
  });
});
