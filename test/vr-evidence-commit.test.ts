import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { evidenceCommitMessage } from "../src/core/vr/evidence.js";
import { commitEvidence } from "../src/store/evidence-commit.js";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function tempProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qms-"));
  made.push(dir);
  return dir;
}

const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** A git project with one commit, a .gitignore and a user's container folder. */
function gitProject(): string {
  const root = tempProject();
  git(root, "init", "-q");
  git(root, "config", "user.name", "Repo Owner");
  git(root, "config", "user.email", "owner@example.com");
  write(root, ".gitignore", "build/\n*.log\n");
  write(root, "src/app.txt", "v1\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
  return root;
}

const NOW = new Date("2026-03-01T10:02:10Z");
const MESSAGE = evidenceCommitMessage("CR-001-VR-001", "step_actual.1");

describe("VR evidence commit (spec §9.3, REQ-INT-020/021)", () => {
  it("REQ-INT-020: the commit message is [QMS] {DOC_ID} | {context} | {prompt_id}", () => {
    assert.equal(MESSAGE, "[QMS] CR-001-VR-001 | Evidence capture during VR execution | step_actual.1");
    assert.equal(evidenceCommitMessage("CR-001-VR-001", "objective", "Amendment"), "[QMS] CR-001-VR-001 | Amendment | objective");
  });

  it("REQ-INT-021: every change in the working tree is committed as the acting user, with a 7-character hash", () => {
    const root = gitProject();
    write(root, "src/app.txt", "v2\n");
    write(root, "QMS/.meta/VR/CR-001-VR-001.source.json", "{}");
    write(root, ".claude/users/claude/workspace/CR-001-VR-001.interact", "{}");
    fs.rmSync(path.join(root, ".gitignore"));
    const result = commitEvidence(root, { message: MESSAGE, authorName: "claude", now: NOW });
    assert.ok("hash" in result, JSON.stringify(result));
    assert.match(result.hash, /^[0-9a-f]{7}$/);
    assert.equal(git(root, "rev-parse", "HEAD").trim().slice(0, 7), result.hash);
    assert.equal(git(root, "log", "-1", "--format=%an|%s|%aI").trim(), `claude|${MESSAGE}|2026-03-01T10:02:10+00:00`);
    assert.equal(git(root, "log", "-1", "--format=%cn").trim(), "Repo Owner", "the repository's committer");
    const files = git(root, "show", "--name-status", "--format=", "HEAD").trim().split("\n").sort();
    assert.deepEqual(files, ["A\t.claude/users/claude/workspace/CR-001-VR-001.interact", "A\tQMS/.meta/VR/CR-001-VR-001.source.json", "D\t.gitignore", "M\tsrc/app.txt"]);
    assert.equal(git(root, "status", "--porcelain"), "");
  });

  it("REQ-INT-021: ignored files, users' container folders and named stores are never committed", () => {
    const root = gitProject();
    write(root, "build/out.bin", "x");
    write(root, "debug.log", "x");
    write(root, ".claude/users/claude/container/home/.bash_history", "secret");
    write(root, ".claude/users/lead/container", "a file named container");
    write(root, "secrets/tokens.json", "{\"t\":1}");
    write(root, "notes.md", "evidence\n");
    // pre-staged by someone else: stays staged, is not part of the evidence commit
    git(root, "add", "-f", ".claude/users/claude/container/home/.bash_history");
    const result = commitEvidence(root, { message: MESSAGE, authorName: "claude", now: NOW, exclude: [path.join(root, "secrets", "tokens.json"), "/elsewhere/heads.json"] });
    assert.ok("hash" in result, JSON.stringify(result));
    assert.equal(git(root, "show", "--name-only", "--format=", "HEAD").trim(), "notes.md");
    assert.match(git(root, "status", "--porcelain"), /^A {2}\.claude\/users\/claude\/container\/home\/\.bash_history$/m);
  });

  it("REQ-INT-020: nothing changed, or not a git repository: skipped silently", () => {
    const root = gitProject();
    const head = git(root, "rev-parse", "HEAD");
    assert.deepEqual(commitEvidence(root, { message: MESSAGE, authorName: "claude", now: NOW }), { skipped: "nothing to commit" });
    write(root, ".claude/users/claude/container/x", "only excluded changes");
    assert.deepEqual(commitEvidence(root, { message: MESSAGE, authorName: "claude", now: NOW }), { skipped: "nothing to commit" });
    assert.equal(git(root, "rev-parse", "HEAD"), head);
    const plain = tempProject();
    write(plain, "a.txt", "x");
    const r = commitEvidence(plain, { message: MESSAGE, authorName: "claude", now: NOW });
    assert.ok("skipped" in r);
    assert.match(r.skipped, /not a git/);
  });

  it("REQ-INT-021: a repository without commits or identity still gets the evidence commit", () => {
    const root = tempProject();
    git(root, "init", "-q");
    write(root, "a.txt", "x");
    const env = { ...process.env, HOME: root, XDG_CONFIG_HOME: root, GIT_CONFIG_NOSYSTEM: "1" };
    const saved = { HOME: process.env.HOME, XDG: process.env.XDG_CONFIG_HOME, NOSYS: process.env.GIT_CONFIG_NOSYSTEM };
    Object.assign(process.env, env);
    try {
      const r = commitEvidence(root, { message: MESSAGE, authorName: "qa", now: NOW });
      assert.ok("hash" in r, JSON.stringify(r));
      assert.equal(git(root, "log", "-1", "--format=%an|%cn").trim(), "qa|QMS");
    } finally {
      for (const [key, value] of [["HOME", saved.HOME], ["XDG_CONFIG_HOME", saved.XDG], ["GIT_CONFIG_NOSYSTEM", saved.NOSYS]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("a project inside a larger repository commits only the project's own tree", () => {
    const outer = gitProject();
    const root = path.join(outer, "project");
    write(root, "QMS/x.md", "x");
    write(outer, "elsewhere.txt", "not ours");
    const r = commitEvidence(root, { message: MESSAGE, authorName: "claude", now: NOW });
    assert.ok("hash" in r, JSON.stringify(r));
    assert.equal(git(outer, "show", "--name-only", "--format=", "HEAD").trim(), "project/QMS/x.md");
  });
});
