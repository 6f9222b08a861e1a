import { isoDate } from "../core/audit-events.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { applyAs, authorize, runService, type ServiceContext } from "./context.js";
import { step } from "../core/next.js";
import { newChange } from "../store/change.js";
import { effectiveFileVersion } from "./read.js";

export interface FixData {
  doc_id: string;
  path: string;
  changes: string[];
}

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const CHECKED_OUT_LINE = /^checked_out(?:_date)?:.*$/;
const VERSION_LINE = /^\*\*Version:\*\*[ \t]*(\d+\.\d+)?[ \t]*$/;
const EFFECTIVE_DATE_TBD = /^\*\*Effective Date:\*\*[ \t]*TBD[ \t]*$/;

/**
 * `fix DOC_ID` (spec §5.14), administrators only: legacy clean-ups of the effective file of an EFFECTIVE or
 * CLOSED document. Each is a line edit, everything else stays byte-for-byte:
 * - a `checked_out:` (and `checked_out_date:`) frontmatter line is removed;
 * - a body line that is exactly `**Version:** N.X` (or empty) is set to the version of the effective file
 *   (from `.meta`, which is authoritative in TS; frontmatter no longer holds versions);
 * - `**Effective Date:** TBD` becomes today's date (EFFECTIVE only).
 * No audit event, as in the Python tool.
 */
export function fix(ctx: ServiceContext, input: { docId: string }): ServiceResult<FixData> {
  return runService(() => {
    const actor = authorize(ctx, "fix");
    const { project } = actor;
    const loaded = project.load(input.docId);
    const { doc, meta } = loaded;
    if (!loaded.hasEffective) {
      fail("not-found", `${doc.id} has no effective file to fix (status ${meta.status}).`, step("status", doc.id, { lead: "See its state with" }), { stderr: true });
    }
    if (meta.status !== "EFFECTIVE" && meta.status !== "CLOSED") {
      fail("invalid-state", `fix only applies to EFFECTIVE or CLOSED documents; ${doc.id} is ${meta.status}.`, step("status", doc.id, { lead: "See its state with" }), {
        stderr: true,
      });
    }
    const version = effectiveFileVersion(meta) ?? meta.version;
    return project.mutate(() => {
      const shown = project.pathOf(loaded, "effective");
      const original = project.readText(loaded, "effective");
      if (original === undefined) fail("not-found", `${shown} disappeared.`, step("fix", doc.id, { lead: "Try again" }), { stderr: true });
      const { text, changes } = legacyFixes(original, version, meta.status === "EFFECTIVE" ? isoDate(actor.now) : undefined);
      const data: FixData = { doc_id: doc.id, path: shown, changes };
      if (changes.length === 0) return success(data, [`No fixes needed for ${doc.id}`]);
      const change = newChange(doc);
      change.effective = text;
      applyAs(actor, change);
      return success(data, [`Fixed ${doc.id} (${data.path}):`, ...changes.map((c) => `  - ${c}`)]);
    });
  });
}

/** The clean-ups as a pure function of the file's text. `today` undefined: leave effective dates alone. */
export function legacyFixes(original: string, version: string, today: string | undefined): { text: string; changes: string[] } {
  const changes: string[] = [];
  const eol = original.includes("\r\n") ? "\r\n" : "\n";
  let head = "";
  let body = original;
  const fm = FRONTMATTER.exec(original);
  if (fm) {
    const block = fm[0];
    const kept = block.split(/\r?\n/).filter((line) => {
      if (!CHECKED_OUT_LINE.test(line)) return true;
      changes.push(`removed frontmatter line '${line.trim()}'`);
      return false;
    });
    head = changes.length > 0 ? kept.join(eol) : block;
    body = original.slice(block.length);
  }
  const lines = body.split(eol).map((line) => {
    const v = VERSION_LINE.exec(line);
    if (v && v[1] !== version) {
      changes.push(`body '**Version:** ${v[1] ?? ""}' set to ${version}`);
      return `**Version:** ${version}`;
    }
    if (today !== undefined && EFFECTIVE_DATE_TBD.test(line)) {
      changes.push(`'**Effective Date:** TBD' set to ${today}`);
      return `**Effective Date:** ${today}`;
    }
    return line;
  });
  return { text: head + lines.join(eol), changes };
}
