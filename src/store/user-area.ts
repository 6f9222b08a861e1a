import * as path from "node:path";
import { parseDocument } from "../core/frontmatter.js";
import { isOwnerTaskFile } from "../core/owner-tasks.js";
import { VERSION } from "../core/package-version.js";
import { USER_NAME_PATTERN } from "../core/users.js";
import { fail } from "../core/result.js";
import { ContainedArea } from "./contained-fs.js";
import { ListingCache, type PersistedListing } from "./listing-cache.js";

/** Suffixes of a document's files in a workspace: the copy being edited, and an interactive (VR) session. */
const WORKSPACE_SUFFIXES = [".md", ".interact"] as const;

const TASK_WORKFLOW = /^(review|approval|pre_review|pre_approval|post_review|post_approval)-v[\d-]+\.md$/;

export type TaskFilter = "all" | "approval";

export interface StoredFile {
  /** Project-relative path with forward slashes. */
  path: string;
  name: string;
  text: string;
}

/** A listed file with its YAML frontmatter (what inbox and workspace show), served from the listing cache. */
export interface ListedFile {
  /** Project-relative path with forward slashes. */
  path: string;
  name: string;
  frontmatter: Record<string, unknown>;
}

const isTaskFile = (name: string): boolean => name.startsWith("task-") && name.endsWith(".md");
const isWorkspaceCopy = (name: string): boolean => name.endsWith(".md") && !name.startsWith(".");

/**
 * `.claude/users/{user}/{workspace,inbox}`: the part of a project that agents' containers write. Every access
 * goes through a ContainedArea (no links followed, no special files opened, reads capped), and user names are
 * checked against the user grammar before any path is built from them.
 */
export class UserArea {
  readonly usersRoot: string;
  private readonly files: ContainedArea;
  /** Inbox and workspace listings by stat (store/listing-cache.ts): a file is read again only when it changed. */
  readonly listings: ListingCache<Record<string, unknown>>;
  private persistDir: (() => string) | undefined;

  constructor(readonly root: string) {
    this.usersRoot = path.join(root, ".claude", "users");
    this.files = new ContainedArea(root);
    this.listings = new ListingCache(this.files, (text) => parseDocument(text).frontmatter);
  }

  /**
   * Keep large listings in files under `dir()` (outside the project: the per-project state folder), so that a
   * short-lived process (the CLI) starts from them instead of reading every task. Off by default; `dir` is
   * asked only when a listing is made.
   */
  persistListingsIn(dir: () => string): void {
    this.persistDir = dir;
  }

  workspaceDir(user: string): string {
    return path.join(this.userDir(user), "workspace");
  }

  inboxDir(user: string): string {
    return path.join(this.userDir(user), "inbox");
  }

  workspaceFile(user: string, docId: string): string {
    return path.join(this.workspaceDir(user), `${docId}.md`);
  }

  relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join("/");
  }

  /** Users that have a folder (a link or file in `.claude/users/` is not a user folder). */
  userFolders(): string[] {
    return this.files
      .list(this.usersRoot)
      .filter((e) => !e.isFile && USER_NAME_PATTERN.test(e.name))
      .map((e) => e.name)
      .filter((name) => {
        try {
          this.files.ensureDir(this.userDir(name));
          return true;
        } catch {
          return false; // a link named like a user: never entered
        }
      });
  }

  ensureUserFolders(user: string): void {
    this.files.ensureDir(this.workspaceDir(user));
    this.files.ensureDir(this.inboxDir(user));
  }

  // ---- workspace copies ----
  readWorkspaceCopy(user: string, docId: string): string | undefined {
    return this.files.read(this.workspaceFile(user, docId));
  }

  hasWorkspaceCopy(user: string, docId: string): boolean {
    return this.files.hasFile(this.workspaceFile(user, docId));
  }

  /** Write the copy a user edits; returns its project-relative path. */
  writeWorkspaceCopy(user: string, docId: string, text: string): string {
    const file = this.workspaceFile(user, docId);
    this.files.write(file, text);
    return this.relative(file);
  }

  /** Refuse now (before a change writes anything) if the copy could not be written: a linked folder, a folder in its place. */
  prepareWorkspaceCopy(user: string, docId: string): void {
    this.files.prepareWrite(this.workspaceFile(user, docId));
  }

  /** The same check for the inboxes that tasks are about to be written to. */
  prepareTasks(users: readonly string[], taskId: string): void {
    for (const user of users) this.files.prepareWrite(path.join(this.inboxDir(user), `${taskId}.md`));
  }

  removeWorkspaceCopy(user: string, docId: string): boolean {
    return this.files.remove(this.workspaceFile(user, docId));
  }

  // ---- interactive (VR) sessions: `{ID}.interact`, the source being authored (spec §9.2) ----
  sessionFile(user: string, docId: string): string {
    return path.join(this.workspaceDir(user), `${docId}.interact`);
  }

  readSession(user: string, docId: string): string | undefined {
    return this.files.read(this.sessionFile(user, docId));
  }

  prepareSession(user: string, docId: string): void {
    this.files.prepareWrite(this.sessionFile(user, docId));
  }

  writeSession(user: string, docId: string, text: string): string {
    const file = this.sessionFile(user, docId);
    this.files.write(file, text);
    return this.relative(file);
  }

  removeSession(user: string, docId: string): boolean {
    return this.files.remove(this.sessionFile(user, docId));
  }

  /**
   * A file an agent names relative to its own workspace (e.g. `interact --respond --file out.txt` over MCP):
   * read through the contained area, so a link, FIFO or folder is refused; a path that leaves the workspace
   * is refused. Undefined when there is no such file.
   */
  readWorkspaceFile(user: string, relativePath: string): string | undefined {
    const dir = this.workspaceDir(user);
    const file = path.resolve(dir, relativePath);
    const rel = path.relative(dir, file);
    if (relativePath.trim() === "" || rel === "" || rel.startsWith("..") || path.isAbsolute(relativePath) || path.isAbsolute(rel)) {
      fail("unsafe-file", `Refused ${JSON.stringify(relativePath.slice(0, 200))}: a file is named relative to your workspace and stays inside it.`, `Put the file in ${this.relative(dir)}/ and name it relative to that folder.`);
    }
    return this.files.read(file);
  }

  /** A document's workspace files in every user's workspace (relative paths), without touching them. */
  workspaceCopiesOf(docId: string): string[] {
    const found: string[] = [];
    for (const user of this.userFolders()) {
      for (const suffix of WORKSPACE_SUFFIXES) {
        const file = path.join(this.workspaceDir(user), `${docId}${suffix}`);
        if (this.files.hasFile(file)) found.push(this.relative(file));
      }
    }
    return found;
  }

  /** Remove a document's workspace copies (and interactive sessions) from every user's workspace. */
  removeWorkspaceCopies(docId: string): string[] {
    const removed: string[] = [];
    for (const user of this.userFolders()) {
      for (const suffix of WORKSPACE_SUFFIXES) {
        const file = path.join(this.workspaceDir(user), `${docId}${suffix}`);
        if (this.files.remove(file)) removed.push(this.relative(file));
      }
    }
    return removed;
  }

  /** A workspace's `.md` copies with their frontmatter, by name; entries that are not regular files are reported, never opened. */
  listWorkspaceFrontmatter(user: string): Array<ListedFile | { path: string; name: string; problem: string }> {
    const dir = this.workspaceDir(user);
    const relDir = this.relative(dir);
    return this.listings.list(dir, isWorkspaceCopy, this.persisted("workspace", user)).map((e) => {
      const rel = `${relDir}/${e.name}`;
      return "value" in e ? { path: rel, name: e.name, frontmatter: e.value } : { path: rel, name: e.name, problem: e.problem };
    });
  }

  /** A user's task files with their frontmatter, sorted by name; entries that are not regular files are skipped. */
  listTaskFrontmatter(user: string): ListedFile[] {
    const dir = this.inboxDir(user);
    const relDir = this.relative(dir);
    const out: ListedFile[] = [];
    for (const e of this.listings.list(dir, isTaskFile, this.persisted("inbox", user))) {
      if ("value" in e) out.push({ path: `${relDir}/${e.name}`, name: e.name, frontmatter: e.value });
    }
    return out;
  }

  private persisted(kind: "inbox" | "workspace", user: string): PersistedListing | undefined {
    // the user name passed the user grammar in userDir, so it is a plain file name
    return this.persistDir ? { file: path.join(this.persistDir(), `${kind}-${user}.json`), version: `frontmatter:${VERSION}` } : undefined;
  }

  /** Names of the regular files in a workspace (nothing read). */
  workspaceNames(user: string): string[] {
    return this.files
      .list(this.workspaceDir(user))
      .filter((e) => e.isFile)
      .map((e) => e.name);
  }

  /** The `.md` files of a workspace with their text; entries that are not regular files are reported, not read. */
  listWorkspace(user: string): Array<StoredFile | { path: string; name: string; problem: string }> {
    return this.readAll(this.workspaceDir(user), isWorkspaceCopy);
  }

  // ---- inbox tasks ----
  writeTask(user: string, taskId: string, text: string): string {
    const file = path.join(this.inboxDir(user), `${taskId}.md`);
    this.files.write(file, text);
    return this.relative(file);
  }

  /** A user's task files, sorted by name; entries that are not regular files are skipped. */
  listTasks(user: string): StoredFile[] {
    return this.readAll(this.inboxDir(user), isTaskFile).filter(
      (e): e is StoredFile => "text" in e,
    );
  }

  /** Task files of one document (relative paths): for one user or every user, all or only approval tasks. */
  tasksOf(docId: string, users: "everyone" | string = "everyone", which: TaskFilter = "all"): string[] {
    return this.matchingTasks(docId, users, which).map((f) => this.relative(f));
  }

  /** Remove `task-{DOC_ID}-*.md` files (REQ-TASK-003); returns the removed relative paths. */
  removeTasks(docId: string, users: "everyone" | string, which: TaskFilter = "all"): string[] {
    const removed: string[] = [];
    for (const file of this.matchingTasks(docId, users, which)) {
      if (this.files.remove(file)) removed.push(this.relative(file));
    }
    return removed;
  }

  /** Remove a user's owner tasks of one document (`task-{DOC_ID}-owner_{step}-v{N-X}.md`, agents-and-hub §3). */
  removeOwnerTasks(docId: string, user: string): string[] {
    const removed: string[] = [];
    const dir = this.inboxDir(user);
    for (const entry of this.files.list(dir)) {
      if (!isOwnerTaskFile(docId, entry.name)) continue;
      const file = path.join(dir, entry.name);
      if (this.files.remove(file)) removed.push(this.relative(file));
    }
    return removed;
  }

  private matchingTasks(docId: string, users: "everyone" | string, which: TaskFilter): string[] {
    const owners = users === "everyone" ? this.userFolders() : [users];
    const prefix = `task-${docId}-`;
    const files: string[] = [];
    for (const user of owners) {
      const dir = this.inboxDir(user);
      // names by the folder's stat: a route or review does not re-read a 1,000-task inbox that did not change
      for (const name of this.listings.names(dir)) {
        if (!name.startsWith(prefix)) continue;
        // the rest of the name must be a workflow, so CR-001's tasks never match CR-001-TP-001's
        const rest = name.slice(prefix.length);
        if (!TASK_WORKFLOW.test(rest)) continue;
        if (which === "approval" && !rest.includes("approval")) continue;
        files.push(path.join(dir, name));
      }
    }
    return files;
  }

  private readAll(dir: string, wanted: (name: string) => boolean): Array<StoredFile | { path: string; name: string; problem: string }> {
    const out: Array<StoredFile | { path: string; name: string; problem: string }> = [];
    for (const entry of this.files.list(dir)) {
      if (!wanted(entry.name)) continue;
      const file = path.join(dir, entry.name);
      try {
        const text = this.files.read(file);
        if (text !== undefined) out.push({ path: this.relative(file), name: entry.name, text });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        out.push({ path: this.relative(file), name: entry.name, problem: message });
      }
    }
    return out;
  }

  private userDir(user: string): string {
    if (!USER_NAME_PATTERN.test(user)) {
      fail("invalid-user", `Invalid user name ${JSON.stringify(user.slice(0, 40))}: a user name is a letter followed by letters, digits, '_' or '-' (64 at most).`);
    }
    return path.join(this.usersRoot, user);
  }
}
