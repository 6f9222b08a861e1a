import * as path from "node:path";
import { isoDate } from "../core/audit-events.js";
import { parseDocument } from "../core/frontmatter.js";
import type { DocMeta } from "../core/meta.js";
import { pythonJsonPretty } from "../core/pyjson.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { step } from "../core/next.js";
import { auditEvent, newChange } from "../store/change.js";
import { InitFiles } from "../store/init-files.js";
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
  return new InitFiles("", seedDir)
    .seedNames("templates")
    .filter((f) => /^TEMPLATE-[A-Z0-9_]+\.md$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The paths (relative to the root) that already exist and block `init`. */
export function initBlockers(root: string): string[] {
  const files = new InitFiles(root, SEED_DIR);
  return INIT_BLOCKERS.filter((rel) => files.exists(rel));
}

/** What `init` will create, one line per artifact, for the confirmation prompt (REQ-INIT-012). */
export function initPlan(root: string, createMarker = false): string[] {
  const templates = seededTemplateIds();
  const files = new InitFiles(root, SEED_DIR);
  const lines = [
    `${CONFIG_FILE} (version 1.0, created timestamp, sdlc_namespaces, owner_tasks on)`,
    `QMS/ with ${QMS_DIRS.map((d) => `${d}/`).join(", ")}`,
    `QMS/TEMPLATE/: ${templates.length} templates (${templates.join(", ")}), EFFECTIVE 1.0, with .meta and .audit records`,
    `.claude/users/{${DEFAULT_USERS.join(",")}}/workspace/ and inbox/`,
    `.claude/agents/qa.md (group quality), .claude/agents/tu.md (group reviewer)`,
    `.claude/hooks/${HOOK_FILES.join(", .claude/hooks/")} (write guard for QMS/.meta, .audit, .archive, qms-cli/)`,
  ];
  if (!files.exists(".claude/settings.json")) lines.push(".claude/settings.json (registers the write guard hook)");
  lines.push("CLAUDE.md (starter instructions for the claude orchestrator)");
  if (createMarker && !files.exists(MARKER_FILE)) lines.push(`${MARKER_FILE} (project marker)`);
  return lines;
}

/** `qms init` (spec §2.3, REQ-INIT-001..012): every check before the first write. */
export function initProject(input: { root: string; createMarker: boolean; now?: Date; seedDir?: string }): ServiceResult<InitData> {
  return runService(() => {
    const now = input.now ?? new Date();
    const seedDir = input.seedDir ?? SEED_DIR;
    const root = path.resolve(input.root);
    const files = new InitFiles(root, seedDir);
    if (!files.isDirectory()) {
      fail("not-found", `Cannot initialize ${root}: it is not an existing directory.`, `Create it first (mkdir -p ${root}) or pass another --root.`);
    }
    const blockers = initBlockers(root);
    if (blockers.length > 0) {
      fail(
        "already-exists",
        `Refusing to initialize ${root}: ${blockers.map((b) => `'${b}'`).join(", ")} already exist${blockers.length === 1 ? "s" : ""}. Nothing was changed.`,
        step("inbox", undefined, { user: "claude", lead: "init only sets up a fresh project; remove or move those files first, or use the existing project as it is, e.g." }),
      );
    }
    const templates = seededTemplateIds(seedDir);
    const missingSeed = [
      ...(templates.length === 0 ? ["templates/TEMPLATE-*.md"] : []),
      ...Object.keys(SEEDED_AGENTS).map((a) => `agents/${a}.md`),
      ...HOOK_FILES.map((h) => `hooks/${h}`),
      "claude.md",
    ].filter((rel) => rel.includes("*") || !files.seedExists(rel));
    if (missingSeed.length > 0) {
      fail("not-available", `The qms package is incomplete: seed file(s) ${missingSeed.join(", ")} missing under ${seedDir}.`, "Reinstall the qms package.");
    }
    // read everything before writing anything
    const seedTemplates = templates.map((id) => {
      const text = files.seedText(`templates/${id}.md`) ?? "";
      const title = parseDocument(text).frontmatter.title;
      return { id, text, title: typeof title === "string" && title.trim() !== "" ? title : id };
    });

    files.claimQmsFolder();
    const created = files.created;
    let markerCreated = false;
    if (input.createMarker && !files.exists(MARKER_FILE)) {
      files.write(MARKER_FILE, "This directory is a QMS project root (created by qms init).\n");
      markerCreated = true;
    }
    // owner_tasks: every hand-off is an inbox task (agents-and-hub §3); the Python tool ignores the key
    files.write(CONFIG_FILE, `${pythonJsonPretty({ version: "1.0", created: pythonUtcTimestamp(now), sdlc_namespaces: [], owner_tasks: true })}\n`);
    // "QMS/" was claimed first; keep it listed after the config file, as before
    created.splice(created.indexOf("QMS/"), 1);
    created.push("QMS/");
    for (const d of QMS_DIRS) files.mkdir(`QMS/${d}`);

    const project = new Project(root);
    for (const user of DEFAULT_USERS) {
      project.users.ensureUserFolders(user);
      files.note(`${project.users.relative(project.users.workspaceDir(user))}/`);
      files.note(`${project.users.relative(project.users.inboxDir(user))}/`);
    }
    for (const agent of Object.keys(SEEDED_AGENTS)) {
      const target = `.claude/agents/${agent}.md`;
      if (files.exists(target)) continue; // tu.md is not a blocker: keep the project's own definition
      files.copySeed(`agents/${agent}.md`, target);
    }

    for (const t of seedTemplates) {
      const doc = project.parseId(t.id);
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
      const change = newChange(doc);
      change.effective = t.text;
      change.meta = meta;
      auditEvent(change, "CREATE", "system", "1.0", { title: t.title });
      auditEvent(change, "EFFECTIVE", "system", "1.0", { from_version: "1.0" });
      project.apply(change, { now });
      files.note(project.pathOf(doc, "effective"));
      files.note(project.relative(project.metaPath(doc)));
      files.note(project.relative(project.auditPath(doc)));
    }

    for (const h of HOOK_FILES) {
      const target = `.claude/hooks/${h}`;
      if (files.exists(target)) continue;
      files.copySeed(`hooks/${h}`, target);
    }
    let settingsCreated = false;
    if (!files.exists(".claude/settings.json")) {
      files.write(".claude/settings.json", `${JSON.stringify(HOOK_SETTINGS, null, 2)}\n`);
      settingsCreated = true;
    }
    files.write("CLAUDE.md", files.seedText("claude.md") ?? "");

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
    ];
    return success(data, lines, {
      next: [
        step("create", undefined, { user: "claude", args: { doc_type: "SOP", title: "Document Control" } }),
        step("inbox", undefined, { user: "claude" }),
        step("mcp", undefined, { lead: "The MCP server for Claude Code (see the qms docs/mcp-server.md)" }),
      ],
    });
  });
}

/** `2026-11-24T06:45:26.694000+00:00`: Python's `datetime.now(timezone.utc).isoformat()` layout. */
function pythonUtcTimestamp(now: Date): string {
  return `${now.toISOString().slice(0, 23)}000+00:00`;
}
