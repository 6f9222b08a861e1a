import { diffLines, diffWordsWithSpace } from "diff";

export type LineKind = "same" | "add" | "del";

/** A part of a changed line: `changed` parts are the words that differ from the other side. */
export interface Segment {
  text: string;
  changed: boolean;
}

export interface Line {
  kind: LineKind;
  /** Line numbers in the old / new text. */
  oldNo?: number;
  newNo?: number;
  segments: Segment[];
}

/** One row of the side-by-side view (a missing side is a pure addition or removal). */
export interface SplitRow {
  left?: Line;
  right?: Line;
}

export interface Skip {
  skipped: number;
}

export interface VersionDiff {
  inline: Array<Line | Skip>;
  split: Array<SplitRow | Skip>;
  added: number;
  removed: number;
}

const CONTEXT = 3;

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Word-level highlight of a line that was replaced by another. */
function pairSegments(oldText: string, newText: string): { left: Segment[]; right: Segment[] } {
  const left: Segment[] = [];
  const right: Segment[] = [];
  for (const part of diffWordsWithSpace(oldText, newText)) {
    if (!part.added) left.push({ text: part.value, changed: part.removed === true });
    if (!part.removed) right.push({ text: part.value, changed: part.added === true });
  }
  return { left, right };
}

/** Keep CONTEXT unchanged lines around each change; longer unchanged runs become a "skipped" marker. */
function collapse<T>(items: T[], unchanged: (t: T) => boolean): Array<T | Skip> {
  const keep = items.map(() => false);
  items.forEach((item, i) => {
    if (unchanged(item)) return;
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(items.length - 1, i + CONTEXT); j++) keep[j] = true;
  });
  const out: Array<T | Skip> = [];
  let skipped = 0;
  items.forEach((item, i) => {
    if (keep[i]) {
      if (skipped > 0) out.push({ skipped });
      skipped = 0;
      out.push(item);
    } else skipped++;
  });
  if (skipped > 0) out.push({ skipped });
  return out;
}

/** The line diff of two versions of a document, for the inline and the side-by-side views. */
export function diffVersions(oldText: string, newText: string): VersionDiff {
  const inline: Line[] = [];
  const split: SplitRow[] = [];
  let oldNo = 0;
  let newNo = 0;
  let added = 0;
  let removed = 0;
  const parts = diffLines(oldText, newText);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      for (const text of splitLines(part.value)) {
        const line: Line = { kind: "same", oldNo: ++oldNo, newNo: ++newNo, segments: [{ text, changed: false }] };
        inline.push(line);
        split.push({ left: line, right: line });
      }
      continue;
    }
    // A removal followed by an addition is a replacement: pair the lines and highlight the words.
    const removedLines = part.removed ? splitLines(part.value) : [];
    const next = parts[i + 1];
    const addedLines = part.added ? splitLines(part.value) : next?.added ? splitLines(next.value) : [];
    if (part.removed && next?.added) i++;
    const lefts: Line[] = [];
    const rights: Line[] = [];
    const pairs = Math.min(removedLines.length, addedLines.length);
    for (let k = 0; k < removedLines.length; k++) {
      const text = removedLines[k]!;
      const segments = k < pairs ? pairSegments(text, addedLines[k]!).left : [{ text, changed: true }];
      lefts.push({ kind: "del", oldNo: ++oldNo, segments });
    }
    for (let k = 0; k < addedLines.length; k++) {
      const text = addedLines[k]!;
      const segments = k < pairs ? pairSegments(removedLines[k]!, text).right : [{ text, changed: true }];
      rights.push({ kind: "add", newNo: ++newNo, segments });
    }
    removed += lefts.length;
    added += rights.length;
    inline.push(...lefts, ...rights);
    for (let k = 0; k < Math.max(lefts.length, rights.length); k++) split.push({ left: lefts[k], right: rights[k] });
  }
  return {
    inline: collapse(inline, (l) => l.kind === "same"),
    split: collapse(split, (r) => r.left?.kind === "same" && r.right?.kind === "same"),
    added,
    removed,
  };
}

export function isSkip(x: unknown): x is Skip {
  return typeof x === "object" && x !== null && "skipped" in x;
}
