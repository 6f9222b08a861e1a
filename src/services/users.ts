import { GROUPS, isGroup } from "../core/permissions.js";
import { fail, refuse, type ServiceResult, success } from "../core/result.js";
import { ensureDir, exists, writeFileAtomic } from "../store/fsio.js";
import { isBuiltinAdmin, listUsers, USER_NAME_PATTERN } from "../store/users.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { relativeTo } from "./validation.js";

export interface UserAddData {
  name: string;
  group: string;
  agent_file: string;
  workspace: string;
  inbox: string;
}

export interface UserListData {
  users: Array<{ name: string; group: string; builtin: boolean }>;
}

/** Agent file of a new user: the frontmatter the registry reads (REQ-USER-002) and a short how-to. */
export function agentFileContent(name: string, group: string): string {
  const canApprove = group === "quality" || group === "reviewer";
  return [
    "---",
    `name: ${name}`,
    `group: ${group}`,
    "description: QMS user",
    "---",
    "",
    `# ${name}`,
    "",
    `QMS user in group **${group}**.`,
    "",
    `- Pending tasks: \`qms --user ${name} inbox\``,
    `- Checked-out documents: \`qms --user ${name} workspace\``,
    `- Review: \`qms --user ${name} review <DOC_ID> --recommend|--request-updates --comment "..."\``,
    ...(canApprove ? [`- Approve or reject: \`qms --user ${name} approve <DOC_ID>\` / \`qms --user ${name} reject <DOC_ID> --comment "..."\``] : []),
    "",
  ].join("\n");
}

/** `user --add NAME --group G` (REQ-USER-003): administrators only. */
export function userAdd(ctx: ServiceContext, input: { name: string; group?: string }): ServiceResult<UserAddData> {
  return runService(() => {
    const { project } = authorize(ctx, "user", "user --add");
    const name = String(input.name ?? "");
    const group = input.group === undefined ? "" : String(input.group).trim();
    if (!USER_NAME_PATTERN.test(name)) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      fail(
        "invalid-argument",
        `Invalid user name '${shown}': use a letter followed by letters, digits, '_' or '-' (at most 64 characters).`,
        "e.g. qms --user lead user --add tu_ui --group reviewer",
      );
    }
    if (isBuiltinAdmin(name)) {
      fail("already-exists", `'${name}' is a hard-coded administrator; it needs no agent file.`, `Use it directly: qms --user ${name} inbox`);
    }
    if (group === "") {
      fail("invalid-argument", "user --add needs --group.", `Run: qms --user ${ctx.user} user --add ${name} --group <${GROUPS.join("|")}>`);
    }
    if (!isGroup(group)) {
      fail("invalid-argument", `Invalid group '${group.slice(0, 40)}': it must be one of ${GROUPS.join(", ")}.`, `Run: qms --user ${ctx.user} user --add ${name} --group reviewer`);
    }
    const agentFile = project.agentFile(name);
    if (exists(agentFile)) {
      fail("already-exists", `User '${name}' already exists (.claude/agents/${name}.md).`, `See every user with: qms --user ${ctx.user} user --list`);
    }
    return project.mutate(() => {
      if (exists(agentFile)) fail("already-exists", `User '${name}' already exists (.claude/agents/${name}.md).`);
      writeFileAtomic(agentFile, agentFileContent(name, group));
      project.users.ensureUserFolders(name);
      const data: UserAddData = {
        name,
        group,
        agent_file: relativeTo(project, agentFile),
        workspace: project.users.relative(project.users.workspaceDir(name)),
        inbox: project.users.relative(project.users.inboxDir(name)),
      };
      return success(data, [
        `Created user '${name}' (group ${group})`,
        `  Agent file: ${data.agent_file}`,
        `  Workspace:  ${data.workspace}/`,
        `  Inbox:      ${data.inbox}/`,
        "",
        `The new user can now run: qms --user ${name} inbox`,
      ]);
    });
  });
}

/** `user --list` (REQ-USER-005): hard-coded administrators, then every agent file with its group. */
export function userList(ctx: ServiceContext): ServiceResult<UserListData> {
  return runService(() => {
    const { project } = authorize(ctx, "user", "user --list");
    const users = listUsers(project);
    const width = Math.max(4, ...users.map((u) => u.name.length));
    const lines = ["Users:", ...users.map((u) => `  ${u.name.padEnd(width)}  ${u.group}${u.builtin ? " (hard-coded)" : ""}`)];
    return success({ users }, lines);
  });
}

export function userUsage(): ServiceResult<Record<string, unknown>> {
  return refuse(
    "invalid-argument",
    "user needs an action: --add NAME --group GROUP, or --list.",
    `Usage: qms --user <admin> user --add <name> --group <${GROUPS.join("|")}>  |  qms --user <user> user --list`,
  );
}
