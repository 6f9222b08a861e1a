#!/usr/bin/env node
// CommonJS (bin/package.json), like bin/qms.js: `qms-mcp ARGS` is `qms mcp ARGS`.
require("../dist/bundle/launch.cjs").launch(["mcp", ...process.argv.slice(2)]);
