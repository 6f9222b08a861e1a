import * as path from "node:path";
import { isoDate } from "../core/audit-events.js";
import { yamlScalar } from "../core/frontmatter.js";
import { taskTypeOf, type WorkflowType } from "../core/transitions.js";
import { listDir, removeIfExists, writeFileAtomic } from "../store/fsio.js";
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
  const file = path.join(project.inboxDir(spec.assignee), `${id}.md`);
  writeFileAtomic(file, `${frontmatter}\n${renderTaskBody(spec)}`);
  return file;
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

export type TaskFilter = "all" | "approval";

/**
 * Remove `task-{DOC_ID}-*.md` files: for one user or every user, all of them or only approval tasks
 * (REQ-TASK-003). Returns the removed paths.
 */
export function removeTasks(project: Project, docId: string, users: "everyone" | string, which: TaskFilter = "all"): string[] {
  const owners = users === "everyone" ? listDir(project.usersRoot) : [users];
  const removed: string[] = [];
  const prefix = `task-${docId}-`;
  for (const user of owners) {
    const dir = project.inboxDir(user);
    for (const file of listDir(dir)) {
      if (!file.startsWith(prefix) || !file.endsWith(".md")) continue;
      // the rest of the name must be a workflow, so CR-001's tasks never match CR-001-TP-001's
      const rest = file.slice(prefix.length);
      if (!/^(review|approval|pre_review|pre_approval|post_review|post_approval)-v[\d-]+\.md$/.test(rest)) continue;
      if (which === "approval" && !rest.includes("approval")) continue;
      if (removeIfExists(path.join(dir, file))) removed.push(path.join(dir, file));
    }
  }
  return removed;
}
