/**
 * The engine commit of a `commit: true` VR prompt (spec §9.3, REQ-INT-020/021): stage everything in the
 * project's working tree that `.gitignore` does not exclude, minus the users' container folders and any
 * credential store inside the project, and commit it as the acting user. Skipped silently when the project
 * is not a git repository, nothing changed, or git fails.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export interface EvidenceCommitInput {
  message: string;
  /** The acting user: the commit's author name. */
  authorName: string;
  now: Date;
  /** Further files or folders never to commit (e.g. a token or head store that lives inside the project). */
  exclude?: string[];
}

export type EvidenceCommitResult = { hash: string; fullHash: string } | { skipped: string };

/** Paths no evidence commit may contain, relative to the project root. */
const ALWAYS_EXCLUDED = [".claude/users/*/container"];
const GIT_TIMEOUT_MS = 60_000;

export function commitEvidence(root: string, input: EvidenceCommitInput): EvidenceCommitResult {
  const env = gitEnv(input);
  const git = (args: string[]): string =>
    execFileSync("git", args, { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  try {
    if (git(["rev-parse", "--is-inside-work-tree"]).trim() !== "true") return { skipped: "not a git working tree" };
  } catch {
    return { skipped: "not a git repository" };
  }
  const pathspec = [".", ...exclusions(root, input.exclude ?? [])];
  try {
    git(["add", "-A", "--", ...pathspec]);
    if (stagedNothing(git, pathspec)) return { skipped: "nothing to commit" };
    const identity = committerIdentity(git);
    git([...identity, "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", input.message, "--", ...pathspec]);
    const fullHash = git(["rev-parse", "HEAD"]).trim();
    return { hash: fullHash.slice(0, 7), fullHash };
  } catch (e) {
    return { skipped: `git failed: ${firstLine(e)}` };
  }
}

function exclusions(root: string, extra: string[]): string[] {
  const specs: string[] = [];
  for (const pattern of ALWAYS_EXCLUDED) specs.push(`:(exclude,glob)${pattern}`, `:(exclude,glob)${pattern}/**`);
  for (const p of extra) {
    const rel = path.relative(path.resolve(root), path.resolve(root, p));
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const literal = rel.split(path.sep).join("/").replace(/[*?[\]\\]/g, "\\$&");
    specs.push(`:(exclude,glob)${literal}`, `:(exclude,glob)${literal}/**`);
  }
  return specs;
}

function stagedNothing(git: (args: string[]) => string, pathspec: string[]): boolean {
  try {
    git(["diff", "--cached", "--quiet", "--", ...pathspec]);
    return true;
  } catch (e) {
    // exit 1 = differences; anything else (e.g. no HEAD yet) is decided by listing the index
    if ((e as { status?: number }).status === 1) return false;
    return git(["ls-files", "--", ...pathspec]).trim() === "";
  }
}

/** The repository's committer when it has one configured, else a system identity. */
function committerIdentity(git: (args: string[]) => string): string[] {
  const configured = (key: string): boolean => {
    try {
      return git(["config", "--get", key]).trim() !== "";
    } catch {
      return false;
    }
  };
  const args: string[] = [];
  if (!configured("user.name")) args.push("-c", "user.name=QMS");
  if (!configured("user.email")) args.push("-c", "user.email=qms@localhost");
  return args;
}

function gitEnv(input: EvidenceCommitInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // a caller running inside a git hook must not redirect us to another repository or index
  for (const key of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"]) delete env[key];
  const date = input.now.toISOString();
  return {
    ...env,
    GIT_AUTHOR_NAME: input.authorName,
    GIT_AUTHOR_EMAIL: `${input.authorName}@qms.local`,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
    GIT_TERMINAL_PROMPT: "0",
  };
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string | Buffer; message?: string };
  const text = (err.stderr ? String(err.stderr) : "") || err.message || String(e);
  return text.trim().split("\n")[0] ?? "";
}
