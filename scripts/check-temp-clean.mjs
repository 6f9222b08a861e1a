// The test suite leaves no temporary folder behind (issue #15). `npm test` runs this twice:
//   pretest: `node scripts/check-temp-clean.mjs --before` notes the qms-* entries of the temp directory;
//   test, after node --test: `node scripts/check-temp-clean.mjs` lists the qms-* entries that appeared since.
// A folder made by tempDir() of test/helpers.ts is also written to the run's manifest (QMS_TEST_TEMP_MANIFEST),
// so one the run made is told apart from one another process on the machine made meanwhile: a left-over
// folder of this run always fails; an unknown new one fails in CI (nothing else runs there) and warns elsewhere.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stateDir = path.join(root, "test-results");
const beforeFile = path.join(stateDir, "temp-before.json");
export const MANIFEST = path.join(stateDir, "temp-made.txt");
const tmp = os.tmpdir();
const entries = () => fs.readdirSync(tmp).filter((n) => n.startsWith("qms-"));

if (process.argv.includes("--before")) {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(beforeFile, `${JSON.stringify({ tmp, at: Date.now(), entries: entries() })}\n`);
  fs.writeFileSync(MANIFEST, "");
  process.exit(0);
}

if (!fs.existsSync(beforeFile)) {
  console.error(`check-temp-clean: no ${path.relative(root, beforeFile)} (run with --before first, as npm's pretest does)`);
  process.exit(1);
}
const before = new Set(JSON.parse(fs.readFileSync(beforeFile, "utf8")).entries);
const made = new Set(fs.existsSync(MANIFEST) ? fs.readFileSync(MANIFEST, "utf8").split("\n").filter(Boolean).map((p) => path.basename(p)) : []);
const appeared = entries().filter((n) => !before.has(n));
const ours = appeared.filter((n) => made.has(n));
const unknown = appeared.filter((n) => !made.has(n));
const show = (names) => names.slice(0, 20).map((n) => `  ${path.join(tmp, n)}`).join("\n") + (names.length > 20 ? `\n  ... and ${names.length - 20} more` : "");

let failed = false;
if (ours.length > 0) {
  console.error(`check-temp-clean: the test run left ${ours.length} temporary folder(s) behind:\n${show(ours)}`);
  failed = true;
}
if (unknown.length > 0) {
  const what = `${unknown.length} new qms-* temporary folder(s) not made through test/helpers.ts tempDir()`;
  if (process.env.CI) {
    console.error(`check-temp-clean: ${what} remain after the run:\n${show(unknown)}`);
    failed = true;
  } else {
    console.error(`check-temp-clean: warning: ${what} appeared during the run (another process on this machine, or a test that bypasses tempDir()):\n${show(unknown)}`);
  }
}
// Silent when clean: node --test's summary stays the closing line of `npm test` (CI reads it).
if (!failed && process.argv.includes("--verbose")) console.log(`check-temp-clean: ok, ${made.size} temporary folder(s) made by the run, none left in ${tmp}`);
process.exit(failed ? 1 : 0);
