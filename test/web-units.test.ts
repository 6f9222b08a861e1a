import assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { makeContext } from "../src/services/context.js";
import { recentEvents } from "../src/services/feed.js";
import { list, nextSteps } from "../src/services/list.js";
import { LOGIN_CODE_TTL_MS, LoginCodeStore } from "../src/store/login-codes.js";
import { Project } from "../src/store/project.js";
import { sameOrigin, tokensMatch } from "../src/web/csrf.js";
import { diffVersions, isSkip, type Line } from "../src/web/diff.js";
import { renderMarkdown } from "../src/web/markdown.js";
import { SessionStore } from "../src/web/sessions.js";
import { makeHarnessProject, qms, tempDir } from "./helpers.js";

const cleanup: string[] = [];
after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const root = makeHarnessProject();
  cleanup.push(root);
  return root;
}

describe("list service", () => {
  test("REQ-WEB-020: every document with its state, families as a tree (child right after its parent), filters by type, status, owner, search and 'needs me'", () => {
    const root = project();
    for (const args of [["create", "SOP", "--title", "Alpha procedure"], ["create", "CR", "--title", "Change one"], ["create", "TP", "--parent", "CR-001", "--title", "Plan"], ["create", "SOP", "--title", "Beta procedure"]]) {
      assert.equal(qms(root, "claude", ...args).code, 0, args.join(" "));
    }
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui").code, 0);
    const p = new Project(root);
    const all = list(makeContext(p, "lead"), {});
    assert.ok(all.ok);
    assert.deepEqual(all.data.documents.map((d) => `${d.doc_id}:${d.depth}`), ["CR-001:0", "CR-001-TP-001:1", "SOP-001:0", "SOP-002:0"]);
    const sop = all.data.documents.find((d) => d.doc_id === "SOP-001")!;
    assert.equal(sop.title, "Alpha procedure");
    assert.equal(sop.status, "IN_REVIEW");
    assert.deepEqual(sop.pending_reviewers, ["qa", "tu_ui"]);
    assert.deepEqual(sop.pending_approvers, []);
    assert.equal(sop.checkout_holder, null);
    assert.equal(all.data.documents.find((d) => d.doc_id === "SOP-002")!.checkout_holder, "claude");
    assert.equal(all.data.documents[1]!.parent_id, "CR-001");
    assert.match(sop.last_change, /^\d{4}-\d{2}-\d{2}T/);

    const ids = (input: Parameters<typeof list>[1], user = "lead"): string[] => {
      const r = list(makeContext(p, user), input);
      assert.ok(r.ok);
      return r.data.documents.map((d) => d.doc_id);
    };
    assert.deepEqual(ids({ type: "sop" }), ["SOP-001", "SOP-002"]);
    assert.deepEqual(ids({ status: "IN_REVIEW" }), ["SOP-001"]);
    assert.deepEqual(ids({ owner: "claude" }).length, 4);
    assert.deepEqual(ids({ owner: "qa" }), []);
    assert.deepEqual(ids({ query: "beta" }), ["SOP-002"]);
    assert.deepEqual(ids({ query: "tp-0" }), ["CR-001-TP-001"]);
    assert.deepEqual(ids({ mine: true }, "qa"), ["SOP-001"], "qa must review SOP-001");
    assert.deepEqual(ids({ mine: true }, "claude"), ["CR-001", "CR-001-TP-001", "SOP-002"], "claude must check in the others");
    assert.equal(list(makeContext(p, "nobody"), {}).ok, false, "unknown users are refused");

    // A change made by another process shows on the next call (the remembered rows are re-validated).
    assert.equal(qms(root, "qa", "review", "SOP-001", "--recommend", "--comment", "ok").code, 0);
    assert.deepEqual(ids({ mine: true }, "qa"), []);
    assert.deepEqual(ids({ mine: true }, "tu_ui"), ["SOP-001"]);
  });

  test("REQ-WEB-021: IDs sort by number (SOP-999 before SOP-1000)", () => {
    const root = project();
    for (const id of ["SOP-1000", "SOP-999", "SOP-010"]) {
      fs.writeFileSync(path.join(root, "QMS", ".meta", "SOP", `${id}.json`), JSON.stringify({ doc_id: id, doc_type: "SOP", version: "1.0", status: "EFFECTIVE", executable: false, responsible_user: null, checked_out: false, pending_assignees: [] }));
      fs.writeFileSync(path.join(root, "QMS", "SOP", `${id}.md`), `---\ntitle: ${id}\n---\n`);
    }
    const r = list(makeContext(new Project(root), "lead"), {});
    assert.ok(r.ok);
    assert.deepEqual(r.data.documents.map((d) => d.doc_id), ["SOP-010", "SOP-999", "SOP-1000"]);
  });

  test("REQ-WEB-022: next steps name who must act for each status", () => {
    const base = { doc_id: "CR-001", responsible_user: "claude", checked_out: false, pending_assignees: [] as string[], executable: true };
    assert.deepEqual(nextSteps({ ...base, status: "IN_PRE_REVIEW", pending_assignees: ["qa", "bu"] }).map((s) => `${s.user} ${s.action}`), ["qa review", "bu review"]);
    assert.deepEqual(nextSteps({ ...base, status: "IN_PRE_APPROVAL", pending_assignees: ["qa"] }).map((s) => `${s.user} ${s.action}`), ["qa approve"]);
    assert.deepEqual(nextSteps({ ...base, status: "PRE_REVIEWED", review_outcomes: { qa: "RECOMMEND" } }), [{ action: "route", doc_id: "CR-001", args: { route_type: "approval" }, user: "claude" }]);
    assert.equal(nextSteps({ ...base, status: "PRE_REVIEWED", review_outcomes: { qa: "UPDATES_REQUIRED" } })[0]!.action, "checkout");
    assert.equal(nextSteps({ ...base, status: "PRE_APPROVED" })[0]!.action, "release");
    assert.equal(nextSteps({ ...base, status: "POST_APPROVED" })[0]!.action, "close");
    assert.equal(nextSteps({ ...base, status: "DRAFT", checked_out: true })[0]!.action, "checkin");
    assert.equal(nextSteps({ ...base, status: "IN_EXECUTION", attachment: true })[0]!.action, "close");
    assert.deepEqual(nextSteps({ ...base, status: "CLOSED", responsible_user: null }), []);
  });

  test("REQ-WEB-023: the audit feed lists the latest events across documents, newest first, filterable by user", () => {
    const root = project();
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "One").code, 0);
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Two").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review", "--assign", "qa").code, 0);
    assert.equal(qms(root, "qa", "review", "SOP-001", "--recommend", "--comment", "fine").code, 0);
    const p = new Project(root);
    const r = recentEvents(makeContext(p, "lead"), { limit: 3 });
    assert.ok(r.ok);
    assert.equal(r.data.events.length, 3);
    assert.deepEqual(r.data.events.map((e) => e.event.event), ["STATUS_CHANGE", "REVIEW", "ROUTE_REVIEW"]);
    const mine = recentEvents(makeContext(p, "lead"), { user: "qa" });
    assert.ok(mine.ok);
    assert.deepEqual(mine.data.events.map((e) => `${e.doc_id} ${e.event.event}`), ["SOP-001 STATUS_CHANGE", "SOP-001 REVIEW"]);
  });
});

describe("web building blocks", () => {
  test("REQ-WEB-024: the diff marks the changed line and its changed words, keeps 3 lines of context and skips the rest", () => {
    const oldText = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
    const newText = oldText.replace("line 10", "line ten");
    const d = diffVersions(`${oldText}\n`, `${newText}\n`);
    assert.equal(d.added, 1);
    assert.equal(d.removed, 1);
    const lines = d.inline.filter((x): x is Line => !isSkip(x));
    const del = lines.find((l) => l.kind === "del")!;
    const add = lines.find((l) => l.kind === "add")!;
    assert.equal(del.oldNo, 10);
    assert.equal(add.newNo, 10);
    assert.deepEqual(add.segments.filter((s) => s.changed).map((s) => s.text), ["ten"]);
    assert.deepEqual(del.segments.filter((s) => s.changed).map((s) => s.text), ["10"]);
    assert.deepEqual(d.inline.filter(isSkip).map((s) => s.skipped), [6, 7], "3 context lines on each side");
    assert.equal(lines.filter((l) => l.kind === "same").length, 6);
    const pair = d.split.find((r) => !isSkip(r) && r.left?.kind === "del");
    assert.ok(pair && !isSkip(pair) && pair.right?.kind === "add", "side by side pairs the replaced line");
    assert.equal(diffVersions("same\n", "same\n").added, 0);
  });

  test("REQ-WEB-025: Markdown renders with raw HTML disabled and script URLs dropped", () => {
    const out = renderMarkdown('<script>alert(1)</script>\n\n[a](javascript:alert(1)) [b](JAVASCRIPT:alert(2)) [c](vbscript:x) [ok](https://example.org)\n\n<img src=x onerror="alert(3)">').value;
    assert.ok(!out.includes("<script"), out);
    assert.ok(out.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(!/href="(javascript|vbscript)/i.test(out), out);
    assert.ok(!out.includes("<img"));
    assert.match(out, /<a href="https:\/\/example\.org" rel="noopener noreferrer nofollow">ok<\/a>/);
  });

  test("REQ-WEB-026: a sign-in code works once, for 5 minutes, for its project only; only its hash is stored; logout-all voids sessions", () => {
    const dir = tempDir("qms-ui-store-");
    cleanup.push(dir);
    const a = project();
    const b = project();
    const store = new LoginCodeStore(path.join(dir, "ui-login.json"));
    const t0 = new Date("2026-11-24T10:00:00Z");
    const { code, expires } = store.createCode(a, "qa", t0);
    assert.equal(expires.getTime() - t0.getTime(), LOGIN_CODE_TTL_MS);
    const raw = fs.readFileSync(store.file, "utf8");
    assert.ok(!raw.includes(code), "the code itself is not stored");
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    assert.equal(store.consumeCode(b, code, t0), undefined, "not for another project");
    assert.equal(store.consumeCode(a, code, t0), "qa");
    assert.equal(store.consumeCode(a, code, t0), undefined, "only once");
    const late = store.createCode(a, "qa", t0).code;
    assert.equal(store.consumeCode(a, late, new Date(t0.getTime() + LOGIN_CODE_TTL_MS + 1)), undefined, "expired");
    assert.equal(store.consumeCode(a, "x".repeat(43), t0), undefined);
    assert.equal(store.sessionsNotBefore(a), 0);
    const unused = store.createCode(a, "lead", t0).code;
    store.endAllSessions(a, t0);
    assert.equal(store.sessionsNotBefore(a), t0.getTime());
    assert.equal(store.sessionsNotBefore(b), 0);
    assert.equal(store.consumeCode(a, unused, t0), undefined, "logout-all voids unused links");
    store.announceServer(a, "http://127.0.0.1:8123");
    assert.deepEqual(store.runningServer(a), { url: "http://127.0.0.1:8123", pid: process.pid });
    store.announceServer(a, "http://127.0.0.1:8124", 2 ** 22 + 12345);
    assert.equal(store.runningServer(a), undefined, "a server whose process is gone is not offered");
  });

  test("REQ-WEB-027: sessions end when idle, when too old, and when created before logout-all", () => {
    let now = 1_000_000;
    let notBefore = 0;
    const store = new SessionStore({ now: () => now, notBefore: () => notBefore, idleMs: 1000, maxAgeMs: 5000 });
    const { sid, session } = store.create("qa");
    assert.equal(store.get(sid), session);
    assert.equal(store.get(`${sid}x`), undefined);
    now += 900;
    assert.ok(store.get(sid), "touched");
    now += 900;
    assert.ok(store.get(sid), "still within the idle time of the last touch");
    now += 1001;
    assert.equal(store.get(sid), undefined, "idle too long");
    const second = store.create("qa");
    for (let i = 0; i < 6; i++) {
      now += 900;
      store.get(second.sid);
    }
    assert.equal(store.get(second.sid), undefined, "older than the maximum age");
    const third = store.create("lead");
    notBefore = now + 1;
    assert.equal(store.alive(third.sid), false);
    assert.equal(store.get(third.sid), undefined, "ended by logout-all");
    assert.notEqual(store.create("qa").session.csrf, third.session.csrf, "a form token per session");
  });

  test("REQ-WEB-028: a state-changing request must name this server as its Origin (or Referer); tokens compare exactly", () => {
    const req = (headers: Record<string, string>): http.IncomingMessage => ({ headers }) as unknown as http.IncomingMessage;
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", origin: "http://127.0.0.1:8000" })), true);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", origin: "http://127.0.0.1:8001" })), false);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", origin: "null" })), false);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", origin: "http://evil.example" })), false);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", referer: "http://127.0.0.1:8000/ui/doc/SOP-001" })), true);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000", referer: "http://127.0.0.1:8000.evil.example/" })), false);
    assert.equal(sameOrigin(req({ host: "127.0.0.1:8000" })), false);
    assert.equal(tokensMatch("abc", "abc"), true);
    assert.equal(tokensMatch("abc", "abd"), false);
    assert.equal(tokensMatch("abc", undefined), false);
    assert.equal(tokensMatch("abc", "abcd"), false);
  });
});
