// Loaded into Stryker (scripts/mutate/run.mjs) and its checker processes (checkerNodeArgs): the project compiles with the native TypeScript 7
// compiler, which has no JavaScript compiler API, so @stryker-mutator/typescript-checker gets TypeScript 5's
// (installed by scripts/mutate/install-typescript-api.sh into .stryker-tools/, outside package.json).
import { register } from "node:module";

register("./typescript-api-hooks.mjs", import.meta.url);
