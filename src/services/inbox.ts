import { type ServiceResult, success } from "../core/result.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface InboxTask {
  task_id: string;
  task_type: string;
  workflow_type: string;
  doc_id: string;
  title: string;
  version: string;
  assigned_by: string;
  assigned_date: string;
  path: string;
}

export interface InboxData {
  user: string;
  tasks: InboxTask[];
}

const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

/** `inbox` (spec §5.15, REQ-QRY-005, REQ-SEC-008): the caller's own task files, never anyone else's. */
export function inbox(ctx: ServiceContext): ServiceResult<InboxData> {
  return runService(() => {
    const actor = authorize(ctx, "inbox");
    const { project } = actor;
    const user = actor.user.name;
    const tasks: InboxTask[] = [];
    for (const task of project.users.listTaskFrontmatter(user)) {
      const file = task.name;
      const fm = task.frontmatter;
      const workflow = text(fm.workflow_type);
      tasks.push({
        task_id: text(fm.task_id) || file.slice(0, -3),
        task_type: text(fm.task_type) || (workflow.endsWith("APPROVAL") ? "APPROVAL" : workflow ? "REVIEW" : "TASK"),
        workflow_type: workflow,
        doc_id: text(fm.doc_id),
        title: text(fm.title),
        version: text(fm.version),
        assigned_by: text(fm.assigned_by),
        assigned_date: text(fm.assigned_date),
        path: task.path,
      });
    }
    if (tasks.length === 0) return success({ user, tasks }, ["Inbox is empty"]);
    const lines = [`Inbox for ${user}: ${tasks.length} task${tasks.length === 1 ? "" : "s"}`];
    for (const t of tasks) {
      lines.push(
        "",
        `[${t.task_type}] ${t.doc_id || "(unknown document)"}${t.title ? ` - ${t.title}` : ""}`,
        `    Workflow: ${t.workflow_type || "?"} | From: ${t.assigned_by || "?"} | Date: ${t.assigned_date || "?"} | Version: ${t.version || "?"}`,
      );
    }
    return success({ user, tasks }, lines);
  });
}
