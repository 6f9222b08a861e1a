import * as fs from "node:fs";
import * as path from "node:path";
import { readEnvFile } from "./compose.js";
import { kitDirFor, usesHostNetwork } from "./kit.js";
import { SessionError } from "./progress.js";
import { USER_NAME_PATTERN } from "../core/users.js";
import { resolveProjectRoot } from "../store/root.js";
import { agentEnvFile, runDir } from "../store/state-dir.js";

export interface SessionOptions {
  projectRoot?: string;
  agent?: string;
  /** `qms session up|down|reset AGENT...`: several agents (none: `agent`, else claude). */
  agents?: string[];
  port?: number;
  /** Address the launcher binds a server it starts to (default 0.0.0.0, token auth). */
  bind?: string;
  mcpUrl?: string;
  mode?: "http" | "proxy";
  rebuild?: boolean;
  keep?: boolean;
  attach?: boolean;
  /** Extra compose files (e.g. docker/compose.test.yml). */
  composeFiles?: string[];
  serverTimeoutS?: number;
  readyTimeoutS?: number;
  /** `session reset --up`. */
  up?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  out?: NodeJS.WritableStream;
}

/** What every session verb works on, resolved once from the options. */
export interface SessionContext {
  root: string;
  agent: string;
  kitDir: string;
  /** The server's pid, log and info files (outside the project). */
  runDir: string;
  /** The agent's env file (its token): outside the project, handed to its container only. */
  envFile: string;
  composeFiles: string[];
  projectName: string;
  env: NodeJS.ProcessEnv;
  /** The agent env file's values (re-read after the launcher writes it). */
  dotenv: Record<string, string>;
  out: NodeJS.WritableStream;
}

const NOT_IN_PROJECT =
  "Not inside a QMS project (no qms.config.json or QMS/ above the current directory): cd into one or pass --project-root DIR.";

export function sessionContext(opts: SessionOptions): SessionContext {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const out = opts.out ?? process.stdout;
  const answer = resolveProjectRoot({ flag: opts.projectRoot, env, cwd });
  for (const warning of answer.warnings) out.write(`warning: ${warning}\n`);
  if (!answer.ok) throw new SessionError(opts.projectRoot ? answer.message : NOT_IN_PROJECT, 2);
  const root = answer.root;
  const kitDir = kitDirFor(root, env);
  if (!fs.existsSync(path.join(kitDir, "docker-compose.yml"))) throw new SessionError(`No docker-compose.yml in ${kitDir} (the container kit).`, 2);
  // QMS_COMPOSE_FILES (path-list): extra compose files for every verb, e.g. for the agents the hub starts
  const fromEnv = (env.QMS_COMPOSE_FILES ?? "").split(path.delimiter).filter((f) => f.trim() !== "").map((f) => path.resolve(root, f));
  const composeFiles = [path.join(kitDir, "docker-compose.yml"), ...fromEnv, ...(opts.composeFiles ?? []).map((f) => path.resolve(cwd, f))];
  for (const f of composeFiles) if (!fs.existsSync(f)) throw new SessionError(`Compose file not found: ${f}`, 2);
  const agent = opts.agent ?? "claude";
  if (!USER_NAME_PATTERN.test(agent)) throw new SessionError(`'${agent.slice(0, 40)}' is not a user name: a letter followed by letters, digits, '_' or '-'.`, 2);
  const envFile = agentEnvFile(root, agent, env);
  const base = (env.COMPOSE_PROJECT_NAME?.trim() || path.basename(kitDir)).toLowerCase().replace(/[^a-z0-9_-]/g, "");
  // one compose project per agent (its own container and config volume); claude keeps the seed's names
  const projectName = agent === "claude" ? base : `${base}-${agent.toLowerCase().replace(/[^a-z0-9_-]/g, "")}`;
  return { root, agent, kitDir, runDir: runDir(root, env), envFile, composeFiles, projectName, env, dotenv: readEnvFile(envFile), out };
}

/** The environment compose runs with: the agent env file's values beat stray shell variables (a QMS_TOKEN of another project). */
export function composeEnv(c: SessionContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...c.env, ...c.dotenv, ...extra };
}

/** Do the compose files put the agent on the host's network? */
export function composeUsesHostNetwork(c: SessionContext): boolean {
  return c.composeFiles.some((f) => usesHostNetwork(fs.readFileSync(f, "utf8")));
}
