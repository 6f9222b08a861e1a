import { type NextStep, step } from "../core/next.js";
import { PERMISSIONS } from "../core/permissions.js";
import { RefusalError, refuse } from "../core/result.js";
import { APPROVAL_STATES } from "../core/statuses.js";
import { listUsers } from "../store/users.js";
import { type Actor, authorize, type ServiceContext } from "./context.js";

/**
 * `authorize` for approve and reject: a user outside the quality and reviewer groups (typically the author,
 * trying to approve their own document) is told who can act instead of what their own group may do.
 */
export function authorizeApprover(ctx: ServiceContext, action: "approve" | "reject", docId: unknown): Actor {
  try {
    return authorize(ctx, action);
  } catch (err) {
    if (!(err instanceof RefusalError) || err.refusal.code !== "permission-denied") throw err;
    const { message, next } = whoCanApprove(ctx, action, docId);
    throw new RefusalError(refuse("permission-denied", `${err.refusal.message} ${message}`, next));
  }
}

function whoCanApprove(ctx: ServiceContext, action: "approve" | "reject", docId: unknown): { message: string; next: NextStep[] } {
  const groups = PERMISSIONS[action].groups.join(" and ");
  const users = listUsers(ctx.project);
  const quality = users.find((u) => u.group === "quality")?.name ?? "<quality user>";
  let loaded: ReturnType<ServiceContext["project"]["load"]> | undefined;
  try {
    loaded = ctx.project.load(docId);
  } catch (err) {
    if (!(err instanceof RefusalError)) throw err;
  }
  const own = loaded?.meta.responsible_user === ctx.user;
  const message = own ? `You cannot ${action} your own document: that is for ${groups} users.` : `To ${action} is for ${groups} users.`;
  if (!loaded || !APPROVAL_STATES.includes(loaded.meta.status)) {
    return { message, next: [step("inbox", undefined, { user: quality, lead: `Ask a ${groups.replace(" and ", " or ")} user, e.g. ${quality}, to look at their tasks` })] };
  }
  const id = loaded.doc.id;
  const pending = loaded.meta.pending_assignees.filter((u) => u !== ctx.user);
  const next: NextStep[] = [];
  if (pending.length > 0) next.push(step(action, id, { user: pending[0], lead: `It waits for ${pending.join(", ")}; ask them to run` }));
  next.push(
    step("assign", id, {
      user: quality,
      args: { assignees: ["<approver>"] },
      lead: pending.length > 0 ? "or ask a quality user to add another approver" : "Ask a quality or reviewer user to approve it; a quality user assigns one with",
    }),
  );
  return { message, next };
}
