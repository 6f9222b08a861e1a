// Exact texts and edge cases of the VR engine, its presentation and its source helpers (src/core/vr), in process
// for Stryker (issue #15). The flows themselves are in vr-engine.test.ts, vr-template.test.ts and vr-compile.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Actor, type CurrentPrompt, currentPrompt, type EngineResult, interact, interpolate, type Outcome, type Progress, progress as progressOf } from "../src/core/vr/engine.js";
import { currentPromptLines, headerLines, nextStep, progressLines } from "../src/core/vr/present.js";
import { activeEntry, createSource, isEnd, loadSource, parseSourceJson, resolvedMetadata, responseKey, splitResponseKey, utcDateTime, utcTimestamp, type VrSource } from "../src/core/vr/source.js";
import { parseTemplate, type Template } from "../src/core/vr/template.js";

function template(lines: string[]): Template {
  const r = parseTemplate(lines.join("\n"));
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.template;
}

const TINY = template(["<!-- @template: T | version: 3 | start: a -->", "<!-- @prompt: a | next: end -->", "Say a.", "<!-- @end-prompt -->", "{{a}}"]);
const progress = (items: Progress["items"], complete = false): Progress => ({ items, answered: items.filter((i) => i.answered).length, total: items.length, complete });

describe("VR presentation (in process)", () => {
  it("REQ-INT-010: the header names the document, its title when it has one, and the template", () => {
    const s: VrSource = createSource(TINY, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Export" });
    assert.deepEqual(headerLines(s, TINY), ["CR-001-VR-001: Export", "Template: T v3"]);
    assert.deepEqual(headerLines({ ...s, metadata: { ...s.metadata, title: "" } }, TINY), ["CR-001-VR-001", "Template: T v3"]);
    assert.deepEqual(headerLines({ ...s, metadata: { ...s.metadata, title: null } }, TINY), ["CR-001-VR-001", "Template: T v3"]);
  });

  it("REQ-INT-010: the current prompt's lines: kind, key, loop, amendment, guidance, commit, gate and suggestion", () => {
    const base: CurrentPrompt = { key: "a", id: "a", kind: "prompt", guidance: "Line 1\nLine 2", commit: false };
    const p = progress([]);
    assert.deepEqual(currentPromptLines(base, p), ["Prompt: a", "", "Line 1", "Line 2", ""]);
    assert.deepEqual(currentPromptLines({ ...base, key: "g.2", kind: "gate", accepts: ["yes", "no"], loop: { name: "l", iteration: 2 } }, p), ["Gate: g.2 (loop l, iteration 2)", "", "Line 1", "Line 2", "", "Answer yes or no."]);
    assert.deepEqual(currentPromptLines({ ...base, commit: true, suggested: "2026-03-01", amending: { reason: "typo", returnTo: "b" } }, p), [
      "AMENDING Prompt: a",
      "Amendment reason: typo; afterwards the cursor returns to b.",
      "",
      "Line 1",
      "Line 2",
      "",
      "Recording this response also commits the project's working tree as evidence.",
      "Suggested answer: 2026-03-01",
    ]);
    assert.equal(currentPromptLines({ ...base, amending: { reason: "r", returnTo: "__end__" } }, p)[1], "Amendment reason: r; afterwards the cursor returns to the end of the flow.");
    assert.equal(currentPromptLines({ ...base, amending: { reason: "r", returnTo: "end" } }, p)[1], "Amendment reason: r; afterwards the cursor returns to the end of the flow.");
    assert.deepEqual(currentPromptLines({ ...base, suggested: "" }, p).at(-1), "Suggested answer: ");
    assert.deepEqual(currentPromptLines(null, progress([{ key: "a", id: "a", kind: "prompt", answered: true, amended: false, commit: false, current: false }], true)), ["All prompts answered (1/1).", "Check the document in to compile the record."]);
  });

  it("REQ-INT-013: progress lines mark answered, commit, gate, amended, loop and current; the total says complete", () => {
    const items: Progress["items"] = [
      { key: "a", id: "a", kind: "prompt", answered: true, amended: true, commit: true, current: false },
      { key: "g.1", id: "g", kind: "gate", answered: false, amended: false, commit: false, loop: { name: "l", iteration: 1 }, current: true },
      { key: "b", id: "b", kind: "prompt", answered: false, amended: false, commit: false, current: false },
    ];
    assert.deepEqual(progressLines(progress(items)), ["[x] a (commit, amended)", "[ ] g.1 (gate, loop l #1)  <- current", "[ ] b", "1/3 answered"]);
    assert.deepEqual(progressLines(progress([], true)), ["0/0 answered, complete"]);
  });

  it("REQ-NEXT-001: the next step answers the current prompt (its suggestion, yes|no for a gate) or checks the record in", () => {
    const out = (current: CurrentPrompt | null): Outcome => ({ action: "show", current, progress: progress([]) });
    const prompt: CurrentPrompt = { key: "a", id: "a", kind: "prompt", guidance: "", commit: false };
    assert.deepEqual(nextStep("VR-1", out(prompt)), { action: "interact", doc_id: "VR-1", args: { respond: "<answer>" } });
    assert.deepEqual(nextStep("VR-1", out({ ...prompt, suggested: "lead" })), { action: "interact", doc_id: "VR-1", args: { respond: "lead" } });
    assert.deepEqual(nextStep("VR-1", out({ ...prompt, kind: "gate", accepts: ["yes", "no"], suggested: "x" })), { action: "interact", doc_id: "VR-1", args: { respond: "yes|no" } });
    assert.deepEqual(nextStep("VR-1", out(null)), { action: "checkin", doc_id: "VR-1" });
  });
});

const LOOPED = template([
  "<!-- @template: L | version: 1 | start: step -->",
  "<!-- @loop: steps -->",
  "<!-- @prompt: step | next: more -->",
  "Do.",
  "<!-- @end-prompt -->",
  "<!-- @gate: more | type: yesno | yes: step | no: end -->",
  "More?",
  "<!-- @end-prompt -->",
  "<!-- @end-loop: steps -->",
]);

function minimalRaw(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { doc_id: "CR-001-VR-001", template: "VR", template_version: 5, cursor: "a", metadata: {}, responses: {}, ...extra };
}

describe("VR sources (in process)", () => {
  it("REQ-INT-006: a new source starting inside a loop is in its first iteration", () => {
    const s = createSource(LOOPED, { docId: "D", parentDocId: "P", title: "T" });
    assert.deepEqual([s.cursor, s.cursor_context, s.loops, s.template, s.template_version], ["step", { loop: "steps", iteration: 1 }, { steps: { iterations: 1, closed: false, reopenings: [] } }, "L", 1]);
  });

  it("REQ-INT-006: loading fills only the missing collections, turns a string version into a number, keeps the rest", () => {
    const r = loadSource(minimalRaw({ template_version: "4", cursor_context: null, loops: { steps: { iterations: 2, closed: true } }, gates: null }));
    assert.ok(r.ok);
    assert.deepEqual(r.source, { ...minimalRaw(), template_version: 4, cursor_context: {}, loops: { steps: { iterations: 2, closed: true, reopenings: [] } }, gates: {} });
    const nulls = loadSource(minimalRaw({ loops: null, gates: null, cursor_context: null }));
    assert.ok(nulls.ok);
    assert.deepEqual([nulls.source.cursor_context, nulls.source.loops, nulls.source.gates], [{}, {}, {}]);
    const bare = loadSource(minimalRaw());
    assert.ok(bare.ok);
    assert.deepEqual([bare.source.cursor_context, bare.source.loops, bare.source.gates], [{}, {}, {}]);
    const raw = minimalRaw({ responses: { a: [{ value: "v", author: "u", timestamp: "t", reason: null, commit: null, extra: 1 }] } });
    const kept = loadSource(raw);
    assert.ok(kept.ok);
    assert.notEqual(kept.source.responses, raw.responses, "a copy, not the input");
    assert.deepEqual(kept.source.responses, raw.responses);
  });

  it("REQ-INT-006: a malformed source names the first wrong field; not JSON says so", () => {
    const message = (raw: unknown) => {
      const r = loadSource(raw);
      return r.ok ? "loaded" : r.message;
    };
    assert.match(message(null), /^not a VR source: \(top level\): /);
    assert.match(message([]), /^not a VR source: \(top level\): /);
    assert.match(message(minimalRaw({ doc_id: "" })), /^not a VR source: doc_id: /);
    assert.match(message(minimalRaw({ template: "" })), /^not a VR source: template: /);
    assert.match(message(minimalRaw({ cursor: "" })), /^not a VR source: cursor: /);
    assert.match(message(minimalRaw({ template_version: "v5" })), /^not a VR source: template_version: /);
    assert.match(message(minimalRaw({ template_version: 1.5 })), /^not a VR source: template_version: /);
    assert.match(message(minimalRaw({ template_version: "5v" })), /^not a VR source: template_version: /);
    assert.equal(message(minimalRaw({ template_version: "12" })), "loaded");
    assert.match(message(minimalRaw({ cursor_context: { iteration: 1.5 } })), /^not a VR source: cursor_context\.iteration: /);
    assert.match(message(minimalRaw({ cursor_context: { goto_return_ctx: { loop: 3 } } })), /^not a VR source: cursor_context\.goto_return_ctx\.loop: /);
    assert.match(message(minimalRaw({ cursor_context: { reopen_return_ctx: { goto_reason: 3 } } })), /^not a VR source: cursor_context\.reopen_return_ctx\.goto_reason: /);
    for (const key of ["goto_return", "reopen_return", "loop"]) assert.match(message(minimalRaw({ cursor_context: { [key]: 1 } })), new RegExp(`^not a VR source: cursor_context\\.${key}: `), key);
    for (const key of ["parent_doc_id", "vr_id", "title", "date", "performer", "performed_date"]) assert.match(message(minimalRaw({ metadata: { [key]: 1 } })), new RegExp(`^not a VR source: metadata\\.${key}: `), key);
    assert.match(message(minimalRaw({ metadata: undefined })), /^not a VR source: metadata: /);
    for (const field of ["value", "author", "timestamp"]) {
      const entry: Record<string, unknown> = { value: "v", author: "u", timestamp: "t" };
      entry[field] = 1;
      assert.match(message(minimalRaw({ responses: { a: [entry] } })), new RegExp(`^not a VR source: responses\\.a\\.0\\.${field}: `), field);
    }
    for (const field of ["reason", "commit"]) assert.match(message(minimalRaw({ responses: { a: [{ value: "v", author: "u", timestamp: "t", [field]: 1 }] } })), new RegExp(`responses\\.a\\.0\\.${field}: `));
    assert.match(message(minimalRaw({ responses: { a: {} } })), /^not a VR source: responses\.a: /);
    assert.match(message(minimalRaw({ loops: { l: { iterations: -1, closed: false } } })), /^not a VR source: loops\.l\.iterations: /);
    assert.match(message(minimalRaw({ loops: { l: { iterations: 1.5, closed: false } } })), /^not a VR source: loops\.l\.iterations: /);
    assert.match(message(minimalRaw({ loops: { l: { iterations: 1, closed: "no" } } })), /^not a VR source: loops\.l\.closed: /);
    for (const field of ["reason", "author", "timestamp"]) {
      const reopening: Record<string, unknown> = { reason: "r", author: "u", timestamp: "t" };
      reopening[field] = 1;
      assert.match(message(minimalRaw({ loops: { l: { iterations: 1, closed: true, reopenings: [reopening] } } })), new RegExp(`^not a VR source: loops\\.l\\.reopenings\\.0\\.${field}: `), field);
    }
    for (const field of ["value", "timestamp"]) {
      const gate: Record<string, unknown> = { value: "yes", timestamp: "t" };
      gate[field] = 1;
      assert.match(message(minimalRaw({ gates: { g: gate } })), new RegExp(`^not a VR source: gates\\.g\\.${field}: `), field);
    }
    assert.equal(message(minimalRaw({ loops: { l: { iterations: 0, closed: false } } })), "loaded");
    const notJson = parseSourceJson("{oops");
    assert.ok(!notJson.ok);
    assert.match(notJson.message, /^not JSON: /);
    const wrong = parseSourceJson("[]");
    assert.ok(!wrong.ok);
    assert.match(wrong.message, /^not a VR source: /);
  });

  it("REQ-INT-006: response keys carry the iteration; a key splits back into id and iteration", () => {
    assert.deepEqual([responseKey("a"), responseKey("a", null), responseKey("a", 0), responseKey("a", 3)], ["a", "a", "a.0", "a.3"]);
    assert.deepEqual(splitResponseKey("step.12"), { id: "step", iteration: 12 });
    assert.deepEqual(splitResponseKey("a.b.2"), { id: "a.b", iteration: 2 });
    for (const key of ["step", "step.", ".2", "step.x", "step.2x"]) assert.deepEqual(splitResponseKey(key), { id: key }, key);
    assert.deepEqual([isEnd("__end__"), isEnd("end"), isEnd("END"), isEnd("a")], [true, true, false, false]);
  });

  it("REQ-INT-009: the active entry is the last one appended", () => {
    const s = createSource(TINY, { docId: "D", parentDocId: "P", title: "T" });
    s.responses = { a: [{ value: "1", author: "u", timestamp: "t" }, { value: "2", author: "u", timestamp: "t" }], b: [] };
    assert.equal(activeEntry(s, "a")?.value, "2");
    assert.equal(activeEntry(s, "b"), undefined);
    assert.equal(activeEntry(s, "c"), undefined);
  });

  it("REQ-INT-011: timestamps are UTC to the second; stored ones read back as UTC date and time", () => {
    assert.equal(utcTimestamp(new Date("2026-03-01T10:00:00.999Z")), "2026-03-01T10:00:00Z");
    assert.equal(utcDateTime("2026-03-01T10:00:00Z"), "2026-03-01 10:00:00");
    assert.equal(utcDateTime("2026-03-01 10:00:00.5Z"), "2026-03-01 10:00:00");
    assert.equal(utcDateTime("2026-03-01T10:00:00+02:00"), "2026-03-01 08:00:00");
    assert.equal(utcDateTime("2026-03-01T10:00:00.123456+00:00"), "2026-03-01 10:00:00");
    assert.equal(utcDateTime("x2026-03-01T10:00:00Z"), "x2026-03-01T10:00:00Z");
    assert.equal(utcDateTime("2026-03-01T10:00:00Zx"), "2026-03-01T10:00:00Zx");
    assert.equal(utcDateTime("yesterday"), "yesterday");
  });

  it("REQ-INT-023: automatic metadata: days of the first and last response, the most frequent author, the document ID", () => {
    const s = createSource(TINY, { docId: "D", parentDocId: "P", title: "T" });
    assert.deepEqual(resolvedMetadata({ ...s, metadata: {} }), { date: "", performer: "", performed_date: "", vr_id: "D", title: "", parent_doc_id: "" });
    s.responses = {
      b: [{ value: "2", author: "qa", timestamp: "2026-03-05T00:00:00Z" }],
      a: [
        { value: "1", author: "lead", timestamp: "2026-03-02T23:00:00-02:00" },
        { value: "1", author: "qa", timestamp: "2026-03-01T12:00:00Z" },
      ],
    };
    assert.deepEqual(resolvedMetadata(s), { date: "2026-03-01", performer: "qa", performed_date: "2026-03-05", vr_id: "D", title: "T", parent_doc_id: "P" });
    s.metadata = { ...s.metadata, vr_id: "", date: null, performer: 7 as unknown as string, extra: "x" };
    const m = resolvedMetadata(s);
    assert.deepEqual([m.vr_id, m.date, m.performer, Object.keys(m).length], ["D", "2026-03-01", "qa", 6]);
  });
});

/** A flow with a prompt before a loop (a commit prompt, then a gate), and one after it. */
const FLOW = template([
  "<!-- @template: F | version: 2 | start: intro -->",
  "<!-- @prompt: intro | next: cmd | default: current_user -->",
  "Who?",
  "<!-- @end-prompt -->",
  "<!-- @loop: steps -->",
  "<!-- @prompt: cmd | next: out | default: today -->",
  "Step {{_n}} after {{intro}}; {{ vr_id }}; {{cmd}}; {{more}}; {{more.1}}; {{ nope }}",
  "<!-- @end-prompt -->",
  "<!-- @prompt: out | next: more | commit: true | default: fixed text -->",
  "Output of {{cmd}} ({{cmd.1}})",
  "<!-- @end-prompt -->",
  "<!-- @gate: more | type: yesno | yes: cmd | no: done -->",
  "Again after {{out}}?",
  "<!-- @end-prompt -->",
  "<!-- @end-loop: steps -->",
  "<!-- @prompt: done | next: end -->",
  "Done? {{more.1}} {{more.2}} {{_n}} {{title}}",
  "<!-- @end-prompt -->",
]);
const NOW = new Date("2026-03-01T10:00:00.250Z");
const actor = (captureEvidence?: Actor["captureEvidence"]): Actor => ({ user: "claude", now: NOW, ...(captureEvidence ? { captureEvidence } : {}) });
const fresh = (): VrSource => createSource(FLOW, { docId: "CR-001-VR-001", parentDocId: "CR-001", title: "Check" });
function run(source: VrSource, ...steps: Parameters<typeof interact>[2][]): VrSource {
  let s = source;
  for (const flags of steps) {
    const r = interact(s, FLOW, flags, actor());
    assert.ok(r.ok, r.ok ? "" : `${r.rule}: ${r.message}`);
    s = r.source;
  }
  return s;
}
const refusalOf = (r: EngineResult) => {
  assert.ok(!r.ok, "expected a refusal");
  return { code: r.code, rule: r.rule, message: r.message, hint: r.hint, keys: Object.keys(r) };
};

describe("VR engine, exactly (in process)", () => {
  it("REQ-INT-010: the current prompt: suggestions of today, the user and a literal; no actor, no user", () => {
    const s = fresh();
    assert.deepEqual(currentPrompt(s, FLOW, actor()), { key: "intro", id: "intro", kind: "prompt", guidance: "Who?", commit: false, suggested: "claude" });
    assert.equal(currentPrompt(s, FLOW)?.suggested, undefined, "current_user without an actor suggests nothing");
    const inLoop = run(s, { respond: "Ada" });
    assert.deepEqual(currentPrompt(inLoop, FLOW, actor()), {
      key: "cmd.1",
      id: "cmd",
      kind: "prompt",
      guidance: "Step 1 after Ada; CR-001-VR-001; {{cmd}}; {{more}}; {{more.1}}; {{ nope }}",
      commit: false,
      loop: { name: "steps", iteration: 1 },
      suggested: "2026-03-01",
    });
    assert.match(currentPrompt(inLoop, FLOW)?.suggested ?? "", /^\d{4}-\d{2}-\d{2}$/, "today without an actor is today");
    const out = run(inLoop, { respond: "ls" });
    assert.deepEqual(currentPrompt(out, FLOW, actor()), { key: "out.1", id: "out", kind: "prompt", guidance: "Output of ls (ls)", commit: true, loop: { name: "steps", iteration: 1 }, suggested: "fixed text" });
    const gate = run(out, { respond: "files" });
    assert.deepEqual(currentPrompt(gate, FLOW, actor()), { key: "more.1", id: "more", kind: "gate", guidance: "Again after files?", commit: false, loop: { name: "steps", iteration: 1 }, accepts: ["yes", "no"] });
    const second = run(gate, { respond: "yes" });
    assert.equal(currentPrompt(second, FLOW, actor())?.guidance, "Step 2 after Ada; CR-001-VR-001; {{cmd}}; {{more}}; yes; {{ nope }}");
    const done = run(second, { respond: "pwd" }, { respond: "dir" }, { respond: "no" });
    assert.equal(currentPrompt(done, FLOW, actor())?.guidance, "Done? yes no {{_n}} Check");
    assert.equal(currentPrompt(run(done, { respond: "ok" }), FLOW, actor()), null);
  });

  it("REQ-INT-015: interpolation: metadata first unless empty, then the response, then a gate; {{_n}} only with an iteration", () => {
    const s = run(fresh(), { respond: "Ada" });
    assert.equal(interpolate("{{_n}}|{{intro}}|{{title}}|{{vr_id}}", s, FLOW), "{{_n}}|Ada|Check|CR-001-VR-001");
    assert.equal(interpolate("{{ _n }}", s, FLOW, "steps", 4), "4");
    const empty: VrSource = { ...s, metadata: { ...s.metadata, title: "" }, responses: { ...s.responses, title: [{ value: "from a response", author: "u", timestamp: "t" }] } };
    assert.equal(interpolate("{{title}}", empty, FLOW), "from a response", "an empty metadata value does not hide a response");
    const noTitle: VrSource = { ...s, metadata: { parent_doc_id: "CR-001" } };
    assert.equal(interpolate("{{title}}", noTitle, FLOW), "{{title}}");
    assert.equal(interpolate("{{cmd}}", { ...s, responses: { ...s.responses, cmd: [{ value: "top", author: "u", timestamp: "t" }], "cmd.2": [{ value: "two", author: "u", timestamp: "t" }] } }, FLOW, "steps", 2), "two");
    assert.equal(interpolate("{{cmd}}", { ...s, responses: { ...s.responses, cmd: [{ value: "top", author: "u", timestamp: "t" }] } }, FLOW, "other", 2), "top", "another loop's scope reads the plain key");
    assert.equal(interpolate("{{cmd}}", { ...s, responses: { ...s.responses, cmd: [{ value: "top", author: "u", timestamp: "t" }] } }, FLOW), "top");
  });

  it("REQ-INT-013: progress: at least one iteration, gates answered by their decision, amended entries, the current item", () => {
    const p0 = progressOf(fresh(), FLOW);
    assert.deepEqual(p0.items.map((i) => [i.key, i.current, i.answered]), [["intro", true, false], ["cmd.1", false, false], ["out.1", false, false], ["more.1", false, false], ["done", false, false]]);
    assert.deepEqual([p0.answered, p0.total, p0.complete], [0, 5, false]);
    const s = run(fresh(), { respond: "Ada" }, { respond: "ls" }, { respond: "x" }, { respond: "yes" }, { goto: "intro", reason: "name" }, { respond: "Bea" });
    const p = progressOf(s, FLOW);
    assert.deepEqual(p.items.map((i) => `${i.key}:${i.answered ? "a" : "-"}${i.amended ? "m" : ""}${i.current ? "<" : ""}${i.commit ? "c" : ""}${i.loop ? i.loop.iteration : ""}`), ["intro:am", "cmd.1:a1", "out.1:ac1", "more.1:a1", "cmd.2:-<2", "out.2:-c2", "more.2:-2", "done:-"]);
    assert.deepEqual(p.items[0], { key: "intro", id: "intro", kind: "prompt", answered: true, amended: true, commit: false, current: false });
    const corrupt = progressOf({ ...s, cursor: "gone" }, FLOW);
    assert.equal(corrupt.items.some((i) => i.current), false);
    const zero = progressOf({ ...fresh(), loops: { steps: { iterations: 0, closed: false, reopenings: [] } } }, FLOW);
    assert.equal(zero.total, 5);
  });

  it("REQ-INT-011: a response keeps leading whitespace, drops trailing; a commit prompt without a commit records only the message", () => {
    const s = run(fresh(), { respond: "  Ada \n\n" });
    assert.deepEqual(s.responses.intro, [{ value: "  Ada", author: "claude", timestamp: "2026-03-01T10:00:00Z" }]);
    const atOut = run(s, { respond: "ls" });
    const noCapture = interact(atOut, FLOW, { respond: "files" }, actor());
    assert.ok(noCapture.ok);
    assert.deepEqual(noCapture.outcome.evidence, { message: "[QMS] CR-001-VR-001 | Evidence capture during VR execution | out.1" });
    assert.deepEqual(noCapture.outcome.recorded, { key: "out.1", kind: "response", value: "files" });
    const captured = interact(atOut, FLOW, { respond: "files" }, actor(() => "abc123"));
    assert.ok(captured.ok);
    assert.deepEqual(captured.outcome.evidence, { message: "[QMS] CR-001-VR-001 | Evidence capture during VR execution | out.1", hash: "abc123" });
    assert.deepEqual(captured.outcome.recorded, { key: "out.1", kind: "response", value: "files", commit: "abc123" });
    assert.deepEqual(captured.source.responses["out.1"], [{ value: "files", author: "claude", timestamp: "2026-03-01T10:00:00Z", commit: "abc123" }]);
    const plain = interact(s, FLOW, { respond: "ls" }, actor(() => "never"));
    assert.ok(plain.ok);
    assert.equal(plain.outcome.evidence, undefined, "only commit prompts capture");
    assert.deepEqual(Object.keys(plain.outcome), ["action", "recorded", "current", "progress"]);
  });

  it("REQ-INT-004, REQ-INT-014: refusals of respond, with their exact words", () => {
    const s = fresh();
    assert.deepEqual(refusalOf(interact(s, FLOW, { respond: "x", prompt: "cmd" }, actor())), {
      code: "invalid-state",
      rule: "out-of-order",
      message: "Prompts are answered in template order: the current prompt is 'intro', not 'cmd'.",
      hint: "Answer 'intro' first; to change an earlier answer use goto with a reason.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    assert.deepEqual(refusalOf(interact(s, FLOW, { respond: " \n " }, actor())), {
      code: "invalid-argument",
      rule: "empty-response",
      message: "The response is empty: every prompt needs an explicit answer.",
      hint: "Respond to 'intro' with a non-empty value (or --file with a non-empty file).",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    assert.equal(refusalOf(interact(s, FLOW, { respond: "", fromFile: "a.txt" }, actor())).message, "The file a.txt is empty: every prompt needs an explicit answer.");
    const gate = run(s, { respond: "Ada" }, { respond: "ls" }, { respond: "x" });
    const inLoopPrompt = interact(gate, FLOW, { respond: "yes", prompt: "more" }, actor());
    assert.ok(inLoopPrompt.ok, "the id of the current loop prompt is accepted as well as its key");
    assert.ok(interact(gate, FLOW, { respond: "yes", prompt: "more.1" }, actor()).ok);
    assert.deepEqual(refusalOf(interact(gate, FLOW, { respond: "  Maybe " }, actor())), {
      code: "invalid-argument",
      rule: "not-yes-no",
      message: 'Gate \'more.1\' accepts only yes or no, not "Maybe".',
      hint: "Respond with yes or no.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const decided: VrSource = { ...gate, gates: { "more.1": { value: "no", timestamp: "t" } } };
    assert.deepEqual(refusalOf(interact(decided, FLOW, { respond: "yes" }, actor())), {
      code: "corrupt-data",
      rule: "corrupt-source",
      message: "Gate 'more.1' is already decided in this source; a decision is never replaced.",
      hint: undefined,
      keys: ["ok", "code", "rule", "message"],
    });
    const yes = interact(gate, FLOW, { respond: " NO" }, actor());
    assert.ok(yes.ok);
    assert.deepEqual(yes.outcome.recorded, { key: "more.1", kind: "gate", value: "no" });
    assert.deepEqual(yes.source.gates["more.1"], { value: "no", timestamp: "2026-03-01T10:00:00Z" });
    const done = run(yes.source, { respond: "ok" });
    assert.deepEqual(refusalOf(interact(done, FLOW, { respond: "more" }, actor())), {
      code: "invalid-state",
      rule: "flow-complete",
      message: "Every prompt of CR-001-VR-001 is answered; there is nothing to respond to.",
      hint: "Check the document in to compile the record, or amend an answer with goto and a reason.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const corrupt = { ...s, cursor: "gone" };
    for (const flags of [{ respond: "x" }, {}]) {
      assert.deepEqual(refusalOf(interact(corrupt, FLOW, flags, actor())), {
        code: "corrupt-data",
        rule: "corrupt-source",
        message: "The session's cursor 'gone' is not a prompt of template F v2.",
        hint: "The source does not fit this template; check its template_version.",
        keys: ["ok", "code", "rule", "message", "hint"],
      });
    }
  });

  it("REQ-INT-012: refusals of goto, with their exact words", () => {
    const s = fresh();
    assert.deepEqual(refusalOf(interact(s, FLOW, { goto: "intro" }, actor())), {
      code: "invalid-argument",
      rule: "reason-required",
      message: "An amendment needs a reason.",
      hint: "Pass a reason with goto intro.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    assert.deepEqual(refusalOf(interact(s, FLOW, { goto: "zzz", reason: "r" }, actor())), {
      code: "not-found",
      rule: "unknown-prompt",
      message: "'zzz' is not a prompt of template F v2.",
      hint: "Nothing is answered yet.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const two = run(s, { respond: "Ada" }, { respond: "ls" });
    assert.equal(refusalOf(interact(two, FLOW, { goto: "intro.1", reason: "r" }, actor())).hint, "Answered prompts: intro, cmd.1");
    assert.equal(refusalOf(interact({ ...two, responses: { ...two.responses, out: [] } }, FLOW, { goto: "zzz", reason: "r" }, actor())).hint, "Answered prompts: intro, cmd.1", "an empty entry list is not an answer");
    assert.deepEqual(refusalOf(interact(two, FLOW, { goto: "done", reason: "r" }, actor())), {
      code: "invalid-state",
      rule: "not-answered",
      message: "'done' has not been answered yet; only answered prompts can be amended.",
      hint: "Answer the current prompt; prompts are answered in template order.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    assert.deepEqual(refusalOf(interact(two, FLOW, { goto: "more", reason: "r" }, actor())), {
      code: "invalid-argument",
      rule: "goto-gate",
      message: "'more' is a gate: gates route, they are not amended.",
      hint: "To add a step after closing the loop, reopen steps with a reason.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const second = run(two, { respond: "x" }, { respond: "yes" }, { respond: "pwd" });
    assert.deepEqual(refusalOf(interact(second, FLOW, { goto: "cmd", reason: "r" }, actor())), {
      code: "invalid-argument",
      rule: "iteration-required",
      message: "'cmd' is inside loop 'steps': say which iteration, e.g. cmd.1.",
      hint: "Answered: cmd.1, cmd.2",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const one = interact(second, FLOW, { goto: "out", reason: "r" }, actor());
    assert.ok(one.ok, "one answered iteration: no need to name it");
    assert.deepEqual([one.source.cursor, one.source.cursor_context.iteration, one.outcome.current?.key], ["out", 1, "out.1"]);
    assert.deepEqual(refusalOf(interact(run(s, { respond: "Ada" }), FLOW, { goto: "out", reason: "r" }, actor())), {
      code: "invalid-argument",
      rule: "iteration-required",
      message: "'out' is inside loop 'steps': say which iteration, e.g. out.1.",
      hint: undefined,
      keys: ["ok", "code", "rule", "message"],
    });
  });

  it("REQ-INT-012: goto enters amendment mode where the answer is; a second goto keeps the first return; cancel returns", () => {
    const s = run(fresh(), { respond: "Ada" }, { respond: "ls" }, { respond: "x" }, { respond: "yes" });
    const g = interact(s, FLOW, { goto: " cmd.1 ", reason: "  wrong command  " }, actor());
    assert.ok(g.ok);
    assert.equal(g.outcome.action, "goto");
    assert.deepEqual(g.source.cursor_context, { loop: "steps", iteration: 1, goto_return: "cmd", goto_return_ctx: { loop: "steps", iteration: 2 }, goto_reason: "wrong command" });
    assert.equal(g.source.cursor, "cmd");
    assert.deepEqual(g.outcome.current?.amending, { reason: "wrong command", returnTo: "cmd" });
    const again = interact(g.source, FLOW, { goto: "intro", reason: "name too" }, actor());
    assert.ok(again.ok);
    assert.deepEqual(again.source.cursor_context, { goto_return: "cmd", goto_return_ctx: { loop: "steps", iteration: 2 }, goto_reason: "name too" });
    const amended = interact(again.source, FLOW, { respond: "Bea" }, actor());
    assert.ok(amended.ok);
    assert.deepEqual(amended.outcome.recorded, { key: "intro", kind: "response", value: "Bea", reason: "name too" });
    assert.deepEqual([amended.source.cursor, amended.source.cursor_context], ["cmd", { loop: "steps", iteration: 2 }]);
    const cancelled = interact(g.source, FLOW, { cancelGoto: true }, actor());
    assert.ok(cancelled.ok);
    assert.equal(cancelled.outcome.action, "cancel-goto");
    assert.deepEqual([cancelled.source.cursor, cancelled.source.cursor_context], ["cmd", { loop: "steps", iteration: 2 }]);
    const noCtx: VrSource = { ...g.source, cursor_context: { goto_return: "done", goto_reason: null } };
    const back = interact(noCtx, FLOW, { cancelGoto: true }, actor());
    assert.ok(back.ok);
    assert.deepEqual([back.source.cursor, back.source.cursor_context], ["done", {}]);
    const reasonless = interact({ ...noCtx, cursor: "intro" }, FLOW, { respond: "Cy" }, actor());
    assert.ok(reasonless.ok);
    assert.deepEqual(reasonless.source.responses.intro?.at(-1), { value: "Cy", author: "claude", timestamp: "2026-03-01T10:00:00Z", reason: "" });
    assert.deepEqual(reasonless.outcome.recorded, { key: "intro", kind: "response", value: "Cy", reason: "" });
    assert.deepEqual(reasonless.source.cursor_context, {});
    assert.deepEqual(refusalOf(interact(s, FLOW, { cancelGoto: true }, actor())), { code: "invalid-state", rule: "not-amending", message: "There is no amendment in progress to cancel.", hint: undefined, keys: ["ok", "code", "rule", "message"] });
  });

  it("REQ-INT-012: refusals of reopen, with their exact words; a reopened loop returns where it started", () => {
    const s = fresh();
    assert.deepEqual(refusalOf(interact(s, FLOW, { reopen: "steps", reason: " " }, actor())), { code: "invalid-argument", rule: "reason-required", message: "Reopening a loop needs a reason.", hint: "Pass a reason with reopen steps.", keys: ["ok", "code", "rule", "message", "hint"] });
    assert.deepEqual(refusalOf(interact(s, FLOW, { reopen: "zz", reason: "r" }, actor())), { code: "not-found", rule: "unknown-loop", message: "'zz' is not a loop of template F v2.", hint: "Loops: steps", keys: ["ok", "code", "rule", "message", "hint"] });
    assert.equal(refusalOf(interact(createSource(TINY, { docId: "D", parentDocId: "P", title: "T" }), TINY, { reopen: "zz", reason: "r" }, actor())).hint, "The template has no loops.");
    assert.deepEqual(refusalOf(interact(s, FLOW, { reopen: "steps", reason: "r" }, actor())), {
      code: "invalid-state",
      rule: "loop-not-started",
      message: "Loop 'steps' has not started yet.",
      hint: "Answer the prompts in order; the loop starts when the flow reaches it.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    assert.equal(refusalOf(interact({ ...s, loops: { steps: { iterations: 0, closed: true, reopenings: [] } } }, FLOW, { reopen: "steps", reason: "r" }, actor())).rule, "loop-not-started");
    const open = run(s, { respond: "Ada" });
    assert.deepEqual(refusalOf(interact(open, FLOW, { reopen: "steps", reason: "r" }, actor())), {
      code: "invalid-state",
      rule: "loop-open",
      message: "Loop 'steps' is open (iteration 1); only a closed loop can be reopened.",
      hint: "Answer the current prompt; the loop's gate adds or ends iterations.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const closed = run(open, { respond: "ls" }, { respond: "x" }, { respond: "no" });
    assert.deepEqual(closed.loops.steps, { iterations: 1, closed: true, reopenings: [] });
    const amending = run(closed, { goto: "intro", reason: "r" });
    assert.deepEqual(refusalOf(interact(amending, FLOW, { reopen: "steps", reason: "r" }, actor())), {
      code: "invalid-state",
      rule: "amending",
      message: "An amendment of 'intro' is in progress.",
      hint: "Respond to it or cancel it (cancel-goto) before reopening a loop.",
      keys: ["ok", "code", "rule", "message", "hint"],
    });
    const legacy: VrSource = { ...closed, loops: { steps: { iterations: 1, closed: true } as unknown as VrSource["loops"][string] } };
    const r = interact(legacy, FLOW, { reopen: "steps", reason: "  one more  " }, actor());
    assert.ok(r.ok);
    assert.equal(r.outcome.action, "reopen");
    assert.deepEqual(r.source.loops.steps, { iterations: 2, closed: false, reopenings: [{ reason: "one more", author: "claude", timestamp: "2026-03-01T10:00:00Z" }] });
    assert.deepEqual([r.source.cursor, r.source.cursor_context], ["cmd", { loop: "steps", iteration: 2, reopen_return: "done", reopen_return_ctx: {} }]);
    const after = run(r.source, { respond: "a" }, { respond: "b" }, { respond: "yes" });
    assert.deepEqual(after.cursor_context, { reopen_return: "done", reopen_return_ctx: {}, loop: "steps", iteration: 3 }, "another iteration keeps the return");
    const back = run(after, { respond: "c" }, { respond: "d" }, { respond: "no" });
    assert.deepEqual([back.cursor, back.cursor_context, back.loops.steps?.closed, back.loops.steps?.iterations], ["done", {}, true, 3]);
    const ended = run(closed, { respond: "fin" }, { reopen: "steps", reason: "late" }, { respond: "a" }, { respond: "b" }, { respond: "no" });
    assert.deepEqual([ended.cursor, ended.cursor_context], ["__end__", {}], "reopened after the end: back to the end");
  });

  it("REQ-INT-005: a loop entered again (a gate jumping into it from outside) counts a new iteration and reopens", () => {
    const t = template([
      "<!-- @template: J | version: 1 | start: a -->",
      "<!-- @loop: l -->",
      "<!-- @prompt: a | next: g -->",
      "A",
      "<!-- @end-prompt -->",
      "<!-- @end-loop: l -->",
      "<!-- @gate: g | type: yesno | yes: a | no: end -->",
      "Again?",
      "<!-- @end-prompt -->",
    ]);
    let s = createSource(t, { docId: "D", parentDocId: "P", title: "T" });
    const step = (value: string) => {
      const r = interact(s, t, { respond: value }, actor());
      assert.ok(r.ok, r.ok ? "" : r.message);
      s = r.source;
    };
    step("one");
    assert.deepEqual([s.cursor, s.cursor_context, s.loops.l], ["g", {}, { iterations: 1, closed: true, reopenings: [] }]);
    step("yes");
    assert.deepEqual([s.cursor, s.cursor_context, s.loops.l], ["a", { loop: "l", iteration: 2 }, { iterations: 2, closed: false, reopenings: [] }]);
    step("two");
    assert.deepEqual(Object.keys(s.responses), ["a.1", "a.2"]);
    const fromNothing = interact({ ...createSource(t, { docId: "D", parentDocId: "P", title: "T" }), cursor: "g", loops: {}, cursor_context: {} }, t, { respond: "yes" }, actor());
    assert.ok(fromNothing.ok);
    assert.deepEqual([fromNothing.source.cursor_context, fromNothing.source.loops.l], [{ loop: "l", iteration: 1 }, { iterations: 1, closed: false, reopenings: [] }]);
  });

  it("REQ-INT-006: a loop without stored state: its iteration is 1, and going round starts the state at 2", () => {
    const s: VrSource = { ...fresh(), cursor: "more", cursor_context: {}, loops: {} };
    assert.equal(currentPrompt(s, FLOW)?.key, "more.1");
    const r = interact(s, FLOW, { respond: "yes" }, actor());
    assert.ok(r.ok);
    assert.deepEqual([r.source.cursor_context, r.source.loops.steps], [{ loop: "steps", iteration: 2 }, { iterations: 2, closed: false, reopenings: [] }]);
    const behind: VrSource = { ...fresh(), cursor: "more", cursor_context: { loop: "steps", iteration: 3 }, loops: { steps: { iterations: 1, closed: false, reopenings: [] } } };
    const ahead = interact(behind, FLOW, { respond: "yes" }, actor());
    assert.ok(ahead.ok);
    assert.deepEqual([ahead.source.cursor_context, ahead.source.loops.steps?.iterations], [{ loop: "steps", iteration: 4 }, 4], "the larger of the stored and the cursor's iteration counts");
    const forward: VrSource = { ...fresh(), cursor: "cmd", cursor_context: { loop: "steps", iteration: 1 }, loops: { steps: { iterations: 1, closed: false, reopenings: [] } } };
    const next = interact(forward, FLOW, { respond: "ls" }, actor());
    assert.ok(next.ok);
    assert.deepEqual([next.source.cursor, next.source.cursor_context, next.source.loops.steps?.iterations], ["out", { loop: "steps", iteration: 1 }, 1], "forward inside the loop keeps the iteration");
    const noState = interact({ ...s, loops: {} }, FLOW, { respond: "no" }, actor());
    assert.ok(noState.ok);
    assert.deepEqual([noState.source.cursor, noState.source.loops], ["done", {}], "leaving a loop without state closes nothing");
  });

  it("REQ-INT-012: flags pass file and prompt to respond; compile previews without changing the source", () => {
    const s = fresh();
    const r = interact(s, FLOW, { respond: "", fromFile: "f.txt", prompt: "intro" }, actor());
    assert.equal(refusalOf(r).message, "The file f.txt is empty: every prompt needs an explicit answer.");
    assert.equal(refusalOf(interact(s, FLOW, { respond: "x", prompt: "cmd" }, actor())).rule, "out-of-order");
    const shown = interact(s, FLOW, {}, actor());
    assert.ok(shown.ok);
    assert.equal(shown.source, s);
    assert.deepEqual(Object.keys(shown.outcome), ["action", "current", "progress"]);
    const compiled = interact(s, FLOW, { compile: true }, actor());
    assert.ok(compiled.ok);
    assert.equal(compiled.source, s);
    assert.equal(typeof compiled.outcome.compiled, "string");
    const p = interact(s, FLOW, { progress: true }, actor());
    assert.ok(p.ok);
    assert.deepEqual([p.outcome.action, p.source === s, p.outcome.compiled], ["progress", true, undefined]);
  });

  it("REQ-INT-010, REQ-INT-013: no suggestion key without a user; an amendment without a stored reason; a gate's key never counts entries", () => {
    const s = fresh();
    assert.deepEqual(currentPrompt(s, FLOW), { key: "intro", id: "intro", kind: "prompt", guidance: "Who?", commit: false });
    const amending: VrSource = { ...run(s, { respond: "Ada" }), cursor: "intro", cursor_context: { goto_return: "cmd", goto_return_ctx: { loop: "steps", iteration: 1 } } };
    assert.deepEqual(currentPrompt(amending, FLOW, actor())?.amending, { reason: "", returnTo: "cmd" });
    const odd: VrSource = { ...s, responses: { "more.1": [{ value: "a", author: "u", timestamp: "t" }, { value: "b", author: "u", timestamp: "t" }] } };
    const gateItem = progressOf(odd, FLOW).items.find((i) => i.key === "more.1");
    assert.deepEqual([gateItem?.answered, gateItem?.amended], [false, false]);
  });

  it("REQ-INT-005: a prompt that leads to itself inside a loop starts a new iteration each time", () => {
    const t = template(["<!-- @template: S | version: 1 | start: a -->", "<!-- @loop: l -->", "<!-- @prompt: a | next: a -->", "<!-- @end-prompt -->", "<!-- @end-loop: l -->"]);
    let s = createSource(t, { docId: "D", parentDocId: "P", title: "T" });
    for (const v of ["one", "two"]) {
      const r = interact(s, t, { respond: v }, actor());
      assert.ok(r.ok);
      s = r.source;
    }
    assert.deepEqual(Object.keys(s.responses), ["a.1", "a.2"]);
    assert.deepEqual([s.cursor_context, s.loops.l?.iterations], [{ loop: "l", iteration: 3 }, 3]);
  });

  it("REQ-INT-012: a loop reopened from inside another loop returns there, in its iteration; the refusal lists every loop", () => {
    const t = template([
      "<!-- @template: TWO | version: 1 | start: a -->",
      "<!-- @loop: first -->",
      "<!-- @prompt: a | next: b -->",
      "<!-- @end-prompt -->",
      "<!-- @end-loop: first -->",
      "<!-- @loop: second -->",
      "<!-- @prompt: b | next: g -->",
      "<!-- @end-prompt -->",
      "<!-- @gate: g | type: yesno | yes: b | no: end -->",
      "<!-- @end-prompt -->",
      "<!-- @end-loop: second -->",
    ]);
    let s = createSource(t, { docId: "D", parentDocId: "P", title: "T" });
    const go = (flags: Parameters<typeof interact>[2]) => {
      const r = interact(s, t, flags, actor());
      assert.ok(r.ok, r.ok ? "" : r.message);
      s = r.source;
    };
    go({ respond: "a1" });
    assert.deepEqual([s.cursor, s.cursor_context, s.loops.first?.closed], ["b", { loop: "second", iteration: 1 }, true]);
    go({ reopen: "first", reason: "again" });
    assert.deepEqual(s.cursor_context, { loop: "first", iteration: 2, reopen_return: "b", reopen_return_ctx: { loop: "second", iteration: 1 } });
    go({ respond: "a2" });
    assert.deepEqual([s.cursor, s.cursor_context], ["b", { loop: "second", iteration: 1 }]);
    assert.equal(refusalOf(interact(s, t, { reopen: "third", reason: "r" }, actor())).hint, "Loops: first, second");
  });

  it("REQ-INT-012: a loop prompt stored without its iteration (an older file) is not a known iteration to amend", () => {
    const s: VrSource = { ...run(fresh(), { respond: "Ada" }), responses: { intro: [{ value: "Ada", author: "u", timestamp: "t" }], cmd: [{ value: "old", author: "u", timestamp: "t" }] } };
    assert.deepEqual(refusalOf(interact(s, FLOW, { goto: "cmd", reason: "r" }, actor())).rule, "iteration-required");
  });
});

