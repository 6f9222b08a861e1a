/**
 * Template placeholders left in a document (qms.md §13 item 18): `{{NAME}}` (filled while drafting) and the
 * templates' `[UPPERCASE]` markers (filled during execution). Text in code fences, inline code and HTML
 * comments (the templates' usage guides) is not content, so it holds no placeholder.
 */

export interface Placeholder {
  /** 1-based line number in the text given. */
  line: number;
  text: string;
  kind: "drafting" | "execution";
}

const CURLY = /\{\{[^{}\n]*\}\}/g;
/**
 * `[SUMMARY]`, `[CR ID]`, `[PERFORMER]`: two or more capitals, digits, `_` or spaces, starting with a letter.
 * Not a Markdown link (`[TEXT](url)`, `[TEXT][ref]`) nor a reference definition (`[TEXT]: url`); a task-list
 * box `[X]` is a single letter and never matches.
 */
const MARKER = /\[([A-Z][A-Z0-9_ ]*[A-Z0-9_])\](?![([:])/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Every placeholder of the text, in order; `markers: false` looks only for `{{…}}`. */
export function findPlaceholders(text: string, options: { markers: boolean }): Placeholder[] {
  const found: Placeholder[] = [];
  let fence: string | undefined;
  let inComment = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const fenceMark = FENCE.exec(raw)?.[1];
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length && raw.trim() === fenceMark) fence = undefined;
      return;
    }
    if (fenceMark !== undefined && !inComment) {
      fence = fenceMark;
      return;
    }
    let visible = "";
    let rest = raw;
    while (rest !== "") {
      if (inComment) {
        const end = rest.indexOf("-->");
        if (end < 0) break;
        inComment = false;
        rest = rest.slice(end + 3);
        continue;
      }
      const start = rest.indexOf("<!--");
      if (start < 0) {
        visible += rest;
        break;
      }
      visible += rest.slice(0, start);
      inComment = true;
      rest = rest.slice(start + 4);
    }
    const content = visible.replace(/(`+)[^`]*?\1/g, "");
    for (const m of content.matchAll(CURLY)) found.push({ line: index + 1, text: m[0], kind: "drafting" });
    if (options.markers) for (const m of content.matchAll(MARKER)) found.push({ line: index + 1, text: m[0], kind: "execution" });
  });
  return found.sort((a, b) => a.line - b.line);
}

/** `line 12: {{PURPOSE}}`, one per placeholder, long ones shortened. */
export function describePlaceholder(p: Placeholder): string {
  const shown = p.text.length > 70 ? `${p.text.slice(0, 67)}…${p.text.slice(-2)}` : p.text;
  return `line ${p.line}: ${shown}`;
}
