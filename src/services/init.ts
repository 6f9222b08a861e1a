import * as fs from "node:fs";
import * as path from "node:path";
import { isoDate } from "../core/audit-events.js";
import { parseDocument } from "../core/frontmatter.js";
import type { DocMeta } from "../core/meta.js";
import { pythonJsonPretty } from "../core/pyjson.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { copyFileAtomic, ensureDir, exists, listDir, readTextIfExists, writeFileAtomic } from "../store/fsio.js";
import { Project } from "../store/project.js";
import { CONFIG_FILE } from "../store/root.js";
import { runService } from "./context.js";
import { packagePath } from "../store/package-root.js";

/** The package's seed/ folder (same answer from the tsc output and the CLI bundle). */
export const SEED_DIR = packagePath("seed");

export const MARKER_FILE = ".claude-qms";
export const DEFAULT_USERS = ["lead", "claude", "qa", "tu"] as const;
export const SEEDED_AGENTS: Readonly<Record<string, string>> = { qa: "quality", tu: "reviewer" };
const QMS_DIRS = ["CR", "INV", "TEMPLATE", ".meta", ".audit", ".archive"] as const;
const HOOK_FILES = ["qms-write-guard.js", "README.md"] as const;

/** Existing paths that make `init` refuse (REQ-INIT-009), relative to the root. */
export const INIT_BLOCKERS = ["QMS", ".claude/users", ".claude/agents/qa.md", "CLAUDE.md", CONFIG_FILE] as const;

/** Registration of the write guard, written only when the project has no `.claude/settings.json`. */
export const HOOK_SETTINGS = {
  hooks: {
    PreToolUse: [
      {
        matcher: "Edit|Write|MultiEdit|NotebookEdit|Bash",
        hooks: [{ type: "command", command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/qms-write-guard.js"' }],
      },
    ],
  },
};

export interface InitData {
  root: string;
  created: string[];
  templates: string[];
  users: string[];
  marker_created: boolean;
  settings_created: boolean;
}

/** Template IDs shipped in seed/templates (TEMPLATE-ADD … TEMPLATE-VR). */
export function seededTemplateIds(seedDir = SEED_DIR): string[] {
  return listDir(path.join(seedDir, "templates"))
    .filter((f) => /^TEMPLATE-[A-Z0-9_]+\.md$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The paths (relative to the root) that already exist and block `init`. */
export function initBlockers(root: string): string[] {
  return INIT_BLOCKERS.filter((rel) => exists(path.join(root, rel)));
}

/** What `init` will create, one line per artifact, for the confirmation prompt (REQ-INIT-012). */
export function initPlan(root: string, createMarker = false): string[] {
  const templates = seededTemplateIds();
  const lines = [
    `${CONFIG_FILE} (version 1.0, created timestamp, sdlc_namespaces)`,
    `QMS/ with ${QMS_DIRS.map((d) => `${d}/`).join(", ")}`,
    `QMS/TEMPLATE/: ${templates.length} templates (${templates.join(", ")}), EFFECTIVE 1.0, with .meta and .audit records`,
    `.claude/users/{${DEFAULT_USERS.join(",")}}/workspace/ and inbox/`,
    `.claude/agents/qa.md (group quality), .claude/agents/tu.md (group reviewer)`,
    `.claude/hooks/${HOOK_FILES.join(", .claude/hooks/")} (write guard for QMS/.meta, .audit, .archive, qms-cli/)`,
  ];
  if (!exists(path.join(root, ".claude", "settings.json"))) lines.push(".claude/settings.json (registers the write guard hook)");
  lines.push("CLAUDE.md (starter instructions for the claude orchestrator)");
  if (createMarker && !exists(path.join(root, MARKER_FILE))) lines.push(`${MARKER_FILE} (project marker)`);
  return lines;
}

/** `qms init` (spec §2.3, REQ-INIT-001..012): every check before the first write. */
export function initProject(input: { root: string; createMarker: boolean; now?: Date; seedDir?: string }): ServiceResult<InitData> {
  return runService(() => {
    const now = input.now ?? new Date();
    const seedDir = input.seedDir ?? SEED_DIR;
    const root = path.resolve(input.root);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(root);
    } catch {
      stat = undefined;
    }
    if (!stat?.isDirectory()) {
      fail("not-found", `Cannot initialize ${root}: it is not an existing directory.`, `Create it first (mkdir -p ${root}) or pass another --root.`);
    }
    const blockers = initBlockers(root);
    if (blockers.length > 0) {
      fail(
        "already-exists",
        `Refusing to initialize ${root}: ${blockers.map((b) => `'${b}'`).join(", ")} already exist${blockers.length === 1 ? "s" : ""}. Nothing was changed.`,
        "init only sets up a fresh project; remove or move those files first, or use the existing project as it is (e.g. qms --user claude inbox).",
      );
    }
    const templates = seededTemplateIds(seedDir);
    const missingSeed = [
      ...(templates.length === 0 ? ["templates/TEMPLATE-*.md"] : []),
      ...Object.keys(SEEDED_AGENTS).map((a) => `agents/${a}.md`),
      ...HOOK_FILES.map((h) => `hooks/${h}`),
      "claude.md",
    ].filter((rel) => rel.includes("*") || !exists(path.join(seedDir, rel)));
    if (missingSeed.length > 0) {
      fail("not-available", `The qms package is incomplete: seed file(s) ${missingSeed.join(", ")} missing under ${seedDir}.`, "Reinstall the qms package.");
    }
    // read everything before writing anything
    const seedTemplates = templates.map((id) => {
      const text = fs.readFileSync(path.join(seedDir, "templates", `${id}.md`), "utf8");
      const title = parseDocument(text).frontmatter.title;
      return { id, text, title: typeof title === "string" && title.trim() !== "" ? title : id };
    });

    // Claim the project atomically: a concurrent init loses here, before it wrote anything.
    const qmsRoot = path.join(root, "QMS");
    try {
      fs.mkdirSync(qmsRoot);
    } catch {
      fail("already-exists", `Refusing to initialize ${root}: 'QMS' already exists. Nothing was changed.`, "Another init may be running.");
    }

    const created: string[] = [];
    const rel = (p: string): string => path.relative(root, p).split(path.sep).join("/");
    const mkdir = (p: string): void => {
      ensureDir(p);
      created.push(`${rel(p)}/`);
    };
    const write = (p: string, content: string): void => {
      writeFileAtomic(p, content);
      created.push(rel(p));
    };

    let markerCreated = false;
    if (input.createMarker && !exists(path.join(root, MARKER_FILE))) {
      write(path.join(root, MARKER_FILE), "This directory is a QMS project root (created by qms init).\n");
      markerCreated = true;
    }
    write(path.join(root, CONFIG_FILE), `${pythonJsonPretty({ version: "1.0", created: pythonUtcTimestamp(now), sdlc_namespaces: [] })}\n`);
    created.push("QMS/");
    for (const d of QMS_DIRS) mkdir(path.join(qmsRoot, d));

    const project = new Project(root);
    for (const user of DEFAULT_USERS) {
      project.users.ensureUserFolders(user);
      created.push(`${rel(project.users.workspaceDir(user))}/`, `${rel(project.users.inboxDir(user))}/`);
    }
    for (const agent of Object.keys(SEEDED_AGENTS)) {
      const target = project.agentFile(agent);
      if (exists(target)) continue; // tu.md is not a blocker: keep the project's own definition
      copyFileAtomic(path.join(seedDir, "agents", `${agent}.md`), target);
      created.push(rel(target));
    }

    for (const t of seedTemplates) {
      const doc = project.parseId(t.id);
      write(project.effectivePath(doc), t.text);
      const meta: DocMeta = {
        doc_id: t.id,
        doc_type: "TEMPLATE",
        version: "1.0",
        status: "EFFECTIVE",
        executable: false,
        responsible_user: null,
        checked_out: false,
        checked_out_date: null,
        effective_version: "1.0",
        supersedes: null,
        pending_assignees: [],
        pending_reviewers: [],
        completed_reviewers: [],
        review_outcomes: {},
        approval_date: isoDate(now),
      };
      project.writeMeta(doc, meta);
      created.push(rel(project.metaPath(doc)));
      project.appendAudit(doc, "CREATE", "system", "1.0", { title: t.title }, now);
      project.appendAudit(doc, "EFFECTIVE", "system", "1.0", { from_version: "1.0" }, now);
      created.push(rel(project.auditPath(doc)));
    }

    const hooksDir = path.join(root, ".claude", "hooks");
    for (const h of HOOK_FILES) {
      const target = path.join(hooksDir, h);
      if (exists(target)) continue;
      copyFileAtomic(path.join(seedDir, "hooks", h), target);
      created.push(rel(target));
    }
    const settings = path.join(root, ".claude", "settings.json");
    let settingsCreated = false;
    if (!exists(settings)) {
      write(settings, `${JSON.stringify(HOOK_SETTINGS, null, 2)}\n`);
      settingsCreated = true;
    }
    write(path.join(root, "CLAUDE.md"), readTextIfExists(path.join(seedDir, "claude.md")) ?? "");

    const data: InitData = {
      root,
      created,
      templates: seedTemplates.map((t) => t.id),
      users: [...DEFAULT_USERS],
      marker_created: markerCreated,
      settings_created: settingsCreated,
    };
    const lines = [
      `Initialized QMS project at ${root}`,
      "",
      "Created:",
      `  ${CONFIG_FILE}`,
      `  QMS/ (${QMS_DIRS.join(", ")})`,
      `  QMS/TEMPLATE/: ${data.templates.join(", ")} (EFFECTIVE 1.0)`,
      `  .claude/users/: ${DEFAULT_USERS.join(", ")} (workspace/ and inbox/)`,
      "  .claude/agents/: qa.md (quality), tu.md (reviewer)",
      "  .claude/hooks/: qms-write-guard.js, README.md",
      ...(settingsCreated ? ["  .claude/settings.json (write guard registered)"] : ["  .claude/settings.json already existed: register the hook yourself (see .claude/hooks/README.md)"]),
      "  CLAUDE.md",
      ...(markerCreated ? [`  ${MARKER_FILE}`] : []),
      "",
      "Next steps:",
      `  cd ${root}`,
      '  qms --user claude create SOP --title "Document Control"',
      "  qms --user claude inbox",
      "  qms mcp        (MCP server for Claude Code; see the qms docs/mcp-server.md)",
    ];
    return success(data, lines);
  });
}

/** `2026-11-24T06:45:26.694000+00:00`: Python's `datetime.now(timezone.utc).isoformat()` layout. */
function pythonUtcTimestamp(now: Date): string {
  return `${now.toISOString().slice(0, 23)}000+00:00`;
}
