import * as path from "node:path";
import { USER_NAME_PATTERN } from "../core/users.js";
import { fail } from "../core/result.js";
import { ContainedArea } from "./contained-fs.js";

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

/**
 * `.claude/users/{user}/{workspace,inbox}`: the part of a project that agents' containers write. Every access
 * goes through a ContainedArea (no links followed, no special files opened, reads capped), and user names are
 * checked against the user grammar before any path is built from them.
 */
export class UserArea {
  readonly usersRoot: string;
  private readonly files: ContainedArea;

  constructor(readonly root: string) {
    this.usersRoot = path.join(root, ".claude", "users");
    this.files = new ContainedArea(root);
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

  /** Names of the regular files in a workspace (nothing read). */
  workspaceNames(user: string): string[] {
    return this.files
      .list(this.workspaceDir(user))
      .filter((e) => e.isFile)
      .map((e) => e.name);
  }

  /** The `.md` files of a workspace with their text; entries that are not regular files are reported, not read. */
  listWorkspace(user: string): Array<StoredFile | { path: string; name: string; problem: string }> {
    return this.readAll(this.workspaceDir(user), (name) => name.endsWith(".md") && !name.startsWith("."));
  }

  // ---- inbox tasks ----
  writeTask(user: string, taskId: string, text: string): string {
    const file = path.join(this.inboxDir(user), `${taskId}.md`);
    this.files.write(file, text);
    return this.relative(file);
  }

  /** A user's task files, sorted by name; entries that are not regular files are skipped. */
  listTasks(user: string): StoredFile[] {
    return this.readAll(this.inboxDir(user), (name) => name.startsWith("task-") && name.endsWith(".md")).filter(
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

  private matchingTasks(docId: string, users: "everyone" | string, which: TaskFilter): string[] {
    const owners = users === "everyone" ? this.userFolders() : [users];
    const prefix = `task-${docId}-`;
    const files: string[] = [];
    for (const user of owners) {
      const dir = this.inboxDir(user);
      for (const entry of this.files.list(dir)) {
        if (!entry.name.startsWith(prefix)) continue;
        // the rest of the name must be a workflow, so CR-001's tasks never match CR-001-TP-001's
        const rest = entry.name.slice(prefix.length);
        if (!TASK_WORKFLOW.test(rest)) continue;
        if (which === "approval" && !rest.includes("approval")) continue;
        files.push(path.join(dir, entry.name));
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
