// Mutation testing of the rules (issue #15): `npm run mutate`. Slow (minutes per file on one core), so not in CI.
// Mutants of src/core and src/services are killed by the fast in-process tests only (no CLI subprocess: the CLI
// runs the esbuild bundle, which Stryker does not instrument). Narrow a run with `npm run mutate -- --mutate <glob>`.
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  mutate: ["src/core/**/*.ts", "src/services/**/*.ts", "src/mcp/identity.ts", "src/mcp/token-auth.ts", "src/store/tokens.ts"],
  testRunner: "tap",
  tap: {
    testFiles: ["dist/test/svc-*.test.js", "dist/test/vr-compile.test.js", "dist/test/vr-engine.test.js", "dist/test/vr-template.test.js", "dist/test/vr-compat.test.js", "dist/test/owner-tasks.test.js", "dist/test/newuser-units.test.js", "dist/test/package.test.js"],
    nodeArgs: ["--test-reporter=tap", "-r", "{{hookFile}}", "{{testFile}}"],
  },
  buildCommand: "npx tsc -p tsconfig.json",
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  checkerNodeArgs: ["--import", path.join(here, "scripts", "mutate", "typescript-api.mjs")],
  coverageAnalysis: "perTest",
  concurrency: 1,
  timeoutMS: 10000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  ignorePatterns: ["dist", ".test-tools", ".stryker-tools", "bench/results", "reports", "test-results", "docs"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
