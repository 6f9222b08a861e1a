import { step } from "../core/next.js";
import { type Action, GROUP_GUIDANCE, groupAllows, PERMISSIONS } from "../core/permissions.js";
import { fail, RefusalError, type ServiceResult } from "../core/result.js";
import type { DocChange } from "../store/change.js";
import type { LoadedDoc } from "../store/documents.js";
import { Project } from "../store/project.js";
import { type KnownUser, requireUser } from "../store/users.js";
import { addOwnerTaskEffects } from "./owner-tasks.js";

/** Who acts, on which project, when. Adapters build it; services never read argv, env or the clock. */
export interface ServiceContext {
  project: Project;
  user: string;
  now: Date;
  /** Which adapter acts, when it must be on the record (`web`: audited as `via: "web"`). */
  via?: "web";
}

export interface Actor {
  project: Project;
  user: KnownUser;
  now: Date;
  via?: "web";
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

export interface DocWork<P> {
  actor: Actor;
  project: Project;
  me: string;
  loaded: LoadedDoc;
  /** What `prepare` returned (arguments checked before the project is locked). */
  input: P;
}

/**
 * The shape of every operation on one document: check the caller's group, check the arguments, then — under
 * the project's write lock — load the document and run the operation's body.
 */
export function changeDoc<T, P = undefined>(
  ctx: ServiceContext,
  action: Action,
  docId: unknown,
  body: (work: DocWork<NoInfer<P>>) => ServiceResult<T>,
  prepare?: (actor: Actor) => P,
  gate: (ctx: ServiceContext, action: Action) => Actor = authorize,
): ServiceResult<T> {
  return runService(() => {
    const actor = gate(ctx, action);
    const input = prepare ? prepare(actor) : (undefined as P);
    const { project } = actor;
    return project.mutate(() => body({ actor, project, me: actor.user.name, loaded: project.load(docId), input }));
  });
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
  return { project: ctx.project, user, now: ctx.now, ...(ctx.via ? { via: ctx.via } : {}) };
}

const VERBS: Partial<Record<Action, string>> = { checkin: "check in" };

/**
 * The document part of the permission table (REQ-SEC-003, -004): an owner-only action needs the caller to be
 * the document's responsible user, an assigned-only action needs the caller among its pending assignees.
 * The one place those flags of core/permissions are enforced.
 */
export function requireDocPermission(actor: Actor, action: Action, loaded: LoadedDoc): void {
  const rule = PERMISSIONS[action];
  const { doc, meta } = loaded;
  const me = actor.user.name;
  const verb = VERBS[action] ?? action;
  if (rule.ownerOnly && meta.responsible_user !== me) {
    fail(
      "not-owner",
      `Only the owner (responsible user) may ${verb} ${doc.id}; its owner is ${meta.responsible_user ?? "nobody"}, not ${me}.`,
      meta.responsible_user
        ? step("status", doc.id, { lead: `Ask ${meta.responsible_user} to run it, or check the document's state with` })
        : step("checkout", doc.id, { lead: "Check out the document first" }),
    );
  }
  if (rule.assignedOnly && !meta.pending_assignees.includes(me)) {
    const assigned = meta.pending_assignees.length > 0 ? meta.pending_assignees.join(", ") : "nobody";
    fail("not-assigned", `${me} is not assigned to ${verb} ${doc.id} (assigned: ${assigned}).`, step("inbox", undefined, { lead: "See your tasks with" }));
  }
}

/**
 * Apply a change as the acting user: the audit events carry `via` when the action came from the web view, and
 * (with `owner_tasks: true`) the owner's task of the transition is written or removed with it.
 */
export function applyAs(actor: Actor, change: DocChange): void {
  addOwnerTaskEffects(actor, change);
  actor.project.apply(change, { now: actor.now, ...(actor.via ? { via: actor.via } : {}) });
}
