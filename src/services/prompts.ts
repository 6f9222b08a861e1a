import type { TaskSpec } from "./tasks.js";

/** Generated guidance for a review/approval task (REQ-PROMPT-001..006). Placeholder until the YAML prompts land. */
export function renderTaskBody(spec: TaskSpec): string {
  const kind = spec.workflow.endsWith("APPROVAL") ? "APPROVAL" : "REVIEW";
  return `# ${kind} REQUEST: ${spec.docId}\n\n**Workflow:** ${spec.workflow}\n**Version:** ${spec.version}\n**Assigned By:** ${spec.assignedBy}\n`;
}
