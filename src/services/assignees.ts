import { step } from "../core/next.js";
import { ASSIGNABLE_GROUPS } from "../core/permissions.js";
import { fail } from "../core/result.js";
import type { RouteKind } from "../core/transitions.js";
import type { Project } from "../store/project.js";
import { findUser, listUsers } from "../store/users.js";
import { didYouMean, listWhenFew } from "../core/did-you-mean.js";

/** Validate assignees against the registry and the workflow kind (REQ-SEC-007); duplicates collapse. */
export function validateAssignees(project: Project, names: readonly unknown[], kind: RouteKind): string[] {
  if (names.length === 0) fail("invalid-argument", "No assignees given.", "Name at least one user, e.g. --assign qa");
  if (names.length > 50) fail("invalid-argument", "Too many assignees (at most 50).");
  const allowed = ASSIGNABLE_GROUPS[kind];
  const result: string[] = [];
  for (const raw of names) {
    const name = typeof raw === "string" ? raw.trim() : "";
    const user = name === "" ? undefined : findUser(project, name);
    if (!user) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      const known = listUsers(project).map((u) => u.name);
      const guess = didYouMean(name, known);
      fail("unknown-user", `Cannot assign unknown user '${shown}'.${guess ? ` ${guess}` : ""}`, step("user", undefined, { args: { list: true }, lead: "List users with" }), {
        details: [listWhenFew("Known users", known)].filter((l) => l !== ""),
      });
    }
    if (!allowed.includes(user.group)) {
      fail(
        "permission-denied",
        `Cannot assign ${user.name} (group ${user.group}) to ${kind}: ${kind} assignees must be in group ${allowed.join(" or ")}.`,
        kind === "approval" ? "Assign a quality or reviewer user, e.g. --assign qa" : undefined,
      );
    }
    if (!result.includes(user.name)) result.push(user.name);
  }
  return result;
}
