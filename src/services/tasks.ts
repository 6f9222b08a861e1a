import { isoDate } from "../core/audit-events.js";
import { yamlScalar } from "../core/frontmatter.js";
import { taskTypeOf, type WorkflowType } from "../core/transitions.js";
import type { DocChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import type { Project } from "../store/project.js";
import { renderTaskBody } from "./prompts.js";
import { type TaskSpec, taskId } from "./task-spec.js";

export { type TaskSpec, taskId };

/** One inbox task file: frontmatter and the generated review/approval prompt (REQ-TASK-001, -002, REQ-PROMPT-001). */
export function taskFileText(spec: TaskSpec): string {
  const frontmatter = [
    "---",
    `task_id: ${taskId(spec.docId, spec.workflow, spec.version)}`,
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
  return `${frontmatter}\n${renderTaskBody(spec)}`;
}

/** Add one task per assignee for a document's current review/approval round (route, assign) to a change. */
export function tasksInto(
  change: DocChange,
  project: Project,
  loaded: LoadedDoc,
  round: { workflow: WorkflowType; assignedBy: string; now: Date; title?: string },
  assignees: readonly string[],
): void {
  const { doc, meta } = loaded;
  const common = {
    docId: doc.id,
    docType: doc.typeKey,
    title: round.title ?? project.title(loaded),
    status: meta.status,
    version: meta.version,
    responsibleUser: meta.responsible_user,
    workflow: round.workflow,
    assignedBy: round.assignedBy,
    now: round.now,
  };
  for (const assignee of assignees) {
    const spec: TaskSpec = { ...common, assignee };
    change.writeTasks.push({ user: assignee, taskId: taskId(doc.id, round.workflow, meta.version), text: taskFileText(spec) });
  }
}
