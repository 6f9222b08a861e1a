import { fail, type ServiceResult, success } from "../core/result.js";
import { step } from "../core/next.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface VrResponse {
  prompt: string;
  value: string;
  author: string;
  timestamp: string;
  reason: string | null;
  /** The evidence commit recorded with the response (7-character hash), if any. */
  commit: string | null;
  /** An earlier entry replaced by an amendment. */
  superseded: boolean;
}

export interface VrRecordData {
  doc_id: string;
  template: string | null;
  template_version: string | null;
  responses: VrResponse[];
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);

/**
 * The stored record of an interactive document (VR, spec §9.2): the responses of `.meta/VR/{ID}.source.json`
 * with their authors, times, amendment reasons and evidence commits, in the order they were given.
 * `not-found` when the document has no stored source (not interactive, or never checked in).
 */
export function vrRecord(ctx: ServiceContext, input: { docId: string }): ServiceResult<VrRecordData> {
  return runService(() => {
    const { project } = authorize(ctx, "read", "vr-record");
    const { doc } = project.load(input.docId);
    const raw = doc.spec.interactive ? project.readSource(doc) : undefined;
    if (raw === undefined) fail("not-found", `${doc.id} has no stored interactive record.`, step("read", doc.id, { lead: "Read the document itself" }));
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      fail("corrupt-data", `QMS/.meta/${doc.typeKey}/${doc.id}.source.json is not a JSON object.`, "Restore it from version control.");
    }
    const source = raw as Record<string, unknown>;
    const responses: VrResponse[] = [];
    const byPrompt = source.responses && typeof source.responses === "object" ? (source.responses as Record<string, unknown>) : {};
    for (const [prompt, entries] of Object.entries(byPrompt)) {
      const list = Array.isArray(entries) ? entries : [entries];
      list.forEach((e: unknown, i) => {
        const entry: Record<string, unknown> = e && typeof e === "object" ? (e as Record<string, unknown>) : { value: e };
        responses.push({
          prompt,
          value: str(entry.value) ?? JSON.stringify(entry.value ?? ""),
          author: str(entry.author) ?? "",
          timestamp: str(entry.timestamp) ?? "",
          reason: str(entry.reason),
          commit: str(entry.commit),
          superseded: i < list.length - 1,
        });
      });
    }
    responses.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const lines = [`Record of ${doc.id}: ${responses.length} response${responses.length === 1 ? "" : "s"}`];
    for (const r of responses) lines.push(`  [${r.timestamp}] ${r.prompt} by ${r.author}${r.commit ? ` (commit ${r.commit})` : ""}${r.superseded ? " (superseded)" : ""}`);
    return success({ doc_id: doc.id, template: str(source.template), template_version: str(source.template_version), responses }, lines);
  });
}
