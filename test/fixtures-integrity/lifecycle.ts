import * as fs from "node:fs";
import * as path from "node:path";
import type { ServiceResult } from "../../src/core/result.js";
import { approve } from "../../src/services/approve.js";
import { checkin } from "../../src/services/checkin.js";
import { checkout } from "../../src/services/checkout.js";
import { close } from "../../src/services/close.js";
import { makeContext } from "../../src/services/context.js";
import { create } from "../../src/services/create.js";
import { initProject } from "../../src/services/init.js";
import { reject } from "../../src/services/reject.js";
import { release } from "../../src/services/release.js";
import { review } from "../../src/services/review.js";
import { route } from "../../src/services/route.js";
import { withdraw } from "../../src/services/withdraw.js";
import { Project } from "../../src/store/project.js";
import { tempDir } from "../helpers.js";

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data;
}

/**
 * A project initialized by `qms init` and taken through SOP and CR lifecycles in-process (the services the CLI
 * and the server call): SOP-001 EFFECTIVE 2.0 (approved twice), SOP-002 IN_REVIEW with a task for qa, SOP-003
 * back to DRAFT after a checkout of a REVIEWED document, SOP-004 rejected once, CR-001 CLOSED 2.0, CR-002
 * IN_EXECUTION 1.1 checked out, CR-003 withdrawn from pre-review.
 */
export function lifecycleProject(): string {
  const root = tempDir("qms-itg-");
  must(initProject({ root, createMarker: false }), "init");
  const project = new Project(root);
  const as = (user: string) => makeContext(project, user);
  const c = as("claude");
  const qa = as("qa");
  const approveCycle = (id: string): void => {
    must(route(c, { docId: id, kind: "review", allowPlaceholders: true }), `route review ${id}`);
    must(review(qa, { docId: id, outcome: "recommend", comment: "ok" }), `review ${id}`);
    must(route(c, { docId: id, kind: "approval" }), `route approval ${id}`);
    must(approve(qa, { docId: id }), `approve ${id}`);
  };

  must(create(c, { type: "SOP", title: "Document control" }), "create SOP-001");
  approveCycle("SOP-001");
  must(checkout(c, { docId: "SOP-001" }), "checkout SOP-001");
  approveCycle("SOP-001");

  must(create(c, { type: "SOP", title: "In review" }), "create SOP-002");
  must(route(c, { docId: "SOP-002", kind: "review", allowPlaceholders: true }), "route SOP-002");

  must(create(c, { type: "SOP", title: "Reviewed, then revised" }), "create SOP-003");
  must(route(c, { docId: "SOP-003", kind: "review", allowPlaceholders: true }), "route SOP-003");
  must(review(qa, { docId: "SOP-003", outcome: "request-updates", comment: "more" }), "review SOP-003");
  must(checkout(c, { docId: "SOP-003" }), "checkout SOP-003");
  must(checkin(c, { docId: "SOP-003" }), "checkin SOP-003");

  must(create(c, { type: "SOP", title: "Rejected once" }), "create SOP-004");
  must(route(c, { docId: "SOP-004", kind: "review", allowPlaceholders: true }), "route SOP-004");
  must(review(qa, { docId: "SOP-004", outcome: "recommend", comment: "ok" }), "review SOP-004");
  must(route(c, { docId: "SOP-004", kind: "approval" }), "route approval SOP-004");
  must(reject(qa, { docId: "SOP-004", comment: "not yet" }), "reject SOP-004");

  for (const id of ["CR-001", "CR-002"]) {
    must(create(c, { type: "CR", title: `Change ${id}` }), `create ${id}`);
    approveCycle(id);
    must(release(c, { docId: id }), `release ${id}`);
    must(checkout(c, { docId: id }), `checkout ${id}`);
  }
  must(checkin(c, { docId: "CR-001" }), "checkin CR-001");
  approveCycle("CR-001");
  must(close(c, { docId: "CR-001" }), "close CR-001");

  must(create(c, { type: "CR", title: "Withdrawn" }), "create CR-003");
  must(route(c, { docId: "CR-003", kind: "review", allowPlaceholders: true }), "route CR-003");
  must(withdraw(c, { docId: "CR-003" }), "withdraw CR-003");
  return root;
}

/** A copy of a project (the head store is not copied: a copy finds its original's through qms.config.json). */
export function copyProject(root: string): string {
  const copy = tempDir("qms-itg-copy-");
  fs.cpSync(root, copy, { recursive: true });
  return copy;
}

export function auditFile(root: string, type: string, id: string): string {
  return path.join(root, "QMS", ".audit", type, `${id}.jsonl`);
}

export function auditLines(root: string, type: string, id: string): string[] {
  return fs.readFileSync(auditFile(root, type, id), "utf8").split("\n").slice(0, -1);
}

export function writeAuditLines(root: string, type: string, id: string, lines: string[]): void {
  fs.writeFileSync(auditFile(root, type, id), lines.map((l) => `${l}\n`).join(""));
}
