import { fileURLToPath, pathToFileURL } from "node:url";
import * as path from "node:path";

const TYPESCRIPT_API = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", ".stryker-tools", "node_modules", "typescript", "lib", "typescript.js")).href;

/** `import ts from "typescript"` inside Stryker (its tsconfig preprocessor and the TypeScript checker) resolves to the TypeScript 5 API. */
export async function resolve(specifier, context, next) {
  if (specifier === "typescript" && context.parentURL?.includes("/node_modules/@stryker-mutator/")) {
    return { url: TYPESCRIPT_API, format: "commonjs", shortCircuit: true };
  }
  return next(specifier, context);
}
