import type { NextStep, StepRenderer } from "./next.js";

/**
 * How a next step is written as a `qms` command line. The CLI renders every step this way; the MCP server
 * uses it only for the host-only administration steps a person runs (users, namespaces, tokens, init).
 */

/** Commands that take no `--user` (they act on the host, not as a QMS user). */
const WITHOUT_USER = new Set(["init", "token", "mcp"]);

/** A next step as the command line that takes it: `qms --user claude route SOP-001 --review`. */
export function commandLineStep(caller: string | undefined): StepRenderer {
  return (s: NextStep) => {
    const words = ["qms"];
    const user = s.user ?? caller;
    if (user && !WITHOUT_USER.has(s.action)) words.push("--user", user);
    const args = { ...(s.args ?? {}) };
    if (s.action === "token") {
      words.push("token", String(args.command ?? "create"));
      delete args.command;
    } else if (s.action === "namespace") {
      words.push("namespace", typeof args.add === "string" ? "add" : "list");
      if (typeof args.add === "string") words.push(args.add);
      delete args.add;
      delete args.list;
    } else if (s.action === "create") {
      words.push("create", String(args.doc_type ?? "<TYPE>"));
      delete args.doc_type;
    } else {
      words.push(s.action);
    }
    if (s.doc_id !== undefined) words.push(s.doc_id);
    for (const [key, value] of Object.entries(args)) words.push(...cliFlag(s.action, key, value));
    return words.join(" ");
  };
}

/** One tool argument as the CLI's flag(s). */
function cliFlag(action: string, key: string, value: string | boolean | string[]): string[] {
  if (key === "route_type" || key === "outcome") return [`--${String(value)}`];
  if (key === "reference") return [quote(String(value))];
  const flag = `--${action === "route" && key === "assignees" ? "assign" : key.replace(/_/g, "-")}`;
  if (value === true) return [flag];
  if (value === false) return [];
  if (Array.isArray(value)) return [flag, ...value.map(quote)];
  return [flag, quote(value)];
}

function quote(value: string): string {
  return /^[A-Za-z0-9_.:/<>@|=+-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, "\\$1")}"`;
}
