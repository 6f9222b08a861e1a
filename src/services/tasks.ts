import { isoDate } from "../core/audit-events.js";
import { yamlScalar } from "../core/frontmatter.js";
import { taskTypeOf, type WorkflowType } from "../core/transitions.js";
import type { Project } from "../store/project.js";
import { type LoadedDoc, titleOf } from "./documents.js";
import { renderTaskBody } from "./prompts.js";

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

/** Write one inbox task with the generated review/approval prompt (REQ-TASK-001, -002, REQ-PROMPT-001). */
export function writeTask(project: Project, spec: TaskSpec): string {
  const id = taskId(spec.docId, spec.workflow, spec.version);
  const frontmatter = [
    "---",
    `task_id: ${id}`,
    `task_type: ${taskTypeOf(spec.workflow)}`,
    `workflow_type: ${spec.workflow}`,
    `doc_id: ${spec.docId}`,
    `title: ${yamlScalar(spec.title)}`,
    `status: ${spec.status}`,
    `responsible_user: ${spec.responsibleUser ?? "null"}`,
    `assigned_by: ${spec.assignedBy}`,
    `assigned_date: ${isoDate(spec.now)}`,
    `version: ${spec.version}`,
    "---",
    "",
  ].join("\n");
  return project.users.writeTask(spec.assignee, id, `${frontmatter}\n${renderTaskBody(spec)}`);
}

/** One task per assignee for a document's current review/approval round (route, assign). */
export function writeTasks(
  project: Project,
  loaded: LoadedDoc,
  round: { workflow: WorkflowType; assignedBy: string; now: Date },
  assignees: readonly string[],
): void {
  const { doc, meta } = loaded;
  const common = {
    docId: doc.id,
    docType: doc.typeKey,
    title: titleOf(project, loaded),
    status: meta.status,
    version: meta.version,
    responsibleUser: meta.responsible_user,
    ...round,
  };
  for (const assignee of assignees) writeTask(project, { ...common, assignee });
}
