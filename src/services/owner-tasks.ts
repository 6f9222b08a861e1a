import { renderOwnerTask, ownerTaskEffects } from "../core/owner-tasks.js";
import { USER_NAME_PATTERN } from "../core/users.js";
import type { DocChange } from "../store/change.js";
import { ownerTasksEnabled } from "../store/project-config.js";
import type { Actor } from "./context.js";

/**
 * Owner tasks (agents-and-hub §3), for every operation in one place: with `owner_tasks: true` in
 * `qms.config.json`, add to the change the owner task the transition calls for (route for approval, revise,
 * release, close) and remove the owner's task that is no longer due. `before` is the meta on disk (the change
 * is not applied yet; the caller holds the project lock), `after` the meta the change writes.
 */
export function addOwnerTaskEffects(actor: Actor, change: DocChange): void {
  const { project } = actor;
  if (!ownerTasksEnabled(project)) return;
  const loaded = project.tryLoad(change.doc);
  const before = loaded?.meta ?? null;
  const after = change.deleteDocument || change.meta === null ? null : (change.meta ?? before);
  const effects = ownerTaskEffects({ before, after, actor: actor.user.name });
  const removals = new Set(change.removeOwnerTasks ?? []);
  for (const r of effects.remove) if (USER_NAME_PATTERN.test(r.owner)) removals.add(r.owner);
  if (removals.size > 0) change.removeOwnerTasks = [...removals];
  const task = effects.write;
  if (!task || !USER_NAME_PATTERN.test(task.owner)) return;
  const title = loaded ? project.title(loaded) : "";
  change.writeTasks.push({ user: task.owner, taskId: task.task_id, text: renderOwnerTask(task, { title, now: actor.now }) });
}
