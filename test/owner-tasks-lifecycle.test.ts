import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { type OwnerMetaView, type OwnerTaskEffects, ownerTaskEffects } from "../src/core/owner-tasks.js";
import { harness, meta } from "./helpers.js";

// The CLI half of owner-tasks.test.ts: kept apart so the in-process half can run under Stryker (issue #15).
describe("owner tasks on real metadata (agents-and-hub §3, a CR through its lifecycle with the CLI)", () => {
  const roots: string[] = [];
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it("REQ-HUB-001 OWNER-TASK each hand-off of a real CR lifecycle yields the owner's step, and the owner's action removes it", () => {
    const p = harness();
    roots.push(p.root);
    const view = (): OwnerMetaView | null => {
      const file = path.join(p.root, "QMS", ".meta", "CR", "CR-001.json");
      return fs.existsSync(file) ? (meta(p.root, "CR", "CR-001") as unknown as OwnerMetaView) : null;
    };
    const step = (user: string, ...args: string[]): OwnerTaskEffects => {
      const before = view();
      p.ok(user, ...args);
      return ownerTaskEffects({ before, after: view(), actor: user });
    };
    const writes: string[] = [];
    const record = (e: OwnerTaskEffects): OwnerTaskEffects => {
      if (e.write) writes.push(`${e.write.owner}:${e.write.step}:${e.write.version}:${e.write.caused_by}`);
      return e;
    };
    record(step("claude", "create", "CR", "--title", "A change"));
    record(step("claude", "route", "CR-001", "--review"));
    record(step("qa", "review", "CR-001", "--request-updates", "--comment", "scope unclear"));
    assert.deepEqual(record(step("claude", "checkout", "CR-001")).remove.map((r) => r.owner), ["claude"]);
    record(step("claude", "checkin", "CR-001"));
    record(step("claude", "route", "CR-001", "--review"));
    record(step("qa", "review", "CR-001", "--recommend", "--comment", "scope ok"));
    record(step("claude", "route", "CR-001", "--approval"));
    record(step("qa", "reject", "CR-001", "--comment", "missing rollback"));
    record(step("claude", "route", "CR-001", "--approval"));
    record(step("qa", "approve", "CR-001"));
    assert.deepEqual(record(step("claude", "release", "CR-001")).remove.map((r) => r.owner), ["claude"]);
    record(step("claude", "route", "CR-001", "--review"));
    record(step("qa", "review", "CR-001", "--recommend", "--comment", "all EIs pass"));
    record(step("claude", "route", "CR-001", "--approval"));
    record(step("qa", "approve", "CR-001"));
    const closed = record(step("claude", "close", "CR-001"));
    assert.equal(closed.write, undefined);
    assert.deepEqual(closed.remove.map((r) => r.owner), ["claude"]);
    const v = meta(p.root, "CR", "CR-001");
    assert.equal(v.status, "CLOSED");
    assert.deepEqual(writes, [
      "claude:revise:0.1:qa",
      "claude:route_approval:0.1:qa",
      "claude:revise:0.1:qa",
      "claude:release:1.0:qa",
      "claude:route_approval:1.0:qa",
      "claude:close:2.0:qa",
    ]);
  });
});
