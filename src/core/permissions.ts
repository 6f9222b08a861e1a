/** User groups (REQ-SEC-001). */
export const GROUPS = ["administrator", "initiator", "quality", "reviewer"] as const;
export type Group = (typeof GROUPS)[number];

export function isGroup(value: unknown): value is Group {
  return typeof value === "string" && (GROUPS as readonly string[]).includes(value);
}

/** Hard-coded administrators that need no agent file (REQ-USER-001). */
export const BUILTIN_ADMINS = ["lead", "claude"] as const;

export type Action =
  | "create"
  | "checkout"
  | "checkin"
  | "route"
  | "release"
  | "revert"
  | "close"
  | "withdraw"
  | "cancel"
  | "interact"
  | "assign"
  | "review"
  | "approve"
  | "reject"
  | "read"
  | "status"
  | "history"
  | "comments"
  | "inbox"
  | "workspace"
  | "fix"
  | "user"
  | "namespace_add"
  | "namespace_list"
  | "verify";

export interface PermissionRule {
  /** Groups allowed; `administrator` also passes wherever `initiator` is listed (REQ-SEC-001). */
  groups: readonly Group[];
  ownerOnly?: boolean;
  assignedOnly?: boolean;
}

const ALL: readonly Group[] = GROUPS;
const INITIATORS: readonly Group[] = ["initiator"];

/** The permission table of spec §4.1 (RS, not the Python hierarchy). */
export const PERMISSIONS: Readonly<Record<Action, PermissionRule>> = {
  create: { groups: INITIATORS },
  checkout: { groups: INITIATORS },
  checkin: { groups: INITIATORS, ownerOnly: true },
  route: { groups: INITIATORS, ownerOnly: true },
  release: { groups: INITIATORS, ownerOnly: true },
  revert: { groups: INITIATORS, ownerOnly: true },
  close: { groups: INITIATORS, ownerOnly: true },
  withdraw: { groups: ALL, ownerOnly: true },
  cancel: { groups: INITIATORS },
  interact: { groups: INITIATORS },
  assign: { groups: ["quality"] },
  review: { groups: ALL, assignedOnly: true },
  approve: { groups: ["quality", "reviewer"], assignedOnly: true },
  reject: { groups: ["quality", "reviewer"], assignedOnly: true },
  read: { groups: ALL },
  status: { groups: ALL },
  history: { groups: ALL },
  comments: { groups: ALL },
  inbox: { groups: ALL },
  workspace: { groups: ALL },
  fix: { groups: ["administrator"] },
  user: { groups: ["administrator"] },
  namespace_add: { groups: ["administrator"] },
  namespace_list: { groups: ALL },
  verify: { groups: ["quality", "administrator"] },
};

export function groupAllows(rule: PermissionRule, group: Group): boolean {
  if (rule.groups.includes(group)) return true;
  return group === "administrator" && rule.groups.includes("initiator");
}

/** Who may be assigned to which kind of workflow (REQ-SEC-007). */
export const ASSIGNABLE_GROUPS: Readonly<Record<"review" | "approval", readonly Group[]>> = {
  review: GROUPS,
  approval: ["quality", "reviewer"],
};

/** "What you can do" guidance printed with a permission refusal (spec §4.2). */
export const GROUP_GUIDANCE: Readonly<Record<Group, string>> = {
  administrator:
    "As an administrator you can do everything an initiator can, plus fix, user and namespace administration.",
  initiator:
    "As an initiator you can create, checkout, checkin, route, release, revert, close and cancel your documents.",
  quality: "As quality you can assign reviewers, and review, approve or reject documents assigned to you (see: inbox).",
  reviewer: "As a reviewer you can review, approve or reject documents assigned to you (see: inbox).",
};
