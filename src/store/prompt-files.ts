import * as path from "node:path";
import { taskTypeOf, type WorkflowType } from "../core/transitions.js";
import { packagePath } from "./package-root.js";

/** The package's prompts/ folder (same answer from the tsc output and the CLI bundle). */
export const PACKAGE_PROMPTS_DIR = packagePath("prompts");

/** The files tried for a task, most specific first (REQ-PROMPT-003). */
export function promptCandidates(spec: { workflow: WorkflowType; docType: string }, dir = PACKAGE_PROMPTS_DIR): string[] {
  const kind = taskTypeOf(spec.workflow).toLowerCase();
  const workflow = spec.workflow.toLowerCase();
  const docType = spec.docType.toLowerCase();
  // doc types are validated upstream; still, only a plain name ever becomes a file name
  const typeFile = /^[a-z0-9_-]+$/.test(docType) ? [path.join(dir, kind, workflow, `${docType}.yaml`)] : [];
  return [...typeFile, path.join(dir, kind, workflow, "default.yaml"), path.join(dir, kind, "default.yaml")];
}

