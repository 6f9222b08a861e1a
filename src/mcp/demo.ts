import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ServiceResult } from "../core/result.js";
import { create } from "../services/create.js";
import { Project } from "../store/project.js";
import { findProjectRoot } from "../store/root.js";

/**
 * The built-in demo project `npm start` serves when no project is given: created on first start under
 * `$XDG_DATA_HOME/qms/demo` (default `~/.local/share/qms/demo`; tests override with `QMS_DEMO_ROOT`).
 */
export function demoRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QMS_DEMO_ROOT && env.QMS_DEMO_ROOT.trim() !== "") return path.resolve(env.QMS_DEMO_ROOT);
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== "" ? env.XDG_DATA_HOME : path.join(os.homedir(), ".local", "share");
  return path.join(data, "qms", "demo");
}

type InitFn = (input: { root: string; createMarker?: boolean }) => ServiceResult<unknown> | Promise<ServiceResult<unknown>>;

async function loadInit(): Promise<InitFn | undefined> {
  const spec = "../services/init.js";
  try {
    const mod = (await import(spec)) as { initProject?: InitFn };
    return typeof mod.initProject === "function" ? mod.initProject : undefined;
  } catch {
    return undefined;
  }
}

/** The smallest layout a project needs, used only while the init service is not available. */
function minimalLayout(root: string): void {
  fs.mkdirSync(path.join(root, "QMS"), { recursive: true });
  const agents = path.join(root, ".claude", "agents");
  fs.mkdirSync(agents, { recursive: true });
  const users: Record<string, string> = { qa: "quality", tu_ui: "reviewer" };
  for (const [name, group] of Object.entries(users)) {
    const file = path.join(agents, `${name}.md`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, `---\nname: ${name}\ngroup: ${group}\ndescription: demo user\n---\n\n# ${name}\n`);
  }
  for (const name of ["claude", "lead", ...Object.keys(users)]) {
    fs.mkdirSync(path.join(root, ".claude", "users", name, "workspace"), { recursive: true });
    fs.mkdirSync(path.join(root, ".claude", "users", name, "inbox"), { recursive: true });
  }
}

/** Create the demo project if it is not there yet; return its root and whether it was just created. */
export async function ensureDemoProject(root: string = demoRoot()): Promise<{ root: string; created: boolean; notes: string[] }> {
  const notes: string[] = [];
  if (findProjectRoot(root) === root) return { root, created: false, notes };
  fs.mkdirSync(root, { recursive: true });
  const init = await loadInit();
  let initialized = false;
  if (init) {
    const r = await init({ root, createMarker: false });
    initialized = r.ok;
    if (!r.ok) notes.push(`init refused (${r.message}); using a minimal layout`);
  }
  if (!initialized) minimalLayout(root);
  const project = new Project(root);
  const now = new Date();
  const samples: Array<[string, string]> = [
    ["SOP", "Demo: document control procedure"],
    ["CR", "Demo: add a second reviewer to the release checklist"],
  ];
  for (const [type, title] of samples) {
    const r = create({ project, user: "claude", now }, { type, title });
    if (!r.ok) notes.push(`sample ${type} not created: ${r.message}`);
  }
  return { root, created: true, notes };
}
