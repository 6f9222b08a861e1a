// Bundle the CLI into dist/bundle/ so `qms` starts fast (issue #8; measured with `npm run bench:cli`). The
// commands agents run all day load as few files as possible, with as little compiling as possible:
// 1. launch.cjs: the entry bin/qms.js requires (CommonJS: no ESM loader to start) and the fast-path parser;
// 2. queries.cjs: the read-only queries (status, read, inbox, list, ...), one file;
// 3. writes.cjs: the document-control writes (create, checkin, route, review, approve, ...), one file;
//    both loaded through V8's code cache (queries.cjs.cache, writes.cjs.cache, written below by a training
//    run in a throw-away project; src/cli/script-cache.ts);
// 4. program.js and its chunks (ESM): the full command line (commander), code-split so each command, the MCP
//    SDK and the session kit load only when used;
// 5. prompts.json: the package's prompts/**.yaml compiled (text + parsed value), so routing does not load
//    the YAML library at run time (src/store/prompt-files.ts; the tsc output falls back to the YAML).
// The builds share no module instances: a process runs the fast path or the program, never both.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { parse as parseYaml } from "yaml";

const OUT = "dist/bundle";
rmSync(OUT, { recursive: true, force: true });

const common = {
  outdir: OUT,
  bundle: true,
  platform: "node",
  target: "node20",
  // The MCP SDK, zod and yaml stay ordinary imports, loaded only by the code that needs them.
  external: ["@modelcontextprotocol/sdk", "zod", "yaml"],
  sourcemap: false,
  logLevel: "warning",
};
const commonjs = {
  ...common,
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  // the sources find their package files from import.meta.url
  define: { "import.meta.url": "__qmsModuleUrl" },
  banner: { js: 'const __qmsModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/** main.ts's default parts are the tsc output's sibling modules; the bundle's entry passes its own. */
const siblingsAreSeparate = {
  name: "siblings-are-separate",
  setup(b) {
    b.onResolve({ filter: /^\.\/(queries|writes|program)\.js$/ }, (args) =>
      args.importer.endsWith(path.join("src", "cli", "main.ts")) ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * node:crypto loaded on first use in the fast path: the store imports it at the top of modules that only a few
 * commands call into (tokens, the state folder's name), and loading it costs every start ~1 ms. The functions
 * the store uses are forwarded; importing any other name from node:crypto fails the build, never the run.
 */
const lazyCrypto = {
  name: "lazy-crypto",
  setup(b) {
    b.onResolve({ filter: /^node:crypto$/ }, (args) =>
      args.namespace === "lazy-builtin" ? { path: "node:crypto", external: true } : { path: "node:crypto", namespace: "lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      loader: "js",
      contents: [
        "let loaded;",
        'const crypto = () => (loaded ??= require("node:crypto"));',
        ...["createHash", "randomBytes", "timingSafeEqual"].map((f) => `export const ${f} = (...args) => crypto().${f}(...args);`),
      ].join("\n"),
    }));
  },
};

await build({ ...commonjs, entryPoints: { launch: "src/cli/launch.ts" }, plugins: [siblingsAreSeparate, lazyCrypto] });
await build({ ...commonjs, entryPoints: { queries: "src/cli/queries.ts" }, plugins: [lazyCrypto] });
await build({ ...commonjs, entryPoints: { writes: "src/cli/writes.ts" }, plugins: [lazyCrypto] });
// `import * as fs from "node:fs"` becomes `__toESM(require("node:fs"))` in CommonJS output: a copy of every
// export as a getter, once per importing module (~1.5 ms per start). The sources never default-import a
// builtin, so the namespace object is only ever read by property name: use the module itself.
for (const name of ["launch", "queries", "writes"]) {
  const file = path.join(OUT, `${name}.cjs`);
  writeFileSync(file, readFileSync(file, "utf8").replace(/__toESM\((require\("node:[a-z_/]+"\))(, 1)?\)/g, "$1"));
}
await build({
  ...common,
  format: "esm",
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

// The code caches: the common commands run once in a throw-away project (a quality user qa, the built-in
// administrator claude), then V8 writes the bytecode of everything they compiled.
const project = mkdtempSync(path.join(tmpdir(), "qms-code-cache-"));
const state = mkdtempSync(path.join(tmpdir(), "qms-code-cache-state-"));
try {
  mkdirSync(path.join(project, "QMS"));
  mkdirSync(path.join(project, ".claude", "agents"), { recursive: true });
  writeFileSync(path.join(project, ".claude", "agents", "qa.md"), "---\nname: qa\ngroup: quality\ndescription: code cache training\n---\n");
  for (const user of ["claude", "qa"]) for (const dir of ["workspace", "inbox"]) mkdirSync(path.join(project, ".claude", "users", user, dir), { recursive: true });
  const launch = path.resolve(OUT, "launch.cjs");
  const trained = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(launch)}).trainCodeCache().catch((e) => { console.error(e); process.exitCode = 1; })`], {
    cwd: project,
    env: { ...process.env, QMS_USER: "", QMS_STATE_DIR: state, QMS_CLI_FAST_PATH: "1" },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (trained.status !== 0) process.stderr.write(`bundle: no code cache (the CLI works, only starts slower): ${trained.stderr}\n`);
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
}
