import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parseDocument } from "../src/core/frontmatter.js";
import { harness, listInbox, meta } from "./helpers.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** A harness project with `owner_tasks` set as given in qms.config.json (absent: a Python-era project). */
function project(ownerTasks: boolean | undefined) {
  const p = harness();
  roots.push(p.root);
  if (ownerTasks !== undefined) fs.writeFileSync(path.join(p.root, "qms.config.json"), `${JSON.stringify({ version: "1.0", sdlc_namespaces: [], owner_tasks: ownerTasks }, null, 2)}\n`);
  return p;
}

const ownerTasks = (root: string, user: string): string[] => listInbox(root, user).filter((f) => f.includes("-owner_"));
const frontmatter = (root: string, user: string, file: string) => parseDocument(fs.readFileSync(path.join(root, ".claude", "users", user, "inbox", file), "utf8")).frontmatter;

describe("owner tasks written by the engine (agents-and-hub §3, owner_tasks in qms.config.json)", () => {
  it("REQ-HUB-001: SOP through review and approval: the owner gets 'route for approval' when all reviews recommend, and it is removed when the owner acts", () => {
    const p = project(true);
    p.ok("claude", "create", "SOP", "--title", "Owner tasks");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui");
    assert.deepEqual(ownerTasks(p.root, "claude"), [], "nothing is the owner's while reviews are pending");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "fine");
    assert.deepEqual(ownerTasks(p.root, "claude"), []);
    p.ok("tu_ui", "review", "SOP-001", "--recommend", "--comment", "fine too");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-SOP-001-owner_route_approval-v0-1.md"]);
    const fm = frontmatter(p.root, "claude", "task-SOP-001-owner_route_approval-v0-1.md");
    assert.equal(fm.task_type, "OWNER");
    assert.equal(fm.doc_id, "SOP-001");
    assert.equal(fm.caused_by, "tu_ui");
    assert.equal(fm.next_tool, "qms_route");
    assert.equal(fm.title, "Owner tasks");
    const inbox = p.ok("claude", "inbox");
    assert.match(inbox.stdout, /\[OWNER\] SOP-001 - Owner tasks/);
    assert.match(inbox.stdout, /Workflow: ROUTE_APPROVAL \| From: tu_ui/);

    p.ok("claude", "route", "SOP-001", "--approval", "--assign", "qa");
    assert.deepEqual(ownerTasks(p.root, "claude"), [], "the owner acted: the task is gone");
    p.ok("qa", "approve", "SOP-001");
    assert.deepEqual(listInbox(p.root, "claude"), []);
    assert.deepEqual(listInbox(p.root, "qa"), []);
  });

  it("REQ-HUB-001: updates requested and an approval rejected ask the owner to revise; checkout removes it", () => {
    const p = project(true);
    p.ok("claude", "create", "SOP", "--title", "Revise me");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa");
    p.ok("qa", "review", "SOP-001", "--request-updates", "--comment", "section 2 is wrong");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-SOP-001-owner_revise-v0-1.md"]);
    assert.equal(frontmatter(p.root, "claude", "task-SOP-001-owner_revise-v0-1.md").next_tool, "qms_checkout");
    p.ok("claude", "checkout", "SOP-001");
    assert.deepEqual(ownerTasks(p.root, "claude"), []);
    p.ok("claude", "checkin", "SOP-001");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa");
    p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "ok now");
    const v = String(meta(p.root, "SOP", "SOP-001").version).replace(".", "-");
    assert.deepEqual(ownerTasks(p.root, "claude"), [`task-SOP-001-owner_route_approval-v${v}.md`], "the revise task was replaced");
    p.ok("claude", "route", "SOP-001", "--approval", "--assign", "qa");
    p.ok("qa", "reject", "SOP-001", "--comment", "not yet");
    assert.deepEqual(ownerTasks(p.root, "claude"), [`task-SOP-001-owner_revise-v${v}.md`]);
    assert.match(fs.readFileSync(path.join(p.root, ".claude", "users", "claude", "inbox", `task-SOP-001-owner_revise-v${v}.md`), "utf8"), /approval rejected by qa/);
  });

  it("REQ-HUB-001: an executable CR: release after pre-approval, close after post-approval; cancel leaves no owner task", () => {
    const p = project(true);
    p.ok("claude", "create", "CR", "--title", "A change");
    p.ok("claude", "route", "CR-001", "--review", "--assign", "qa");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "scope ok");
    p.ok("claude", "route", "CR-001", "--approval", "--assign", "qa");
    p.ok("qa", "approve", "CR-001");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-CR-001-owner_release-v1-0.md"]);
    p.ok("claude", "release", "CR-001");
    assert.deepEqual(ownerTasks(p.root, "claude"), []);
    p.ok("claude", "route", "CR-001", "--review", "--assign", "qa");
    p.ok("qa", "review", "CR-001", "--recommend", "--comment", "all EIs pass");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-CR-001-owner_route_approval-v1-0.md"]);
    p.ok("claude", "route", "CR-001", "--approval", "--assign", "qa");
    p.ok("qa", "approve", "CR-001");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-CR-001-owner_close-v2-0.md"]);
    p.ok("claude", "close", "CR-001");
    assert.deepEqual(ownerTasks(p.root, "claude"), []);

    p.ok("claude", "create", "CR", "--title", "Cancelled");
    p.ok("claude", "route", "CR-002", "--review", "--assign", "qa");
    p.ok("qa", "review", "CR-002", "--request-updates", "--comment", "no");
    assert.deepEqual(ownerTasks(p.root, "claude"), ["task-CR-002-owner_revise-v0-1.md"]);
    p.ok("claude", "cancel", "CR-002", "--confirm");
    assert.deepEqual(ownerTasks(p.root, "claude"), [], "a deleted document leaves no owner task");
  });

  it("REQ-HUB-001: a Python-era project (no owner_tasks) and owner_tasks false keep today's inboxes", () => {
    for (const setting of [undefined, false]) {
      const p = project(setting);
      p.ok("claude", "create", "SOP", "--title", "Old style");
      p.ok("claude", "route", "SOP-001", "--review", "--assign", "qa");
      p.ok("qa", "review", "SOP-001", "--recommend", "--comment", "fine");
      assert.deepEqual(listInbox(p.root, "claude"), [], `owner_tasks ${String(setting)}`);
    }
  });

  it("REQ-HUB-001: the owner acting on its own document gets no task for it (nobody else caused the step)", () => {
    const p = project(true);
    p.ok("claude", "create", "SOP", "--title", "Self review");
    p.ok("claude", "route", "SOP-001", "--review", "--assign", "claude");
    p.ok("claude", "review", "SOP-001", "--recommend", "--comment", "mine");
    assert.deepEqual(ownerTasks(p.root, "claude"), []);
  });
});
