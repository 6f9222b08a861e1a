import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { create } from "../src/services/create.js";
import { type InteractInput, interact } from "../src/services/interact.js";
import { read } from "../src/services/read.js";
import { REPO_ROOT, snapshotTree } from "./helpers.js";
import { type SvcProject, svcProject } from "./svc-harness.js";

/**
 * `interact` in process (spec §9.3, §9.5): the exact lines, data, next steps and warnings of each action, and
 * the exact text of each refusal. The VR is CR-001-VR-001 on the shipped TEMPLATE-VR v5.
 */

const VR = "CR-001-VR-001";
const PRIORITY = "(priority: progress > compile > cancel-goto > goto > reopen > respond)";
const answerStep = { action: "interact", doc_id: VR, args: { respond: "<answer>" }, lead: "Answer with" };

function withVr(t: { after: (fn: () => void) => void }): SvcProject {
  const p = svcProject(t);
  p.crTo("IN_EXECUTION");
  assert.equal(p.ok(create, "claude", { type: "VR", title: "Check", parent: "CR-001" }).data.doc_id, VR);
  return p;
}

const act = (p: SvcProject, user: string, input: Omit<InteractInput, "docId">) => p.ok(interact, user, { docId: VR, ...input });
const sessionFile = (p: SvcProject, user = "claude"): string => p.file(`.claude/users/${user}/workspace/${VR}.interact`);
const session = (p: SvcProject) => JSON.parse(fs.readFileSync(sessionFile(p), "utf8")) as { responses: Record<string, Array<{ value: string; author: string; reason?: string }>> };

/** Answer every prompt up to the loop's first step_actual (the commit prompt). */
function upToCommitPrompt(p: SvcProject): void {
  for (const value of ["EI-1", "obj", "pre", "step 1", "exp"]) act(p, "claude", { respond: value });
}

describe("interact (in process)", () => {
  it("REQ-INT-010: interact alone shows the document, the template, the current prompt and how to answer, and writes nothing", (t) => {
    const p = withVr(t);
    const before = snapshotTree(p.root);
    const r = act(p, "claude", {});
    assert.deepEqual(snapshotTree(p.root), before, "showing writes nothing");
    const guidance = r.data.current!.guidance;
    assert.match(guidance, /^Which execution item\(s\) of the parent document does this record verify\?/);
    assert.deepEqual(r.lines, [`${VR}: Check`, "Template: VR v5", "", "Prompt: related_eis", "", guidance]);
    assert.deepEqual(r.next, [answerStep]);
    assert.equal(r.warnings, undefined);
    assert.deepEqual(
      { doc_id: r.data.doc_id, action: r.data.action, from: r.data.from, template: r.data.template, current: r.data.current?.key },
      { doc_id: VR, action: "show", from: "session", template: { name: "VR", version: 5, origin: "seed/templates/TEMPLATE-VR.md" }, current: "related_eis" },
    );
    assert.deepEqual(Object.keys(r.data).sort(), ["action", "current", "doc_id", "from", "progress", "template"]);
    assert.equal(r.text, `${r.lines.join("\n")}\nAnswer with: qms --user claude interact ${VR} --respond <answer>`);
  });

  it("REQ-INT-011, REQ-INT-020: a response is recorded in the session; a commit prompt offers a file; a gate takes yes or no", (t) => {
    const p = withVr(t);
    const first = act(p, "claude", { respond: "EI-1" });
    assert.deepEqual(first.data.recorded, { key: "related_eis", kind: "response", value: "EI-1" });
    assert.deepEqual(first.lines, ["Recorded: related_eis", "", "Prompt: objective", "", first.data.current!.guidance]);
    assert.deepEqual(first.next, [answerStep]);
    assert.equal(first.data.evidence, undefined);
    assert.deepEqual(session(p).responses.related_eis?.map((e) => [e.value, e.author]), [["EI-1", "claude"]]);
    for (const value of ["obj", "pre", "step 1"]) act(p, "claude", { respond: value });
    const commitPrompt = act(p, "claude", { respond: "exp" });
    assert.deepEqual(commitPrompt.lines.slice(0, 3), ["Recorded: step_expected.1", "", "Prompt: step_actual.1 (loop steps, iteration 1)"]);
    assert.equal(commitPrompt.lines.at(-1), "Recording this response also commits the project's working tree as evidence.");
    assert.deepEqual(commitPrompt.next, [answerStep, { action: "interact", doc_id: VR, args: { file: "<PATH>" }, lead: "or record a file's content with" }]);
    // not a git repository: the evidence commit is skipped, the response is recorded, no "Evidence commit:" line
    const actual = act(p, "claude", { respond: "act" });
    assert.deepEqual(actual.data.evidence, { message: `[QMS] ${VR} | Evidence capture during VR execution | step_actual.1` });
    assert.deepEqual(actual.lines.slice(0, 3), ["Recorded: step_actual.1", "", "Prompt: step_outcome.1 (loop steps, iteration 1)"]);
    const gate = act(p, "claude", { respond: "Pass" });
    assert.equal(gate.lines[2], "Gate: more_steps.1 (loop steps, iteration 1)");
    assert.deepEqual(gate.next, [
      { action: "interact", doc_id: VR, args: { respond: "yes" }, lead: "Answer" },
      { action: "interact", doc_id: VR, args: { respond: "no" }, lead: "or" },
    ]);
    const decided = act(p, "claude", { respond: "no" });
    assert.deepEqual(decided.data.recorded, { key: "more_steps.1", kind: "gate", value: "no" });
    assert.deepEqual(decided.lines.slice(0, 3), ["Recorded: more_steps.1 = no", "", "Prompt: summary_outcome"]);
    act(p, "claude", { respond: "Pass" });
    const last = act(p, "claude", { respond: "All good" });
    assert.equal(last.data.current, null);
    assert.equal(last.lines[0], "Recorded: summary_narrative");
    assert.equal(last.lines.at(-1) === "", false, "no trailing blank line");
    assert.deepEqual(last.next, [{ action: "checkin", doc_id: VR, lead: "Every prompt is answered; compile the record with" }]);
  });

  it("REQ-INT-011: the answer may come from a workspace file (MCP) or a host file (CLI); a value and a file together are refused", (t) => {
    const p = withVr(t);
    fs.writeFileSync(p.file(".claude/users/claude/workspace/out.txt"), "from the workspace");
    assert.deepEqual(act(p, "claude", { respond: "", file: "out.txt" }).data.recorded, { key: "related_eis", kind: "response", value: "from the workspace" });
    fs.writeFileSync(p.file("host.txt"), "from the host");
    assert.deepEqual(act(p, "claude", { file: "host.txt", hostDir: p.root }).data.recorded, { key: "objective", kind: "response", value: "from the host" });
    assert.equal(
      p.no(interact, "claude", { docId: VR, file: "host.txt" }, "not-found").text,
      "Error: The response file host.txt does not exist in your workspace (.claude/users/claude/workspace/).\nNext: Write the output to a file in your workspace and name it relative to that folder.",
    );
    assert.equal(
      p.no(interact, "claude", { docId: VR, respond: "x", file: "out.txt" }, "invalid-argument").text,
      "Error: Give the response either as a value or as a file, not both.\nNext: Pass the value, or the file whose content is the value.",
    );
    assert.equal(session(p).responses.pre_conditions, undefined);
  });

  it("REQ-INT-012: goto amends with a reason, cancel-goto records nothing, reopen adds a loop iteration", (t) => {
    const p = withVr(t);
    upToCommitPrompt(p);
    for (const value of ["act", "Pass", "no"]) act(p, "claude", { respond: value });
    const g = act(p, "claude", { goto: "objective", reason: "typo" });
    assert.deepEqual(g.lines, ["AMENDING Prompt: objective", "Amendment reason: typo; afterwards the cursor returns to summary_outcome.", "", g.data.current!.guidance]);
    assert.deepEqual(g.next, [answerStep]);
    assert.equal(g.data.recorded, undefined);
    const amended = act(p, "claude", { respond: "obj2" });
    assert.deepEqual(amended.data.recorded, { key: "objective", kind: "response", value: "obj2", reason: "typo" });
    assert.deepEqual(amended.lines.slice(0, 3), ["Recorded: objective (amendment: typo)", "", "Prompt: summary_outcome"]);
    assert.deepEqual(session(p).responses.objective?.map((e) => [e.value, e.reason]), [["obj", undefined], ["obj2", "typo"]]);
    act(p, "claude", { goto: "pre_conditions", reason: "again" });
    const c = act(p, "claude", { cancelGoto: true });
    assert.deepEqual(c.lines, ["Amendment cancelled; nothing was recorded.", "", "Prompt: summary_outcome", "", c.data.current!.guidance]);
    assert.deepEqual(c.next, [answerStep]);
    const r = act(p, "claude", { reopen: "steps", reason: "one more", respond: "ignored" });
    assert.deepEqual(r.lines, ["Reopened loop steps: iteration 2.", "", "Prompt: step_instructions.2 (loop steps, iteration 2)", "", r.data.current!.guidance]);
    assert.deepEqual(r.warnings, [`Only one action runs per call: reopen was run; respond was not ${PRIORITY}.`]);
    assert.deepEqual(r.next, [answerStep]);
    assert.equal(session(p).responses["step_instructions.2"], undefined, "the ignored response was not recorded");
  });

  it("REQ-INT-012: one action runs per call; the warning names every flag that was not run", (t) => {
    const p = withVr(t);
    act(p, "claude", { respond: "EI-1" });
    const all = act(p, "claude", { progress: true, compile: true, cancelGoto: true, goto: "related_eis", reopen: "steps", respond: "x", reason: "r" });
    assert.equal(all.data.action, "progress");
    assert.deepEqual(all.warnings, [`Only one action runs per call: progress was run; compile, cancel-goto, goto, reopen, respond were not ${PRIORITY}.`]);
    const two = act(p, "claude", { compile: true, goto: "related_eis", reason: "r" });
    assert.deepEqual(two.warnings, [`Only one action runs per call: compile was run; goto was not ${PRIORITY}.`]);
    const cancel = p.no(interact, "claude", { docId: VR, cancelGoto: true, respond: "x" }, "invalid-state");
    assert.match(cancel.text, /^Error: /);
    const amend = act(p, "claude", { goto: "related_eis", reopen: "steps", reason: "r" });
    assert.deepEqual([amend.data.action, amend.warnings], ["goto", [`Only one action runs per call: goto was run; reopen was not ${PRIORITY}.`]]);
    const alone = act(p, "claude", { respond: "EI-2" });
    assert.deepEqual([alone.data.action, alone.warnings], ["respond", undefined]);
  });

  it("REQ-INT-013: progress and compile preview without writing: the holder its session, anyone else the checked-in record", (t) => {
    const p = withVr(t);
    act(p, "claude", { respond: "EI-1" });
    assert.equal(
      p.no(interact, "qa", { docId: VR, compile: true }, "not-found").text,
      `Error: ${VR} has no checked-in record yet (claude is authoring it).\nNext: Read its current draft with: qms --user qa read ${VR}`,
    );
    const before = snapshotTree(p.root);
    const mine = act(p, "claude", { progress: true });
    assert.deepEqual(mine.lines, [
      `${VR}: Check`,
      "Template: VR v5",
      "",
      "[x] related_eis",
      "[ ] objective  <- current",
      "[ ] pre_conditions",
      "[ ] step_instructions.1 (loop steps #1)",
      "[ ] step_expected.1 (loop steps #1)",
      "[ ] step_actual.1 (commit, loop steps #1)",
      "[ ] step_outcome.1 (loop steps #1)",
      "[ ] more_steps.1 (gate, loop steps #1)",
      "[ ] summary_outcome",
      "[ ] summary_narrative",
      "1/10 answered",
    ]);
    assert.deepEqual([mine.data.action, mine.data.from, mine.next, mine.warnings], ["progress", "session", undefined, undefined]);
    const compiled = act(p, "claude", { compile: true });
    assert.deepEqual([compiled.data.action, compiled.data.from, compiled.next], ["compile", "session", undefined]);
    assert.deepEqual(compiled.lines, [compiled.data.compiled]);
    assert.match(compiled.data.compiled ?? "", /\| CR-001 \| EI-1 \|/);
    assert.deepEqual(snapshotTree(p.root), before, "previews write nothing");
    p.ok(checkin, "claude", { docId: VR });
    const theirs = act(p, "qa", { compile: true });
    assert.deepEqual([theirs.data.from, theirs.lines], ["stored", [theirs.data.compiled]]);
    assert.deepEqual(act(p, "claude", { progress: true }).data.from, "stored", "not checked out: the checked-in record");
    fs.rmSync(p.file(`QMS/.meta/VR/${VR}.source.json`));
    assert.equal(
      p.no(interact, "qa", { docId: VR, progress: true }, "not-found").text,
      `Error: ${VR} has no checked-in record yet.\nNext: Read its current draft with: qms --user qa read ${VR}`,
    );
  });

  it("REQ-INT-010, REQ-SEC-002: interact refuses other documents, other users' sessions, no checkout and final records, in these words", (t) => {
    const p = withVr(t);
    assert.equal(
      p.no(interact, "lead", { docId: VR, respond: "a" }, "checked-out").text,
      `Error: ${VR} is checked out by claude; only the holder of the checkout answers its prompts.\nNext: Preview the checked-in record with: qms --user lead interact ${VR} --compile`,
    );
    assert.equal(
      p.no(interact, "claude", { docId: "CR-001", respond: "a" }, "invalid-type").text,
      "Error: CR-001 is not an interactive document: interact is for Verification Records (VR).\nNext: Edit it as a workspace copy: qms --user claude checkout CR-001",
    );
    p.no(interact, "qa", { docId: "CR-001", progress: true }, "invalid-type", /is not an interactive document/);
    p.ok(checkin, "claude", { docId: VR });
    assert.equal(
      p.no(interact, "claude", { docId: VR, respond: "a" }, "not-checked-out").text,
      `Error: ${VR} is not checked out; interact works on your own checked-out session.\nNext: Check it out first: qms --user claude checkout ${VR}`,
    );
    const meta = p.meta(VR);
    fs.writeFileSync(p.project().metaPath(p.project().parseId(VR)), JSON.stringify({ ...meta, status: "CLOSED" }));
    assert.equal(
      p.no(interact, "claude", { docId: VR, respond: "a" }, "invalid-state").text,
      `Error: ${VR} is CLOSED: its record is final and takes no more responses.\nNext: Preview the checked-in record with: qms --user claude interact ${VR} --compile`,
    );
  });

  it("REQ-INT-017: a lost session starts again from the checked-in record and is written; a missing template version is stood in for", (t) => {
    const p = withVr(t);
    act(p, "claude", { respond: "EI-1" });
    p.ok(checkin, "claude", { docId: VR });
    p.ok(checkout, "claude", { docId: VR });
    const file = sessionFile(p);
    const older = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify({ ...older, template_version: 4 }));
    const standIn = act(p, "claude", {});
    assert.deepEqual(standIn.warnings, ["Template VR v4 is not in the project; seed/templates/TEMPLATE-VR.md (v5) stands in."]);
    assert.deepEqual(standIn.data.template, { name: "VR", version: 5, origin: "seed/templates/TEMPLATE-VR.md" });
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).template_version, 4, "showing keeps the session as it is");
    fs.rmSync(file);
    const lost = act(p, "claude", {});
    assert.deepEqual(lost.warnings, [`There was no session for ${VR} in your workspace; a new one starts from the last checked-in record.`]);
    assert.deepEqual([lost.data.action, lost.data.current?.key, lost.lines[3]], ["show", "objective", "Prompt: objective"]);
    assert.equal(fs.readFileSync(file, "utf8"), p.read(`QMS/.meta/VR/${VR}.source.json`), "the seeded session is written even by a show");
  });

  it("REQ-INT-020: with git, the evidence commit's hash and message are a line of the response", (t) => {
    const p = withVr(t);
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: p.root, encoding: "utf8", env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined } as NodeJS.ProcessEnv });
    git("init", "-q");
    git("config", "user.name", "Repo Owner");
    git("config", "user.email", "owner@example.com");
    git("add", "-A");
    git("commit", "-q", "-m", "initial");
    upToCommitPrompt(p);
    fs.writeFileSync(p.file("result.log"), "12 passed\n");
    const r = act(p, "claude", { respond: "12 passed" });
    const hash = r.data.evidence?.hash ?? "";
    assert.match(hash, /^[0-9a-f]{7}$/);
    assert.equal(git("log", "-1", "--format=%h").trim(), hash);
    assert.deepEqual(r.lines.slice(0, 3), ["Recorded: step_actual.1", `Evidence commit: ${hash} ([QMS] ${VR} | Evidence capture during VR execution | step_actual.1)`, ""]);
  });

  it("REQ-INT-010: a prompt's default is offered as the answer to give", (t) => {
    const p = svcProject(t);
    p.crTo("IN_EXECUTION");
    const shipped = fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8");
    const own = shipped.replace("version: 5", "version: 6").replace("<!-- @prompt: related_eis | next: objective -->", "<!-- @prompt: related_eis | next: objective | default: EI-1 -->");
    assert.notEqual(own, shipped);
    fs.writeFileSync(p.file("QMS/TEMPLATE/TEMPLATE-VR.md"), own);
    p.ok(create, "claude", { type: "VR", title: "Check", parent: "CR-001" });
    const r = act(p, "claude", {});
    assert.deepEqual(r.data.template, { name: "VR", version: 6, origin: "QMS/TEMPLATE/TEMPLATE-VR.md" });
    assert.deepEqual(r.next, [{ action: "interact", doc_id: VR, args: { respond: "EI-1" }, lead: "Answer with" }]);
  });

  it("REQ-INT-019, REQ-INT-018: read compiles the owner's live session, never for an archived version; checkin ends the session", (t) => {
    const p = withVr(t);
    act(p, "claude", { respond: "EI-1" });
    p.ok(checkin, "claude", { docId: VR });
    assert.equal(fs.existsSync(sessionFile(p)), false, "checkin removes the session");
    const stored = p.ok(read, "qa", { docId: VR });
    assert.equal(stored.data.compiled_from, undefined);
    p.ok(checkout, "claude", { docId: VR });
    act(p, "claude", { respond: "objective in the session" });
    p.ok(checkin, "claude", { docId: VR });
    p.ok(checkout, "claude", { docId: VR });
    act(p, "claude", { respond: "pre in the session" });
    const live = p.ok(read, "qa", { docId: VR });
    assert.equal(live.data.compiled_from, "session");
    assert.match(live.data.content, /pre in the session/);
    const archived = p.ok(read, "qa", { docId: VR, version: "1.0" });
    assert.equal(archived.data.source, "archive");
    assert.equal(archived.data.compiled_from, undefined);
    assert.equal(archived.data.content, p.archived(VR, "1.0"));
    assert.doesNotMatch(archived.data.content, /pre in the session/);
  });
});
