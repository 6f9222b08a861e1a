import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import type { AuditEvent } from "../core/audit-events.js";
import type { Refusal } from "../core/result.js";
import { parseVersion, isVersionString } from "../core/version.js";
import { comments } from "../services/comments.js";
import { recentEvents } from "../services/feed.js";
import { formatEvent, history } from "../services/history.js";
import { inbox } from "../services/inbox.js";
import { list, next as nextOf } from "../services/list.js";
import { type ReadData, read } from "../services/read.js";
import { status } from "../services/status.js";
import { vrRecord } from "../services/vr-record.js";
import { workspace } from "../services/workspace.js";
import { AuditTail, type TailedEvent } from "../store/audit-tail.js";
import { LoginCodeStore } from "../store/login-codes.js";
import { packagePath } from "../store/package-root.js";
import type { Project } from "../store/project.js";
import { findUser, listUsers } from "../store/users.js";
import { isWebAction, refusalStatus, runAction, type WebServiceContext } from "./actions.js";
import { newCsrfToken, sameOrigin, tokensMatch } from "./csrf.js";
import { diffVersions } from "./diff.js";
import { type Html, html, query } from "./html.js";
import { securityHeaders, styleHash } from "./security.js";
import { clearedCookie, parseCookies, SESSION_COOKIE, SESSION_MAX_AGE_MS, type Session, SessionStore, sessionCookie } from "./sessions.js";
import type { Chrome, HubAction, HubSnapshot, IntegrityReport } from "./types.js";
import { type DocumentPage, documentView, type VersionEntry } from "./views/document.js";
import { documentsView, type DocumentFilters } from "./views/documents.js";
import { page, refusalBox } from "./views/layout.js";
import { agentsView, auditView, inboxView, integrityView, workspaceView } from "./views/lists.js";
import { LOGIN_CSS, loginView, signedInView } from "./views/login.js";

export type { HubSnapshot, IntegrityReport } from "./types.js";

/** Checks a pasted access token (the MCP token store fits). */
export interface TokenVerifier {
  verify(root: string, token: string): { user: string } | undefined;
}

export interface WebLogger {
  log(event: string, fields?: Record<string, unknown>): void;
}

export interface WebUiEnv {
  project: Project;
  /** Sign-in by pasting a token; absent: only one-time links. */
  tokens?: TokenVerifier;
  now?: () => Date;
  /** The agent hub's state; absent: the agents page says "hub not running". */
  hubSnapshot?: () => HubSnapshot | Promise<HubSnapshot>;
  /** Start/stop/nudge an agent (administrators); absent: no buttons. */
  hubControl?: (action: HubAction, agent: string, byUser: string) => { ok: boolean; message: string } | Promise<{ ok: boolean; message: string }>;
  /** `qms verify`; absent: the integrity page says "not available". */
  verify?: () => IntegrityReport | Promise<IntegrityReport>;
  log: WebLogger;
  /** Where sign-in codes live (default: beside the token store). */
  loginCodes?: LoginCodeStore;
}

/** What the host server passes through (`false` turns the web view off, `--no-ui`). */
export type WebUiOptions = Partial<Pick<WebUiEnv, "now" | "hubSnapshot" | "hubControl" | "verify" | "loginCodes">>;

export interface WebUi {
  /** Serve a /ui path; false (and nothing sent) for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  /** A one-time sign-in link for `user`, valid 5 minutes (what `qms ui --user NAME` prints). */
  createLoginLink(user: string, baseUrl: string): { url: string; expires: Date };
  /** The server listens at `baseUrl` (e.g. http://127.0.0.1:8000): recorded so `qms ui` prints the right link. */
  listening(baseUrl: string): void;
  /** End the live event streams (server shutdown). */
  close(): void;
}

const MAX_FORM_BYTES = 256 * 1024;
const LOGIN_COOKIE = "qms_ui_login";
const DOC_ID = /^[A-Za-z0-9_-]{1,120}$/;
const USER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const INTEGRITY_TTL_MS = 60_000;
const HEARTBEAT_MS = 15_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Viewer {
  sid: string;
  session: Session;
  user: string;
  group: string;
}

interface Subscriber {
  sid: string;
  user?: string;
  doc?: string;
  res: http.ServerResponse;
}

/** A `next` path after sign-in: only a page of the web view. */
function safeNext(value: string | null | undefined): string {
  if (typeof value === "string" && /^\/ui\/[A-Za-z0-9/_\-?=&.%]*$/.test(value) && !value.startsWith("/ui//") && !value.includes("..")) return value;
  return "/ui/documents";
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      req.resume();
      reject(new HttpError(415, "Forms are sent as application/x-www-form-urlencoded."));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        req.destroy();
        reject(new HttpError(413, "The form is too large."));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function loadAsset(name: string): { type: string; body: Buffer } | undefined {
  const types: Record<string, string> = { "qms.css": "text/css; charset=utf-8", "qms.js": "text/javascript; charset=utf-8" };
  const type = types[name];
  if (!type) return undefined;
  try {
    return { type, body: fs.readFileSync(packagePath("src", "web", "assets", name)) };
  } catch {
    return undefined;
  }
}

/** Order versions as the document went through them; at equal version the archive copy comes first. */
function versionOrder(a: VersionEntry, b: VersionEntry): number {
  const va = parseVersion(a.version);
  const vb = parseVersion(b.version);
  const rank = { archive: 0, effective: 1, draft: 2 };
  return va.major - vb.major || va.minor - vb.minor || rank[a.source] - rank[b.source];
}

export function createWebUi(env: WebUiEnv): WebUi {
  const now = env.now ?? (() => new Date());
  const project = env.project;
  const root = project.root;
  const projectName = path.basename(root);
  const codes = env.loginCodes ?? new LoginCodeStore();
  const sessions = new SessionStore({ now: () => now().getTime(), notBefore: () => codes.sessionsNotBefore(root) });
  const loginHeaders = securityHeaders([styleHash(LOGIN_CSS)]);
  const landingHeaders = securityHeaders([styleHash(LOGIN_CSS)], "no-referrer");
  const pageHeaders = securityHeaders();
  const assets = new Map<string, { type: string; body: Buffer } | undefined>();
  const subscribers = new Set<Subscriber>();
  let heartbeat: NodeJS.Timeout | undefined;
  let integrity: { report?: IntegrityReport; error?: string; at: number } | undefined;
  let integrityRun: Promise<void> | undefined;

  const ctxFor = (user: string): WebServiceContext => ({ project, user, now: now(), via: "web" });

  // ---- live audit feed ----
  const broadcast = (events: TailedEvent[]): void => {
    for (const sub of subscribers) {
      for (const e of events) {
        if (sub.user && e.event.user !== sub.user) continue;
        if (sub.doc && e.doc_id !== sub.doc) continue;
        const data = { doc_id: e.doc_id, ts: e.event.ts, event: e.event.event, user: e.event.user, version: e.event.version, via: e.event.via ?? null, summary: (formatEvent(e.event)[0] ?? "").replace(/^\[[^\]]*\]\s*/, "") };
        sub.res.write(`event: audit\ndata: ${JSON.stringify(data)}\n\n`);
      }
    }
  };
  const tail = new AuditTail(project, broadcast);
  const dropSubscriber = (sub: Subscriber): void => {
    subscribers.delete(sub);
    if (subscribers.size === 0) {
      tail.stop();
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  // ---- integrity (cached: a banner on every page must not run `verify` each time) ----
  const refreshIntegrity = (): Promise<void> => {
    if (!env.verify) return Promise.resolve();
    integrityRun ??= (async () => {
      try {
        integrity = { report: await env.verify!(), at: Date.now() };
      } catch (err) {
        integrity = { error: err instanceof Error ? err.message : String(err), at: Date.now() };
      } finally {
        integrityRun = undefined;
      }
    })();
    return integrityRun;
  };
  const openFindings = (): number | undefined => {
    if (!env.verify) return undefined;
    if (!integrity || Date.now() - integrity.at > INTEGRITY_TTL_MS) void refreshIntegrity();
    return integrity?.report ? integrity.report.findings.length : undefined;
  };

  // ---- responses ----
  const send = (res: http.ServerResponse, code: number, body: string | Buffer, headers: Record<string, string | string[]> = {}, base = pageHeaders): void => {
    const buf = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    res.writeHead(code, { ...base, "content-type": "text/html; charset=utf-8", "content-length": String(buf.length), ...headers });
    res.end(buf);
  };
  const redirect = (res: http.ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void => {
    res.writeHead(303, { ...pageHeaders, location, "content-length": "0", ...headers });
    res.end();
  };
  const chrome = (viewer: Viewer, active: Chrome["active"]): Chrome => {
    const flash = viewer.session.flash;
    viewer.session.flash = undefined;
    return { project: projectName, user: viewer.user, group: viewer.group, csrf: viewer.session.csrf, active, openFindings: openFindings(), ...(flash ? { flash } : {}) };
  };
  const render = (res: http.ServerResponse, viewer: Viewer, active: Chrome["active"], title: string, body: Html, code = 200): void => {
    send(res, code, page(chrome(viewer, active), title, body));
  };
  const refusalPage = (res: http.ServerResponse, viewer: Viewer, active: Chrome["active"], title: string, r: Refusal): void => {
    render(res, viewer, active, title, html`<h1>${title}</h1>${refusalBox(r)}`, refusalStatus(r));
  };
  const forbidden = (res: http.ServerResponse, viewer: Viewer | undefined, reason: string, req: http.IncomingMessage): void => {
    env.log.log("ui_forbidden", { reason, path: (req.url ?? "").split("?")[0], user: viewer?.user ?? null });
    const body = html`<h1>Refused</h1><div class="notice-bad" role="alert"><p>This request was refused and nothing was changed: ${reason}.</p><p>Use the forms of the QMS pages themselves; reload the page and try again.</p></div>`;
    if (viewer) render(res, viewer, "documents", "Refused", body, 403);
    else send(res, 403, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refused · QMS</title></head><body><main>${body.value}</main></body></html>`);
  };

  /** A state-changing request: POST, from a page of this server, with this session's form token. */
  const postForm = async (req: http.IncomingMessage, res: http.ServerResponse, viewer: Viewer): Promise<URLSearchParams | undefined> => {
    if (req.method !== "POST") {
      res.writeHead(405, { ...pageHeaders, allow: "POST", "content-length": "0" });
      res.end();
      return undefined;
    }
    if (!sameOrigin(req)) {
      req.resume();
      forbidden(res, viewer, "it did not come from a page of this server (Origin)", req);
      return undefined;
    }
    const form = await readForm(req);
    if (!tokensMatch(viewer.session.csrf, form.get("_csrf"))) {
      forbidden(res, viewer, "the form token is missing or belongs to another session", req);
      return undefined;
    }
    return form;
  };

  // ---- sign-in ----
  const startSession = (oldSid: string | undefined, user: string): string[] => {
    sessions.end(oldSid);
    const { sid } = sessions.create(user);
    return [sessionCookie(sid, SESSION_MAX_AGE_MS), clearedCookie(LOGIN_COOKIE, "/ui/login")];
  };

  const loginPage = (res: http.ServerResponse, next: string, error: string | undefined, code: number): void => {
    const formToken = newCsrfToken();
    send(res, code, loginView({ project: projectName, formToken, next, error, tokensEnabled: env.tokens !== undefined }), { "set-cookie": `${LOGIN_COOKIE}=${formToken}; Path=/ui/login; HttpOnly; SameSite=Strict; Max-Age=900` }, loginHeaders);
  };

  const handleLogin = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, cookies: Map<string, string>, current: Session | undefined): Promise<void> => {
    const oldSid = cookies.get(SESSION_COOKIE);
    if (req.method === "POST") {
      if (!sameOrigin(req)) {
        req.resume();
        forbidden(res, undefined, "it did not come from this server's sign-in page (Origin)", req);
        return;
      }
      const form = await readForm(req);
      const next = safeNext(form.get("next"));
      const expected = cookies.get(LOGIN_COOKIE);
      if (!expected || !tokensMatch(expected, form.get("_login"))) {
        forbidden(res, undefined, "the sign-in form token is missing or stale", req);
        return;
      }
      const token = (form.get("token") ?? "").trim();
      const entry = token !== "" && env.tokens ? env.tokens.verify(root, token) : undefined;
      if (!entry || !findUserSafe(entry.user)) {
        env.log.log("ui_login_failed", { method: "token", remote: req.socket.remoteAddress ?? null });
        loginPage(res, next, "That token is not valid for this project (revoked, mistyped, or made for another project).", 401);
        return;
      }
      env.log.log("ui_login", { user: entry.user, method: "token" });
      redirect(res, next, { "set-cookie": startSession(oldSid, entry.user) });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...pageHeaders, allow: "GET, POST", "content-length": "0" });
      res.end();
      return;
    }
    const next = safeNext(url.searchParams.get("next"));
    const code = url.searchParams.get("code");
    if (code !== null) {
      const user = codes.consumeCode(root, code, now());
      if (!user || !findUserSafe(user)) {
        env.log.log("ui_login_failed", { method: "link", remote: req.socket.remoteAddress ?? null });
        loginPage(res, next, "This sign-in link is not valid: links work once, for 5 minutes, for the project they were made for. Run qms ui --user NAME again.", 401);
        return;
      }
      env.log.log("ui_login", { user, method: "link" });
      send(res, 200, signedInView(user, next), { "set-cookie": startSession(oldSid, user) }, landingHeaders);
      return;
    }
    if (current) {
      redirect(res, next);
      return;
    }
    loginPage(res, next, undefined, 200);
  };

  const findUserSafe = (name: string): { group: string } | undefined => {
    try {
      return findUser(project, name);
    } catch {
      return undefined;
    }
  };

  // ---- pages ----
  const documentsPage = (res: http.ServerResponse, viewer: Viewer, url: URL): void => {
    const p = url.searchParams;
    const filters: DocumentFilters = {
      type: p.get("type") || undefined,
      status: p.get("status") || undefined,
      owner: p.get("owner") || undefined,
      needs: p.get("needs") === "me" ? "me" : undefined,
      q: p.get("q")?.slice(0, 200) || undefined,
      page: Math.max(1, Number.parseInt(p.get("page") ?? "1", 10) || 1),
    };
    const ctx = ctxFor(viewer.user);
    const all = list(ctx, {});
    if (!all.ok) {
      refusalPage(res, viewer, "documents", "Documents", all);
      return;
    }
    const types = new Set<string>();
    const owners = new Set<string>();
    for (const d of all.data.documents) {
      types.add(d.doc_type);
      if (d.responsible_user) owners.add(d.responsible_user);
    }
    const filtered =
      filters.type || filters.status || filters.owner || filters.needs || filters.q
        ? list(ctx, { type: filters.type, status: filters.status, owner: filters.owner, mine: filters.needs === "me", query: filters.q })
        : all;
    if (!filtered.ok) {
      refusalPage(res, viewer, "documents", "Documents", filtered);
      return;
    }
    render(res, viewer, "documents", "Documents", documentsView(filtered.data, filters, { types: [...types].sort(), owners: [...owners].sort() }));
  };

  const documentPage = (res: http.ServerResponse, viewer: Viewer, docId: string, url: URL, extra: { refusal?: Refusal; form?: Record<string, string> } = {}): void => {
    const ctx = ctxFor(viewer.user);
    const st = status(ctx, { docId });
    if (!st.ok) {
      refusalPage(res, viewer, "document", docId, st);
      return;
    }
    const id = st.data.doc_id;
    const current = read(ctx, { docId: id });
    const effective = current.ok && current.data.source !== "draft" ? current.data : undefined;
    const draftRead = read(ctx, { docId: id, draft: true });
    const draft = draftRead.ok ? draftRead.data : undefined;
    const hist = history(ctx, { docId: id });
    const events: AuditEvent[] = hist.ok ? hist.data.events : [];

    const seen = new Set<string>();
    for (const e of events) for (const v of [e.version, e.from_version]) if (typeof v === "string" && isVersionString(v)) seen.add(v);
    const versions: VersionEntry[] = [];
    for (const v of seen) {
      const r = read(ctx, { docId: id, version: v });
      if (r.ok && r.data.source === "archive") versions.push({ key: v, version: v, source: "archive", text: r.data.content });
    }
    const add = (data: ReadData | undefined, key: string): void => {
      if (!data) return;
      const same = versions.find((v) => v.version === data.version && v.text === data.content);
      if (!same) versions.push({ key, version: data.version, source: data.source, text: data.content });
    };
    add(effective, "effective");
    add(draft, "draft");
    versions.sort(versionOrder);

    const q = url.searchParams;
    const pick = (key: string | null): VersionEntry | undefined => (key ? versions.find((v) => v.key === key) : undefined);
    let a = pick(q.get("a"));
    let b = pick(q.get("b"));
    if ((!a || !b) && versions.length >= 2) {
      a = versions[versions.length - 2];
      b = versions[versions.length - 1];
    }
    const view = q.get("view") === "split" ? "split" : "inline";
    const com = comments(ctx, { docId: id });
    const nx = nextOf(ctx, { docId: id });
    const vr = st.data.doc_type === "VR" ? vrRecord(ctx, { docId: id }) : undefined;
    const lastApprovalRoute = [...events].reverse().find((e) => e.event === "ROUTE_APPROVAL");
    const data: DocumentPage = {
      csrf: viewer.session.csrf,
      viewer: { user: viewer.user, group: viewer.group },
      status: st.data,
      next: nx.ok ? nx.data.next : [],
      retiring: lastApprovalRoute?.retiring === true,
      effective,
      draft,
      versions,
      diff: a && b ? { a, b, view, result: diffVersions(a.text, b.text) } : undefined,
      events,
      comments: com.ok ? com.data : [],
      commentNotes: com.ok ? com.lines.filter((l) => l.includes("hidden while")) : [],
      vr: vr?.ok ? vr.data : undefined,
      ...extra,
    };
    render(res, viewer, "document", `${id}${st.data.title ? ` ${st.data.title}` : ""}`, documentView(data), extra.refusal ? refusalStatus(extra.refusal) : 200);
  };

  const documentAction = async (req: http.IncomingMessage, res: http.ServerResponse, viewer: Viewer, docId: string, action: string, url: URL): Promise<void> => {
    const form = await postForm(req, res, viewer);
    if (!form) return;
    if (!isWebAction(action)) throw new HttpError(404, `There is no action '${action.slice(0, 40)}'.`);
    const result = runAction(ctxFor(viewer.user), action, docId, form);
    env.log.log("ui_action", { user: viewer.user, action, doc_id: docId, ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
    if (result.ok) {
      viewer.session.flash = { ok: true, lines: result.lines };
      redirect(res, `/ui/doc/${encodeURIComponent(docId)}`);
      return;
    }
    const keep: Record<string, string> = {};
    for (const k of ["comment", "outcome", "assign", "assignees"]) {
      const v = form.get(k);
      if (v !== null) keep[k] = v;
    }
    documentPage(res, viewer, docId, url, { refusal: result, form: keep });
  };

  const inboxPage = (res: http.ServerResponse, viewer: Viewer, url: URL): void => {
    const asked = url.searchParams.get("user") || viewer.user;
    const admin = viewer.group === "administrator";
    if (asked !== viewer.user && !admin) {
      refusalPage(res, viewer, "inbox", "Inbox", { ok: false, code: "permission-denied", message: `Only administrators see another user's inbox; ${viewer.user} is in group ${viewer.group}.`, hint: "Your own inbox: /ui/inbox" });
      return;
    }
    if (!USER_NAME.test(asked)) {
      refusalPage(res, viewer, "inbox", "Inbox", { ok: false, code: "invalid-user", message: "Not a user name." });
      return;
    }
    // TODO(lead): an administrator's view of another inbox belongs in the inbox service (an input `user`, allowed to administrators).
    const r = inbox(ctxFor(asked));
    if (!r.ok) {
      refusalPage(res, viewer, "inbox", "Inbox", r);
      return;
    }
    render(res, viewer, "inbox", "Inbox", inboxView(r.data, viewer.user, admin ? listUsers(project).map((u) => u.name) : undefined));
  };

  const agentsPage = async (res: http.ServerResponse, viewer: Viewer): Promise<void> => {
    let snapshot: HubSnapshot | undefined;
    let error: string | undefined;
    if (env.hubSnapshot) {
      try {
        snapshot = await env.hubSnapshot();
      } catch (err) {
        error = `The hub did not answer: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    render(res, viewer, "agents", "Agents", agentsView(snapshot, error, viewer.session.csrf, viewer.group === "administrator" && env.hubControl !== undefined));
  };

  const agentAction = async (req: http.IncomingMessage, res: http.ServerResponse, viewer: Viewer, agent: string, action: string): Promise<void> => {
    const form = await postForm(req, res, viewer);
    if (!form) return;
    if (!env.hubControl || !["start", "stop", "nudge"].includes(action) || !USER_NAME.test(agent)) throw new HttpError(404, "No such agent action.");
    if (viewer.group !== "administrator") {
      forbidden(res, viewer, `starting, stopping and nudging agents is for administrators (${viewer.user} is ${viewer.group})`, req);
      return;
    }
    const r = await env.hubControl(action as HubAction, agent, viewer.user);
    env.log.log("ui_agent_action", { user: viewer.user, agent, action, ok: r.ok });
    viewer.session.flash = { ok: r.ok, lines: [r.message] };
    redirect(res, "/ui/agents");
  };

  const auditPage = (res: http.ServerResponse, viewer: Viewer, url: URL): void => {
    const user = url.searchParams.get("user") || undefined;
    const r = recentEvents(ctxFor(viewer.user), { limit: 100, user });
    if (!r.ok) {
      refusalPage(res, viewer, "audit", "Audit feed", r);
      return;
    }
    render(res, viewer, "audit", "Audit feed", auditView(r.data.events, user, listUsers(project).map((u) => u.name)));
  };

  const eventStream = (req: http.IncomingMessage, res: http.ServerResponse, viewer: Viewer, url: URL): void => {
    const user = url.searchParams.get("user") || undefined;
    const doc = url.searchParams.get("doc") || undefined;
    res.writeHead(200, { ...pageHeaders, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 3000\n\n");
    const sub: Subscriber = { sid: viewer.sid, res, ...(user ? { user } : {}), ...(doc ? { doc: doc.toUpperCase() } : {}) };
    subscribers.add(sub);
    tail.start();
    heartbeat ??= setInterval(() => {
      for (const s of subscribers) {
        if (!sessions.alive(s.sid)) s.res.end();
        else s.res.write(": ping\n\n");
      }
    }, HEARTBEAT_MS);
    heartbeat.unref();
    req.on("close", () => dropSubscriber(sub));
  };

  const integrityPage = async (res: http.ServerResponse, viewer: Viewer, url: URL): Promise<void> => {
    if (env.verify && (!integrity || url.searchParams.has("refresh") || Date.now() - integrity.at > INTEGRITY_TTL_MS)) await refreshIntegrity();
    render(res, viewer, "integrity", "Integrity", integrityView(integrity?.report, env.verify ? integrity?.error : undefined));
  };

  const asset = (res: http.ServerResponse, name: string): void => {
    if (!assets.has(name)) assets.set(name, loadAsset(name));
    const a = assets.get(name);
    if (!a) throw new HttpError(404, "No such asset.");
    res.writeHead(200, { ...pageHeaders, "content-type": a.type, "content-length": String(a.body.length), "cache-control": "private, max-age=300" });
    res.end(a.body);
  };

  const dispatch = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const pathname = url.pathname;
    const method = req.method ?? "GET";
    const cookies = parseCookies(req.headers.cookie);
    const sid = cookies.get(SESSION_COOKIE);
    const session = sessions.get(sid);
    if (pathname === "/ui/login") return handleLogin(req, res, url, cookies, session);
    if (!session || !sid) {
      req.resume();
      const next = method === "GET" ? `${pathname}${url.search}` : undefined;
      redirect(res, `/ui/login${query({ next: next && next !== "/ui/" ? safeNext(next) : undefined })}`);
      return;
    }
    const known = findUserSafe(session.user);
    if (!known) {
      sessions.end(sid);
      redirect(res, "/ui/login", { "set-cookie": clearedCookie(SESSION_COOKIE, "/ui") });
      return;
    }
    const viewer: Viewer = { sid, session, user: session.user, group: known.group };
    const isRead = method === "GET" || method === "HEAD";
    const parts = pathname.split("/").slice(2).map((s) => decodeURIComponent(s));

    if (pathname === "/ui/logout") {
      if (!(await postForm(req, res, viewer))) return;
      sessions.end(sid);
      env.log.log("ui_logout", { user: viewer.user });
      redirect(res, "/ui/login", { "set-cookie": clearedCookie(SESSION_COOKIE, "/ui") });
      return;
    }
    if (parts[0] === "doc" && parts.length === 3) {
      if (!DOC_ID.test(parts[1]!)) throw new HttpError(404, "Not a document ID.");
      return documentAction(req, res, viewer, parts[1]!, parts[2]!, url);
    }
    if (parts[0] === "agents" && parts.length === 3) return agentAction(req, res, viewer, parts[1]!, parts[2]!);
    if (!isRead) {
      res.writeHead(405, { ...pageHeaders, allow: "GET", "content-length": "0" });
      res.end();
      return;
    }
    if (pathname === "/ui/" || pathname === "/ui/index.html") return redirect(res, "/ui/documents");
    if (pathname === "/ui/documents") return documentsPage(res, viewer, url);
    if (parts[0] === "doc" && parts.length === 2) {
      if (!DOC_ID.test(parts[1]!)) throw new HttpError(404, "Not a document ID.");
      return documentPage(res, viewer, parts[1]!, url);
    }
    if (pathname === "/ui/inbox") return inboxPage(res, viewer, url);
    if (pathname === "/ui/workspace") {
      const r = workspace(ctxFor(viewer.user));
      return r.ok ? render(res, viewer, "workspace", "Workspace", workspaceView(r.data)) : refusalPage(res, viewer, "workspace", "Workspace", r);
    }
    if (pathname === "/ui/agents") return agentsPage(res, viewer);
    if (pathname === "/ui/audit") return auditPage(res, viewer, url);
    if (pathname === "/ui/api/events") return eventStream(req, res, viewer, url);
    if (pathname === "/ui/integrity") return integrityPage(res, viewer, url);
    if (parts[0] === "assets" && parts.length === 2) return asset(res, parts[1]!);
    throw new HttpError(404, "There is no page here.");
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const raw = req.url ?? "/";
    const pathOnly = raw.split("?")[0]!;
    if (pathOnly !== "/ui" && !pathOnly.startsWith("/ui/")) return false;
    if (pathOnly === "/ui") {
      redirect(res, "/ui/");
      return true;
    }
    let url: URL;
    try {
      url = new URL(raw, "http://ui.invalid");
      decodeURIComponent(url.pathname);
    } catch {
      send(res, 400, "Bad request");
      return true;
    }
    try {
      await dispatch(req, res, url);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return true;
      }
      const status = err instanceof HttpError ? err.status : 500;
      if (!(err instanceof HttpError)) env.log.log("ui_error", { message: err instanceof Error ? err.message : String(err), path: url.pathname });
      const message = err instanceof HttpError ? err.message : "Internal error; the server log has the details.";
      send(res, status, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · QMS</title><link rel="stylesheet" href="/ui/assets/qms.css"></head><body><main id="main"><h1>${status}</h1><p>${html`${message}`.value}</p><p><a href="/ui/documents">Documents</a></p></main></body></html>`);
    }
    return true;
  };

  return {
    handle,
    createLoginLink(user, baseUrl) {
      if (!findUserSafe(user)) throw new Error(`Unknown user '${user.slice(0, 40)}' in ${root}.`);
      const { code, expires } = codes.createCode(root, user, now());
      return { url: `${baseUrl.replace(/\/+$/, "")}/ui/login?code=${code}`, expires };
    },
    listening(baseUrl) {
      try {
        codes.announceServer(root, baseUrl.replace(/\/+$/, ""));
      } catch (err) {
        env.log.log("warning", { message: `web view: cannot record the server URL for 'qms ui': ${err instanceof Error ? err.message : String(err)}` });
      }
    },
    close() {
      for (const s of [...subscribers]) {
        s.res.end();
        dropSubscriber(s);
      }
      tail.stop();
    },
  };
}
