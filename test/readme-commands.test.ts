import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { QMS_BIN, REPO_ROOT, tempDir } from "./helpers.js";

/**
 * The README's command lines, run as a reader would run them (issue 9): every line of its ```bash blocks that
 * can run here, top to bottom, in one shell, starting in an empty git repository.
 */

/** A logical command line of a code block: continuation lines and heredoc bodies joined. */
export function commandLines(markdown: string): string[][] {
  const blocks: string[][] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(bash|sh)\s*$/.test(lines[i]!)) continue;
    const block: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) {
      let line = lines[i]!;
      while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
      const heredoc = /<<-?\s*'?([A-Za-z_]+)'?/.exec(line);
      if (heredoc) {
        const body: string[] = [line];
        while (i + 1 < lines.length && lines[i + 1] !== heredoc[1]) body.push(lines[++i]!);
        body.push(lines[++i] ?? "");
        line = body.join("\n");
      }
      if (line.trim() !== "" && !line.trimStart().startsWith("#")) block.push(line);
    }
    blocks.push(block);
  }
  return blocks;
}

/** Programs a reader can run here; anything else (npm, git, docker, claude, the launcher script…) is skipped. */
const RUNNABLE = new Set(["qms", "qms-mcp", "cat", "mkdir", "cd"]);
/** qms commands that need a container engine, a live server or a terminal: shown in the README, not run. */
const NOT_HERE = new Set(["session", "doctor", "proxy", "container-entrypoint", "ui"]);
/** The README's placeholders, as the reader fills them in. */
const FILL: Record<string, string> = { "<label|id-prefix>": "laptop" };

/** The shell line to run for one README line, or undefined when it cannot run here. */
export function runnable(line: string): string | undefined {
  const [first, ...heredocBody] = line.split("\n");
  let cmd = first!.replace(/\s+#\s.*$/, "").trim();
  for (const [shown, value] of Object.entries(FILL)) cmd = cmd.split(shown).join(value);
  cmd = cmd.replace(/\[(--[^\]]+)\]/g, "$1");
  const parts = cmd.split(/\s*(?:&&|;)\s*/);
  for (const part of parts) {
    const [program, sub] = part.split(/\s+/);
    if (!RUNNABLE.has(program ?? "")) return undefined;
    if (program === "qms" && sub !== undefined) {
      const words = part.split(/\s+/).filter((w, i, all) => !(w === "--user" || w === "-u" || all[i - 1] === "--user" || all[i - 1] === "-u"));
      if (NOT_HERE.has(words[1] ?? "")) return undefined;
    }
  }
  const unknown = /<[a-z][^>\s]*>/i.exec(cmd);
  if (unknown && !/<</.test(cmd)) throw new Error(`README line ${JSON.stringify(first)} holds a placeholder ${unknown[0]} this test cannot fill`);
  const shell = parts.map((p) => p.replace(/^qms-mcp(\s|$)/, "check_mcp$1").replace(/^qms mcp(\s|$)/, "check_mcp$1")).join(" && ");
  return [shell, ...heredocBody].join("\n");
}

describe("the README's commands run as shown", () => {
  const made: string[] = [];
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });

  test("REQ-UX-012: every command line of the README that can run here (init, create, route, review, approve, list, token, mcp) succeeds, and the quick start ends with an EFFECTIVE SOP-001", () => {
    const repo = tempDir("qms-readme-");
    const home = tempDir("qms-readme-home-");
    const bin = tempDir("qms-readme-bin-");
    made.push(repo, home, bin);
    fs.writeFileSync(path.join(bin, "qms"), `#!/bin/sh\nexec "${process.execPath}" "${QMS_BIN}" "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "qms-mcp"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO_ROOT, "bin", "qms-mcp.js")}" "$@"\n`, { mode: 0o755 });
    assert.equal(spawnSync("git", ["init", "-q", repo]).status, 0);

    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const lines = commandLines(readme)
      .flat()
      .map((l) => ({ shown: l.split("\n")[0]!, run: runnable(l) }))
      .filter((l): l is { shown: string; run: string } => l.run !== undefined);
    const ran = new Set(lines.flatMap((l) => [...l.run.matchAll(/(?:^|&& )(?:qms(?: --user \S+)? (\S+)|check_mcp)/gm)].map((m) => m[1] ?? "mcp")));
    for (const c of ["init", "create", "route", "review", "approve", "list", "token", "mcp"]) assert.ok(ran.has(c), `the README shows a runnable 'qms ${c}' line (ran: ${[...ran].join(", ")})`);

    const script = [
      "set -eu",
      // `qms mcp …` lines start servers: check instead that `qms mcp --help` knows every option they use
      'check_mcp() { help=$(qms mcp --help); for a in "$@"; do case "$a" in --*) printf "%s" "$help" | grep -q -- "$(printf "%s" "$a" | cut -d= -f1)" || { echo "qms mcp has no option $a" >&2; return 1; };; esac; done; }',
      ...lines.flatMap((l, i) => [`echo ${JSON.stringify(`### ${i + 1}: ${l.shown}`)}`, l.run]),
      `cd ${JSON.stringify(repo)} && qms --user qa status SOP-001`,
    ].join("\n");
    const r = spawnSync("bash", ["-c", script], {
      cwd: repo,
      encoding: "utf8",
      env: { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, QMS_TOKEN_STORE: path.join(home, "tokens.json"), QMS_USER: "" },
      timeout: 120000,
    });
    assert.equal(r.status, 0, `a README line failed:\n${r.stdout.split("\n").slice(-25).join("\n")}\n${r.stderr}`);
    assert.match(r.stdout, /Document: SOP-001\n(?:.*\n)*Version: 1\.0\nStatus: EFFECTIVE/);
    assert.ok(fs.existsSync(path.join(home, "my-project", "qms.config.json")), "the container section's init ran in ~/my-project");
  });

  test("REQ-UX-012: the README parser keeps heredocs whole and skips what cannot run here", () => {
    const blocks = commandLines(["```bash", "qms init --yes   # here", "cat > f <<'EOF'", "# not a comment", "EOF", "npm link", "qms session up", "```"].join("\n"));
    assert.deepEqual(blocks, [["qms init --yes   # here", "cat > f <<'EOF'\n# not a comment\nEOF", "npm link", "qms session up"]]);
    assert.equal(runnable("qms init --yes   # here"), "qms init --yes");
    assert.equal(runnable("npm link"), undefined);
    assert.equal(runnable("qms --user lead session up"), undefined);
    assert.equal(runnable("qms mcp --transport streamable-http [--port 8000]"), "check_mcp --transport streamable-http --port 8000");
    assert.throws(() => runnable("qms --user claude status <DOC>"), /placeholder <DOC>/);
  });
});
