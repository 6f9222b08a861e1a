#!/usr/bin/env node
// CommonJS (bin/package.json): the CLI starts without Node's ESM loader (issue #8); see src/cli/launch.ts.
require("../dist/bundle/launch.cjs").launch(process.argv.slice(2));
