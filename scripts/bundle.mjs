// Bundle the CLI entry into dist/bundle/ so `qms` starts fast: one file for the common path instead of ~30
// ES modules, with code splitting so each command, the MCP SDK and the session kit load only when used.
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist/bundle", { recursive: true, force: true });

await build({
  entryPoints: { main: "src/cli/main.ts" },
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The MCP SDK and zod stay ordinary imports, loaded only by the chunks that need them.
  external: ["@modelcontextprotocol/sdk", "zod", "yaml"],
  // commander is CommonJS; give its require() calls a real require in ESM output.
  banner: { js: "import { createRequire as __qmsRequire } from 'node:module'; const require = __qmsRequire(import.meta.url);" },
  sourcemap: false,
  logLevel: "warning",
});
