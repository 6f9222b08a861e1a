// Bundle the CLI into dist/bundle/ so `qms` starts fast (issue #8; measured with `npm run bench:cli`):
// 1. main.js: the entry and the full program, with code splitting so each command, the MCP SDK and the
//    session kit load only when used;
// 2. queries.js: the read-only fast path (status, read, inbox, ...) as ONE file: the ESM loader pays per
//    module (resolve, stat, read, link), and a dozen shared chunks cost more than the code in them;
// 3. prompts.json: the package's prompts/**.yaml compiled (text + parsed value), so routing does not load
//    the YAML library at run time (src/store/prompt-files.ts; the tsc output falls back to the YAML).
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
  // commander is CommonJS; give its require() calls a real require in ESM output.
  banner: { js: "import { createRequire as __qmsRequire } from 'node:module'; const require = __qmsRequire(import.meta.url);" },
  sourcemap: false,
  logLevel: "warning",
};

/** main.ts's `import("./queries.js")` is the separately built one-file fast path, not a chunk of this build. */
const fastPathIsSeparate = {
  name: "fast-path-is-separate",
  setup(b) {
    b.onResolve({ filter: /^\.\/queries\.js$/ }, (args) =>
      args.importer.endsWith(path.join("src", "cli", "main.ts")) ? { path: "./queries.js", external: true } : undefined,
    );
  },
};

await build({ ...common, entryPoints: { main: "src/cli/main.ts" }, splitting: true, plugins: [fastPathIsSeparate] });
await build({ ...common, entryPoints: { queries: "src/cli/queries.ts" }, splitting: false });

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
