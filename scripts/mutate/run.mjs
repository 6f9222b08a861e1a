// `npm run mutate [-- stryker options, e.g. --mutate src/core/permissions.ts]`: Stryker over the fast in-process
// tests, then bench/results/mutation.md (score and surviving mutants) from its JSON report.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status ?? 1;

if (run("bash", ["scripts/mutate/install-typescript-api.sh"]) !== 0) process.exit(1);
const started = Date.now();
const stryker = run(process.execPath, ["--import", "./scripts/mutate/typescript-api.mjs", "node_modules/@stryker-mutator/core/bin/stryker.js", "run", ...process.argv.slice(2)]);
if (stryker !== 0) process.exit(stryker);
// keep each run's JSON report: a narrowed run (--mutate) adds to the results of earlier runs instead of hiding them
const runs = path.join(root, "reports", "mutation", "runs");
fs.mkdirSync(runs, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const report = JSON.parse(fs.readFileSync(path.join(root, "reports", "mutation", "mutation.json"), "utf8"));
report.qmsRun = { finished: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), options: process.argv.slice(2) };
fs.writeFileSync(path.join(runs, `${stamp}.json`), JSON.stringify(report));
process.exit(run(process.execPath, ["scripts/mutate/report.mjs"]));
