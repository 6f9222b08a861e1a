import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../store/package-root.js";

/** The qms package (bin/, dist/, docker/). */
export const PACKAGE_ROOT = packageRoot();
/** The agent's compose service. */
export const SERVICE = "claude-agent";
export const DEFAULT_IMAGE = "qms-agent:local";

/** The container kit a project uses: QMS_KIT_DIR, else the project's own docker/ (if it has a compose file), else the package's. */
export function kitDirFor(root: string, env: NodeJS.ProcessEnv): string {
  const own = path.join(root, "docker");
  const chosen = env.QMS_KIT_DIR?.trim() || (fs.existsSync(path.join(own, "docker-compose.yml")) ? own : path.join(PACKAGE_ROOT, "docker"));
  return path.resolve(chosen);
}

/** Does a compose file put the service on the host's network (so a loopback-bound server is reachable)? */
export function usesHostNetwork(composeText: string): boolean {
  return /network_mode:\s*["']?host/.test(composeText);
}
