import type { WorkflowType } from "../core/transitions.js";

/** What a review/approval task says (its file's frontmatter and prompt are generated from it). */
export interface TaskSpec {
  docId: string;
  docType: string;
  title: string;
  workflow: WorkflowType;
  /** The document's status once routed (e.g. IN_REVIEW). */
  status: string;
  version: string;
  responsibleUser: string | null;
  assignedBy: string;
  assignee: string;
  now: Date;
}

/** `task-{DOC_ID}-{workflow lowercase}-v{version with . → -}` (spec §3.3). */
export function taskId(docId: string, workflow: WorkflowType, version: string): string {
  return `task-${docId}-${workflow.toLowerCase()}-v${version.replace(/\./g, "-")}`;
}
