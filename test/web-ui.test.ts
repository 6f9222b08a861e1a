import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { LoginCodeStore } from "../src/store/login-codes.js";
import { Project } from "../src/store/project.js";
import { TokenStore } from "../src/store/tokens.js";
import type { HubSnapshot, IntegrityReport } from "../src/web/ui.js";
import { startServerProcess, type ServerProcess } from "./fixtures-mcp/harness.js";
import { audit, makeHarnessProject, qms, QMS_BIN, REPO_ROOT, snapshotTree, tempDir } from "./helpers.js";

/**
 * The web view (web spec §1–5) driven through Debian's Chromium by playwright-core, against a real
 * `qms mcp --transport streamable-http --demo` process. Skips when /usr/bin/chromium is missing
 * (scripts/test-tools/browser.sh installs it).
 */
const CHROMIUM = "/usr/bin/chromium";
const RESULTS = path.join(REPO_ROOT, "test-results");
const haveBrowser = fs.existsSync(CHROMIUM);

let dir: string;
let root: string;
let env: Record<string, string>;
let srv: ServerProcess;
let base: string;
let browser: Browser;

function cli(user: string | undefined, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const argv = user === undefined ? args : ["--user", user, ...args];
  const r = spawnSync(process.execPath, [QMS_BIN, ...argv], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "", ...env }, input: "" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(user: string | undefined, ...args: string[]): string {
  const r = cli(user, ...args);
  assert.equal(r.code, 0, `qms ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Replace the body of a checked-out document's workspace copy and check it in. */
function edit(user: string, docId: string, change: (text: string) => string): void {
  const file = path.join(root, ".claude", "users", user, "workspace", `${docId}.md`);
  fs.writeFileSync(file, change(fs.readFileSync(file, "utf8")));
  ok(user, "checkin", docId);
}

async function signIn(user: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const link = ok(undefined, "ui", "--user", user, "--project-root", root).trim();
  assert.match(link, new RegExp(`^${base.replace(/[.]/g, "\\.")}/ui/login\\?code=[A-Za-z0-9_-]{43}$`));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  await page.goto(link);
  await page.waitForURL(`${base}/ui/documents`);
  return { context, page };
}

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A hand-made request (a browser would not send a foreign Origin or a stolen cookie). */
function raw(method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers: body ? { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(body)), ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function sessionOf(context: BrowserContext, page: Page): Promise<{ cookie: string; csrf: string }> {
  const cookie = (await context.cookies(`${base}/ui/`)).find((c) => c.name === "qms_ui");
  assert.ok(cookie, "session cookie set");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  const csrf = await page.locator('input[name="_csrf"]').first().getAttribute("value");
  assert.ok(csrf);
  return { cookie: `qms_ui=${cookie.value}`, csrf };
}

async function shot(page: Page, name: string, selector?: string): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `web-${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

// biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text (what a user reads), not the DOM property
const shown = (l: Locator): Promise<string> => l.innerText();

const qmsTree = (): Map<string, string> => snapshotTree(path.join(root, "QMS"));

describe("web view in a browser", { skip: haveBrowser ? false : `${CHROMIUM} missing (run scripts/test-tools/browser.sh)` }, () => {
  before(async () => {
    dir = tempDir("qms-web-");
    root = path.join(dir, "demo");
    env = { QMS_TOKEN_STORE: path.join(dir, "store", "tokens.json"), QMS_DEMO_ROOT: root };
    srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--demo", "--no-hub"], { env });
    base = srv.url.replace(/\/mcp$/, "");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("REQ-WEB-001: no page, asset or API of /ui/ answers without a session (a redirect to sign-in)", async () => {
    for (const p of ["/ui/", "/ui/documents", "/ui/doc/SOP-001", "/ui/assets/qms.css", "/ui/assets/qms.js", "/ui/api/events", "/ui/inbox", "/ui/agents", "/ui/integrity", "/ui/nothing-here"]) {
      const r = await raw("GET", p);
      assert.equal(r.status, 303, p);
      assert.match(String(r.headers.location), /^\/ui\/login/, p);
      assert.ok(!r.body.includes("SOP-001"), p);
    }
    const bogus = await raw("GET", "/ui/documents", { cookie: "qms_ui=not-a-session" });
    assert.equal(bogus.status, 303);
    const login = await raw("GET", "/ui/login");
    assert.equal(login.status, 200);
    assert.match(String(login.headers["content-security-policy"]), /default-src 'self'; script-src 'self'/);
    assert.ok(!/<script(?![^>]*src=)/.test(login.body), "no inline script on the sign-in page");
  });

  test("REQ-WEB-002: sign-in through a one-time link; the document list shows the demo documents; a link works once", async () => {
    const link = ok(undefined, "ui", "--user", "lead", "--project-root", root).trim();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(link);
    await page.waitForURL(`${base}/ui/documents`);
    assert.ok(!page.url().includes("code="), "the code leaves the address bar");
    await page.getByRole("link", { name: "SOP-001" }).waitFor();
    await page.getByRole("link", { name: "CR-001" }).waitFor();
    const header = await shown(page.locator("header"));
    assert.match(header, /Signed in as lead/);
    const rows = await page.locator("table.docs tbody tr").allInnerTexts();
    assert.ok(rows.some((r) => /SOP-001\s+Demo: document control procedure\s+SOP\s+0\.1\s+DRAFT\s+claude\s+claude/.test(r)), rows.join("\n"));
    await shot(page, "sign-in-documents");

    const again = await context.newPage();
    await again.goto(link);
    assert.match(await shown(again.locator("body")), /This sign-in link is not valid/);
    await context.close();
  });

  test("REQ-WEB-003: qa reviews and approves from the browser; the form states the signature's meaning; the audit trail has REVIEW and APPROVE by qa via web", async () => {
    ok("claude", "route", "SOP-001", "--review", "--assign", "qa");
    const { context, page } = await signIn("qa");
    await page.getByLabel("Needs me").check();
    await page.getByRole("button", { name: "Filter" }).click();
    assert.deepEqual(await page.locator("table.docs td.id a").allInnerTexts(), ["SOP-001"], "only what waits for qa");

    await page.goto(`${base}/ui/doc/SOP-001`);
    assert.match(await shown(page.locator(".card")), /qa \(you\) must review/);
    await page.getByLabel("Comment (required)").first().fill("Procedure is complete; <b>fine</b>.");
    await page.getByRole("button", { name: "Submit review" }).first().click();
    await page.waitForURL(`${base}/ui/doc/SOP-001`);
    assert.match(await shown(page.locator(".notice-ok")), /Review submitted: SOP-001 \(RECOMMEND\)/);

    ok("claude", "route", "SOP-001", "--approval", "--assign", "qa");
    await page.goto(`${base}/ui/doc/SOP-001`);
    const meaning = await shown(page.locator("form.sign .meaning").first());
    assert.match(meaning, /approve SOP-001 v0\.1 to become effective/);
    // Without the confirmation the browser does not submit (required box); the server refuses too (below).
    await page.getByLabel("I confirm: approve SOP-001 v0.1 to become effective").check();
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await page.waitForURL(`${base}/ui/doc/SOP-001`);
    assert.match(await shown(page.locator(".notice-ok")), /SOP-001 is now EFFECTIVE/);

    const events = audit(root, "SOP", "SOP-001");
    const approveEvent = events.find((e) => e.event === "APPROVE");
    assert.equal(approveEvent?.user, "qa");
    assert.equal(approveEvent?.via, "web");
    const reviewEvent = events.find((e) => e.event === "REVIEW");
    assert.equal(reviewEvent?.via, "web");
    assert.equal(reviewEvent?.comment, "Procedure is complete; <b>fine</b>.");
    assert.equal(events.find((e) => e.event === "ROUTE_REVIEW")?.via, undefined, "CLI events carry no via");

    const timeline = await shown(page.locator("ol.timeline"));
    assert.match(timeline, /APPROVE by qa · v0\.1/);
    assert.match(timeline, /Signature: approved SOP-001 v0\.1 to become effective/);
    assert.match(timeline, /REVIEW by qa/);
    assert.match(timeline, /via web/);
    assert.ok(await page.locator("ol.timeline blockquote", { hasText: "<b>fine</b>" }).count() > 0, "a comment is text, not markup");
    await context.close();
  });

  test("REQ-WEB-004: a diff between two versions highlights the changed line, inline and side by side", async () => {
    ok("claude", "checkout", "SOP-001");
    edit("claude", "SOP-001", (t) => t.replace("## 1. Purpose", "## 1. Purpose and audience"));
    const { context, page } = await signIn("lead");
    await page.goto(`${base}/ui/doc/SOP-001?a=effective&b=draft`);
    const versions = await page.locator("#diff-a option").allInnerTexts();
    assert.ok(versions.includes("v1.0 (effective)") && versions.includes("v1.1 (draft)"), versions.join(","));
    assert.match(await shown(page.locator("#diff")), /1 line added, 1 removed/);
    const added = page.locator("#diff-inline td.add");
    assert.equal(await added.count(), 1);
    assert.match(await shown(added), /## 1\. Purpose and audience/);
    assert.equal(await shown(page.locator("#diff-inline td.add mark")), " and audience", "the changed words are marked");
    assert.match(await shown(page.locator("#diff-inline td.del")), /## 1\. Purpose$/);
    await shot(page, "diff-inline", "#diff");
    // the script's toggle (no reload), then the same without JavaScript via ?view=split
    await page.getByRole("button", { name: "Side by side" }).click();
    assert.equal(await page.locator("#diff-inline").isHidden(), true);
    assert.match(await shown(page.locator("#diff-split td.add")), /Purpose and audience/);
    await shot(page, "diff", "#diff");
    await page.goto(`${base}/ui/doc/SOP-001`);
    assert.match(await shown(page.locator("ol.timeline")), /CHECKIN by claude/);
    await shot(page, "document");
    await context.close();
  });

  test("REQ-WEB-005: a document containing <script> or a javascript: link renders inert", async () => {
    ok("claude", "create", "SOP", "--title", "Hostile <script>alert(1)</script>");
    edit("claude", "SOP-002", (t) => `${t}\n<script>window.__pwned = 1</script>\n\n[click me](javascript:window.__pwned=2)\n\n<img src=x onerror="window.__pwned=3">\n`);
    const { context, page } = await signIn("lead");
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/ui/doc/SOP-002`);
    await page.getByRole("link", { name: "SOP-002", exact: true }).count();
    const text = await shown(page.locator(".markdown").first());
    assert.match(text, /<script>window\.__pwned = 1<\/script>/, "shown as text");
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('main a[href^="javascript:"]').count(), 0);
    assert.equal(await page.locator("main img").count(), 0);
    assert.equal(await page.locator("main script").count(), 0);
    assert.match(await shown(page.locator("main > h1")), /Hostile <script>alert\(1\)<\/script>/);
    await page.goto(`${base}/ui/documents?q=hostile`);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    await context.close();
  });

  test("REQ-WEB-006: forged POSTs (no CSRF token, foreign Origin, another user's session, no session) are refused and change nothing", async () => {
    ok("claude", "route", "CR-001", "--review", "--assign", "qa");
    const claude = await signIn("claude");
    await claude.page.goto(`${base}/ui/doc/CR-001`);
    const c = await sessionOf(claude.context, claude.page);
    const expect = await claude.page.locator('form[action$="/withdraw"] input[name="expect"]').getAttribute("value");
    const qa = await signIn("qa");
    const q = await sessionOf(qa.context, qa.page);
    const form = (csrf?: string): string => new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), expect: expect ?? "" }).toString();
    const before = qmsTree();
    const forged: Array<[string, Record<string, string>, string, number]> = [
      ["no CSRF token", { cookie: c.cookie, origin: base }, form(), 403],
      ["foreign Origin", { cookie: c.cookie, origin: "http://evil.example" }, form(c.csrf), 403],
      ["no Origin or Referer", { cookie: c.cookie }, form(c.csrf), 403],
      ["another user's session", { cookie: q.cookie, origin: base }, form(c.csrf), 403],
      ["a made-up session id", { cookie: "qms_ui=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", origin: base }, form(c.csrf), 303],
      ["no session", { origin: base }, form(c.csrf), 303],
    ];
    for (const [what, headers, body, status] of forged) {
      const r = await raw("POST", "/ui/doc/CR-001/withdraw", headers, body);
      assert.equal(r.status, status, `${what}: ${r.body.slice(0, 300)}`);
    }
    const unconfirmed = await raw("POST", "/ui/doc/CR-001/approve", { cookie: q.cookie, origin: base }, new URLSearchParams({ _csrf: q.csrf }).toString());
    assert.equal(unconfirmed.status, 400, "a signature without its confirmation is refused");
    assert.deepEqual(qmsTree(), before, "nothing changed");
    // The same request, made properly, does change the document: the refusals above were not vacuous.
    const real = await raw("POST", "/ui/doc/CR-001/withdraw", { cookie: c.cookie, origin: base }, form(c.csrf));
    assert.equal(real.status, 303, real.body.slice(0, 300));
    assert.equal(audit(root, "CR", "CR-001").at(-1)?.event, "WITHDRAW");
    await claude.context.close();
    await qa.context.close();
  });

  test("REQ-WEB-007: a refusal shows the service's message and next step", async () => {
    const { context, page } = await signIn("tu_ui");
    await page.goto(`${base}/ui/doc/CR-001`);
    await page.locator("details summary").click();
    await page.getByRole("button", { name: "Release" }).click();
    const box = await shown(page.locator(".notice-bad"));
    assert.match(box, /Refused: Permission denied: 'release' requires group initiator/);
    assert.match(box, /Next step: As a reviewer you can review/);
    await context.close();
  });

  test("REQ-WEB-008: sign-in by pasting a token; the token never appears in pages, URLs or logs; logout-all ends sessions", async () => {
    const token = ok(undefined, "token", "create", "--user", "lead", "--project-root", root).trim();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/ui/login`);
    await page.getByLabel("Or paste an access token").fill("qms_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match(await shown(page.locator("body")), /not valid for this project/);
    await shot(page, "sign-in");
    await page.getByLabel("Or paste an access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/ui/documents`);
    for (const p of ["/ui/documents", "/ui/doc/SOP-001", "/ui/inbox", "/ui/audit"]) {
      await page.goto(`${base}${p}`);
      assert.ok(!(await page.content()).includes(token), p);
      assert.ok(!page.url().includes(token));
    }
    assert.ok(!srv.stderr().includes(token), "not in the server log");
    assert.ok(!srv.stderr().includes("code="), "no sign-in code in the server log");
    assert.match(srv.stderr(), /"event":"ui_login","user":"lead","method":"token"/);

    ok(undefined, "ui", "--logout-all", "--project-root", root);
    await page.goto(`${base}/ui/documents`);
    assert.match(page.url(), /\/ui\/login/);
    await context.close();
  });

  test("REQ-WEB-009: the audit feed is live (server-sent events) and filters by user; inbox and workspace pages", async () => {
    const { context, page } = await signIn("lead");
    await page.goto(`${base}/ui/audit`);
    assert.match(await shown(page.locator("table.feed")), /APPROVE\s+qa/);
    await page.waitForFunction(() => document.querySelector("[data-live-status]")?.getAttribute("data-connected") === "yes");
    ok("claude", "create", "SOP", "--title", "Feed check");
    await page.locator("table.feed tr.fresh", { hasText: "Feed check" }).first().waitFor({ timeout: 15000 });
    ok("claude", "route", "CR-001", "--review", "--assign", "tu_ui");
    await page.goto(`${base}/ui/audit?user=qa`);
    const users = await page.locator("table.feed tbody tr td:nth-child(4)").allInnerTexts();
    assert.ok(users.length > 0 && users.every((u) => u === "qa"), users.join(","));

    await page.goto(`${base}/ui/inbox?user=tu_ui`);
    assert.match(await shown(page.locator("main")), /Inbox of tu_ui[\s\S]*CR-001[\s\S]*PRE_REVIEW/);
    await page.goto(`${base}/ui/workspace`);
    assert.match(await shown(page.locator("h1")), /Workspace of lead/);
    const reviewer = await signIn("tu_ui");
    await reviewer.page.goto(`${base}/ui/inbox?user=qa`);
    assert.match(await shown(reviewer.page.locator(".notice-bad")), /Only administrators see another user's inbox/);
    await reviewer.context.close();
    await context.close();
  });

  test("REQ-WEB-010: reading works without JavaScript; the agents page says the hub is not running; integrity runs qms verify", async () => {
    ok("claude", "create", "TP", "--parent", "CR-001", "--title", "Test plan of the checklist change");
    const { context, page } = await signIn("lead", { javaScriptEnabled: false });
    const ids = await page.locator("table.docs td.id").allInnerTexts();
    const cr = ids.findIndex((t) => t.trim() === "CR-001");
    assert.match(ids[cr + 1] ?? "", /CR-001-TP-001/, "a child right after its parent");
    assert.equal(await page.locator("table.docs td.id.d1").count(), 1, "indented one level");
    await shot(page, "documents");
    await page.goto(`${base}/ui/doc/SOP-001?a=effective&b=draft&view=split`);
    assert.equal(await page.locator("#diff-split").isVisible(), true);
    assert.match(await shown(page.locator("#diff-split td.add")), /Purpose and audience/);
    assert.match(await shown(page.locator("ol.timeline")), /APPROVE by qa/);
    await page.goto(`${base}/ui/agents`);
    assert.match(await shown(page.locator("main")), /Hub not running/);
    await page.goto(`${base}/ui/integrity`);
    assert.match(await shown(page.locator("main")), /The record is intact/);
    await context.close();
  });

  test("REQ-WEB-011: axe-core finds no serious or critical accessibility violation on the main pages", async () => {
    const axeSource = fs.readFileSync(path.join(REPO_ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");
    const { context, page } = await signIn("qa");
    const pages = ["/ui/documents", "/ui/doc/SOP-001", "/ui/doc/CR-001", "/ui/doc/SOP-001?a=effective&b=draft&view=split", "/ui/inbox", "/ui/workspace", "/ui/audit", "/ui/agents", "/ui/integrity"];
    const problems: string[] = [];
    for (const p of pages) {
      await page.goto(`${base}${p}`);
      await page.evaluate(axeSource);
      const result = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<unknown> } }).axe;
        return axe.run(document, { resultTypes: ["violations"] });
      })) as { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> };
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") problems.push(`${p}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
      }
    }
    const login = await browser.newPage();
    await login.goto(`${base}/ui/login`);
    await login.evaluate(axeSource);
    const loginResult = (await login.evaluate(async () => (window as unknown as { axe: { run: (ctx: Document) => Promise<unknown> } }).axe.run(document))) as { violations: Array<{ id: string; impact: string | null }> };
    for (const v of loginResult.violations) if (v.impact === "serious" || v.impact === "critical") problems.push(`/ui/login: ${v.id}`);
    await login.close();
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe("web view with an agent hub and an integrity check injected", { skip: haveBrowser ? false : `${CHROMIUM} missing (run scripts/test-tools/browser.sh)` }, () => {
  let hubRoot: string;
  let storeDir: string;
  let running: Awaited<ReturnType<typeof startHttpServer>>;
  let hubBrowser: Browser;
  let url: string;
  const codes = (): LoginCodeStore => new LoginCodeStore(path.join(storeDir, "ui-login.json"));
  const controls: string[] = [];
  let report: IntegrityReport = { ok: false, checked_at: "2026-11-24T07:18:11+00:00", documents: 1, findings: [{ doc_id: "SOP-001", file: "QMS/.audit/SOP/SOP-001.jsonl", line: 2, what: "audit line 2 was edited after it was written", fix: "restore the file from version control" }] };
  const snapshot: HubSnapshot = {
    taken_at: "2026-11-24T07:18:11+00:00",
    agents: [
      { name: "claude", container: "running", activity: "working on SOP-001", delivery: "headless", open_tasks: [], deliveries: [{ at: "2026-11-24T07:10:00+00:00", outcome: "done", detail: "called qms_checkin, qms_route", duration_ms: 42000 }], transcript_tail: ["> qms_route SOP-001 review", "Routed: SOP-001 for REVIEW"] },
      { name: "qa", container: "stopped", activity: "idle", open_tasks: [{ doc_id: "SOP-001", task_type: "REVIEW", version: "0.1" }], deliveries: [], transcript_tail: [] },
    ],
  };

  before(async () => {
    hubRoot = makeHarnessProject();
    storeDir = tempDir("qms-web-store-");
    assert.equal(qms(hubRoot, "claude", "create", "SOP", "--title", "Hub demo").code, 0);
    running = await startHttpServer({
      project: new Project(hubRoot),
      log: silentLogger,
      host: "127.0.0.1",
      port: 0,
      auth: "none",
      store: new TokenStore(path.join(storeDir, "tokens.json")),
      ui: {
        hubSnapshot: () => snapshot,
        hubControl: (action, agent, byUser) => {
          controls.push(`${action} ${agent} by ${byUser}`);
          return { ok: true, message: `${action} ${agent}: done` };
        },
        verify: () => report,
        loginCodes: codes(),
      },
    });
    url = running.url.replace(/\/mcp$/, "");
    const { chromium } = await import("playwright-core");
    hubBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  });
  after(async () => {
    await hubBrowser?.close();
    await running?.close(2000);
    fs.rmSync(hubRoot, { recursive: true, force: true });
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  const signInAs = async (user: string): Promise<{ context: BrowserContext; page: Page }> => {
    const { code } = codes().createCode(hubRoot, user);
    const context = await hubBrowser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/ui/login?code=${code}`);
    await page.waitForURL(`${url}/ui/documents`);
    return { context, page };
  };

  test("REQ-WEB-012: the agents page shows each agent from the hub; administrators get start/stop/nudge", async () => {
    const { context, page } = await signInAs("lead");
    await page.goto(`${url}/ui/agents`);
    const text = await shown(page.locator("main"));
    assert.match(text, /claude[\s\S]*running[\s\S]*working on SOP-001[\s\S]*done in 42 s[\s\S]*Routed: SOP-001 for REVIEW/);
    assert.match(text, /qa[\s\S]*stopped[\s\S]*SOP-001 REVIEW v0\.1/);
    await shot(page, "agents");
    await page.getByRole("button", { name: "Nudge qa" }).click();
    await page.waitForURL(`${url}/ui/agents`);
    assert.match(await shown(page.locator(".notice-ok")), /nudge qa: done/);
    assert.deepEqual(controls, ["nudge qa by lead"]);
    await context.close();

    const reviewer = await signInAs("tu_ui");
    await reviewer.page.goto(`${url}/ui/agents`);
    assert.equal(await reviewer.page.getByRole("button", { name: /Nudge/ }).count(), 0, "no buttons for non-administrators");
    await reviewer.context.close();
  });

  test("REQ-WEB-013: an open integrity finding puts a red banner on every page; the integrity page lists it; a clean result removes it", async () => {
    const { context, page } = await signInAs("qa");
    await page.goto(`${url}/ui/integrity`);
    assert.match(await shown(page.locator("main")), /audit line 2 was edited[\s\S]*restore the file/);
    for (const p of ["/ui/documents", "/ui/doc/SOP-001", "/ui/inbox", "/ui/agents"]) {
      await page.goto(`${url}${p}`);
      assert.match(await shown(page.locator(".banner-bad")), /1 open finding/, p);
    }
    report = { ok: true, findings: [], documents: 1, checked_at: "2026-11-24T08:00:00+00:00" };
    await page.goto(`${url}/ui/integrity?refresh=1`);
    assert.match(await shown(page.locator("main")), /The record is intact/);
    assert.equal(await page.locator(".banner-bad").count(), 0);
    await context.close();
  });
});
