import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { inbox } from "../src/services/inbox.js";
import { route } from "../src/services/route.js";
import { workspace } from "../src/services/workspace.js";
import { ContainedArea } from "../src/store/contained-fs.js";
import { FolderNames, sequencesOf } from "../src/store/folder-names.js";
import { ListingCache, PERSIST_MIN } from "../src/store/listing-cache.js";
import { Project } from "../src/store/project.js";
import { compiledPromptValue, PACKAGE_PROMPTS_DIR } from "../src/store/prompt-files.js";
import { makeHarnessProject, QMS_BIN, qms, REPO_ROOT, tempDir } from "./helpers.js";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
function harness(): string {
  const root = makeHarnessProject();
  made.push(root);
  return root;
}
function temp(prefix: string): string {
  const dir = tempDir(prefix);
  made.push(dir);
  return dir;
}
function createdId(r: ReturnType<typeof create>): string {
  assert.ok(r.ok, JSON.stringify(r));
  return r.data.doc_id;
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("ID allocation from remembered folder names (issue #8)", () => {
  it("REQ-PERF-001: sequencesOf names every prefix a file name counts for", () => {
    assert.deepEqual(sequencesOf("CR-001"), [["CR", 1]]);
    assert.deepEqual(sequencesOf("SOP-010-draft.md"), [["SOP", 10]]);
    assert.deepEqual(sequencesOf("CR-001-TP-002.json"), [["CR", 1], ["CR-001-TP", 2]]);
    assert.deepEqual(sequencesOf("CR-1234.md"), [["CR", 1234]]);
    assert.deepEqual(sequencesOf("TEMPLATE-CR-draft.md"), []);
    assert.deepEqual(sequencesOf("CR-12x.md"), []);
  });

  it("REQ-DOC-004, REQ-PERF-001: a long-lived project numbers 30 creates in order and reads each folder once", () => {
    const project = new Project(harness());
    const ctx = makeContext(project, "claude");
    const ids = Array.from({ length: 30 }, (_, i) => createdId(create(ctx, { type: "CR", title: `c${i}` })));
    assert.deepEqual(ids, Array.from({ length: 30 }, (_, i) => `CR-${String(i + 1).padStart(3, "0")}`));
    // QMS/CR and QMS/.meta/CR, read by the first create; every later create is kept in step by the store
    assert.ok(project.folderNames.reads <= 4, `folders read ${project.folderNames.reads} times for 30 creates`);
  });

  it("REQ-DOC-004, REQ-DOC-010, REQ-PERF-001: a process that creates while the remembered names are stale still gets the right next number", () => {
    const root = harness();
    const server = new Project(root);
    const ctx = makeContext(server, "claude");
    for (let i = 0; i < 3; i++) createdId(create(ctx, { type: "CR", title: `s${i}` }));
    // another process creates CR-004 behind the long-lived project's back
    assert.equal(qms(root, "claude", "create", "CR", "--title", "cli").code, 0);
    assert.equal(createdId(create(ctx, { type: "CR", title: "after cli" })), "CR-005");
    // the highest number cancelled by another process is free again
    assert.equal(qms(root, "claude", "checkin", "CR-005").code, 0);
    assert.equal(qms(root, "claude", "cancel", "CR-005", "--confirm").code, 0);
    assert.equal(createdId(create(ctx, { type: "CR", title: "reuses 5" })), "CR-005");
    // a number held only by a meta is never reused, even when its folder's mtime is set back by hand
    const metas = path.join(root, "QMS", ".meta", "CR");
    const before = fs.statSync(metas);
    fs.writeFileSync(path.join(metas, "CR-009.json"), fs.readFileSync(path.join(metas, "CR-001.json")));
    fs.utimesSync(metas, before.atime, before.mtime);
    assert.equal(createdId(create(ctx, { type: "CR", title: "after meta" })), "CR-010");
  });

  it("REQ-DOC-004, REQ-DOC-005, REQ-PERF-001: children are numbered per parent from the same remembered folders", () => {
    const root = harness();
    const project = new Project(root);
    const ctx = makeContext(project, "claude");
    for (let i = 0; i < 2; i++) createdId(create(ctx, { type: "CR", title: `c${i}` }));
    assert.equal(createdId(create(ctx, { type: "VAR", title: "v", parent: "CR-001" })), "CR-001-VAR-001");
    assert.equal(createdId(create(ctx, { type: "VAR", title: "v", parent: "CR-002" })), "CR-002-VAR-001");
    assert.equal(qms(root, "claude", "create", "VAR", "--parent", "CR-001", "--title", "cli").code, 0);
    assert.equal(createdId(create(ctx, { type: "VAR", title: "v", parent: "CR-001" })), "CR-001-VAR-003");
    assert.equal(createdId(create(ctx, { type: "CR", title: "c" })), "CR-003");
  });

  it("REQ-PERF-001: remembered names are never trusted over the files: a taken next number makes both folders be read again", () => {
    const root = harness();
    const project = new Project(root);
    const ctx = makeContext(project, "claude");
    for (let i = 0; i < 3; i++) createdId(create(ctx, { type: "SOP", title: `s${i}` }));
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "cli 4").code, 0);
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "cli 5").code, 0);
    // as if both CLI writes had fallen into the timestamp tick of the project's last read
    class Stale extends FolderNames {
      lying = true;
      forgotten = 0;
      override highest(dir: string, prefix: string): number {
        return this.lying ? 3 : super.highest(dir, prefix);
      }
      override forget(dir?: string): void {
        this.lying = false;
        this.forgotten++;
        super.forget(dir);
      }
    }
    const stale = new Stale();
    Object.defineProperty(project, "folderNames", { value: stale });
    assert.equal(createdId(create(ctx, { type: "SOP", title: "after" })), "SOP-006");
    assert.equal(stale.forgotten, 2);
  });

  it("REQ-PERF-001: keepInStep follows the names a write touches; a write that throws leaves the folder to be read again", () => {
    const dir = temp("qms-names-");
    const names = new FolderNames();
    fs.writeFileSync(path.join(dir, "SOP-001.md"), "x");
    assert.equal(names.highest(dir, "SOP"), 1);
    names.keepInStep([{ dir, name: "SOP-002-draft.md" }], () => fs.writeFileSync(path.join(dir, "SOP-002-draft.md"), "x"));
    const reads = names.reads;
    assert.equal(names.highest(dir, "SOP"), 2);
    assert.equal(names.reads, reads, "kept in step, not read again");
    names.keepInStep([{ dir, name: "SOP-002-draft.md" }], () => fs.rmSync(path.join(dir, "SOP-002-draft.md")));
    assert.equal(names.highest(dir, "SOP"), 1);
    assert.throws(() =>
      names.keepInStep([{ dir, name: "SOP-003.md" }], () => {
        fs.writeFileSync(path.join(dir, "SOP-003.md"), "x");
        throw new Error("half-done write");
      }),
    );
    assert.equal(names.highest(dir, "SOP"), 3, "the folder changed and was read again");
    // a name the write did not announce is seen through the folder's stat
    names.keepInStep([{ dir, name: "SOP-004.md" }], () => fs.writeFileSync(path.join(dir, "SOP-007.md"), "x"));
    assert.equal(names.highest(dir, "SOP"), 3, "kept in step with what was announced");
    names.forget(dir);
    assert.equal(names.highest(dir, "SOP"), 7);
  });
});

describe("inbox and workspace listings from a stat-validated cache (issue #8)", () => {
  function taskText(docId: string, title: string): string {
    return `---\ntask_id: task-${docId}-review-v0-1\ntask_type: REVIEW\nworkflow_type: REVIEW\ndoc_id: ${docId}\ntitle: ${title}\nassigned_by: claude\nassigned_date: 2026-12-01\nversion: 0.1\n---\n\nbody\n`;
  }

  it("REQ-QRY-005, REQ-PERF-002: a listing reads each task once; a task changed in place, added, removed or replaced by a link is seen at once", () => {
    const root = temp("qms-listing-");
    const inboxDir = path.join(root, ".claude", "users", "qa", "inbox");
    fs.mkdirSync(inboxDir, { recursive: true });
    for (const id of ["SOP-001", "SOP-002", "SOP-003"]) fs.writeFileSync(path.join(inboxDir, `task-${id}-review-v0-1.md`), taskText(id, "old"));
    const cache = new ListingCache(new ContainedArea(root), (text) => text.split("\n")[5], { racyMs: 0, entryCheckMs: 0 });
    const isTask = (n: string): boolean => n.startsWith("task-");
    const titles = (): string[] => cache.list(inboxDir, isTask).map((e) => ("value" in e ? String(e.value) : `problem: ${e.problem.split(":")[0]}`));
    assert.deepEqual(titles(), ["title: old", "title: old", "title: old"]);
    assert.equal(cache.fileReads, 3);
    assert.deepEqual(titles(), ["title: old", "title: old", "title: old"]);
    assert.equal(cache.fileReads, 3, "nothing changed: no file read");
    fs.appendFileSync(path.join(inboxDir, "task-SOP-002-review-v0-1.md"), "edited in place\n");
    fs.writeFileSync(path.join(inboxDir, "task-SOP-001-review-v0-1.md"), taskText("SOP-001", "new"));
    fs.writeFileSync(path.join(inboxDir, "task-SOP-004-review-v0-1.md"), taskText("SOP-004", "added"));
    fs.rmSync(path.join(inboxDir, "task-SOP-003-review-v0-1.md"));
    assert.deepEqual(titles(), ["title: new", "title: old", "title: added"]);
    assert.equal(cache.fileReads, 6, "only the three changed files were read");
    // a link is reported, never followed: the outside file's text never shows
    const outside = path.join(temp("qms-outside-"), "secret.md");
    fs.writeFileSync(outside, taskText("SOP-009", "SECRET"));
    fs.rmSync(path.join(inboxDir, "task-SOP-004-review-v0-1.md"));
    fs.symlinkSync(outside, path.join(inboxDir, "task-SOP-004-review-v0-1.md"));
    const listed = titles();
    assert.equal(listed.length, 3);
    assert.match(listed[2]!, /^problem: Refused/);
    assert.ok(!listed.join("\n").includes("SECRET"));
  });

  it("REQ-PERF-002: within the entry-check window an unchanged folder is not lstat-ed entry by entry, yet a replaced or added entry is seen at once", async () => {
    const root = temp("qms-window-");
    const dir = path.join(root, "inbox");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "task-a.md"), "a");
    fs.writeFileSync(path.join(dir, "task-b.md"), "b");
    const cache = new ListingCache(new ContainedArea(root), (text) => text, { racyMs: 0, entryCheckMs: 500 });
    const values = (): string[] => cache.list(dir, () => true).map((e) => ("value" in e ? e.value : "problem"));
    assert.deepEqual(values(), ["a", "b"]);
    const outside = path.join(temp("qms-outside-"), "x.md");
    fs.writeFileSync(outside, "SECRET");
    fs.rmSync(path.join(dir, "task-b.md"));
    fs.symlinkSync(outside, path.join(dir, "task-b.md"));
    fs.writeFileSync(path.join(dir, "task-c.md"), "c");
    assert.deepEqual(values(), ["a", "problem", "c"], "the folder changed: every entry checked again");
    fs.appendFileSync(path.join(dir, "task-a.md"), "+");
    await sleep(600);
    assert.deepEqual(values(), ["a+", "problem", "c"], "an in-place edit is seen once the window has passed");
  });

  it("REQ-PERF-002: a file read within the racy window is read again next time", () => {
    const root = temp("qms-racy-");
    const dir = path.join(root, "inbox");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "task-a.md"), "a");
    const cache = new ListingCache(new ContainedArea(root), (text) => text);
    cache.list(dir, () => true);
    cache.list(dir, () => true);
    assert.equal(cache.fileReads, 2, "just written: not trusted yet");
  });

  it("REQ-QRY-005, REQ-QRY-006, REQ-PERF-002: inbox and workspace through a long-lived project list what the files say", () => {
    const root = harness();
    const project = new Project(root);
    const ctx = makeContext(project, "claude");
    for (let i = 0; i < 3; i++) {
      const id = createdId(create(ctx, { type: "SOP", title: `Doc ${i}` }));
      if (i < 2) assert.ok(route(ctx, { docId: id, kind: "review" }).ok);
    }
    const qa = inbox(makeContext(project, "qa"));
    assert.ok(qa.ok);
    assert.deepEqual(qa.data.tasks.map((t) => [t.doc_id, t.title]), [["SOP-001", "Doc 0"], ["SOP-002", "Doc 1"]]);
    const again = inbox(makeContext(project, "qa"));
    assert.ok(again.ok);
    assert.deepEqual(again.data, qa.data);
    const ws = workspace(ctx);
    assert.ok(ws.ok);
    assert.deepEqual(ws.data.documents.map((d) => [d.doc_id, d.title, d.status]), [["SOP-003", "Doc 2", "DRAFT"]]);
  });

  it("REQ-QRY-005, REQ-PERF-002: a large inbox is kept outside the project between processes and re-validated by stat", async () => {
    const root = harness();
    const state = temp("qms-state-");
    const inboxDir = path.join(root, ".claude", "users", "qa", "inbox");
    const n = PERSIST_MIN + 6;
    for (let i = 1; i <= n; i++) {
      const id = `SOP-${String(i).padStart(3, "0")}`;
      fs.writeFileSync(path.join(inboxDir, `task-${id}-review-v0-1.md`), taskText(id, `T${i}`));
    }
    await sleep(2100); // older than the racy window, so the first process may keep them
    const listOnce = (): { tasks: string[]; reads: number } => {
      const project = new Project(root);
      project.users.persistListingsIn(() => state);
      const r = inbox(makeContext(project, "qa"));
      assert.ok(r.ok);
      return { tasks: r.data.tasks.map((t) => `${t.doc_id} ${t.title}`), reads: project.users.listings.fileReads };
    };
    const first = listOnce();
    assert.equal(first.tasks.length, n);
    assert.equal(first.reads, n);
    assert.ok(fs.existsSync(path.join(state, "inbox-qa.json")));
    const second = listOnce();
    assert.deepEqual(second.tasks, first.tasks);
    assert.equal(second.reads, 0, "a new process read no task file");
    fs.appendFileSync(path.join(inboxDir, "task-SOP-002-review-v0-1.md"), "\nappended\n");
    fs.writeFileSync(path.join(inboxDir, "task-SOP-001-review-v0-1.md"), taskText("SOP-001", "changed"));
    const third = listOnce();
    assert.equal(third.reads, 2);
    assert.equal(third.tasks[0], "SOP-001 changed");
    // the CLI itself finds the same listing (and keeps it in this test's state folder, not the user's)
    const cli = spawnSync(process.execPath, [QMS_BIN, "--user", "qa", "inbox"], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", QMS_STATE_DIR: state } });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`Inbox for qa: ${n} tasks`));
  });
});

describe("review/approval prompts compiled at build time (issue #8)", () => {
  it("REQ-PROMPT-002, REQ-PERF-003: a compiled prompt is used only for exactly the text it was compiled from", () => {
    const dir = temp("qms-compiled-");
    const file = path.join(PACKAGE_PROMPTS_DIR, "review", "default.yaml");
    const text = fs.readFileSync(file, "utf8");
    const compiled = path.join(dir, "prompts.json");
    fs.writeFileSync(compiled, JSON.stringify({ version: 1, files: { "review/default.yaml": { text, value: { checklist: [] } } } }));
    assert.deepEqual(compiledPromptValue(file, text, compiled), { value: { checklist: [] } });
    assert.equal(compiledPromptValue(file, `${text}\n# edited after the build\n`, compiled), undefined);
    assert.equal(compiledPromptValue(path.join(dir, "review", "default.yaml"), text, compiled), undefined, "not a package file");
    assert.equal(compiledPromptValue(file, text, path.join(dir, "missing.json")), undefined);
  });

  it("REQ-PROMPT-001, REQ-PERF-003: the CLI bundle writes the same task text from compiled prompts as the YAML gives", () => {
    const root = harness();
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Compiled").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review").code, 0);
    const task = fs.readFileSync(path.join(root, ".claude", "users", "qa", "inbox", "task-SOP-001-review-v0-1.md"), "utf8");
    const script = `
      const { renderTaskBody } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist", "src", "services", "prompts.js"))});
      process.stdout.write(renderTaskBody({ docId: "SOP-001", docType: "SOP", title: "Compiled", workflow: "REVIEW", status: "IN_REVIEW", version: "0.1", responsibleUser: "claude", assignedBy: "claude", assignee: "qa", now: new Date() }));`;
    const fromYaml = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.ok(task.endsWith(fromYaml), "the task body is the one the YAML gives");
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "dist", "bundle", "prompts.json")), "the build compiled the prompts");
  });
});
