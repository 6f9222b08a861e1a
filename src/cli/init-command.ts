import * as fs from "node:fs";
import * as path from "node:path";
import { refuse } from "../core/result.js";
import { findProjectRoot } from "../store/root.js";
import { renderResult } from "./render.js";

/**
 * `qms init [--root DIR] [--yes]` (spec §2.3, REQ-INIT-009..012): resolve the root (by default the working
 * directory), show what will be created,
 * ask for confirmation, then create the project. Returns the exit code.
 */
export async function runInit(opts: { root?: string; yes?: boolean }): Promise<number> {
  const { initBlockers, initPlan, initProject, MARKER_FILE } = await import("../services/init.js");
  const resolved = resolveInitRoot(opts.root, process.cwd(), MARKER_FILE);
  if ("error" in resolved) return renderResult(refuse("not-project", resolved.error, resolved.hint));
  const { root, createMarker } = resolved;

  // refuse before asking, so a blocked init never prompts
  const blockers = initBlockers(root);
  if (blockers.length > 0) return renderResult(initProject({ root, createMarker }));

  process.stdout.write(`qms init will create in ${root}:\n${initPlan(root, createMarker).map((l) => `  - ${l}`).join("\n")}\n\n`);
  if (opts.yes !== true) {
    const answer = await ask("Proceed? [y/N] ");
    if (answer === undefined || !["y", "yes"].includes(answer.trim().toLowerCase())) {
      process.stdout.write("\nAborted.\n");
      return 1;
    }
  }
  return renderResult(initProject({ root, createMarker }));
}

type RootResolution = { root: string; createMarker: boolean } | { error: string; hint: string };

/**
 * `--root` (must exist) wins; else a `.claude-qms` marker in the parent of the working directory (REQ-INIT-010,
 * -011, the layout with the tool checked out as `project/qms-cli/`); else the working directory itself, as
 * a globally installed tool is expected to do — unless that lies inside another QMS project.
 */
export function resolveInitRoot(rootOpt: string | undefined, cwd: string, marker: string): RootResolution {
  if (rootOpt !== undefined && rootOpt !== "") {
    const root = path.resolve(cwd, rootOpt);
    if (!isDir(root)) {
      return { error: `--root ${root} does not exist or is not a directory.`, hint: `Create it first (mkdir -p ${root}), then run: qms init --root ${root}` };
    }
    return { root, createMarker: true };
  }
  const here = path.resolve(cwd);
  const parent = path.dirname(here);
  if (fs.existsSync(path.join(parent, marker))) return { root: parent, createMarker: false };
  const enclosing = findProjectRoot(here);
  if (enclosing !== undefined && enclosing !== here) {
    return {
      error: `${here} is inside the QMS project ${enclosing}: a project in it would hide that one from every command run below it.`,
      hint: `Use the existing project (run qms from anywhere inside it), or initialize this directory anyway with: qms init --root ${here}`,
    };
  }
  return { root: here, createMarker: false };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** One line from stdin; undefined on EOF or interrupt. */
async function ask(question: string): Promise<string | undefined> {
  const readline = await import("node:readline");
  process.stdout.write(question);
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    let done = false;
    const finish = (value: string | undefined): void => {
      if (done) return;
      done = true;
      rl.close();
      resolve(value);
    };
    rl.once("line", (line) => finish(line));
    rl.once("close", () => finish(undefined));
    rl.once("SIGINT", () => finish(undefined));
    process.once("SIGINT", () => finish(undefined));
  });
}
