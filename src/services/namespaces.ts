import { BUILTIN_NAMESPACES, SDLC_KINDS } from "../core/doctypes.js";
import { NAMESPACE_PATTERN } from "../core/ids.js";
import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import type { Project } from "../store/project.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface NamespaceEntry {
  name: string;
  path: string;
  types: string[];
  builtin: boolean;
}

export interface NamespaceData {
  action: "list" | "add";
  namespaces: NamespaceEntry[];
  added?: NamespaceEntry;
}

/** `namespace [list | add NAME]` (spec §3.5, REQ-DOC-013, -014). */
export function namespaceCommand(ctx: ServiceContext, input: { action: string; name?: string }): ServiceResult<NamespaceData> {
  return runService(() => {
    const action = String(input.action ?? "").trim().toLowerCase() || "list";
    if (action === "list") return list(ctx);
    if (action === "add") return add(ctx, input.name);
    const shown = action.length > 40 ? `${action.slice(0, 40)}…` : action;
    fail("invalid-argument", `Unknown namespace action '${shown}': use 'list' or 'add NAME'.`, step("namespace", undefined, { args: { list: true }, lead: "Run" }));
  });
}

function entries(project: Project): NamespaceEntry[] {
  return Object.entries(project.namespaces())
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, ns]) => ({ name, path: ns.path, types: SDLC_KINDS.map((k) => `${name}-${k}`), builtin: name in BUILTIN_NAMESPACES }));
}

function list(ctx: ServiceContext): ServiceResult<NamespaceData> {
  const { project } = authorize(ctx, "namespace_list", "namespace list");
  const namespaces = entries(project);
  const lines = ["SDLC namespaces:"];
  for (const ns of namespaces) {
    lines.push(`  ${ns.name}: QMS/${ns.path}/  types ${ns.types.join(", ")}  IDs ${ns.types.map((t) => `SDLC-${t}`).join(", ")}${ns.builtin ? "  (built-in)" : ""}`);
  }
  return success({ action: "list", namespaces }, lines);
}

function add(ctx: ServiceContext, rawName: string | undefined): ServiceResult<NamespaceData> {
  const { project } = authorize(ctx, "namespace_add", "namespace add");
  if (rawName === undefined || rawName.trim() === "") {
    fail("invalid-argument", "namespace add needs a NAME.", step("namespace", undefined, { args: { add: "MYPROJ" }, lead: "Run" }));
  }
  const name = rawName.trim().toUpperCase();
  if (!NAMESPACE_PATTERN.test(name)) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    fail(
      "invalid-argument",
      `Invalid namespace '${shown}': start with a letter, then letters, digits or '_' (at most 30 characters).`,
      step("namespace", undefined, { args: { add: "MYPROJ" }, lead: "Run" }),
    );
  }
  const nsPath = `SDLC-${name}`;
  return project.mutate(() => {
    if (name in project.namespaces()) {
      fail(
        "already-exists",
        `Namespace ${name} already exists${name in BUILTIN_NAMESPACES ? " (built-in)" : ""}.`,
        step("namespace", undefined, { args: { list: true }, lead: "See the namespaces with" }),
      );
    }
    project.registerNamespace(name, nsPath);
    const added: NamespaceEntry = { name, path: nsPath, types: SDLC_KINDS.map((k) => `${name}-${k}`), builtin: false };
    return success({ action: "add", namespaces: entries(project), added }, [
      `Registered SDLC namespace ${name}`,
      `  Folder: QMS/${nsPath}/`,
      `  Types:  ${added.types.join(", ")} (IDs ${added.types.map((t) => `SDLC-${t}`).join(", ")})`,
      "",
    ], { next: [step("create", undefined, { args: { doc_type: `${name}-RS`, title: "..." }, lead: "Create its requirements specification with" })] });
  });
}
