import * as fs from "node:fs";
import * as path from "node:path";
import { Broken, CHECKS, type Check } from "./doctor-checks.js";
import { DEFAULT_LOCAL_URL, LOCAL_CHECKS, type LocalFacts } from "./doctor-local.js";
import { SERVER_NAME } from "./entrypoint.js";
import { type DoctorOptions, gatherFacts } from "./doctor-facts.js";
import { agentEnvFile } from "../store/state-dir.js";

export type { DoctorOptions } from "./doctor-facts.js";

export interface Finding {
  check: string;
  ok: boolean;
  code?: string;
  message: string;
  fix?: string;
}

/**
 * `qms doctor`: walk the chain from Claude Code to the QMS MCP server (doctor-checks.ts, in order), stop at the
 * first broken link and print its fix. Tokens found inside the project tree are warnings, not links.
 */
export async function runDoctor(o: DoctorOptions): Promise<{ ok: boolean; findings: Finding[] }> {
  const out = o.out ?? process.stdout;
  if (o.local) {
    out.write(`qms doctor --local (Claude Code on this machine): checking its '${SERVER_NAME}' registration, the server, the token and an MCP handshake\n`);
    return walk(LOCAL_CHECKS, localFacts(o), out, []);
  }
  const facts = gatherFacts(o);
  if (facts.mode === "host" && !facts.containerSetUp) {
    out.write(
      `qms doctor (on the host): no agent container is set up for this project (no QMS_MCP_URL or QMS_TOKEN in ${path.join(facts.kitDir ?? "docker", ".env")} or the agent's env file), so this checks a Claude Code on this machine, as qms doctor --local does. (For the container chain: qms session up first.)\n`,
    );
    return walk(LOCAL_CHECKS, localFacts(o), out, []);
  }
  const findings: Finding[] = [];
  out.write(
    `qms doctor (${facts.mode === "container" ? "from the container" : "on the host, checking the agent container's chain; for a Claude Code on this machine: qms doctor --local"}): checking ${facts.endpoint}\n`,
  );
  for (const warning of facts.warnings) out.write(`  ! warning: ${warning}\n`);
  for (const finding of secretWarnings(facts.projectDir, facts.kitDir, o.env)) {
    findings.push(finding);
    out.write(`  ! warning [${finding.code}]: ${finding.message}\n    Fix: ${finding.fix}\n`);
  }
  return walk(CHECKS, facts, out, findings);
}

/** Run the checks in order; stop at the first broken link with its fix. */
async function walk<F>(checks: readonly Check<F>[], facts: F, out: NodeJS.WritableStream, findings: Finding[]): Promise<{ ok: boolean; findings: Finding[] }> {
  for (const check of checks) {
    if (!check.applies(facts)) continue;
    const result = await check.run(facts);
    if (result instanceof Broken) {
      findings.push({ check: check.id, ok: false, code: result.code, message: result.message, fix: result.fix });
      out.write(`  ✘ ${check.id} [${result.code}]: ${result.message}\n    Fix: ${result.fix}\n`);
      out.write("Stopped at the first broken link.\n");
      return { ok: false, findings };
    }
    findings.push({ check: check.id, ok: true, message: result });
    out.write(`  ✔ ${check.id}: ${result}\n`);
  }
  out.write("All links of the chain work.\n");
  return { ok: true, findings };
}

function localFacts(o: DoctorOptions): LocalFacts {
  return { claudeBin: o.env.QMS_CLAUDE_BIN?.trim() || "claude", env: o.env, cwd: o.cwd, suggestedUrl: o.url ?? DEFAULT_LOCAL_URL };
}

function secretWarnings(projectDir: string, kitDir: string | undefined, env: NodeJS.ProcessEnv): Finding[] {
  return tokenFilesInProject(projectDir, kitDir).map((file) => ({
    check: "secrets",
    ok: true,
    code: "token-in-project",
    message: `${path.relative(projectDir, file) || file} holds an MCP token inside the project, which every agent container can read (so one agent could act as another).`,
    fix: `Delete it: \`qms session up\` keeps each agent's token in ${path.dirname(agentEnvFile(projectDir, "x", env))}/ (outside the project), and revoke the token (qms token list / qms token revoke).`,
  }));
}

/** Files inside the project tree that hold a QMS token (a `QMS_TOKEN=` value or a `qms_…` token). */
export function tokenFilesInProject(root: string, kitDir?: string): string[] {
  const candidates = [path.join(root, "docker", ".env"), path.join(root, ".env")];
  if (kitDir) {
    const rel = path.relative(root, kitDir);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) candidates.push(path.join(kitDir, ".env"));
  }
  const runDirInProject = path.join(root, ".qms", "run");
  try {
    for (const f of fs.readdirSync(runDirInProject)) candidates.push(path.join(runDirInProject, f));
  } catch {
    /* none */
  }
  const found = new Set<string>();
  for (const file of candidates) {
    let text: string;
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (/^\s*QMS_TOKEN\s*=\s*["']?[^\s"'#]/m.test(text) || /\bqms_[A-Za-z0-9_-]{40,}/.test(text)) found.add(file);
  }
  return [...found];
}
