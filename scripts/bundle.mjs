// Bundle the CLI into dist/bundle/ so `qms` starts fast (issue #8; measured with `npm run bench:cli`). The ESM
// loader pays per module (resolve, stat, read, link), so the commands agents run all day load ONE file each:
// 1. main.js: the entry and the fast-path argument parser only;
// 2. queries.js: the read-only queries (status, read, inbox, ...), one file;
// 3. writes.js: the document-control writes (create, checkin, route, review, approve, ...), one file;
// 4. program.js and its chunks: the full command line (commander), code-split so each command, the MCP SDK
//    and the session kit load only when used;
// 5. prompts.json: the package's prompts/**.yaml compiled (text + parsed value), so routing does not load
//    the YAML library at run time (src/store/prompt-files.ts; the tsc output falls back to the YAML).
// The four builds share no module instances: a process runs the fast path or the program, never both.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { parse as parseYaml } from "yaml";

const OUT = "dist/bundle";
rmSync(OUT, { recursive: true, force: true });

const common = {
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The MCP SDK and zod stay ordinary imports, loaded only by the chunks that need them.
  external: ["@modelcontextprotocol/sdk", "zod", "yaml"],
  sourcemap: false,
  logLevel: "warning",
};

/** main.ts's dynamic imports are the other builds' outputs, not modules of its own build. */
const siblingsAreSeparate = {
  name: "siblings-are-separate",
  setup(b) {
    b.onResolve({ filter: /^\.\/(queries|writes|program)\.js$/ }, (args) =>
      args.importer.endsWith(path.join("src", "cli", "main.ts")) ? { path: args.path, external: true } : undefined,
    );
  },
};

await build({ ...common, entryPoints: { main: "src/cli/main.ts" }, plugins: [siblingsAreSeparate] });
await build({ ...common, entryPoints: { queries: "src/cli/queries.ts" } });
await build({ ...common, entryPoints: { writes: "src/cli/writes.ts" } });
await build({
  ...common,
  entryPoints: { program: "src/cli/program.ts" },
  splitting: true,
  // commander is CommonJS; give its require() calls a real require in ESM output.
  banner: { js: "import { createRequire as __qmsRequire } from 'node:module'; const require = __qmsRequire(import.meta.url);" },
});

const files = {};
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith(".yaml")) {
      const text = readFileSync(full, "utf8");
      try {
        files[path.relative("prompts", full).split(path.sep).join("/")] = { text, value: parseYaml(text) ?? null };
      } catch {
        // malformed: left out, so the run time parses it and skips it exactly as before
      }
    }
  }
};
walk("prompts");
writeFileSync(path.join(OUT, "prompts.json"), `${JSON.stringify({ version: 1, files })}\n`);
