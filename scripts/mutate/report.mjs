// Writes bench/results/mutation.md from Stryker's reports/mutation/mutation.json: the mutation score (overall and
// per file) and every surviving mutant, with the survivors in the four rule areas of issue #15 listed first.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const runsDir = path.join(root, "reports", "mutation", "runs");
/** Every kept run (scripts/mutate/run.mjs), newest first; a file's result comes from the newest run that mutated it. */
const runs = (fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [])
  .filter((f) => f.endsWith(".json"))
  .sort()
  .reverse()
  .map((f) => JSON.parse(fs.readFileSync(path.join(runsDir, f), "utf8")));
if (runs.length === 0) {
  console.error("no mutation run kept under reports/mutation/runs: run `npm run mutate` first");
  process.exit(1);
}
// A mutant's result comes from the newest run that made it (same file, place, mutator and replacement), so a
// run narrowed to some lines (--mutate file:10-20) updates those mutants and keeps the rest of the file's. Only
// runs made on the file as it is now count (Stryker keeps each file's source in its report): after an edit, a
// file's older results are dropped, and a file with no run on its current text is listed as stale.
const report = { files: {} };
const fileRun = new Map();
const stale = new Map();
const currentSource = (file) => {
  try {
    return fs.readFileSync(path.join(root, file), "utf8");
  } catch {
    return undefined;
  }
};
for (const r of runs) {
  for (const [file, result] of Object.entries(r.files)) {
    if (result.source !== currentSource(file)) {
      if (!report.files[file] && !stale.has(file)) stale.set(file, r.qmsRun);
      continue;
    }
    const known = (report.files[file] ??= { mutants: [], keys: new Set() });
    if (!fileRun.has(file)) fileRun.set(file, r.qmsRun);
    for (const m of result.mutants) {
      const key = `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement ?? ""}`;
      if (known.keys.has(key)) continue;
      known.keys.add(key);
      known.mutants.push(m);
    }
  }
}
const runLines = runs.map((r) => `- ${r.qmsRun.finished.slice(0, 16).replace("T", " ")} UTC, ${r.qmsRun.seconds} s: \`npm run mutate${r.qmsRun.options.length ? ` -- ${r.qmsRun.options.join(" ")}` : ""}\` (${Object.keys(r.files).length} files)`);

/** The rule areas that must keep no surviving mutant: file, and (optionally) the lines of the function. */
const CRITICAL = [
  { area: "permissions", file: "src/core/permissions.ts" },
  { area: "permissions", file: "src/services/context.ts", fn: ["authorize", "requireDocPermission"] },
  { area: "transition table", file: "src/core/transitions.ts" },
  { area: "approval gate", file: "src/services/route.ts", fn: ["checkApprovalGate"], lines: /checkApprovalGate\(|const outcomes = / },
  { area: "identity/token checks", file: "src/mcp/identity.ts" },
  { area: "identity/token checks", file: "src/mcp/token-auth.ts", fn: ["presentedTokens", "authenticate"] },
  { area: "identity/token checks", file: "src/store/tokens.ts", fn: ["verify", "projectKey", "hashToken", "list"] },
];

/** Line range of a top-level function or method `name` in `source` (from its line to the next line starting a sibling). */
function functionLines(source, name) {
  const lines = source.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?(async\\s+)?(function\\s+)?${name}\\s*[(<]`).test(l));
  if (start < 0) return undefined;
  const indent = /^\s*/.exec(lines[start])[0].length;
  let end = start + 1;
  while (end < lines.length && !(lines[end].trim() === "}" && /^\s*/.exec(lines[end])[0].length === indent)) end++;
  return [start + 1, end + 1];
}

function areaOf(file, line) {
  for (const c of CRITICAL) {
    if (c.file !== file) continue;
    if (!c.fn) return c.area;
    const source = fs.readFileSync(path.join(root, file), "utf8");
    if (c.lines?.test(source.split("\n")[line - 1] ?? "")) return c.area;
    for (const fn of c.fn) {
      const range = functionLines(source, fn);
      if (range && line >= range[0] && line <= range[1]) return c.area;
    }
  }
  return undefined;
}

const DETECTED = new Set(["Killed", "Timeout"]);
const COUNTED = new Set(["Killed", "Timeout", "Survived", "NoCoverage"]);
const rows = [];
const survivors = [];
const total = { killed: 0, counted: 0, survived: 0, noCoverage: 0, compileErrors: 0, all: 0 };
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const c = { killed: 0, counted: 0, survived: 0, noCoverage: 0, compileErrors: 0, all: mutants.length };
  for (const m of mutants) {
    if (DETECTED.has(m.status)) c.killed++;
    if (COUNTED.has(m.status)) c.counted++;
    if (m.status === "Survived") c.survived++;
    if (m.status === "NoCoverage") c.noCoverage++;
    if (m.status === "CompileError") c.compileErrors++;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      const line = m.location.start.line;
      survivors.push({ file, line, column: m.location.start.column, status: m.status, mutator: m.mutatorName, replacement: m.replacement ?? "", area: areaOf(file, line) });
    }
  }
  for (const k of Object.keys(total)) total[k] += c[k];
  rows.push({ file, ...c });
}
const score = (c) => (c.counted === 0 ? "n/a" : `${((100 * c.killed) / c.counted).toFixed(1)}%`);
/** Issue #15's target is on src/core and src/services; the token/identity files are mutated for the rule areas. */
const target = { killed: 0, counted: 0 };
for (const r of rows) {
  if (!/^src\/(core|services)\//.test(r.file)) continue;
  target.killed += r.killed;
  target.counted += r.counted;
}
const staleFiles = [...stale.keys()].filter((f) => !report.files[f]).sort();
const unrun = ["src/core", "src/services"].flatMap((dir) => listTs(path.join(root, dir)).map((f) => path.relative(root, f))).filter((f) => !report.files[f] && !stale.has(f) && mutable(f));

function listTs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}
/** A file with code Stryker mutates (not only types and re-exports). */
function mutable(file) {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return /(^|\n)\s*(export\s+)?(async\s+)?(function|const|let|class)\s/.test(text);
}
const oneLine = (s) => s.replace(/\s+/g, " ").slice(0, 90).replace(/\|/g, "\\|");
const critical = survivors.filter((s) => s.area);

const out = [
  "# Mutation testing (issue #15)",
  "",
  "Stryker with the TAP runner over `node --test`, the TypeScript checker, perTest coverage, concurrency 1, against the fast",
  "in-process tests listed in stryker.config.mjs. Score = (killed + timed out) / (killed + timed out + survived + not covered);",
  "mutants the type checker rejects (CompileError) do not count. Each mutant's result is from the newest run that made it",
  "(a run narrowed with `--mutate file:lines` made only those lines' mutants); the run column is the newest run of the file. Runs:",
  "",
  ...runLines,
  "",
  `**Mutation score of src/core and src/services (the target, ≥ 85%): ${score(target)}** (${target.killed} of ${target.counted} detected).`,
  "",
  `All mutated files: ${score(total)} (${total.killed} of ${total.counted} detected; ${total.survived} survived, ${total.noCoverage} not covered, ${total.compileErrors} rejected by the type checker, ${total.all} mutants in all).`,
  "",
  staleFiles.length === 0 ? "Every file's results are from runs on its current text." : `Changed since their last run (results dropped; run them again): ${staleFiles.join(", ")}.`,
  "",
  unrun.length === 0 ? "Every file of src/core and src/services with code has been mutated." : `Not mutated yet: ${unrun.join(", ")}.`,
  "",
  `Surviving mutants in the rule areas (permissions, approval gate, identity/token checks, transition table): **${critical.length}**.`,
  "",
  "| file | mutants | detected | survived | no coverage | type errors | score | run (UTC) |",
  "|---|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map((r) => `| ${r.file} | ${r.all} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.compileErrors} | ${score(r)} | ${fileRun.get(r.file)?.finished.slice(0, 16).replace("T", " ") ?? ""} |`),
  "",
  "## Surviving mutants",
  "",
  ...(survivors.length === 0
    ? ["None."]
    : [
        "| area | where | status | mutator | replacement |",
        "|---|---|---|---|---|",
        ...[...critical, ...survivors.filter((s) => !s.area)].map((s) => `| ${s.area ?? ""} | ${s.file}:${s.line}:${s.column} | ${s.status} | ${s.mutator} | \`${oneLine(s.replacement)}\` |`),
      ]),
  "",
];
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench", "results", "mutation.md"), out.join("\n"));
console.log(`mutation score ${score(target)} on src/core and src/services (${score(total)} over all mutated files); ${survivors.length} surviving (${critical.length} in the rule areas); written to bench/results/mutation.md`);
