/**
 * The traceability rule of issue 7 (item 5): each test names the requirements it checks in its title;
 * `npm run rtm` (scripts/rtm.mjs) writes docs/traceability.md from qms.md §11; the suite fails when a
 * requirement the project claims (docs/requirements-claimed.json) has no test, or when the file is stale.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, tempDir } from "./helpers.js";

interface Summary {
  requirements: number;
  claimed: number;
  covered: number;
  uncovered: string[];
}
interface Built {
  markdown: string;
  problems: string[];
  summary: Summary | undefined;
}
interface Rtm {
  OUTPUT_PATH: string;
  parseRequirements(spec: string): { groups: Array<{ prefix: string; requirements: Array<{ id: string; text: string }> }>; total: number; problems: string[] };
  scanTests(files: Array<{ name: string; text: string }>): Array<{ file: string; title: string; ids: string[] }>;
  buildTraceability(repoRoot: string): Built;
  checkTraceability(repoRoot: string): Built;
}

const loadRtm = async (): Promise<Rtm> => (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "rtm.mjs")).href)) as Rtm;

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe("requirements traceability (issue 7)", () => {
  test("every requirement the project claims has a test naming it in its title, and docs/traceability.md is what `npm run rtm` writes now", async () => {
    const rtm = await loadRtm();
    const result = rtm.checkTraceability(REPO_ROOT);
    assert.ok(result.summary, result.problems.join("\n"));
    assert.deepEqual(result.summary.uncovered, [], `claimed requirements without a test citing them: ${result.summary.uncovered.join(", ")}`);
    assert.deepEqual(result.problems, [], result.problems.join("\n"));
    assert.ok(result.summary.requirements > 0 && result.summary.covered === result.summary.claimed);
  });

  test("the generator reads §11 (and §10.5), string and template-literal titles, and reports uncovered claims, unknown IDs and a stale file", async () => {
    const rtm = await loadRtm();
    const spec = [
      "## 10. MCP",
      "### 10.5 REQ-MCP requirements (paraphrased)",
      "REQ-MCP-001 a server · 002 tools",
      "",
      "---",
      "## 11. Requirement checklist (4 requirements)",
      "| REQ-WF Workflow | 2 |",
      "| REQ-MCP MCP Server | 2 |",
      "### 11.1 REQ-WF (2)",
      "- WF-001 Undefined transitions | are rejected.",
      "- WF-002 A path.",
      "### 11.2 REQ-MCP (2)",
      "See §10.5 (MCP-001 … MCP-002).",
      "## 12. Tests",
    ].join("\n");
    const parsed = rtm.parseRequirements(spec);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.groups.map((g) => [g.prefix, g.requirements.map((r) => r.id)]),
      [
        ["WF", ["REQ-WF-001", "REQ-WF-002"]],
        ["MCP", ["REQ-MCP-001", "REQ-MCP-002"]],
      ],
    );
    assert.equal(parsed.groups[1]?.requirements[1]?.text, "tools");
    assert.match(rtm.parseRequirements(spec.replace("(2)\n- WF-001", "(3)\n- WF-001")).problems.join(), /REQ-WF announces 3 requirements, 2 parsed/);

    // Test sources written through `call` so that the scanner, reading this very file, finds no titles in them.
    const call = (fn: string, quote: string, title: string): string => `${fn}(${quote}${title}${quote}, () => {});`;
    const loopTitle = `REQ-MCP-001: \${c.name} works`; // as a title inside a loop is written
    const titles = rtm.scanTests([
      {
        name: "a.test.ts",
        text: [
          call("test", '"', "REQ-WF-001: refused"),
          call("it", "'", "REQ-WF-001, REQ-MCP-002: both"),
          `for (const c of cases) ${call("test", "`", loopTitle)}`,
          call("assert.ok(/x/.test", '"', "REQ-WF-002: not a title"),
          call("describe", '"', "REQ-WF-002: a suite is not a test"),
        ].join("\n"),
      },
    ]);
    assert.deepEqual(
      titles.map((t) => [t.title, t.ids]),
      [
        ["REQ-WF-001: refused", ["REQ-WF-001"]],
        ["REQ-WF-001, REQ-MCP-002: both", ["REQ-WF-001", "REQ-MCP-002"]],
        [loopTitle, ["REQ-MCP-001"]],
      ],
    );

    // A small repository beside its ../shared/spec/qms.md: REQ-WF-002 claimed but untested, a typo'd ID cited.
    const base = tempDir("qms-rtm-");
    made.push(base);
    const repo = path.join(base, "repo");
    fs.mkdirSync(path.join(base, "shared", "spec"), { recursive: true });
    fs.mkdirSync(path.join(repo, "docs"), { recursive: true });
    fs.mkdirSync(path.join(repo, "test"), { recursive: true });
    fs.writeFileSync(path.join(base, "shared", "spec", "qms.md"), spec);
    fs.writeFileSync(path.join(repo, "docs", "requirements-claimed.json"), JSON.stringify({ not_claimed: [{ ids: "REQ-MCP-001..002", why: "later" }] }));
    fs.writeFileSync(path.join(repo, "test", "a.test.ts"), `${call("test", '"', "REQ-WF-001: refused")}\n${call("test", '"', "REQ-WF-010: a typo")}\n`);
    const built = rtm.buildTraceability(repo);
    assert.deepEqual(built.summary && [built.summary.requirements, built.summary.claimed, built.summary.covered, built.summary.uncovered], [4, 2, 1, ["REQ-WF-002"]]);
    assert.ok(built.problems.some((p) => /claimed requirements without a test citing them: REQ-WF-002$/.test(p)), built.problems.join("\n"));
    assert.ok(built.problems.some((p) => /cites REQ-WF-010, which is neither in §11/.test(p)), built.problems.join("\n"));
    assert.match(built.markdown, /\| \*\*REQ-WF-001\*\* Undefined transitions \\\| are rejected\. \| yes \| a\.test\.ts: REQ-WF-001: refused \|/);
    assert.match(built.markdown, /\| \*\*REQ-WF-002\*\* A path\. \| yes \| — not covered \|/);
    assert.match(built.markdown, /\| \*\*REQ-MCP-001\*\* a server \| no \| — not covered \|/);
    assert.ok(rtm.checkTraceability(repo).problems.some((p) => p.includes(`${rtm.OUTPUT_PATH} is missing`)));
    fs.writeFileSync(path.join(repo, rtm.OUTPUT_PATH), built.markdown);
    assert.ok(!rtm.checkTraceability(repo).problems.some((p) => p.includes(rtm.OUTPUT_PATH)), "current file accepted");
    fs.appendFileSync(path.join(repo, rtm.OUTPUT_PATH), "hand edit\n");
    assert.ok(rtm.checkTraceability(repo).problems.some((p) => p.includes(`${rtm.OUTPUT_PATH} is stale`)));
  });
});
