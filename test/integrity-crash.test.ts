import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import type { ServiceResult } from "../src/core/result.js";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { initProject } from "../src/services/init.js";
import { release } from "../src/services/release.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { verifyProject } from "../src/services/verify.js";
import { Project } from "../src/store/project.js";
import { QMS_BIN, tempDir } from "./helpers.js";

/**
 * REQ-ITG-007: a process killed at any step of a change that writes several files (create, route, review,
 * approve, checkout) leaves nothing half done. The CLI is killed at every fault point of the operation (each
 * file's temp write and rename, between the files, around the audit append); the server at every point
 * between the files. After each kill the next process that opens the project (a CLI write, or the server
 * starting) finishes or undoes the change, and `verify` is clean; the document is either as it was or as
 * the operation leaves it.
 */

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data;
}

const id = (prefix: string, i: number): string => `${prefix}-${String(i).padStart(3, "0")}`;

interface OpCase {
  name: string;
  /** Put `n` documents in the state the operation starts from (document i is the i-th target). */
  prepare: (project: Project, n: number) => void;
  cli: (i: number) => { user: string; args: string[] };
  mcp: (i: number) => { name: string; arguments: Record<string, unknown> };
  target: (i: number) => { type: string; id: string };
}

const c = (p: Project) => makeContext(p, "claude");
const qa = (p: Project) => makeContext(p, "qa");
function approveCycle(p: Project, doc: string): void {
  must(route(c(p), { docId: doc, kind: "review", allowPlaceholders: true }), `route ${doc}`);
  must(review(qa(p), { docId: doc, outcome: "recommend", comment: "ok" }), `review ${doc}`);
  must(route(c(p), { docId: doc, kind: "approval" }), `route approval ${doc}`);
  must(approve(qa(p), { docId: doc }), `approve ${doc}`);
}

const OPS: OpCase[] = [
  {
    name: "create",
    prepare: () => undefined,
    cli: (i) => ({ user: "claude", args: ["create", "SOP", "--title", `Crash ${i}`] }),
    mcp: (i) => ({ name: "qms_create", arguments: { doc_type: "SOP", title: `Crash ${i}`, user: "claude" } }),
    target: (i) => ({ type: "SOP", id: id("SOP", i) }),
  },
  {
    name: "route (with its auto-checkin)",
    prepare: (p, n) => {
      for (let i = 1; i <= n; i++) must(create(c(p), { type: "SOP", title: `Route ${i}` }), "create");
    },
    cli: (i) => ({ user: "claude", args: ["route", id("SOP", i), "--review", "--allow-placeholders"] }),
    mcp: (i) => ({ name: "qms_route", arguments: { doc_id: id("SOP", i), route_type: "review", allow_placeholders: true, user: "claude" } }),
    target: (i) => ({ type: "SOP", id: id("SOP", i) }),
  },
  {
    name: "review (the last one: the round completes)",
    prepare: (p, n) => {
      for (let i = 1; i <= n; i++) {
        must(create(c(p), { type: "SOP", title: `Review ${i}` }), "create");
        must(route(c(p), { docId: id("SOP", i), kind: "review", allowPlaceholders: true }), "route");
      }
    },
    cli: (i) => ({ user: "qa", args: ["review", id("SOP", i), "--recommend", "--comment", "fine"] }),
    mcp: (i) => ({ name: "qms_review", arguments: { doc_id: id("SOP", i), outcome: "recommend", comment: "fine", user: "qa" } }),
    target: (i) => ({ type: "SOP", id: id("SOP", i) }),
  },
  {
    name: "approve (a revision: two archives, the effective file replaced, the draft removed)",
    prepare: (p, n) => {
      for (let i = 1; i <= n; i++) {
        const doc = id("SOP", i);
        must(create(c(p), { type: "SOP", title: `Approve ${i}` }), "create");
        approveCycle(p, doc);
        must(checkout(c(p), { docId: doc }), "checkout");
        must(route(c(p), { docId: doc, kind: "review", allowPlaceholders: true }), "route");
        must(review(qa(p), { docId: doc, outcome: "recommend", comment: "ok" }), "review");
        must(route(c(p), { docId: doc, kind: "approval" }), "route approval");
      }
    },
    cli: (i) => ({ user: "qa", args: ["approve", id("SOP", i)] }),
    mcp: (i) => ({ name: "qms_approve", arguments: { doc_id: id("SOP", i), user: "qa" } }),
    target: (i) => ({ type: "SOP", id: id("SOP", i) }),
  },
  {
    name: "checkout (auto-withdraw from post-review, tasks removed, version bumped)",
    prepare: (p, n) => {
      for (let i = 1; i <= n; i++) {
        const doc = id("CR", i);
        must(create(c(p), { type: "CR", title: `Checkout ${i}` }), "create");
        approveCycle(p, doc);
        must(release(c(p), { docId: doc }), "release");
        must(checkout(c(p), { docId: doc }), "checkout");
        must(checkin(c(p), { docId: doc }), "checkin");
        must(route(c(p), { docId: doc, kind: "review", assign: ["qa", "tu"], allowPlaceholders: true }), "route post-review");
      }
    },
    cli: (i) => ({ user: "claude", args: ["checkout", id("CR", i)] }),
    mcp: (i) => ({ name: "qms_checkout", arguments: { doc_id: id("CR", i), user: "claude" } }),
    target: (i) => ({ type: "CR", id: id("CR", i) }),
  },
];

function baseProject(op: OpCase, n: number): string {
  const root = tempDir("qms-crash-");
  temps.push(root);
  must(initProject({ root, createMarker: false }), "init");
  op.prepare(new Project(root), n);
  return root;
}

function copyOf(root: string): string {
  const copy = tempDir("qms-crash-copy-");
  temps.push(copy);
  fs.cpSync(root, copy, { recursive: true });
  return copy;
}

function runCli(root: string, user: string, args: string[], env: Record<string, string> = {}): { code: number | null; signal: NodeJS.Signals | null; out: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, "--user", user, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", ...env }, input: "" });
  return { code: r.status, signal: r.signal, out: r.stdout + r.stderr };
}

function statusOf(root: string, t: { type: string; id: string }): string {
  const file = path.join(root, "QMS", ".meta", t.type, `${t.id}.json`);
  return fs.existsSync(file) ? `${(JSON.parse(fs.readFileSync(file, "utf8")) as { status: string; version: string }).status}` : "absent";
}

function assertClean(root: string, context: string): void {
  const report = verifyProject(new Project(root), new Date());
  assert.deepEqual(report.findings.map((f) => `${f.doc_id ?? "-"} ${f.file ?? ""}:${f.line ?? ""} ${f.what}`), [], context);
  assert.deepEqual(fs.readdirSync(path.join(root, "QMS", ".intent")).filter((n) => n.endsWith(".json")), [], `${context}: intent left`);
}

/** The fault points an operation passes, in order (a traced run on a copy). */
function tracePoints(base: string, op: OpCase): string[] {
  const copy = copyOf(base);
  const { user, args } = op.cli(1);
  const r = runCli(copy, user, args, { QMS_FAULT_TRACE: "1" });
  assert.equal(r.code, 0, r.out);
  return [...r.out.matchAll(/^fault-point \d+ (\S+)$/gm)].map((m) => m[1]!);
}

describe("REQ-ITG-007: a kill at any step of an operation leaves the record consistent", { concurrency: 1 }, () => {
  const counts: string[] = [];
  after(() => process.stdout.write(`# crash matrix: ${counts.join("; ")}\n`));

  for (const op of OPS) {
    test(`REQ-ITG-007: the CLI killed at every step of ${op.name}`, { timeout: 180_000 }, () => {
      const base = baseProject(op, 1);
      const points = tracePoints(base, op);
      assert.ok(points.includes("apply:commit") && points.filter((p) => p.startsWith("apply:op:")).length >= 2, `a multi-file change: ${points.join(" ")}`);
      const before = statusOf(base, op.target(1));
      const finished = copyOf(base);
      assert.equal(runCli(finished, op.cli(1).user, op.cli(1).args).code, 0);
      const afterStatus = statusOf(finished, op.target(1));
      const outcomes = { undone: 0, finished: 0 };
      for (let k = 1; k <= points.length; k++) {
        const root = copyOf(base);
        const { user, args } = op.cli(1);
        const crashed = runCli(root, user, args, { QMS_CRASH_AT: `step:${k}` });
        assert.equal(crashed.signal, "SIGKILL", `step ${k} (${points[k - 1]}) was reached: ${crashed.out}`);
        // the next CLI write opens the project: it breaks the dead process's lock, recovers, then works
        const next = runCli(root, "claude", ["create", "INV", "--title", "After the crash"]);
        assert.equal(next.code, 0, `after step ${k} (${points[k - 1]}): ${next.out}`);
        assertClean(root, `${op.name}, killed at step ${k} (${points[k - 1]})`);
        const now = statusOf(root, op.target(1));
        assert.ok(now === before || now === afterStatus, `${op.name} at step ${k}: ${now}, expected ${before} or ${afterStatus}`);
        if (now === afterStatus && now !== before) outcomes.finished++;
        else outcomes.undone++;
      }
      counts.push(`CLI ${op.name.split(" ")[0]}: ${points.length} kills (${outcomes.undone} undone, ${outcomes.finished} finished)`);
    });
  }

  for (const op of OPS) {
    test(`REQ-ITG-007: the server killed between the files of ${op.name}; its restart recovers`, { timeout: 180_000 }, async () => {
      const probe = baseProject(op, 1);
      const names = [...new Set(tracePoints(probe, op))].filter((n) => n.startsWith("apply:") || n === "audit:append");
      const root = baseProject(op, names.length);
      for (const [j, name] of names.entries()) {
        const srv = await startServer(root, { QMS_CRASH_AT: name });
        assertClean(root, `${op.name}: the server started after the kill before ${name}`);
        const call = op.mcp(j + 1);
        const answer = await postTool(srv.url, call.name, call.arguments);
        assert.equal(answer, "no answer", `the server died at ${name} before answering`);
        assert.equal(await srv.exited, "SIGKILL", name);
      }
      const last = await startServer(root, {});
      assertClean(root, `${op.name}: after the last restart`);
      last.child.kill("SIGTERM");
      await last.exited;
      counts.push(`server ${op.name.split(" ")[0]}: ${names.length} kills`);
    });
  }
});

interface Server {
  url: string;
  child: ReturnType<typeof spawn>;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startServer(root: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { ...process.env, QMS_USER: "", QMS_MCP_LOG: "0", QMS_TOKEN_STORE: path.join(root, "..", `${path.basename(root)}-tokens.json`), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
}

async function postTool(url: string, name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
    });
    return `HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`;
  } catch {
    return "no answer";
  }
}
