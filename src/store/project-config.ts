import * as path from "node:path";
import type { Project } from "./project.js";
import { CONFIG_FILE } from "./root.js";

/**
 * The project's `qms.config.json`, parsed (undefined when it is missing or not a JSON object). Read through the
 * project's stat-validated cache, so a long-lived server sees edits (`qms agents set`) at once.
 */
export function readProjectConfig(project: Project): Record<string, unknown> | undefined {
  const raw = project.files.read(path.join(project.root, CONFIG_FILE));
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `owner_tasks: true` (agents-and-hub §3, written by `init`): the engine writes a task for the owner whenever
 * the next step is theirs. Absent (Python-era projects) or anything but `true`: off, inboxes as before.
 */
export function ownerTasksEnabled(project: Project): boolean {
  return readProjectConfig(project)?.owner_tasks === true;
}
