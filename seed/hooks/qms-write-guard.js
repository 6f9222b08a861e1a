#!/usr/bin/env node
// QMS write guard: a Claude Code PreToolUse hook.
//
// Blocks direct edits of the files the qms CLI owns: QMS/.meta, QMS/.audit, QMS/.archive and qms-cli/.
// Those files change only through `qms` commands (or the QMS MCP tools), which check permissions, keep the
// audit trail and write atomically. Exit code 2 tells Claude Code to refuse the tool call and show the
// message on stderr to the agent; exit code 0 lets the call through.
//
// Works whether the project treats .js files as CommonJS or as ES modules: it only uses dynamic import().
"use strict";

/** Protected folders, each written with its trailing slash. */
const PROTECTED = ["QMS/.meta/", "QMS/.audit/", "QMS/.archive/", "qms-cli/"];
const FILE_TOOLS = new Set(["Edit", "Write", "MultiEdit", "NotebookEdit"]);

(async () => {
  const path = await import("node:path");
  const input = await readStdin();
  let event;
  try {
    event = JSON.parse(input);
  } catch {
    process.exit(0); // not a hook payload: nothing to judge
  }
  if (!event || typeof event !== "object") process.exit(0);
  const tool = String(event.tool_name ?? "");
  const args = event.tool_input && typeof event.tool_input === "object" ? event.tool_input : {};
  const cwd = typeof event.cwd === "string" && event.cwd ? event.cwd : process.cwd();
  const root = projectRoot(path, cwd);

  const isProtected = (target) => {
    if (typeof target !== "string" || target.trim() === "") return false;
    let t = target.trim().replace(/^["']|["']$/g, "");
    if (t.startsWith("~")) return false;
    const abs = path.resolve(cwd, t);
    const rel = path.relative(root, abs).split(path.sep).join("/");
    if (rel.startsWith("..") || path.isAbsolute(rel)) return false;
    return PROTECTED.some((p) => rel === p.slice(0, -1) || rel.startsWith(p));
  };

  let blocked;
  if (FILE_TOOLS.has(tool)) {
    const target = args.file_path ?? args.notebook_path ?? args.path;
    if (isProtected(target)) blocked = String(target);
  } else if (tool === "Bash") {
    blocked = bashWriteTarget(String(args.command ?? ""), isProtected);
  }
  if (blocked === undefined) process.exit(0);
  process.stderr.write(
    [
      `Blocked by the QMS write guard: ${tool} would modify ${blocked}.`,
      "QMS/.meta, QMS/.audit, QMS/.archive and qms-cli/ are maintained by the qms CLI only; editing them by hand",
      "breaks the audit trail. Use the qms commands or the QMS MCP tools instead, for example:",
      "  qms --user <you> status <DOC_ID>      (qms_status)",
      "  qms --user <you> checkout <DOC_ID>    then edit .claude/users/<you>/workspace/<DOC_ID>.md",
      "  qms --user <you> checkin <DOC_ID>     (qms_checkin)",
      "",
    ].join("\n"),
  );
  process.exit(2);
})();

function readStdin() {
  return new Promise((resolve) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => {
      data += chunk;
    });
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", () => resolve(data));
  });
}

/** The project root: $CLAUDE_PROJECT_DIR, else the folder above .claude/hooks/, else the nearest qms.config.json. */
function projectRoot(path, cwd) {
  if (process.env.CLAUDE_PROJECT_DIR) return path.resolve(process.env.CLAUDE_PROJECT_DIR);
  const script = process.argv[1] ? path.resolve(process.argv[1]) : "";
  const hooksDir = path.dirname(script);
  if (path.basename(hooksDir) === "hooks" && path.basename(path.dirname(hooksDir)) === ".claude") {
    return path.dirname(path.dirname(hooksDir));
  }
  return cwd;
}

/**
 * A protected path an obviously-writing shell command targets: output redirection (> or >>), tee, or
 * rm/mv/cp/touch/truncate/sed -i/dd/ln/chmod/mkdir naming it. Reading (cat, grep, ls) is allowed.
 */
function bashWriteTarget(command, isProtected) {
  const words = (segment) => segment.match(/"[^"]*"|'[^']*'|[^\s]+/g) ?? [];
  for (const m of command.matchAll(/(?:^|[^0-9&<>])(?:[0-9]|&)?>>?\|?\s*("[^"]*"|'[^']*'|[^\s;&|<>()]+)/g)) {
    if (isProtected(m[1])) return m[1];
  }
  for (const segment of command.split(/&&|\|\||[;|\n]/)) {
    const w = words(segment.trim());
    let i = 0;
    while (i < w.length && /^(sudo|env|command|builtin|exec|nohup|time|[A-Za-z_][A-Za-z0-9_]*=.*)$/.test(w[i])) i++;
    const cmd = (w[i] ?? "").split("/").pop();
    const rest = w.slice(i + 1).filter((a) => !a.startsWith("-"));
    const writes =
      ["tee", "rm", "rmdir", "mv", "cp", "touch", "truncate", "dd", "ln", "chmod", "chown", "mkdir", "install", "rsync", "unlink"].includes(cmd) ||
      (cmd === "sed" && w.slice(i + 1).some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith("--in-place"))) ||
      (cmd === "perl" && w.slice(i + 1).some((a) => /^-[a-zA-Z]*i/.test(a)));
    if (!writes) continue;
    const targets = cmd === "dd" ? rest.filter((a) => a.startsWith("of=")).map((a) => a.slice(3)) : cmd === "cp" || cmd === "install" || cmd === "rsync" || cmd === "ln" ? rest.slice(-1) : rest;
    for (const t of targets) if (isProtected(t)) return t.replace(/^["']|["']$/g, "");
  }
  return undefined;
}
