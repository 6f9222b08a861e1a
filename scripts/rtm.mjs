#!/usr/bin/env node
/**
 * Requirements traceability (issue 7, item 5): every requirement of `../shared/spec/qms.md` §11, the tests
 * whose titles cite it (`test("REQ-WF-015: ...")`), and whether the project claims it
 * (`docs/requirements-claimed.json`).
 *
 *   node scripts/rtm.mjs          write docs/traceability.md; exit 1 when a check fails
 *   node scripts/rtm.mjs --check  write nothing; exit 1 when a check fails or the file is stale
 *
 * The checks: §11 parses into the counts it announces; every claimed requirement has a test citing it; every
 * cited ID is a §11 requirement or a project requirement listed under `extensions` (so a typo never counts as
 * coverage); the claims file names only known IDs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const SPEC_PATH = "../shared/spec/qms.md";
export const OUTPUT_PATH = "docs/traceability.md";
export const CLAIMS_PATH = "docs/requirements-claimed.json";
export const TEST_DIR = "test";

const REQ_ID = /\bREQ-[A-Z]+-\d{3}\b/g;

/** The lines of the `## N.` section (heading excluded) up to the next `## ` heading. */
function topSection(lines, number) {
  const start = lines.findIndex((l) => l.startsWith(`## ${number}. `));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^## /.test(l));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The lines of the `### N.M` subsection up to the next heading or rule. */
function subSection(lines, number) {
  const start = lines.findIndex((l) => l.startsWith(`### ${number} `));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^#{1,3} |^---\s*$/.test(l));
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * §11 of the spec: groups `### 11.N REQ-XXX (count)` of items `- XXX-NNN text`; a group whose body says
 * "See §10.5" takes its items from that subsection, written `REQ-XXX-001 text · 002 text · ...`.
 */
export function parseRequirements(specText) {
  const lines = specText.split(/\r?\n/);
  const problems = [];
  const section = topSection(lines, 11);
  if (!section) return { groups: [], total: 0, problems: ["the spec has no '## 11.' section"] };
  const announced = /\((\d+) requirements\)/.exec(lines.find((l) => l.startsWith("## 11. ")) ?? "");
  const names = new Map();
  for (const l of section) {
    const m = /^\| REQ-([A-Z]+) (.+?) \| (\d+) \|$/.exec(l);
    if (m) names.set(m[1], m[2]);
  }
  const groups = [];
  let group;
  for (const l of section) {
    const heading = /^### 11\.\d+ REQ-([A-Z]+) \((\d+)\)/.exec(l);
    if (heading) {
      group = { prefix: heading[1], name: names.get(heading[1]) ?? heading[1], expected: Number(heading[2]), requirements: [], seeAlso: undefined };
      groups.push(group);
      continue;
    }
    if (!group) continue;
    const item = /^- ([A-Z]+)-(\d{3}) (.+)$/.exec(l);
    if (item) {
      if (item[1] !== group.prefix) problems.push(`§11 REQ-${group.prefix}: item ${item[1]}-${item[2]} has another prefix`);
      group.requirements.push({ id: `REQ-${item[1]}-${item[2]}`, text: item[3].trim() });
      continue;
    }
    const see = /See §(\d+\.\d+)/.exec(l);
    if (see) group.seeAlso = see[1];
  }
  for (const g of groups) {
    if (g.requirements.length > 0 || !g.seeAlso) continue;
    const body = subSection(lines, g.seeAlso);
    if (!body) {
      problems.push(`§11 REQ-${g.prefix} points to §${g.seeAlso}, which does not exist`);
      continue;
    }
    const joined = body.join(" ").replace(/\s+/g, " ").trim();
    for (const part of joined.split(/\s+·\s+/)) {
      const m = new RegExp(`^(?:REQ-${g.prefix}-)?(\\d{3}) (.+)$`).exec(part.trim());
      if (m) g.requirements.push({ id: `REQ-${g.prefix}-${m[1]}`, text: m[2].trim() });
    }
  }
  let total = 0;
  const seen = new Set();
  for (const g of groups) {
    total += g.requirements.length;
    if (g.requirements.length !== g.expected) problems.push(`§11 REQ-${g.prefix} announces ${g.expected} requirements, ${g.requirements.length} parsed`);
    for (const r of g.requirements) {
      if (seen.has(r.id)) problems.push(`§11 lists ${r.id} twice`);
      seen.add(r.id);
    }
  }
  if (announced && Number(announced[1]) !== total) problems.push(`§11 announces ${announced[1]} requirements, ${total} parsed`);
  return { groups, total, problems };
}

/**
 * Every `test(...)` / `it(...)` title given as a string or template literal (a `${...}` in a loop stays as
 * written: it stands for one test per case), with the requirement IDs it cites.
 */
const TITLE = /(?<![.\w$])(?:test|it)(?:\.(?:only|skip|todo))?\(\s*(?:"((?:[^"\\\r\n]|\\.)*)"|'((?:[^'\\\r\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`)/g;

export function scanTests(files) {
  const tests = [];
  for (const { name, text } of files) {
    for (const m of text.matchAll(TITLE)) {
      const title = (m[1] ?? m[2] ?? m[3] ?? "").replace(/\s*\n\s*/g, " ");
      tests.push({ file: name, title, ids: [...new Set(title.match(REQ_ID) ?? [])] });
    }
  }
  return tests;
}

/** `REQ-INT-001..REQ-INT-025` or `REQ-INT-001..025` or one ID. */
function expandIds(spec) {
  const m = /^(REQ-[A-Z]+-)(\d{3})\.\.(?:REQ-[A-Z]+-)?(\d{3})$/.exec(spec);
  if (!m) return [spec];
  const out = [];
  for (let n = Number(m[2]); n <= Number(m[3]); n++) out.push(`${m[1]}${String(n).padStart(3, "0")}`);
  return out;
}

export function parseClaims(text) {
  const raw = JSON.parse(text);
  const notClaimed = new Map();
  for (const entry of raw.not_claimed ?? []) for (const id of expandIds(entry.ids)) notClaimed.set(id, entry.why);
  return {
    notClaimed,
    ranges: raw.not_claimed ?? [],
    notes: new Map(Object.entries(raw.notes ?? {})),
    extensions: new Map(Object.entries(raw.extensions ?? {})),
  };
}

const cell = (s) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\r?\n/g, " ");

function testCell(tests) {
  if (tests.length === 0) return "— not covered";
  return tests.map((t) => `${t.file}: ${cell(t.title)}`).join("<br>");
}

/** Read the spec, the claims and the tests under `repoRoot`; build the markdown and list what fails. */
export function buildTraceability(repoRoot) {
  const problems = [];
  const specFile = path.resolve(repoRoot, SPEC_PATH);
  if (!fs.existsSync(specFile)) {
    return { markdown: "", problems: [`${SPEC_PATH} not found (the shared specs must sit beside the repository)`], summary: undefined };
  }
  const spec = parseRequirements(fs.readFileSync(specFile, "utf8"));
  problems.push(...spec.problems);
  const claims = parseClaims(fs.readFileSync(path.join(repoRoot, CLAIMS_PATH), "utf8"));
  const testDir = path.join(repoRoot, TEST_DIR);
  const files = fs
    .readdirSync(testDir)
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(testDir, name), "utf8") }));
  const tests = scanTests(files);

  const known = new Set(spec.groups.flatMap((g) => g.requirements.map((r) => r.id)));
  const citing = new Map();
  for (const t of tests) {
    for (const id of t.ids) {
      if (!known.has(id) && !claims.extensions.has(id)) problems.push(`${t.file}: "${t.title}" cites ${id}, which is neither in §11 nor a project requirement (extensions in ${CLAIMS_PATH})`);
      if (!citing.has(id)) citing.set(id, []);
      citing.get(id).push(t);
    }
  }
  for (const id of [...claims.notClaimed.keys(), ...claims.notes.keys()]) {
    if (!known.has(id)) problems.push(`${CLAIMS_PATH} names ${id}, which §11 does not define`);
  }
  for (const id of claims.extensions.keys()) {
    if (known.has(id)) problems.push(`${CLAIMS_PATH}: extension ${id} is already a §11 requirement`);
  }

  const uncovered = [];
  let claimed = 0;
  let covered = 0;
  let coveredNotClaimed = 0;
  for (const g of spec.groups) {
    for (const r of g.requirements) {
      const isClaimed = !claims.notClaimed.has(r.id);
      const has = (citing.get(r.id) ?? []).length > 0;
      if (isClaimed) claimed++;
      if (isClaimed && has) covered++;
      if (isClaimed && !has) uncovered.push(r.id);
      if (!isClaimed && has) coveredNotClaimed++;
    }
  }
  if (uncovered.length > 0) problems.push(`claimed requirements without a test citing them: ${uncovered.join(", ")}`);
  const summary = { requirements: spec.total, claimed, covered, uncovered, notClaimed: spec.total - claimed, coveredNotClaimed, tests: tests.length, citingTests: tests.filter((t) => t.ids.length > 0).length };

  const out = [];
  out.push("# Requirements traceability");
  out.push("");
  out.push(`Generated by \`npm run rtm\` (\`scripts/rtm.mjs\`) from \`${SPEC_PATH}\` §11, the test titles in \`test/*.test.ts\` and \`${CLAIMS_PATH}\`. Do not edit by hand: \`test/traceability.test.ts\` fails when this file differs from what the generator writes, and when a claimed requirement has no test.`);
  out.push("");
  out.push("A test cites a requirement by naming its ID in its title (`test(\"REQ-WF-015: ...\")`). A title with `${...}` stands for one test per case of its loop.");
  out.push("");
  out.push(`- Requirements in §11: ${summary.requirements}`);
  out.push(`- Claimed by the project: ${summary.claimed}; covered by at least one test: ${summary.covered}; claimed without a test: ${uncovered.length === 0 ? "none" : uncovered.join(", ")}`);
  out.push(`- Not claimed: ${summary.notClaimed}${summary.coveredNotClaimed > 0 ? ` (${summary.coveredNotClaimed} of them cited by a test anyway)` : ""}`);
  out.push(`- Tests: ${summary.tests} titles in ${files.length} files, ${summary.citingTests} of them cite a requirement`);
  out.push("");
  if (claims.ranges.length > 0) {
    out.push("Not claimed (not implemented yet):");
    out.push("");
    for (const entry of claims.ranges) out.push(`- ${entry.ids}: ${entry.why}`);
    out.push("");
  }
  for (const g of spec.groups) {
    out.push(`## REQ-${g.prefix} ${g.name} (${g.requirements.length})`);
    out.push("");
    out.push("| Requirement | Claimed | Tests |");
    out.push("|---|---|---|");
    for (const r of g.requirements) {
      const note = claims.notes.get(r.id);
      const claimedCell = claims.notClaimed.has(r.id) ? "no" : note ? `yes (${cell(note)})` : "yes";
      out.push(`| **${r.id}** ${cell(r.text)} | ${claimedCell} | ${testCell(citing.get(r.id) ?? [])} |`);
    }
    out.push("");
  }
  if (claims.extensions.size > 0) {
    out.push("## Project requirements outside §11");
    out.push("");
    out.push("| Requirement | Tests |");
    out.push("|---|---|");
    for (const [id, text] of claims.extensions) out.push(`| **${id}** ${cell(text)} | ${testCell(citing.get(id) ?? [])} |`);
    out.push("");
  }
  return { markdown: out.join("\n"), problems, summary };
}

/** `buildTraceability` plus the staleness check of the committed file. */
export function checkTraceability(repoRoot) {
  const built = buildTraceability(repoRoot);
  const file = path.join(repoRoot, OUTPUT_PATH);
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  const problems = [...built.problems];
  if (built.summary && current !== built.markdown) {
    problems.push(`${OUTPUT_PATH} is ${current === undefined ? "missing" : "stale"}: run \`npm run rtm\` and commit it`);
  }
  return { ...built, problems };
}

function main(argv) {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const checkOnly = argv.includes("--check");
  const result = checkOnly ? checkTraceability(repoRoot) : buildTraceability(repoRoot);
  if (!checkOnly && result.summary) fs.writeFileSync(path.join(repoRoot, OUTPUT_PATH), result.markdown);
  const s = result.summary;
  if (s) {
    const verb = checkOnly ? "checked" : "wrote";
    process.stdout.write(`${verb} ${OUTPUT_PATH}: ${s.requirements} requirements, ${s.claimed} claimed, ${s.covered} claimed and covered, ${s.uncovered.length} claimed without a test\n`);
  }
  for (const p of result.problems) process.stderr.write(`rtm: ${p}\n`);
  return result.problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
