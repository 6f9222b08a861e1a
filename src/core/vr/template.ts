/**
 * The interactive template language (spec §9.1, REQ-INT-001..005): tags are single-line HTML comments in a
 * template document. Parsing turns the text into the flow (prompts, gates, loops) and the document body the
 * compiler fills in; tags and guidance are not part of the body.
 */

export interface PromptNode {
  kind: "prompt";
  id: string;
  next: string;
  commit: boolean;
  /** `today`, `current_user` or a literal: shown as the suggested answer, never recorded by itself. */
  default?: string;
  guidance: string;
  line: number;
  loop?: string;
}

export interface GateNode {
  kind: "gate";
  id: string;
  type: "yesno";
  yes: string;
  no: string;
  guidance: string;
  line: number;
  loop?: string;
}

export type FlowNode = PromptNode | GateNode;

export interface LoopDef {
  name: string;
  /** Node ids inside the loop, in document order. */
  nodes: string[];
  line: number;
}

/** A body line (tags and guidance removed) or a loop block whose body repeats once per iteration. */
export type BodyPart = { kind: "line"; text: string } | { kind: "loop"; name: string; body: BodyPart[] };

export interface Template {
  name: string;
  version: number;
  start: string;
  /** The instance frontmatter's `revision_summary` (the rest of it is only `title`). */
  revisionSummary?: string;
  nodes: Record<string, FlowNode>;
  /** Node ids in document order. */
  order: string[];
  loops: Record<string, LoopDef>;
  body: BodyPart[];
}

export interface TemplateParseError {
  /** 1-based line in the template text. */
  line: number;
  expected: string;
  found: string;
  message: string;
}

export type TemplateParseResult = { ok: true; template: Template } | { ok: false; error: TemplateParseError };

/** The cursor value once the flow is done; `next: end` in a template means the same. */
export const END = "__end__";
export const END_ALIASES: ReadonlySet<string> = new Set(["end", END]);
/** Placeholders the compiler and interpolation fill from metadata, never from a prompt. */
export const METADATA_KEYS = ["title", "vr_id", "parent_doc_id", "date", "performer", "performed_date"] as const;
export const ITERATION_PLACEHOLDER = "_n";

const TAG = /^\s*<!--\s*@([A-Za-z][A-Za-z-]*)\s*(?::(.*?))?\s*-->\s*$/;
const NODE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_HINT = /<!--\s*@template\s*:/;
const RESERVED_IDS: ReadonlySet<string> = new Set([...METADATA_KEYS, ITERATION_PLACEHOLDER, "end", END]);
const TAG_NAMES = "@template, @prompt, @gate, @loop, @end-loop, @end-prompt, @end";

/** Whether a text is an interactive template at all (carries an `@template:` header). */
export function hasTemplateHeader(text: string): boolean {
  return HEADER_HINT.test(text);
}

class ParseFailure extends Error {
  constructor(readonly detail: TemplateParseError) {
    super(detail.message);
  }
}

function failAt(line: number, expected: string, found: string): never {
  throw new ParseFailure({ line, expected, found, message: `line ${line}: expected ${expected}, found ${found}` });
}

export function parseTemplate(text: string): TemplateParseResult {
  try {
    return { ok: true, template: new Parser(text.replace(/\r\n?/g, "\n").split("\n")).parse() };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.detail };
    throw e;
  }
}

interface OpenGuidance {
  node: FlowNode;
  lines: string[];
}

interface OpenLoop {
  def: LoopDef;
  body: BodyPart[];
}

class Parser {
  private readonly nodes: Record<string, FlowNode> = {};
  private readonly order: string[] = [];
  private readonly loops: Record<string, LoopDef> = {};
  private readonly body: BodyPart[] = [];
  private header: { name: string; version: number; start: string; line: number } | undefined;
  private guidance: OpenGuidance | undefined;
  private loop: OpenLoop | undefined;
  private endLine: number | undefined;

  constructor(private readonly lines: string[]) {}

  parse(): Template {
    const { start, revisionSummary } = this.frontmatter();
    let inComment = false;
    for (let i = start; i < this.lines.length; i++) {
      const text = this.lines[i] ?? "";
      if (inComment) {
        if (text.includes("-->")) inComment = false;
        this.emit(text, true);
        continue;
      }
      const tag = TAG.exec(text);
      if (tag) {
        this.tag(tag[1] ?? "", (tag[2] ?? "").trim(), i + 1);
        continue;
      }
      // a multi-line comment: its lines are text, never tags (comments do not nest)
      const lastOpen = text.lastIndexOf("<!--");
      inComment = lastOpen >= 0 && !text.includes("-->", lastOpen);
      this.emit(text, inComment || /^\s*<!--.*-->\s*$/.test(text));
    }
    const last = this.lines.length;
    if (this.guidance) {
      failAt(last, `@end-prompt closing the guidance of ${this.guidance.node.kind} '${this.guidance.node.id}' (line ${this.guidance.node.line})`, "the end of the template");
    }
    if (this.loop) failAt(last, `@end-loop: ${this.loop.def.name} (loop opened at line ${this.loop.def.line})`, "the end of the template");
    if (!this.header) failAt(1, "a header <!-- @template: NAME | version: N | start: PROMPT_ID -->", "none in the template");
    this.checkReferences(this.header);
    const template: Template = {
      name: this.header.name,
      version: this.header.version,
      start: this.header.start,
      nodes: this.nodes,
      order: this.order,
      loops: this.loops,
      body: this.body,
    };
    if (revisionSummary !== undefined) template.revisionSummary = revisionSummary;
    return template;
  }

  /**
   * Skip the template's own frontmatter and find the instance ("example") frontmatter: the block after it,
   * or a lone block that mentions `{{title}}`. Returns where scanning starts.
   */
  private frontmatter(): { start: number; revisionSummary?: string } {
    const blocks: { from: number; to: number }[] = [];
    let i = 0;
    while (blocks.length < 2) {
      const at = blocks.length === 0 ? i : this.skipBlankAndComments(i);
      if (this.lines[at]?.trim() !== "---") break;
      const close = this.lines.findIndex((l, j) => j > at && l.trim() === "---");
      if (close < 0) break;
      const block = { from: at + 1, to: close };
      if (blocks.length === 1 && !this.lines.slice(block.from, block.to).some((l) => /^title\s*:/.test(l))) break;
      blocks.push(block);
      i = close + 1;
      if (blocks.length === 1 && this.isInstanceBlock(block)) break;
    }
    if (blocks.length === 0) return { start: 0 };
    const start = blocks[blocks.length - 1]!.to + 1;
    const instance = blocks.length === 2 ? blocks[1] : this.isInstanceBlock(blocks[0]!) ? blocks[0] : undefined;
    if (!instance) return { start };
    for (let j = instance.from; j < instance.to; j++) {
      const m = /^revision_summary:\s*(.*)$/.exec(this.lines[j] ?? "");
      if (m) return { start, revisionSummary: unquote((m[1] ?? "").trim()) };
    }
    return { start };
  }

  private isInstanceBlock(block: { from: number; to: number }): boolean {
    return this.lines.slice(block.from, block.to).some((l) => l.includes("{{title}}"));
  }

  private skipBlankAndComments(from: number): number {
    let i = from;
    while (i < this.lines.length) {
      const l = (this.lines[i] ?? "").trim();
      if (l === "") {
        i++;
      } else if (l.startsWith("<!--") && !TAG.test(l)) {
        while (i < this.lines.length && !(this.lines[i] ?? "").includes("-->")) i++;
        i++;
      } else {
        break;
      }
    }
    return i;
  }

  /** A body line: guidance while a prompt is open; dropped before the header when it is a comment (preamble). */
  private emit(text: string, isComment: boolean): void {
    if (this.guidance) {
      this.guidance.lines.push(text);
      return;
    }
    if (!this.header && isComment) return;
    (this.loop ? this.loop.body : this.body).push({ kind: "line", text });
  }

  private tag(name: string, value: string, line: number): void {
    if (this.endLine !== undefined) failAt(line, `no tags after @end (line ${this.endLine})`, `@${name}`);
    if (this.guidance && name !== "end-prompt") {
      const open = this.guidance.node;
      failAt(line, `@end-prompt closing the guidance of ${open.kind} '${open.id}' (line ${open.line})`, `@${name}`);
    }
    if (!this.header && name !== "template") failAt(line, "the @template header before any other tag", `@${name}`);
    switch (name) {
      case "template":
        this.templateHeader(value, line);
        return;
      case "prompt":
        this.prompt(value, line);
        return;
      case "gate":
        this.gate(value, line);
        return;
      case "loop":
        this.openLoop(value, line);
        return;
      case "end-loop":
        this.closeLoop(value, line);
        return;
      case "end-prompt":
        if (!this.guidance) failAt(line, "@end-prompt only after a @prompt or @gate", "@end-prompt with no open prompt");
        this.guidance.node.guidance = trimBlankLines(this.guidance.lines).join("\n");
        this.guidance = undefined;
        return;
      case "end":
        if (this.loop) failAt(line, `@end-loop: ${this.loop.def.name} (loop opened at line ${this.loop.def.line})`, "@end");
        this.endLine = line;
        return;
      default:
        failAt(line, `one of ${TAG_NAMES}`, `@${name}`);
    }
  }

  private templateHeader(value: string, line: number): void {
    if (this.header) failAt(line, `one @template header only (the first is at line ${this.header.line})`, "a second @template header");
    const { primary, attrs } = attributes(value, line, ["version", "start"]);
    if (primary === "") failAt(line, "a template name: @template: NAME | version: N | start: PROMPT_ID", "no name");
    const version = attrs.get("version");
    if (version === undefined || !/^\d+$/.test(version)) failAt(line, "version: N (a whole number)", version === undefined ? "no version" : `version: ${version}`);
    const start = attrs.get("start");
    if (start === undefined || start === "") failAt(line, "start: PROMPT_ID", "no start");
    this.header = { name: primary, version: Number(version), start, line };
  }

  private prompt(value: string, line: number): void {
    const { primary: id, attrs } = attributes(value, line, ["next", "commit", "default"]);
    this.checkNewId(id, line, "@prompt: ID | next: ID");
    const next = attrs.get("next");
    if (next === undefined || next === "") failAt(line, `next: ID for prompt '${id}'`, "no next");
    const commit = attrs.get("commit") ?? "false";
    if (commit !== "true" && commit !== "false") failAt(line, "commit: true or commit: false", `commit: ${commit}`);
    const node: PromptNode = { kind: "prompt", id, next, commit: commit === "true", guidance: "", line };
    const fallback = attrs.get("default");
    if (fallback !== undefined) node.default = fallback;
    this.addNode(node);
  }

  private gate(value: string, line: number): void {
    const { primary: id, attrs } = attributes(value, line, ["type", "yes", "no"]);
    this.checkNewId(id, line, "@gate: ID | type: yesno | yes: ID | no: ID");
    const type = attrs.get("type");
    if (type !== "yesno") failAt(line, `type: yesno for gate '${id}'`, type === undefined ? "no type" : `type: ${type}`);
    const yes = attrs.get("yes");
    const no = attrs.get("no");
    if (!yes) failAt(line, `yes: ID for gate '${id}'`, "no yes target");
    if (!no) failAt(line, `no: ID for gate '${id}'`, "no no target");
    this.addNode({ kind: "gate", id, type: "yesno", yes, no, guidance: "", line });
  }

  private checkNewId(id: string, line: number, form: string): void {
    if (id === "") failAt(line, form, "no ID");
    if (!NODE_ID.test(id)) failAt(line, "an ID of letters, digits and underscores", `'${id}'`);
    if (RESERVED_IDS.has(id)) failAt(line, "an ID that is not a metadata name or end marker", `'${id}'`);
    const earlier = this.nodes[id];
    if (earlier) failAt(line, `a new ID ('${id}' is already used at line ${earlier.line})`, `'${id}'`);
  }

  private addNode(node: FlowNode): void {
    if (this.loop) {
      node.loop = this.loop.def.name;
      this.loop.def.nodes.push(node.id);
    }
    this.nodes[node.id] = node;
    this.order.push(node.id);
    this.guidance = { node, lines: [] };
  }

  private openLoop(value: string, line: number): void {
    const name = value.trim();
    if (this.loop) failAt(line, `@end-loop: ${this.loop.def.name} before another loop (loops do not nest)`, `@loop: ${name}`);
    if (!NODE_ID.test(name)) failAt(line, "@loop: NAME (letters, digits, underscores)", name === "" ? "no name" : `'${name}'`);
    if (this.loops[name]) failAt(line, `a new loop name ('${name}' is already used at line ${this.loops[name].line})`, `'${name}'`);
    const def: LoopDef = { name, nodes: [], line };
    this.loops[name] = def;
    this.loop = { def, body: [] };
  }

  private closeLoop(value: string, line: number): void {
    const name = value.trim();
    if (!this.loop) failAt(line, "@end-loop only after a @loop", `@end-loop: ${name} with no open loop`);
    if (name !== this.loop.def.name) failAt(line, `@end-loop: ${this.loop.def.name}`, `@end-loop: ${name}`);
    if (this.loop.def.nodes.length === 0) failAt(line, `at least one @prompt inside loop '${name}'`, "an empty loop");
    this.body.push({ kind: "loop", name, body: this.loop.body });
    this.loop = undefined;
  }

  private checkReferences(header: { start: string; line: number }): void {
    if (!this.nodes[header.start]) failAt(header.line, "start: the ID of a @prompt or @gate in the template", `start: ${header.start}`);
    for (const id of this.order) {
      const node = this.nodes[id]!;
      const targets = node.kind === "prompt" ? [["next", node.next]] : [["yes", node.yes], ["no", node.no]];
      for (const [attr, target] of targets) {
        if (target && !END_ALIASES.has(target) && !this.nodes[target]) {
          failAt(node.line, `${attr}: the ID of a @prompt or @gate (or 'end')`, `${attr}: ${target}`);
        }
      }
    }
  }
}

/** `primary | key: value | key: value` */
function attributes(value: string, line: number, allowed: string[]): { primary: string; attrs: Map<string, string> } {
  const [first, ...rest] = value.split("|");
  const attrs = new Map<string, string>();
  for (const part of rest) {
    const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(part);
    if (!m) failAt(line, "key: value after '|'", `'${part.trim()}'`);
    const key = m[1]!;
    if (!allowed.includes(key)) failAt(line, `one of ${allowed.join(", ")}`, `attribute '${key}'`);
    if (attrs.has(key)) failAt(line, `'${key}' once`, `'${key}' twice`);
    attrs.set(key, m[2] ?? "");
  }
  return { primary: (first ?? "").trim(), attrs };
}

function trimBlankLines(lines: string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && lines[from]!.trim() === "") from++;
  while (to > from && lines[to - 1]!.trim() === "") to--;
  return lines.slice(from, to);
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}

/** The loop a node belongs to, if any. */
export function loopOf(template: Template, nodeId: string): LoopDef | undefined {
  const name = template.nodes[nodeId]?.loop;
  return name === undefined ? undefined : template.loops[name];
}

// ---- template lookup (spec §9.5) ----

export interface TemplateCandidate {
  /** Where the text came from, for messages (e.g. `QMS/TEMPLATE/TEMPLATE-VR.md`). */
  origin: string;
  text: string;
  /** The package's own copy (seed/templates), used only when the project has no interactive template. */
  shipped?: boolean;
}

export type TemplateChoice =
  | { ok: true; template: Template; origin: string; /** false: no template of the wanted version exists */ exact: boolean }
  | { ok: false; message: string; hint: string };

/**
 * Pick the template for a VR. `candidates` in lookup order: the project's EFFECTIVE `TEMPLATE-VR`, its
 * archived versions newest first, then the shipped one. New VRs (`wanted` absent) get the first project
 * template that carries an `@template:` header, else the shipped one. An existing source gets the first
 * candidate whose header has its name and version; when none has, the new-VR choice with `exact: false`.
 */
export function selectTemplate(candidates: TemplateCandidate[], wanted?: { name: string; version: number }): TemplateChoice {
  const interactive = candidates.filter((c) => hasTemplateHeader(c.text));
  if (wanted) {
    for (const c of interactive) {
      const header = headerOf(c.text);
      if (header?.version !== wanted.version || header.name !== wanted.name) continue;
      const parsed = parseTemplate(c.text);
      if (!parsed.ok) return brokenTemplate(c, parsed.error);
      return { ok: true, template: parsed.template, origin: c.origin, exact: true };
    }
  }
  const fresh = interactive.find((c) => !c.shipped) ?? interactive.find((c) => c.shipped);
  if (!fresh) {
    return { ok: false, message: "No interactive VR template: neither the project nor the package has one with an @template header.", hint: "Restore QMS/TEMPLATE/TEMPLATE-VR.md (qms init seeds it)." };
  }
  const parsed = parseTemplate(fresh.text);
  if (!parsed.ok) return brokenTemplate(fresh, parsed.error);
  return { ok: true, template: parsed.template, origin: fresh.origin, exact: wanted === undefined };
}

function brokenTemplate(c: TemplateCandidate, error: TemplateParseError): TemplateChoice {
  return { ok: false, message: `Template ${c.origin} is malformed: ${error.message}.`, hint: `Fix ${c.origin} through a change record (the tags are described in its usage guide).` };
}

/** Name and version from a text's first `@template` header, without parsing the rest. */
export function headerOf(text: string): { name: string; version: number } | undefined {
  const m = /<!--\s*@template\s*:\s*([^|]*?)\s*\|(.*?)-->/.exec(text);
  if (!m) return undefined;
  const version = /\bversion\s*:\s*(\d+)/.exec(m[2] ?? "");
  return version ? { name: m[1] ?? "", version: Number(version[1]) } : undefined;
}

/** Archived template file names (`TEMPLATE-VR-v1.0.md` …) newest first, as the lookup wants them. */
export function newestFirst(archiveNames: string[]): string[] {
  const versionOf = (n: string): number[] => (/-v(\d+)\.(\d+)\.md$/.exec(n) ?? []).slice(1).map(Number);
  return archiveNames
    .filter((n) => /-v\d+\.\d+\.md$/.test(n))
    .sort((a, b) => {
      const [am = 0, an = 0] = versionOf(a);
      const [bm = 0, bn = 0] = versionOf(b);
      return bm - am || bn - an;
    });
}
