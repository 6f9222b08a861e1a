import * as path from "node:path";
import { BUILTIN_NAMESPACES, SDLC_KINDS } from "../core/doctypes.js";
import { NAMESPACE_PATTERN } from "../core/ids.js";
import { pythonJsonPretty } from "../core/pyjson.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { ensureDir, readTextIfExists, writeFileAtomic } from "../store/fsio.js";
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
    const action = String(input.action ?? "list").trim().toLowerCase() || "list";
    if (action === "list") return list(ctx);
    if (action === "add") return add(ctx, input.name);
    const shown = action.length > 40 ? `${action.slice(0, 40)}…` : action;
    fail("invalid-argument", `Unknown namespace action '${shown}': use 'list' or 'add NAME'.`, `Run: qms --user ${ctx.user} namespace list`);
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
    fail("invalid-argument", "namespace add needs a NAME.", `Run: qms --user ${ctx.user} namespace add MYPROJ`);
  }
  const name = rawName.trim().toUpperCase();
  if (!NAMESPACE_PATTERN.test(name)) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    fail(
      "invalid-argument",
      `Invalid namespace '${shown}': start with a letter, then letters, digits or '_' (at most 30 characters).`,
      `Run: qms --user ${ctx.user} namespace add MYPROJ`,
    );
  }
  const nsPath = `SDLC-${name}`;
  return project.mutate(() => {
    if (name in project.namespaces()) {
      fail(
        "already-exists",
        `Namespace ${name} already exists${name in BUILTIN_NAMESPACES ? " (built-in)" : ""}.`,
        `See the namespaces with: qms --user ${ctx.user} namespace list`,
      );
    }
    // keep whatever custom entries are on disk; never persist the built-ins
    const stored: Record<string, { path: string }> = {};
    const raw = readTextIfExists(project.namespacesFile);
    if (raw !== undefined) {
      for (const [k, v] of Object.entries(JSON.parse(raw) as Record<string, { path: string }>)) {
        if (!(k in BUILTIN_NAMESPACES)) stored[k] = v;
      }
    }
    stored[name] = { path: nsPath };
    ensureDir(path.join(project.qmsRoot, nsPath));
    writeFileAtomic(project.namespacesFile, pythonJsonPretty(stored));
    const added: NamespaceEntry = { name, path: nsPath, types: SDLC_KINDS.map((k) => `${name}-${k}`), builtin: false };
    return success({ action: "add", namespaces: entries(project), added }, [
      `Registered SDLC namespace ${name}`,
      `  Folder: QMS/${nsPath}/`,
      `  Types:  ${added.types.join(", ")} (IDs ${added.types.map((t) => `SDLC-${t}`).join(", ")})`,
      "",
      `Create its requirements specification with: qms --user ${ctx.user} create ${name}-RS --title "..."`,
    ]);
  });
}
