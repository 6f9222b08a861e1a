import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { commandLineStep } from "../src/core/command-line.js";
import { type Refusal, refusalText, type ServiceResult, type Success, successLines } from "../src/core/result.js";
import { approve } from "../src/services/approve.js";
import { checkout } from "../src/services/checkout.js";
import { makeContext, type ServiceContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { release } from "../src/services/release.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import type { DocMeta } from "../src/core/meta.js";
import { Project } from "../src/store/project.js";
import { listInbox, makeHarnessProject, removeTempDir, snapshotTree } from "./helpers.js";

/**
 * In-process service tests (no CLI subprocess): each test gets its own harness project (spec §12 users plus
 * `ian`, an initiator), removed when the test ends, and a clock that moves one minute per call.
 */

export const T0 = Date.parse("2026-03-02T09:00:00.000Z");

type Service<I, T> = (ctx: ServiceContext, input: I) => ServiceResult<T>;

export interface Refused {
  refusal: Refusal;
  /** The refusal as the CLI writes it (message, details, `Next:` with the rendered steps). */
  text: string;
}

export type SvcProject = ReturnType<typeof svcProject>;

export function svcProject(t: { after: (fn: () => void) => void }) {
  const root = makeHarnessProject();
  t.after(() => removeTempDir(root));
  fs.writeFileSync(path.join(root, ".claude", "agents", "ian.md"), "---\nname: ian\ngroup: initiator\ndescription: test initiator\n---\n\n# ian\n");
  for (const d of ["workspace", "inbox"]) fs.mkdirSync(path.join(root, ".claude", "users", "ian", d), { recursive: true });
  let clock = T0;
  const ctx = (user: string): ServiceContext => {
    clock += 60_000;
    return makeContext(root, user, new Date(clock));
  };
  const project = (): Project => Project.discover(root);
  const jsonLines = (file: string): Array<Record<string, unknown> & { event: string }> =>
    fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l)) : [];

  /** Run a service as `user` and require success. */
  function ok<I, T>(service: Service<I, T>, user: string, input: I): Success<T> & { text: string } {
    const r = service(ctx(user), input);
    if (!r.ok) assert.fail(`expected success of ${service.name} as ${user} ${JSON.stringify(input)}:\n${refusalText(r, commandLineStep(user))}`);
    return { ...r, text: successLines(r, commandLineStep(user)).join("\n") };
  }

  /** Run a service as `user`, require a refusal with `code` (and a text matching `pattern`) that changes no file. */
  function no<I, T>(service: Service<I, T>, user: string, input: I, code: Refusal["code"], pattern?: RegExp): Refused {
    const before = snapshotTree(root);
    const r = service(ctx(user), input);
    if (r.ok) assert.fail(`expected refusal ${code} of ${service.name} as ${user} ${JSON.stringify(input)}, got success:\n${r.lines.join("\n")}`);
    const text = refusalText(r, commandLineStep(user));
    assert.equal(r.code, code, text);
    if (pattern) assert.match(text, pattern);
    assert.deepEqual(snapshotTree(root), before, `refused ${service.name} changed the project`);
    return { refusal: r, text };
  }

  const file = (rel: string): string => path.join(root, rel);
  const readIf = (abs: string): string | undefined => (fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : undefined);
  const read = (rel: string): string | undefined => readIf(file(rel));

  const p = {
    root,
    ctx,
    ok,
    no,
    file,
    read,
    project,
    meta: (id: string): DocMeta => JSON.parse(fs.readFileSync(project().metaPath(project().parseId(id)), "utf8")) as DocMeta,
    hasMeta: (id: string): boolean => fs.existsSync(project().metaPath(project().parseId(id))),
    audit: (id: string) => jsonLines(project().auditPath(project().parseId(id))),
    events: (id: string): string[] => jsonLines(project().auditPath(project().parseId(id))).map((e) => e.event),
    draft: (id: string): string | undefined => readIf(project().draftPath(project().parseId(id))),
    effective: (id: string): string | undefined => readIf(project().effectivePath(project().parseId(id))),
    archived: (id: string, version: string): string | undefined => readIf(project().archivePath(project().parseId(id), version)),
    inbox: (user: string) => listInbox(root, user),
    workspacePath: (user: string, id: string) => file(`.claude/users/${user}/workspace/${id}.md`),
    /** Write (edit) `user`'s workspace copy of `id`. */
    edit: (user: string, id: string, text: string) => {
      fs.mkdirSync(path.dirname(p.workspacePath(user, id)), { recursive: true });
      fs.writeFileSync(p.workspacePath(user, id), text);
    },
    /** An SOP taken to EFFECTIVE v1.0 by claude, reviewed and approved by qa. */
    effectiveSop(title = "Procedure"): string {
      const id = ok(create, "claude", { type: "SOP", title }).data.doc_id;
      ok(route, "claude", { docId: id, kind: "review" });
      ok(review, "qa", { docId: id, outcome: "recommend", comment: "fine" });
      ok(route, "claude", { docId: id, kind: "approval" });
      ok(approve, "qa", { docId: id });
      return id;
    },
    /** A new CR owned by claude, driven to `stop`. */
    crTo(stop: "DRAFT" | "IN_PRE_REVIEW" | "PRE_REVIEWED" | "IN_PRE_APPROVAL" | "PRE_APPROVED" | "IN_EXECUTION" | "IN_POST_REVIEW" | "POST_REVIEWED" | "IN_POST_APPROVAL" | "POST_APPROVED"): string {
      const id = ok(create, "claude", { type: "CR", title: "A change" }).data.doc_id;
      const steps: Array<[string, () => unknown]> = [
        ["DRAFT", () => ok(route, "claude", { docId: id, kind: "review" })],
        ["IN_PRE_REVIEW", () => ok(review, "qa", { docId: id, outcome: "recommend", comment: "scope ok" })],
        ["PRE_REVIEWED", () => ok(route, "claude", { docId: id, kind: "approval" })],
        ["IN_PRE_APPROVAL", () => ok(approve, "qa", { docId: id })],
        ["PRE_APPROVED", () => ok(release, "claude", { docId: id })],
        ["IN_EXECUTION", () => ok(route, "claude", { docId: id, kind: "review" })],
        ["IN_POST_REVIEW", () => ok(review, "qa", { docId: id, outcome: "recommend", comment: "all EIs pass" })],
        ["POST_REVIEWED", () => ok(route, "claude", { docId: id, kind: "approval" })],
        ["IN_POST_APPROVAL", () => ok(approve, "qa", { docId: id })],
      ];
      for (const [at, next] of steps) {
        if (at === stop) break;
        next();
      }
      assert.equal(p.meta(id).status, stop);
      return id;
    },
    /** Check `id` out as `user` and write an edited body into the workspace copy. */
    checkoutAndEdit(user: string, id: string, body: string): void {
      ok(checkout, user, { docId: id });
      p.edit(user, id, `---\ntitle: ${JSON.stringify(p.meta(id).doc_id)}\n---\n\n${body}\n`);
    },
  };
  return p;
}
