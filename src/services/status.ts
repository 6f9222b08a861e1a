import { APPROVAL_STATES, REVIEW_STATES } from "../core/statuses.js";
import { type ServiceResult, success } from "../core/result.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface StatusData {
  doc_id: string;
  title: string;
  version: string;
  status: string;
  location: "draft" | "effective" | "archive";
  path: string;
  doc_type: string;
  executable: boolean;
  execution_phase: string | null;
  responsible_user: string | null;
  checked_out: boolean;
  effective_version: string | null;
  pending_assignees: string[];
}

const py = (b: boolean): string => (b ? "True" : "False");

/** `status DOC_ID` (spec §5.15, REQ-QRY-002). */
export function status(ctx: ServiceContext, input: { docId: string }): ServiceResult<StatusData> {
  return runService(() => {
    const { project } = authorize(ctx, "status");
    const loaded = project.load(input.docId);
    const { doc, meta } = loaded;
    const current = project.current(loaded);
    const data: StatusData = {
      doc_id: doc.id,
      title: project.title(loaded),
      version: meta.version,
      status: meta.status,
      location: current.location,
      path: current.path,
      doc_type: meta.doc_type ?? doc.typeKey,
      executable: meta.executable,
      execution_phase: meta.execution_phase ?? null,
      responsible_user: meta.responsible_user ?? null,
      checked_out: meta.checked_out === true,
      effective_version: meta.effective_version ?? null,
      pending_assignees: [...(meta.pending_assignees ?? [])],
    };
    const lines = [
      `Document: ${data.doc_id}`,
      `Title: ${data.title}`,
      `Version: ${data.version}`,
      `Status: ${data.status}`,
      `Location: ${data.location} (${data.path})`,
      `Type: ${data.doc_type}`,
      `Executable: ${py(data.executable)}`,
    ];
    if (data.execution_phase) lines.push(`Execution Phase: ${data.execution_phase}`);
    lines.push(`Responsible User: ${data.responsible_user ?? "N/A"}`, `Checked Out: ${py(data.checked_out)}`);
    if (data.effective_version) lines.push(`Effective Version: ${data.effective_version}`);
    if (REVIEW_STATES.includes(meta.status)) lines.push(`Pending Reviewers: ${data.pending_assignees.join(", ") || "(none)"}`);
    if (APPROVAL_STATES.includes(meta.status)) lines.push(`Pending Approvers: ${data.pending_assignees.join(", ") || "(none)"}`);
    return success(data, lines);
  });
}
