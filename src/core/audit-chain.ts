import { pythonJsonLine } from "./pyjson.js";
import { sha256Hex } from "./sha256.js";

export { sha256Hex };

/**
 * The hash chain of an audit file (integrity spec §1). Every event we write carries `prev` (the chain value
 * before it) and `hash` (SHA-256 of the canonical JSON of the event without `hash`). Lines without `hash` at
 * the start of a file are a legacy prefix: valid as they are, and the first chained event's `prev` is the
 * SHA-256 of the exact bytes of that prefix (of nothing, for a file that starts chained).
 */

/** JSON with keys sorted at every level and no whitespace (the text that is hashed). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The `hash` of an event: over everything but its own `hash` field. */
export function eventHash(event: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = event;
  return sha256Hex(canonicalJson(rest));
}

/** The chain value of an empty file (and the `prev` of the first event of a new one). */
export const EMPTY_CHAIN = sha256Hex("");

/** Chain events after `prev`: each gets `prev` and `hash` (last, in that order) and its line in the file's layout. */
export function chainEvents(events: ReadonlyArray<Record<string, unknown>>, prev: string): { lines: string[]; head: string } {
  const lines: string[] = [];
  let head = prev;
  for (const event of events) {
    const { prev: _p, hash: _h, ...fields } = event;
    const linked: Record<string, unknown> = { ...fields, prev: head };
    linked.hash = eventHash(linked);
    head = linked.hash as string;
    lines.push(pythonJsonLine(linked));
  }
  return { lines, head };
}

export type ChainProblem =
  | "torn"
  | "unparseable"
  | "unchained-after-chain"
  | "layout"
  | "hash-mismatch"
  | "prefix-changed"
  | "out-of-order"
  | "missing-before";

export interface ChainFinding {
  /** 1-based line number in the file. */
  line: number;
  problem: ChainProblem;
  what: string;
}

export interface AuditLine {
  line: number;
  /** The parsed event, when the line is valid JSON (an object). */
  event?: Record<string, unknown>;
  chained: boolean;
}

export interface ChainReport {
  lines: AuditLine[];
  findings: ChainFinding[];
  /** Complete lines in the file (a torn last line not counted). */
  count: number;
  /** The chain value after the last line: what the next event's `prev` must be. */
  head: string;
  /** The chain value after line n (`headAt[n]`, n = 0..count): for comparing with a recorded head. */
  headAt: (n: number) => string | undefined;
}

/**
 * Check an audit file's bytes: every line is whole JSON; the legacy prefix (lines before the first chained
 * event) is covered by the first chained event's `prev`; every chained line has its own hash, its writer's
 * layout, and links to the line before it. A reordered or deleted line breaks a link; an edited one its hash.
 */
export function checkChain(bytes: Uint8Array): ChainReport {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const findings: ChainFinding[] = [];
  const texts: string[] = [];
  const ends: number[] = []; // byte offset just after line n at ends[n-1]
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) {
      findings.push({ line: texts.length + 1, problem: "torn", what: `line ${texts.length + 1} is incomplete (no line end): a write was cut off or the file was truncated` });
      break;
    }
    texts.push(buf.subarray(start, nl).toString("utf8"));
    ends.push(nl + 1);
    start = nl + 1;
  }

  const lines: AuditLine[] = texts.map((text, i) => {
    const event = parseObject(text);
    return { line: i + 1, ...(event ? { event } : {}), chained: typeof event?.hash === "string" };
  });
  const hashLine = new Map<string, number>();
  for (const l of lines) if (l.chained && !hashLine.has(l.event!.hash as string)) hashLine.set(l.event!.hash as string, l.line);

  const valueAfter: string[] = []; // chain value after line n at valueAfter[n-1]
  let chainStarted = false;
  for (const [i, l] of lines.entries()) {
    const n = l.line;
    const before = i === 0 ? EMPTY_CHAIN : valueAfter[i - 1]!;
    if (!l.chained) {
      if (!l.event) findings.push({ line: n, problem: "unparseable", what: `line ${n} is not a JSON object (edited, or torn by an interrupted write)` });
      else if (chainStarted) findings.push({ line: n, problem: "unchained-after-chain", what: `line ${n} has no hash although earlier lines do: inserted or edited after it was written` });
      // the prefix is covered by its bytes; after the chain started, keep the value so later links still check
      valueAfter.push(chainStarted ? before : sha256Hex(buf.subarray(0, ends[i])));
      continue;
    }
    const e = l.event!;
    const stored = e.hash as string;
    if (eventHash(e) !== stored) {
      findings.push({ line: n, problem: "hash-mismatch", what: `line ${n} was edited after it was written (its content no longer matches its hash)` });
    } else if (pythonJsonLine(e) !== texts[i]) {
      findings.push({ line: n, problem: "layout", what: `line ${n} was re-written by hand (same fields, not the layout the QMS writes)` });
    }
    if (e.prev !== before) {
      if (!chainStarted && i > 0) {
        findings.push({ line: n, problem: "prefix-changed", what: `line ${n} does not follow the ${i} line(s) before it (written before the chain began): they were changed, or the event written before line ${n} was deleted` });
      } else {
        findings.push(linkFinding(n, e.prev, hashLine));
      }
    }
    chainStarted = true;
    valueAfter.push(stored);
  }

  return {
    lines,
    findings,
    count: texts.length,
    head: valueAfter.length === 0 ? EMPTY_CHAIN : valueAfter[valueAfter.length - 1]!,
    headAt: (k: number) => (k === 0 ? EMPTY_CHAIN : k <= valueAfter.length ? valueAfter[k - 1] : undefined),
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function linkFinding(n: number, prev: unknown, hashLine: Map<string, number>): ChainFinding {
  const follows = typeof prev === "string" ? hashLine.get(prev) : undefined;
  if (follows !== undefined && follows !== n - 1) {
    return { line: n, problem: "out-of-order", what: `line ${n} is out of order: it was written right after what is now line ${follows}` };
  }
  if (n === 1) return { line: 1, problem: "missing-before", what: "line 1 was not the first event written: the lines before it were deleted" };
  return { line: n, problem: "missing-before", what: `line ${n} does not follow line ${n - 1}: the event written before it is missing (a line was deleted or inserted)` };
}
