import * as path from "node:path";
import { parseDocument } from "../core/frontmatter.js";
import { BUILTIN_ADMINS, type Group, isGroup } from "../core/permissions.js";
import { type NextStep, step } from "../core/next.js";
import { closestMatches, didYouMean, listWhenFew } from "../core/did-you-mean.js";
import { fail } from "../core/result.js";
import { USER_NAME_PATTERN } from "../core/users.js";
import { listDir, readTextIfExists } from "./fsio.js";
import type { Project } from "./project.js";

export { USER_NAME_PATTERN } from "../core/users.js";

export interface KnownUser {
  name: string;
  group: Group;
  builtin: boolean;
}

export function isBuiltinAdmin(name: string): boolean {
  return (BUILTIN_ADMINS as readonly string[]).includes(name);
}

/** Look a user up in the registry (REQ-CFG-004): hard-coded admins, then `.claude/agents/{user}.md`. */
export function findUser(project: Project, name: string): KnownUser | undefined {
  if (!USER_NAME_PATTERN.test(name)) return undefined;
  if (isBuiltinAdmin(name)) return { name, group: "administrator", builtin: true };
  const text = readTextIfExists(project.agentFile(name));
  if (text === undefined) return undefined;
  const group = parseDocument(text).frontmatter.group;
  if (!isGroup(group)) {
    fail(
      "invalid-user",
      `Agent file .claude/agents/${name}.md ${group === undefined || group === null ? "has no 'group:'" : `has group ${JSON.stringify(group)}`}; it must be one of administrator, initiator, quality, reviewer.`,
      `Fix the 'group:' line in .claude/agents/${name}.md.`,
    );
  }
  return { name, group, builtin: false };
}

/** Resolve the acting user or refuse with how to become one (REQ-SEC-006, REQ-USER-004). */
export function requireUser(project: Project, name: string | undefined): KnownUser {
  if (name === undefined || name.trim() === "") {
    fail(
      "unknown-user",
      "No user given: every QMS command runs as a user.",
      [step("inbox", undefined, { user: "claude", lead: "Pass --user <name> (or set QMS_USER), e.g." })],
    );
  }
  const user = findUser(project, name);
  if (!user) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    const known = listUsers(project).map((u) => u.name);
    const close = closestMatches(name, known);
    const knownLine = listWhenFew("Known users", known);
    if (close.length > 0) {
      const caseOnly = close.some((c) => c.toLowerCase() === name.toLowerCase());
      fail("unknown-user", `Unknown user '${shown}'${caseOnly ? " (user names are case-sensitive)" : ""}. ${didYouMean(name, known)}`, `Run the command again as ${close[0]}.`, {
        details: knownLine ? [knownLine] : [],
      });
    }
    fail("unknown-user", `Unknown user '${shown}'.`, unknownUserHelp(shown), {
      details: [...(knownLine ? [knownLine] : []), ...unknownUserDetails(shown)],
    });
  }
  return user;
}

export function unknownUserHelp(name: string): NextStep {
  return step("user", undefined, {
    user: "lead",
    args: { add: USER_NAME_PATTERN.test(name) ? name : "<name>", group: "<administrator|initiator|quality|reviewer>" },
    lead: "Ask an administrator to run",
  });
}

function unknownUserDetails(name: string): string[] {
  return [
    "A QMS user is either a hard-coded administrator (lead, claude) or has an agent file",
    `.claude/agents/${USER_NAME_PATTERN.test(name) ? name : "<name>"}.md whose frontmatter names its group:`,
    "  ---",
    `  name: ${USER_NAME_PATTERN.test(name) ? name : "<name>"}`,
    "  group: reviewer",
    "  description: QMS user",
    "  ---",
  ];
}

/** Every recognized user: hard-coded admins first, then agent files (REQ-USER-005). */
export function listUsers(project: Project): Array<{ name: string; group: string; builtin: boolean }> {
  const users: Array<{ name: string; group: string; builtin: boolean }> = BUILTIN_ADMINS.map((name) => ({
    name,
    group: "administrator",
    builtin: true,
  }));
  for (const file of listDir(project.agentsRoot).sort()) {
    if (!file.endsWith(".md")) continue;
    const name = path.basename(file, ".md");
    if (isBuiltinAdmin(name) || !USER_NAME_PATTERN.test(name)) continue;
    const group = parseDocument(readTextIfExists(path.join(project.agentsRoot, file)) ?? "").frontmatter.group;
    users.push({ name, group: isGroup(group) ? group : "unknown", builtin: false });
  }
  return users;
}
