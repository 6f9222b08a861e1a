/**
 * The VR compiler (spec §9.4, §9.5, REQ-INT-016/023..025): source + template → the record's markdown.
 * Tags, guidance and the preamble are gone; responses land where their `{{id}}` placeholders are.
 */
import { serializeDocument } from "../frontmatter.js";
import { type ResponseEntry, resolvedMetadata, responseKey, splitResponseKey, utcDateTime, type VrSource } from "./source.js";
import { type BodyPart, ITERATION_PLACEHOLDER, METADATA_KEYS, type Template } from "./template.js";

export interface CompiledDocument {
  text: string;
  /** Response keys the template has no placeholder for (e.g. a source of another template version). */
  unplaced: string[];
}

interface Scope {
  loop?: string;
  iteration?: number;
}

type Resolved =
  | { kind: "text"; value: string }
  | { kind: "response"; key: string }
  | { kind: "gate"; key: string }
  | { kind: "unknown" };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;
const ONLY_PLACEHOLDER = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/;
const BOLD_PLACEHOLDER = /^\*\*\{\{\s*([A-Za-z0-9_.]+)\s*\}\}\*\*$/;
const FENCE = /^(`{3,}|~{3,})(.*)$/;
const METADATA: ReadonlySet<string> = new Set(METADATA_KEYS);

export function compileDocument(source: VrSource, template: Template): CompiledDocument {
  return new Compiler(source, template).run();
}

class Compiler {
  private readonly metadata: Record<string, string>;
  private readonly consumed = new Set<string>();

  constructor(
    private readonly source: VrSource,
    private readonly template: Template,
  ) {
    this.metadata = resolvedMetadata(source);
  }

  run(): CompiledDocument {
    const lines = this.parts(this.template.body, {});
    const unplaced = Object.keys(this.source.responses).filter((k) => (this.source.responses[k]?.length ?? 0) > 0 && !this.consumed.has(k));
    if (unplaced.length > 0) insertBeforeEnd(lines, this.unplacedSection(unplaced));
    const body = `${collapseBlankLines(lines).join("\n").replace(/^\n+/, "").replace(/\n*$/, "")}\n`;
    const title = typeof this.source.metadata.title === "string" ? this.source.metadata.title : "";
    return { text: serializeDocument({ title, revision_summary: this.template.revisionSummary ?? "Initial draft" }, body), unplaced };
  }

  private parts(parts: BodyPart[], scope: Scope): string[] {
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.kind === "loop") {
        const iterations = this.source.loops[part.name]?.iterations ?? 0;
        for (let n = 1; n <= iterations; n++) out.push(...this.parts(part.body, { loop: part.name, iteration: n }));
        continue;
      }
      const fenced = this.fencedPlaceholder(parts, i, scope);
      if (fenced) {
        out.push(...this.fence(fenced.open, fenced.key));
        i += 2;
        continue;
      }
      out.push(...this.line(part.text, scope));
    }
    return out;
  }

  /** A code fence whose only content is one response placeholder. */
  private fencedPlaceholder(parts: BodyPart[], i: number, scope: Scope): { open: RegExpExecArray; key: string } | undefined {
    const [a, b, c] = [parts[i], parts[i + 1], parts[i + 2]];
    if (a?.kind !== "line" || b?.kind !== "line" || c?.kind !== "line") return undefined;
    const open = FENCE.exec(a.text.trim());
    const inner = ONLY_PLACEHOLDER.exec(b.text.trim());
    const close = FENCE.exec(c.text.trim());
    if (!open || !inner || !close || close[2]!.trim() !== "" || close[1]![0] !== open[1]![0] || close[1]!.length < open[1]!.length) return undefined;
    const resolved = this.resolve(inner[1]!, scope);
    return resolved.kind === "response" ? { open, key: resolved.key } : undefined;
  }

  private resolve(name: string, scope: Scope): Resolved {
    if (name === ITERATION_PLACEHOLDER) return scope.iteration === undefined ? { kind: "unknown" } : { kind: "text", value: String(scope.iteration) };
    if (METADATA.has(name)) return { kind: "text", value: this.metadata[name] ?? "" };
    const { id, iteration } = splitResponseKey(name);
    const node = this.template.nodes[id];
    if (!node) return { kind: "unknown" };
    let key: string;
    if (iteration !== undefined) key = name;
    else if (node.loop === undefined) key = id;
    else if (node.loop === scope.loop) key = responseKey(id, scope.iteration);
    else return { kind: "unknown" };
    return { kind: node.kind === "gate" ? "gate" : "response", key };
  }

  private entries(key: string): ResponseEntry[] {
    this.consumed.add(key);
    return this.source.responses[key] ?? [];
  }

  private line(text: string, scope: Scope): string[] {
    const trimmed = text.trim();
    const only = ONLY_PLACEHOLDER.exec(trimmed);
    if (only) {
      const r = this.resolve(only[1]!, scope);
      if (r.kind === "response") return this.block(this.entries(r.key));
    }
    const bold = BOLD_PLACEHOLDER.exec(trimmed);
    if (bold) {
      const r = this.resolve(bold[1]!, scope);
      if (r.kind === "response") return this.bold(this.entries(r.key));
    }
    const inTable = trimmed.startsWith("|");
    const attributions: string[] = [];
    const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
      const r = this.resolve(name, scope);
      if (r.kind === "text") return inTable ? tableCell(r.value) : r.value;
      if (r.kind === "gate") return this.source.gates[r.key]?.value ?? "";
      if (r.kind === "unknown") return whole;
      const entries = this.entries(r.key);
      const active = entries[entries.length - 1];
      if (!active) return "";
      if (!inTable) attributions.push(attribution(active));
      return inTable ? tableCell(active.value) : active.value;
    });
    return attributions.length > 0 ? [filled, ...attributions] : [filled];
  }

  /** Blockquote, blank line, attribution; superseded entries first, struck through. */
  private block(entries: ResponseEntry[]): string[] {
    const active = entries[entries.length - 1];
    if (!active) return [""];
    return [...this.superseded(entries), ...quote(value(active)), "", attribution(active), ""];
  }

  /** `**VALUE**` with the attribution on the next line. */
  private bold(entries: ResponseEntry[]): string[] {
    const active = entries[entries.length - 1];
    if (!active) return [""];
    const lines = value(active).split("\n").map((l) => (l.trim() === "" ? "" : `**${l}**`));
    return [...this.superseded(entries), ...lines, attribution(active), ""];
  }

  /** The fence holds the active value; the attribution follows the closing fence. */
  private fence(open: RegExpExecArray, key: string): string[] {
    const entries = this.entries(key);
    const active = entries[entries.length - 1];
    const content = active ? value(active).split("\n") : [];
    const marker = open[1]!;
    const longest = Math.max(0, ...content.map((l) => (l.trimStart().startsWith(marker[0]!) ? (/^\s*([`~]+)/.exec(l)?.[1]?.length ?? 0) : 0)));
    const fenceMarker = longest >= marker.length ? marker[0]!.repeat(longest + 1) : marker;
    const lines = [...this.superseded(entries), `${fenceMarker}${open[2] ?? ""}`, ...content, fenceMarker];
    return active ? [...lines, attribution(active), ""] : [...lines, ""];
  }

  /** Every entry but the last: struck through, its attribution and the reason of the amendment that replaced it. */
  private superseded(entries: ResponseEntry[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < entries.length - 1; i++) {
      const entry = entries[i]!;
      const reason = entries[i + 1]!.reason;
      out.push(...quote(value(entry), true), "", attribution(entry, typeof reason === "string" ? reason : ""), "");
    }
    return out;
  }

  private unplacedSection(keys: string[]): string[] {
    const lines = ["", "---", "", `## Responses not placed by template ${this.template.name} v${this.template.version}`, ""];
    for (const key of keys) lines.push(`### ${key}`, "", ...this.block(this.entries(key)));
    return lines;
  }
}

function value(entry: ResponseEntry): string {
  return entry.value.replace(/\r\n?/g, "\n").replace(/\s+$/, "");
}

function quote(text: string, struck = false): string[] {
  return text.split("\n").map((l) => (l.trim() === "" ? ">" : `> ${struck ? `~~${l}~~` : l}`));
}

/** `*-- AUTHOR, YYYY-MM-DD HH:MM:SS[ | commit: HASH][ | superseded: REASON]*` */
export function attribution(entry: ResponseEntry, supersededBecause?: string): string {
  const commit = entry.commit ? ` | commit: ${entry.commit}` : "";
  const superseded = supersededBecause ? ` | superseded: ${supersededBecause.replace(/\s+/g, " ").trim()}` : "";
  return `*-- ${entry.author}, ${utcDateTime(entry.timestamp)}${commit}${superseded}*`;
}

function tableCell(text: string): string {
  return text.replace(/\r?\n/g, "<br>").replace(/\|/g, "\\|");
}

function insertBeforeEnd(lines: string[], section: string[]): void {
  let at = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.trim() === "**END OF DOCUMENT**") {
      at = i;
      break;
    }
  }
  lines.splice(at, 0, ...section, "");
}

/** Runs of blank lines become one, except inside code fences (whose content is a response, kept as given). */
function collapseBlankLines(lines: string[]): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const marker = FENCE.exec(line.trim())?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
    else if (fence === undefined && line.trim() === "" && out.length > 0 && out[out.length - 1]!.trim() === "") continue;
    out.push(fence === undefined && line.trim() === "" ? "" : line);
  }
  return out;
}
