import { GROUPS, isGroup } from "../core/permissions.js";
import { fail, refuse, type ServiceResult, success } from "../core/result.js";
import { commandLineStep } from "../core/command-line.js";
import { step } from "../core/next.js";
import { isBuiltinAdmin, listUsers, USER_NAME_PATTERN } from "../store/users.js";
import { authorize, runService, type ServiceContext } from "./context.js";

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
  // Agent files are read by agents with a shell: the commands are written out as command lines.
  const cli = commandLineStep(name);
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
    `- Pending tasks: \`${cli(step("inbox"))}\``,
    `- Checked-out documents: \`${cli(step("workspace"))}\``,
    `- Review: \`${cli(step("review", "<DOC_ID>", { args: { outcome: "recommend|--request-updates", comment: "..." } }))}\``,
    ...(canApprove ? [`- Approve or reject: \`${cli(step("approve", "<DOC_ID>"))}\` / \`${cli(step("reject", "<DOC_ID>", { args: { comment: "..." } }))}\``] : []),
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
        step("user", undefined, { user: "lead", args: { add: "tu_ui", group: "reviewer" }, lead: "e.g." }),
      );
    }
    if (isBuiltinAdmin(name)) {
      fail("already-exists", `'${name}' is a hard-coded administrator; it needs no agent file.`, step("inbox", undefined, { user: name, lead: "Use it directly" }));
    }
    if (group === "") {
      fail("invalid-argument", "user --add needs --group.", step("user", undefined, { args: { add: name, group: `<${GROUPS.join("|")}>` }, lead: "Run" }));
    }
    if (!isGroup(group)) {
      fail("invalid-argument", `Invalid group '${group.slice(0, 40)}': it must be one of ${GROUPS.join(", ")}.`, step("user", undefined, { args: { add: name, group: "reviewer" }, lead: "Run" }));
    }
    return project.mutate(() => {
      if (project.hasAgentFile(name)) {
        fail("already-exists", `User '${name}' already exists (.claude/agents/${name}.md).`, step("user", undefined, { args: { list: true }, lead: "See every user with" }));
      }
      project.users.ensureUserFolders(name);
      const agentFile = project.writeAgentFile(name, agentFileContent(name, group));
      const data: UserAddData = {
        name,
        group,
        agent_file: agentFile,
        workspace: project.users.relative(project.users.workspaceDir(name)),
        inbox: project.users.relative(project.users.inboxDir(name)),
      };
      return success(data, [
        `Created user '${name}' (group ${group})`,
        `  Agent file: ${data.agent_file}`,
        `  Workspace:  ${data.workspace}/`,
        `  Inbox:      ${data.inbox}/`,
        "",
      ], { next: [step("inbox", undefined, { user: name, lead: "The new user can now run" })] });
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
    [
      step("user", undefined, { user: "<admin>", args: { add: "<name>", group: `<${GROUPS.join("|")}>` }, lead: "Usage" }),
      step("user", undefined, { user: "<user>", args: { list: true }, lead: "or" }),
    ],
  );
}
