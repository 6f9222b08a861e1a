import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { type Actor, currentPrompt, type EngineResult, type InteractFlags, interact, progress, selectAction } from "../src/core/vr/engine.js";
import { currentPromptLines, nextStep, progressLines } from "../src/core/vr/present.js";
import { createSource, loadSource, parseSourceJson, serializeSource, type VrSource } from "../src/core/vr/source.js";
import { parseTemplate, type Template } from "../src/core/vr/template.js";
import { REPO_ROOT } from "./helpers.js";

function template(text: string): Template {
  const r = parseTemplate(text);
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.template;
}

const VR = template(fs.readFileSync(path.join(REPO_ROOT, "seed", "templates", "TEMPLATE-VR.md"), "utf8"));

/** A session driver with a fake clock; every step checks the append-only rule and that the input is untouched. */
function session(t: Template = VR, user = "claude") {
  let source = createSource(t, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Export check" });
  let clock = Date.parse("2026-03-01T10:00:00Z");
  const commits: string[] = [];
  const tick = (): Date => {
    clock += 60_000;
    return new Date(clock);
  };
  const actor = (): Actor => ({
    user,
    now: tick(),
    captureEvidence: (message) => {
      commits.push(message);
      return `c0ffee${commits.length}`;
    },
  });
  const step = (flags: InteractFlags): EngineResult => {
    const before = structuredClone(source);
    const result = interact(source, t, flags, actor());
    assert.deepEqual(source, before, "the engine never mutates its input");
    if (result.ok) {
      assertAppendOnly(before, result.source);
      source = result.source;
    }
    return result;
  };
  const ok = (flags: InteractFlags) => {
    const r = step(flags);
    assert.ok(r.ok, r.ok ? "" : `${r.rule}: ${r.message}`);
    return r;
  };
  const refused = (flags: InteractFlags) => {
    const r = step(flags);
    assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(flags)}`);
    return r;
  };
  return { ok, refused, commits, get source() { return source; } };
}

/** Only appends: every earlier entry, gate decision and reopening is still there, deep-equal and in place. */
function assertAppendOnly(before: VrSource, after: VrSource): void {
  for (const [key, entries] of Object.entries(before.responses)) {
    const now = after.responses[key];
    assert.ok(now, `responses.${key} was removed`);
    assert.deepEqual(now.slice(0, entries.length), entries, `responses.${key}: an entry was rewritten or removed`);
  }
  for (const [key, gate] of Object.entries(before.gates)) assert.deepEqual(after.gates[key], gate, `gates.${key} was rewritten`);
  for (const [name, loop] of Object.entries(before.loops)) {
    assert.deepEqual(after.loops[name]?.reopenings.slice(0, loop.reopenings.length), loop.reopenings, `loops.${name}.reopenings rewritten`);
    assert.ok((after.loops[name]?.iterations ?? 0) >= loop.iterations, `loops.${name}.iterations went down`);
  }
  assert.deepEqual(after.metadata, before.metadata, "metadata is not changed by the engine");
}

/** Answer the shipped VR up to the loop gate of iteration 1. */
function throughFirstStep(s: ReturnType<typeof session>) {
  for (const value of ["EI-2", "Verify exports keep every audit event.", "main at abc123", "Run: npm test -- export", "12 passed", "12 passed, 0 failed", "Pass"]) {
    s.ok({ respond: value });
  }
}

/** The same, after related_eis is answered. */
function throughFirstStepFrom(s: ReturnType<typeof session>) {
  for (const value of ["objective", "pre", "run", "expect", "actual", "Pass"]) s.ok({ respond: value });
}

function finish(s: ReturnType<typeof session>) {
  throughFirstStep(s);
  s.ok({ respond: "no" });
  s.ok({ respond: "Pass" });
  s.ok({ respond: "One step, all good." });
}

describe("VR source (spec §9.2)", () => {
  it("REQ-INT-006: a new source holds doc_id, template ref, cursor, responses, loop state, gates, metadata", () => {
    const s = createSource(VR, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Export check" });
    assert.deepEqual(s, {
      doc_id: "CR-001-VR-001",
      template: "VR",
      template_version: 5,
      cursor: "related_eis",
      cursor_context: {},
      metadata: { parent_doc_id: "CR-001", vr_id: "CR-001-VR-001", title: "Export check" },
      responses: {},
      loops: {},
      gates: {},
    });
  });

  it("REQ-INT-006: loading validates the shape and keeps fields it does not know", () => {
    const s = session();
    finish(s);
    const raw = JSON.parse(serializeSource(s.source)) as Record<string, unknown>;
    raw.future_field = { kept: true };
    const loaded = loadSource(raw);
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.source, raw);
    assert.deepEqual(Object.keys(loaded.source), Object.keys(raw), "key order kept");
    const broken = loadSource({ ...raw, responses: { objective: [{ value: 1 }] } });
    assert.ok(!broken.ok);
    assert.match(broken.message, /responses\.objective\.0\.value/);
    assert.ok(!loadSource({ doc_id: "X" }).ok);
    assert.ok(!parseSourceJson("{not json").ok);
  });

  it("REQ-INT-006: sources are written as json.dump(indent=2) with non-ASCII escaped", () => {
    const s = createSource(VR, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Prüfung" });
    const text = serializeSource(s);
    assert.match(text, /^\{\n {2}"doc_id": "CR-001-VR-001",\n/);
    assert.ok(text.includes('"title": "Pr\\u00fcfung"'));
    assert.ok(!text.endsWith("\n"));
    assert.ok(parseSourceJson(text).ok);
  });
});

describe("VR engine (spec §9.3)", () => {
  it("REQ-INT-010: the current prompt comes with its guidance, loop and commit notice", () => {
    const s = session();
    const first = currentPrompt(s.source, VR);
    assert.equal(first?.key, "related_eis");
    assert.match(first?.guidance ?? "", /Which execution item/);
    for (const value of ["EI-2", "objective", "pre"]) s.ok({ respond: value });
    const inLoop = s.ok({});
    assert.equal(inLoop.outcome.action, "show");
    assert.deepEqual(inLoop.outcome.current?.loop, { name: "steps", iteration: 1 });
    assert.match(inLoop.outcome.current?.guidance ?? "", /What will you do in step 1\?/);
    s.ok({ respond: "run" });
    s.ok({ respond: "expect" });
    const actual = s.ok({}).outcome.current;
    assert.equal(actual?.key, "step_actual.1");
    assert.equal(actual?.commit, true);
    const text = currentPromptLines(actual ?? null, progress(s.source, VR)).join("\n");
    assert.match(text, /Prompt: step_actual\.1 \(loop steps, iteration 1\)/);
    assert.match(text, /commits the project's working tree/);
  });

  it("REQ-INT-011: a response is recorded with author and UTC timestamp, then the next prompt is presented", () => {
    const s = session();
    const r = s.ok({ respond: "EI-2, EI-3\n" });
    assert.deepEqual(r.outcome.recorded, { key: "related_eis", kind: "response", value: "EI-2, EI-3" });
    assert.deepEqual(s.source.responses.related_eis, [{ value: "EI-2, EI-3", author: "claude", timestamp: "2026-03-01T10:01:00Z" }]);
    assert.equal(r.outcome.current?.key, "objective");
  });

  it("REQ-INT-011: --file content is recorded; an empty response or empty file is refused", () => {
    const s = session();
    const empty = s.refused({ respond: "   \n" });
    assert.equal(empty.rule, "empty-response");
    assert.equal(empty.code, "invalid-argument");
    const emptyFile = s.refused({ respond: "", fromFile: "out.txt" });
    assert.match(emptyFile.message, /The file out\.txt is empty/);
    s.ok({ respond: "line 1\nline 2\n", fromFile: "out.txt" });
    assert.equal(s.source.responses.related_eis?.[0]?.value, "line 1\nline 2");
  });

  it("REQ-INT-004: a gate accepts only yes or no", () => {
    const s = session();
    throughFirstStep(s);
    for (const answer of ["maybe", "y", "", "true"]) {
      const r = s.refused({ respond: answer });
      assert.equal(r.rule, "not-yes-no");
    }
    s.ok({ respond: " YES " });
    assert.deepEqual(s.source.gates["more_steps.1"], { value: "yes", timestamp: s.source.gates["more_steps.1"]?.timestamp });
  });

  it("REQ-INT-005: yes on the loop gate starts the next iteration, no closes the loop", () => {
    const s = session();
    throughFirstStep(s);
    const yes = s.ok({ respond: "yes" });
    assert.equal(yes.outcome.current?.key, "step_instructions.2");
    assert.deepEqual(s.source.loops.steps, { iterations: 2, closed: false, reopenings: [] });
    for (const v of ["run 2", "exp 2", "act 2", "Fail"]) s.ok({ respond: v });
    const no = s.ok({ respond: "no" });
    assert.equal(no.outcome.current?.key, "summary_outcome");
    assert.deepEqual(s.source.loops.steps, { iterations: 2, closed: true, reopenings: [] });
    assert.deepEqual(s.source.cursor_context, {});
  });

  it("REQ-INT-014: prompts are answered in template order; another prompt than the current one is refused", () => {
    const s = session();
    const r = s.refused({ respond: "Pass", prompt: "summary_outcome" });
    assert.equal(r.rule, "out-of-order");
    assert.match(r.message, /current prompt is 'related_eis'/);
    s.ok({ respond: "EI-2", prompt: "related_eis" });
    for (const v of ["objective", "pre"]) s.ok({ respond: v });
    s.ok({ respond: "run", prompt: "step_instructions" });
    s.ok({ respond: "expect", prompt: "step_expected.1" });
    assert.equal(s.refused({ respond: "actual", prompt: "step_actual.2" }).rule, "out-of-order");
    const unpresented = s.refused({ goto: "summary_outcome", reason: "early" });
    assert.equal(unpresented.rule, "not-answered");
    for (const v of ["actual", "Pass", "no", "Pass", "Done."]) s.ok({ respond: v });
    const done = s.refused({ respond: "more" });
    assert.equal(done.rule, "flow-complete");
  });

  it("REQ-INT-012: goto needs a reason and an answered prompt; the amendment is appended with the reason and the cursor returns", () => {
    const s = session();
    throughFirstStep(s);
    assert.equal(s.refused({ goto: "objective" }).rule, "reason-required");
    assert.equal(s.refused({ goto: "objective", reason: "  " }).rule, "reason-required");
    const unknown = s.refused({ goto: "nonsense", reason: "x" });
    assert.equal(unknown.rule, "unknown-prompt");
    assert.equal(unknown.code, "not-found");
    assert.equal(s.refused({ goto: "objective.2", reason: "x" }).rule, "unknown-prompt");
    assert.equal(s.refused({ goto: "summary_outcome", reason: "x" }).rule, "not-answered");
    assert.equal(s.refused({ goto: "step_actual.2", reason: "x" }).rule, "not-answered");
    assert.equal(s.refused({ goto: "more_steps.1", reason: "x" }).rule, "goto-gate");
    const g = s.ok({ goto: "objective", reason: "wording" });
    assert.equal(g.outcome.current?.key, "objective");
    assert.deepEqual(g.outcome.current?.amending, { reason: "wording", returnTo: "more_steps" });
    assert.match(currentPromptLines(g.outcome.current ?? null, g.outcome.progress)[0] ?? "", /^AMENDING Prompt: objective/);
    const r = s.ok({ respond: "Verify that exports keep all audit events." });
    assert.equal(r.outcome.recorded?.reason, "wording");
    assert.equal(s.source.responses.objective?.length, 2);
    assert.equal(s.source.responses.objective?.[0]?.value, "Verify exports keep every audit event.");
    assert.equal(s.source.responses.objective?.[1]?.reason, "wording");
    assert.equal(r.outcome.current?.key, "more_steps.1", "back where it was");
    assert.deepEqual(s.source.cursor_context, { loop: "steps", iteration: 1 });
  });

  it("REQ-INT-012: an amended commit prompt inside a loop names its iteration and commits again", () => {
    const s = session();
    throughFirstStep(s);
    s.ok({ respond: "yes" });
    s.ok({ respond: "run 2" });
    s.ok({ goto: "step_actual", reason: "only one iteration answered: unambiguous" });
    s.ok({ cancelGoto: true });
    s.ok({ respond: "exp 2" });
    s.ok({ respond: "act 2" });
    assert.equal(s.refused({ goto: "step_actual", reason: "x" }).rule, "iteration-required", "two iterations answered");
    s.ok({ goto: "step_actual.1", reason: "pasted the wrong output" });
    const r = s.ok({ respond: "12 passed, 0 failed, 1 skipped" });
    assert.equal(r.outcome.recorded?.key, "step_actual.1");
    assert.equal(r.outcome.current?.key, "step_outcome.2");
    assert.deepEqual(s.commits, [
      "[QMS] CR-001-VR-001 | Evidence capture during VR execution | step_actual.1",
      "[QMS] CR-001-VR-001 | Evidence capture during VR execution | step_actual.2",
      "[QMS] CR-001-VR-001 | Evidence capture during VR execution | step_actual.1",
    ]);
    assert.deepEqual(s.source.responses["step_actual.1"]?.map((e) => e.commit), ["c0ffee1", "c0ffee3"]);
  });

  it("REQ-INT-012: cancel-goto leaves amendment mode without recording anything", () => {
    const s = session();
    s.ok({ respond: "EI-2" });
    assert.equal(s.refused({ cancelGoto: true }).rule, "not-amending");
    s.ok({ goto: "related_eis", reason: "typo" });
    const before = structuredClone(s.source.responses);
    const r = s.ok({ cancelGoto: true });
    assert.equal(r.outcome.current?.key, "objective");
    assert.equal(r.outcome.current?.amending, undefined);
    assert.deepEqual(s.source.responses, before);
    assert.deepEqual(s.source.cursor_context, {});
  });

  it("REQ-INT-012: reopen needs a reason and a closed loop; it starts a new iteration and returns afterwards", () => {
    const s = session();
    s.ok({ respond: "EI-2" });
    assert.equal(s.refused({ reopen: "steps", reason: "x" }).rule, "loop-not-started");
    throughFirstStepFrom(s);
    const open = s.refused({ reopen: "steps", reason: "another" });
    assert.equal(open.rule, "loop-open");
    s.ok({ respond: "no" });
    assert.equal(s.refused({ reopen: "steps" }).rule, "reason-required");
    assert.equal(s.refused({ reopen: "nosuch", reason: "x" }).rule, "unknown-loop");
    s.ok({ respond: "Pass" });
    const r = s.ok({ reopen: "steps", reason: "forgot the import check" });
    assert.equal(r.outcome.current?.key, "step_instructions.2");
    assert.equal(s.source.loops.steps?.closed, false);
    assert.equal(s.source.loops.steps?.iterations, 2);
    assert.deepEqual(s.source.loops.steps?.reopenings, [{ reason: "forgot the import check", author: "claude", timestamp: s.source.loops.steps?.reopenings[0]?.timestamp }]);
    for (const v of ["import", "rejects bad file", "rejected: bad header", "Pass"]) s.ok({ respond: v });
    const closed = s.ok({ respond: "no" });
    assert.equal(closed.outcome.current?.key, "summary_narrative", "back where the reopen started");
    assert.equal(s.source.loops.steps?.closed, true);
    s.ok({ goto: "summary_outcome", reason: "re-check" });
    assert.equal(s.refused({ reopen: "steps", reason: "x" }).rule, "amending");
  });

  it("REQ-INT-013: progress lists every prompt answered or not, with commit and loop markers", () => {
    const s = session();
    s.ok({ respond: "EI-2" });
    const p = s.ok({ progress: true, respond: "ignored" });
    assert.equal(p.outcome.action, "progress");
    assert.equal(s.source.responses.objective, undefined, "progress outranks respond");
    const items = p.outcome.progress.items.map((i) => `${i.answered ? "x" : " "} ${i.key}${i.current ? " <" : ""}`);
    assert.deepEqual(items, [
      "x related_eis",
      "  objective <",
      "  pre_conditions",
      "  step_instructions.1",
      "  step_expected.1",
      "  step_actual.1",
      "  step_outcome.1",
      "  more_steps.1",
      "  summary_outcome",
      "  summary_narrative",
    ]);
    const text = progressLines(p.outcome.progress);
    assert.equal(text[0], "[x] related_eis");
    assert.equal(text[5], "[ ] step_actual.1 (commit, loop steps #1)");
    assert.equal(text[7], "[ ] more_steps.1 (gate, loop steps #1)");
    assert.equal(text.at(-1), "1/10 answered");
  });

  it("REQ-INT-013: compile previews the markdown and changes nothing", () => {
    const s = session();
    s.ok({ respond: "EI-2" });
    const before = structuredClone(s.source);
    const r = s.ok({ compile: true, respond: "ignored", goto: "related_eis", reason: "x" });
    assert.equal(r.outcome.action, "compile");
    assert.match(r.outcome.compiled ?? "", /\| CR-001 \| EI-2 \| 2026-03-01 \|/);
    assert.deepEqual(s.source, before);
  });

  it("REQ-INT-012: flags are applied by priority progress > compile > cancel-goto > goto > reopen > respond", () => {
    const all: InteractFlags = { progress: true, compile: true, cancelGoto: true, goto: "x", reopen: "steps", respond: "v" };
    assert.equal(selectAction(all), "progress");
    assert.equal(selectAction({ ...all, progress: false }), "compile");
    assert.equal(selectAction({ ...all, progress: false, compile: false }), "cancel-goto");
    assert.equal(selectAction({ goto: "x", reopen: "steps", respond: "v" }), "goto");
    assert.equal(selectAction({ reopen: "steps", respond: "v" }), "reopen");
    assert.equal(selectAction({ respond: "v" }), "respond");
    assert.equal(selectAction({}), "show");
    const s = session();
    s.ok({ respond: "EI-2" });
    const r = s.ok({ goto: "related_eis", reason: "typo", respond: "EI-3" });
    assert.equal(r.outcome.action, "goto");
    assert.equal(s.source.responses.related_eis?.length, 1, "goto outranks respond: nothing recorded");
  });

  it("REQ-INT-015: guidance references earlier answers and the iteration; unknown placeholders stay", () => {
    const t = template(
      [
        "<!-- @template: G | version: 1 | start: name -->",
        "<!-- @prompt: name | next: cmd | default: current_user -->",
        "Who runs {{title}} for {{parent_doc_id}}?",
        "<!-- @end-prompt -->",
        "<!-- @loop: l -->",
        "<!-- @prompt: cmd | next: more | default: today -->",
        "{{name}}, step {{_n}}: previous command was {{cmd.1}}; {{unknown_thing}} stays.",
        "<!-- @end-prompt -->",
        "<!-- @gate: more | type: yesno | yes: cmd | no: end -->",
        "After {{cmd}}, another?",
        "<!-- @end-prompt -->",
        "<!-- @end-loop: l -->",
      ].join("\n"),
    );
    const s = session(t, "lead");
    const first = s.ok({});
    assert.equal(first.outcome.current?.guidance, "Who runs Export check for CR-001?");
    assert.equal(first.outcome.current?.suggested, "lead");
    const second = s.ok({ respond: "Ada" });
    assert.equal(second.outcome.current?.guidance, "Ada, step 1: previous command was {{cmd.1}}; {{unknown_thing}} stays.");
    assert.match(second.outcome.current?.suggested ?? "", /^2026-03-01$/);
    const gate = s.ok({ respond: "ls -la" });
    assert.equal(gate.outcome.current?.guidance, "After ls -la, another?");
    assert.deepEqual(nextStep("CR-001-VR-001", gate.outcome), { action: "interact", doc_id: "CR-001-VR-001", args: { respond: "yes|no" } });
    const again = s.ok({ respond: "yes" });
    assert.equal(again.outcome.current?.guidance, "Ada, step 2: previous command was ls -la; {{unknown_thing}} stays.");
    s.ok({ respond: "pwd" });
    const end = s.ok({ respond: "no" });
    assert.equal(end.outcome.current, null);
    assert.equal(end.outcome.progress.complete, true);
    assert.deepEqual(nextStep("CR-001-VR-001", end.outcome), { action: "checkin", doc_id: "CR-001-VR-001" });
  });

  it("REQ-INT-020: a commit prompt records the evidence hash; a skipped commit records none", () => {
    const s = session();
    throughFirstStep(s);
    assert.deepEqual(s.commits, ["[QMS] CR-001-VR-001 | Evidence capture during VR execution | step_actual.1"]);
    assert.equal(s.source.responses["step_actual.1"]?.[0]?.commit, "c0ffee1");
    assert.equal(s.source.responses["step_expected.1"]?.[0]?.commit, undefined, "only commit: true prompts commit");
    let source = createSource(VR, { docId: "CR-001-VR-002", parentDocId: "CR-001", title: "t" });
    source = { ...source, cursor: "step_actual", cursor_context: { loop: "steps", iteration: 1 }, loops: { steps: { iterations: 1, closed: false, reopenings: [] } } };
    const r = interact(source, VR, { respond: "out" }, { user: "claude", now: new Date("2026-03-01T10:00:00Z"), captureEvidence: () => undefined });
    assert.ok(r.ok);
    assert.deepEqual(r.source.responses["step_actual.1"], [{ value: "out", author: "claude", timestamp: "2026-03-01T10:00:00Z" }]);
    assert.deepEqual(r.outcome.evidence, { message: "[QMS] CR-001-VR-002 | Evidence capture during VR execution | step_actual.1" });
  });

  it("REQ-INT-006: a session whose cursor_context has no iteration continues in the loop's latest iteration", () => {
    const base = createSource(VR, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "t" });
    const source: VrSource = { ...base, cursor: "step_outcome", cursor_context: { loop: null, iteration: null }, loops: { steps: { iterations: 2, closed: false, reopenings: [] } } };
    assert.equal(currentPrompt(source, VR)?.key, "step_outcome.2");
    const r = interact(source, VR, { respond: "Pass" }, { user: "claude", now: new Date("2026-03-01T10:00:00Z") });
    assert.ok(r.ok);
    assert.equal(r.outcome.current?.key, "more_steps.2");
  });

  it("a cursor that names no prompt of the template is refused as corrupt", () => {
    const source = { ...createSource(VR, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "t" }), cursor: "gone" };
    const r = interact(source, VR, { respond: "x" }, { user: "claude", now: new Date() });
    assert.ok(!r.ok);
    assert.equal(r.code, "corrupt-data");
  });

  it("REQ-INT-008/009: a long session with amendments, cancels, reopenings and refusals only ever appends", () => {
    const s = session();
    throughFirstStep(s);
    s.ok({ goto: "objective", reason: "first amendment" });
    s.ok({ respond: "objective v2" });
    s.ok({ goto: "objective", reason: "second amendment" });
    s.refused({ respond: "" });
    s.ok({ respond: "objective v3" });
    s.ok({ respond: "yes" });
    for (const v of ["run 2", "exp 2", "act 2", "Pass"]) s.ok({ respond: v });
    s.ok({ goto: "step_outcome.1", reason: "was a fail" });
    s.ok({ cancelGoto: true });
    s.ok({ respond: "no" });
    s.ok({ respond: "Pass" });
    s.ok({ reopen: "steps", reason: "one more" });
    for (const v of ["run 3", "exp 3", "act 3", "Pass", "no"]) s.ok({ respond: v });
    s.ok({ respond: "Narrative." });
    s.ok({ goto: "step_actual.3", reason: "full output" });
    s.ok({ respond: "act 3, full" });
    assert.equal(s.source.cursor, "__end__");
    assert.deepEqual(s.source.responses.objective?.map((e) => [e.value, e.reason]), [
      ["Verify exports keep every audit event.", undefined],
      ["objective v2", "first amendment"],
      ["objective v3", "second amendment"],
    ]);
    const p = progress(s.source, VR);
    assert.equal(p.complete, true);
    assert.equal(p.answered, p.total);
    assert.equal(p.total, 5 + 3 * 5);
  });
});
