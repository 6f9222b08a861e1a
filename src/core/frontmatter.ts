import { parseYaml } from "./yaml.js";

/** A Markdown document split into its YAML frontmatter and body (spec §7.1). */
export interface ParsedDocument {
  frontmatter: Record<string, unknown>;
  body: string;
  hasFrontmatter: boolean;
}

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const SIMPLE_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*))?$/;

export function parseDocument(text: string): ParsedDocument {
  const match = FRONTMATTER.exec(text);
  if (!match) return { frontmatter: {}, body: text, hasFrontmatter: false };
  const body = text.slice(match[0].length).replace(/^\r?\n/, "");
  return { frontmatter: parseYamlMapping(match[1] ?? ""), body, hasFrontmatter: true };
}

/**
 * Parse the flat `key: scalar` mappings QMS frontmatter uses without loading a YAML library; anything
 * richer (lists, block scalars, flow maps) goes to the `yaml` package, loaded only then.
 */
export function parseYamlMapping(source: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const line of source.split(/\r?\n/)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const m = SIMPLE_LINE.exec(line);
    const scalar = m ? parseScalar(m[2] ?? "") : undefined;
    if (!m || scalar === undefined) return parseWithYamlLibrary(source);
    result[m[1]!] = scalar.value;
  }
  return result;
}

function parseScalar(raw: string): { value: unknown } | undefined {
  const text = raw.trim();
  if (text === "" || text === "~" || text === "null") return { value: null };
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) return undefined;
    const inner = text.slice(1, -1);
    if (/(^|[^'])'([^']|$)/.test(inner)) return undefined;
    return { value: inner.replace(/''/g, "'") };
  }
  if (text.startsWith('"')) {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return undefined;
    }
  }
  if (/^[[{>|&*!%@`]/.test(text) || text.includes(" #") || text.includes(": ")) return undefined;
  if (text === "true" || text === "false") return { value: text === "true" };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { value: text.includes(".") ? text : Number(text) };
  return { value: text };
}

function parseWithYamlLibrary(source: string): Record<string, unknown> {
  try {
    const parsed = parseYaml(source);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A YAML scalar that reads back as the same string. */
export function yamlScalar(value: string): string {
  const plain =
    value !== "" &&
    /^[A-Za-z0-9(][^:#\n\r\t'"]*$/.test(value) &&
    !/\s$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~|-?\d+(\.\d+)?)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/**
 * Serialize a document with only the author-maintained fields (`title`, `revision_summary`), as every CLI
 * write does (REQ-META-001).
 */
export function serializeDocument(fields: { title?: unknown; revision_summary?: unknown }, body: string): string {
  const lines = ["---"];
  for (const key of ["title", "revision_summary"] as const) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    lines.push(`${key}: ${yamlScalar(String(value))}`);
  }
  lines.push("---", "");
  return `${lines.join("\n")}\n${body.replace(/^\r?\n+/, "")}`;
}

/** Keep only `title` and `revision_summary` of a document's frontmatter. */
export function minimalFrontmatterDocument(text: string): string {
  const doc = parseDocument(text);
  if (!doc.hasFrontmatter) return text;
  return serializeDocument(doc.frontmatter, doc.body);
}
