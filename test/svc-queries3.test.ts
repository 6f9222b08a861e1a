import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { create } from "../src/services/create.js";
import { vrRecord } from "../src/services/vr-record.js";
import { svcProject } from "./svc-harness.js";

/** Query services in process, third part: odd stored data and exact texts. */

describe("vr record (in process)", () => {
  it("spec §9.2: a stored record of odd shapes is read as far as it goes; one that is no object is refused in these words", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    const vr = p.ok(create, "claude", { type: "VR", title: "odd", parent: cr }).data.doc_id;
    const source = p.file(`QMS/.meta/VR/${vr}.source.json`);
    fs.writeFileSync(source, JSON.stringify({ template: "VR", template_version: 5, responses: { only: [{ author: 7 }] } }));
    const one = p.ok(vrRecord, "qa", { docId: vr });
    assert.deepEqual(one.data, {
      doc_id: vr,
      template: "VR",
      template_version: "5",
      responses: [{ prompt: "only", value: '""', author: "7", timestamp: "", reason: null, commit: null, superseded: false }],
    });
    assert.deepEqual(one.lines, [`Record of ${vr}: 1 response`, "  [] only by 7"]);
    fs.writeFileSync(source, JSON.stringify({ responses: { plain: "a value", list: ["bare", { value: { x: 1 }, timestamp: "2026-01-01T00:00:00Z" }] } }));
    const odd = p.ok(vrRecord, "qa", { docId: vr });
    assert.deepEqual([odd.data.template, odd.data.template_version], [null, null]);
    assert.deepEqual(odd.data.responses.map((r) => [r.prompt, r.value, r.superseded]), [
      ["plain", "a value", false],
      ["list", "bare", true],
      ["list", '{"x":1}', false],
    ]);
    fs.writeFileSync(source, JSON.stringify({ responses: "not a map" }));
    assert.deepEqual(p.ok(vrRecord, "qa", { docId: vr }).lines, [`Record of ${vr}: 0 responses`]);
    fs.writeFileSync(source, JSON.stringify({ responses: [{ value: "in a list" }] }));
    assert.deepEqual(p.ok(vrRecord, "qa", { docId: vr }).data.responses.map((r) => [r.prompt, r.value]), [["0", "in a list"]]);
    for (const raw of ["null", '"text"', "3"]) {
      fs.writeFileSync(source, raw);
      assert.equal(
        p.no(vrRecord, "qa", { docId: vr }, "corrupt-data").text,
        `Error: QMS/.meta/VR/${vr}.source.json is not a JSON object.\nNext: Restore it from version control.`,
        raw,
      );
    }
  });
});
