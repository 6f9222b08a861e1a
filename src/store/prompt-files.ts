import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { taskTypeOf, type WorkflowType } from "../core/transitions.js";
import { packagePath } from "./package-root.js";

/** The package's prompts/ folder (same answer from the tsc output and the CLI bundle). */
export const PACKAGE_PROMPTS_DIR = packagePath("prompts");

/** The files tried for a task, most specific first (REQ-PROMPT-003). */
export function promptCandidates(spec: { workflow: WorkflowType; docType: string }, dir = PACKAGE_PROMPTS_DIR): string[] {
  const kind = taskTypeOf(spec.workflow).toLowerCase();
  const workflow = spec.workflow.toLowerCase();
  const docType = spec.docType.toLowerCase();
  // doc types are validated upstream; still, only a plain name ever becomes a file name
  const typeFile = /^[a-z0-9_-]+$/.test(docType) ? [path.join(dir, kind, workflow, `${docType}.yaml`)] : [];
  return [...typeFile, path.join(dir, kind, workflow, "default.yaml"), path.join(dir, kind, "default.yaml")];
}

/**
 * The package's prompt files compiled at build time (scripts/bundle.mjs writes `prompts.json` beside the CLI
 * bundle): for each `prompts/**.yaml`, its text and what the YAML parser made of it, so a routing CLI does not
 * load the YAML library. The tsc output has no such file and parses the YAML (dev).
 */
export interface CompiledPrompts {
  version: 1;
  files: Record<string, { text: string; value: unknown }>;
}

/** Beside the running module: the CLI bundle's folder (dist/bundle/), where scripts/bundle.mjs writes it. */
export const COMPILED_PROMPTS_FILE = fileURLToPath(new URL("prompts.json", import.meta.url));

const loaded = new Map<string, CompiledPrompts | null>();

function compiledPrompts(file: string): CompiledPrompts | null {
  let found = loaded.get(file);
  if (found !== undefined) return found;
  found = null;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as CompiledPrompts;
    if (parsed?.version === 1 && parsed.files && typeof parsed.files === "object") found = parsed;
  } catch {
    // missing (tsc output) or unreadable: the YAML is parsed instead
  }
  loaded.set(file, found);
  return found;
}

/**
 * The parsed YAML of a package prompt file whose current text is `text`, when the build compiled exactly this
 * text; undefined otherwise (an edited, added or project-specific file is parsed from its YAML, never stale).
 */
export function compiledPromptValue(file: string, text: string, compiledFile = COMPILED_PROMPTS_FILE, dir = PACKAGE_PROMPTS_DIR): { value: unknown } | undefined {
  const rel = path.relative(dir, file);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  const entry = compiledPrompts(compiledFile)?.files[rel.split(path.sep).join("/")];
  return entry && entry.text === text ? { value: entry.value } : undefined;
}
