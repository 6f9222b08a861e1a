/**
 * The VR source / session object (spec §9.2, REQ-INT-006/008): the `.interact` session in a workspace and
 * `.meta/VR/{ID}.source.json` have this shape, the one the Python tool wrote. Unknown fields are kept.
 */
import { createRequire } from "node:module";
import type { z as Zod } from "zod";
import { pythonJsonPretty } from "../pyjson.js";
import { END, END_ALIASES, loopOf, type Template } from "./template.js";

export interface ResponseEntry {
  value: string;
  author: string;
  /** UTC, ISO 8601 with `Z`. */
  timestamp: string;
  /** Present on amendments (REQ-INT-009). */
  reason?: string | null;
  /** Short hash of the evidence commit (REQ-INT-020). */
  commit?: string | null;
  [extra: string]: unknown;
}

export interface CursorContext {
  loop?: string | null;
  iteration?: number | null;
  /** Amendment mode: where the cursor returns after the amended response. */
  goto_return?: string | null;
  goto_return_ctx?: CursorContext | null;
  /** Amendment mode: the reason the next response is recorded with. */
  goto_reason?: string | null;
  /** A reopened loop: where the cursor returns once the loop closes again. */
  reopen_return?: string | null;
  reopen_return_ctx?: CursorContext | null;
  [extra: string]: unknown;
}

export interface LoopState {
  iterations: number;
  closed: boolean;
  reopenings: { reason: string; author: string; timestamp: string; [extra: string]: unknown }[];
  [extra: string]: unknown;
}

export interface GateDecision {
  value: string;
  timestamp: string;
  [extra: string]: unknown;
}

export interface SourceMetadata {
  parent_doc_id?: string | null;
  vr_id?: string | null;
  title?: string | null;
  date?: string | null;
  performer?: string | null;
  performed_date?: string | null;
  [extra: string]: unknown;
}

export interface VrSource {
  doc_id: string;
  template: string;
  template_version: number;
  cursor: string;
  cursor_context: CursorContext;
  metadata: SourceMetadata;
  responses: Record<string, ResponseEntry[]>;
  loops: Record<string, LoopState>;
  gates: Record<string, GateDecision>;
  [extra: string]: unknown;
}

/**
 * The schema of a source, built on first use: zod is loaded only when a VR source is validated, so every other
 * command (a `qms create SOP`, `qms route`) does not pay the tens of milliseconds zod takes to load (issue #8).
 */
let schema: Zod.ZodType | undefined;
function sourceSchema(): Zod.ZodType {
  if (schema) return schema;
  const { z } = createRequire(import.meta.url)("zod") as typeof import("zod");
  const optionalText = z.string().nullish();
  const entrySchema = z.looseObject({
    value: z.string(),
    author: z.string(),
    timestamp: z.string(),
    reason: optionalText,
    commit: optionalText,
  });

  const cursorContextSchema: Zod.ZodType<CursorContext> = z.lazy(() =>
    z.looseObject({
      loop: optionalText,
      iteration: z.number().int().nullish(),
      goto_return: optionalText,
      goto_return_ctx: cursorContextSchema.nullish(),
      goto_reason: optionalText,
      reopen_return: optionalText,
      reopen_return_ctx: cursorContextSchema.nullish(),
    }),
  );

  schema = z.looseObject({
    doc_id: z.string().min(1),
    template: z.string().min(1),
    template_version: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    cursor: z.string().min(1),
    cursor_context: cursorContextSchema.nullish(),
    metadata: z.looseObject({
      parent_doc_id: optionalText,
      vr_id: optionalText,
      title: optionalText,
      date: optionalText,
      performer: optionalText,
      performed_date: optionalText,
    }),
    responses: z.record(z.string(), z.array(entrySchema)),
    loops: z
      .record(
        z.string(),
        z.looseObject({
          iterations: z.number().int().min(0),
          closed: z.boolean(),
          reopenings: z.array(z.looseObject({ reason: z.string(), author: z.string(), timestamp: z.string() })).optional(),
        }),
      )
      .nullish(),
    gates: z.record(z.string(), z.looseObject({ value: z.string(), timestamp: z.string() })).nullish(),
  });
  return schema;
}

export type SourceLoad = { ok: true; source: VrSource } | { ok: false; message: string };

/**
 * Validate a loaded JSON value. The returned source is a copy of the input with only the missing collections
 * filled in, so a Python-era file keeps its fields, their order and any field we do not know.
 */
export function loadSource(raw: unknown): SourceLoad {
  const checked = sourceSchema().safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    return { ok: false, message: `not a VR source: ${where}: ${issue?.message ?? "invalid"}` };
  }
  const source = structuredClone(raw) as VrSource;
  if (typeof source.template_version === "string") source.template_version = Number(source.template_version);
  source.cursor_context ??= {};
  source.loops ??= {};
  source.gates ??= {};
  for (const state of Object.values(source.loops)) state.reopenings ??= [];
  return { ok: true, source };
}

export function parseSourceJson(text: string): SourceLoad {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${(e as Error).message}` };
  }
  return loadSource(raw);
}

/** `json.dump(source, indent=2)`, the layout of the Python tool's source files. */
export function serializeSource(source: VrSource): string {
  return pythonJsonPretty(source);
}

export interface NewSourceInput {
  docId: string;
  parentDocId: string;
  title: string;
}

/** A fresh source for a new VR: the cursor on the template's start prompt, nothing answered. */
export function createSource(template: Template, input: NewSourceInput): VrSource {
  const source: VrSource = {
    doc_id: input.docId,
    template: template.name,
    template_version: template.version,
    cursor: template.start,
    cursor_context: {},
    metadata: { parent_doc_id: input.parentDocId, vr_id: input.docId, title: input.title },
    responses: {},
    loops: {},
    gates: {},
  };
  const loop = loopOf(template, template.start);
  if (loop) {
    source.loops[loop.name] = { iterations: 1, closed: false, reopenings: [] };
    source.cursor_context = { loop: loop.name, iteration: 1 };
  }
  return source;
}

// ---- keys and entries ----

/** Responses and gates inside a loop are stored per iteration: `step_actual.2`. */
export function responseKey(id: string, iteration?: number | null): string {
  return iteration === undefined || iteration === null ? id : `${id}.${iteration}`;
}

export function splitResponseKey(key: string): { id: string; iteration?: number } {
  const m = /^(.+)\.(\d+)$/.exec(key);
  return m ? { id: m[1]!, iteration: Number(m[2]) } : { id: key };
}

/** The entry that counts: the last one appended. */
export function activeEntry(source: VrSource, key: string): ResponseEntry | undefined {
  const entries = source.responses[key];
  return entries && entries.length > 0 ? entries[entries.length - 1] : undefined;
}

export function isEnd(cursor: string): boolean {
  return END_ALIASES.has(cursor);
}

export { END };

/** `YYYY-MM-DDTHH:MM:SSZ` for a moment (second precision, UTC). */
export function utcTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The UTC `YYYY-MM-DD HH:MM:SS` of a stored timestamp (`Z`, fractional seconds or an offset accepted). */
export function utcDateTime(timestamp: string): string {
  const zulu = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(timestamp);
  if (zulu) return `${zulu[1]} ${zulu[2]}`;
  const parsed = new Date(timestamp);
  if (Number.isNaN(parsed.getTime())) return timestamp;
  return parsed.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Metadata with the automatic values filled in (REQ-INT-023): `date` = day of the earliest response,
 * `performer` = most frequent author (ties: who answered first), `performed_date` = day of the latest
 * response. Explicit non-empty values win. `vr_id` falls back to the document ID.
 */
export function resolvedMetadata(source: VrSource): Record<string, string> {
  const entries = Object.values(source.responses).flat();
  const moments = entries.map((e) => ({ e, at: utcDateTime(e.timestamp) })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const counts = new Map<string, number>();
  for (const { e } of moments) counts.set(e.author, (counts.get(e.author) ?? 0) + 1);
  let performer = "";
  for (const [author, n] of counts) if (n > (counts.get(performer) ?? 0)) performer = author;
  const auto: Record<string, string> = {
    date: moments[0]?.at.slice(0, 10) ?? "",
    performer,
    performed_date: moments[moments.length - 1]?.at.slice(0, 10) ?? "",
    vr_id: source.doc_id,
    title: "",
    parent_doc_id: "",
  };
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(auto)) {
    const explicit = source.metadata[key];
    result[key] = typeof explicit === "string" && explicit !== "" ? explicit : value;
  }
  return result;
}
