import { createRequire } from "node:module";

type YamlLibrary = { parse(src: string): unknown };
let library: YamlLibrary | undefined;

/**
 * The one YAML loader (frontmatter beyond flat scalars, prompt files): the `yaml` package, loaded on first
 * use only, so commands that never meet rich YAML never pay for it at start-up. Throws on malformed input.
 */
export function parseYaml(source: string): unknown {
  library ??= createRequire(import.meta.url)("yaml") as YamlLibrary;
  return library.parse(source);
}
