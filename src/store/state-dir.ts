import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { projectKey } from "./tokens.js";

/**
 * Where a project's secrets and run files live: outside the project, which every agent container mounts
 * (read-only, but readable), so no agent can read another agent's token or the server's log. Per project:
 * `${XDG_STATE_HOME:-~/.local/state}/qms/projects/<name>-<hash of the real root>/` (override: QMS_STATE_DIR,
 * the folder for this one project).
 */
export function projectStateDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.QMS_STATE_DIR?.trim();
  if (override) return path.resolve(override);
  const real = projectKey(root);
  const base = env.XDG_STATE_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), ".local", "state");
  const name = path.basename(real).replace(/[^A-Za-z0-9_.-]/g, "_") || "root";
  return path.join(base, "qms", "projects", `${name}-${createHash("sha256").update(real).digest("hex").slice(0, 12)}`);
}

/** The launcher's server pid, log and info files. */
export function runDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(root, env), "run");
}

/** One agent's env file (its token, URL, ids), handed to its container only. */
export function agentEnvFile(root: string, agent: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(root, env), "agents", `${agent}.env`);
}

/** Listings a short-lived CLI keeps between runs (store/listing-cache.ts): large inboxes and workspaces. */
export function listingCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(projectStateDir(root, env), "cache");
}
