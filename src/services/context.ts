import type { ParsedId } from "../core/ids.js";
import type { DocMeta } from "../core/meta.js";
import { type Action, GROUP_GUIDANCE, groupAllows, PERMISSIONS } from "../core/permissions.js";
import { fail, RefusalError, type ServiceResult } from "../core/result.js";
import { Project } from "../store/project.js";
import { type KnownUser, requireUser } from "../store/users.js";

/** Who acts, on which project, when. Adapters build it; services never read argv, env or the clock. */
export interface ServiceContext {
  project: Project;
  user: string;
  now: Date;
}

export interface Actor {
  project: Project;
  user: KnownUser;
  now: Date;
}

export function makeContext(root: string | Project, user: string, now = new Date()): ServiceContext {
  return { project: typeof root === "string" ? Project.discover(root) : root, user, now };
}

/** Run a service body, turning a thrown refusal into a result (no partial writes: bodies check before they write). */
export function runService<T>(body: () => ServiceResult<T>): ServiceResult<T> {
  try {
    return body();
  } catch (err) {
    if (err instanceof RefusalError) return err.refusal;
    throw err;
  }
}

/** Identify the caller and check the group part of the permission table (REQ-SEC-002, -006). */
export function authorize(ctx: ServiceContext, action: Action, command: string = action): Actor {
  const user = requireUser(ctx.project, ctx.user);
  const rule = PERMISSIONS[action];
  if (!groupAllows(rule, user.group)) {
    fail(
      "permission-denied",
      `Permission denied: '${command}' requires group ${rule.groups.join(" or ")}${rule.groups.includes("initiator") ? " (or administrator)" : ""}; user '${user.name}' is in group '${user.group}'.`,
      GROUP_GUIDANCE[user.group],
      action === "fix" ? { stderr: true } : {},
    );
  }
  return { project: ctx.project, user, now: ctx.now };
}

/** Owner-only actions (REQ-SEC-003). */
export function requireOwner(actor: Actor, doc: ParsedId, meta: DocMeta, command: string): void {
  if (meta.responsible_user !== actor.user.name) {
    fail(
      "not-owner",
      `Only the owner (responsible user) may ${command} ${doc.id}; its owner is ${meta.responsible_user ?? "nobody"}, not ${actor.user.name}.`,
      meta.responsible_user
        ? `Ask ${meta.responsible_user} to run it, or check the document's state with: qms --user ${actor.user.name} status ${doc.id}`
        : `Check out the document first: qms --user ${actor.user.name} checkout ${doc.id}`,
    );
  }
}

/** Assigned-only actions (REQ-SEC-004). */
export function requireAssigned(actor: Actor, doc: ParsedId, meta: DocMeta, command: string): void {
  if (!meta.pending_assignees.includes(actor.user.name)) {
    const assigned = meta.pending_assignees.length > 0 ? meta.pending_assignees.join(", ") : "nobody";
    fail(
      "not-assigned",
      `${actor.user.name} is not assigned to ${command} ${doc.id} (assigned: ${assigned}).`,
      `See your tasks with: qms --user ${actor.user.name} inbox`,
    );
  }
}
