/**
 * Requirements of qms.md §11 the project claims that no other test checked (docs/traceability.md): the
 * storage layout, the attachment lifecycle, terminal checkouts, workflow state outside frontmatter, the type
 * registry, audit event fields, `qms_fix` over MCP and the `qms mcp` defaults. In-process through the
 * services where a service exists; the server through the SDK client.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { BASE_DOC_TYPES, BUILTIN_NAMESPACES, creatableTypeKeys } from "../src/core/doctypes.js";
import { parseDocument } from "../src/core/frontmatter.js";
import type { ServiceResult } from "../src/core/result.js";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { approve } from "../src/services/approve.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { release } from "../src/services/release.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, startServerProcess, stdioClient, text } from "./fixtures-mcp/harness.js";
import { audit, makeHarnessProject, meta, QMS_BIN, snapshotTree, tempDir } from "./helpers.js";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const root = makeHarnessProject();
  made.push(root);
  return root;
}

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) assert.fail(`${what} was refused: ${r.message}`);
  return r.data;
}

function refused<T>(r: ServiceResult<T>, what: string, pattern: RegExp): void {
  assert.equal(r.ok, false, `${what} should be refused`);
  if (!r.ok) assert.match(r.message, pattern, what);
}

/** In-process lifecycle steps on `root`, each asserted to succeed. */
function steps(root: string) {
  const as = (user: string) => makeContext(root, user);
  return {
    create: (type: string, title: string, parent?: string) => must(create(as("claude"), { type, title, ...(parent ? { parent } : {}) }), `create ${type}`).doc_id,
    checkout: (id: string) => must(checkout(as("claude"), { docId: id }), `checkout ${id}`),
    checkin: (id: string) => must(checkin(as("claude"), { docId: id }), `checkin ${id}`),
    routeReview: (id: string) => must(route(as("claude"), { docId: id, kind: "review" }), `route ${id} --review`),
    routeApproval: (id: string, retire = false) => must(route(as("claude"), { docId: id, kind: "approval", retire }), `route ${id} --approval`),
    recommend: (id: string) => must(review(as("qa"), { docId: id, outcome: "recommend", comment: "ok" }), `review ${id}`),
    approve: (id: string) => must(approve(as("qa"), { docId: id }), `approve ${id}`),
    release: (id: string) => must(release(as("claude"), { docId: id }), `release ${id}`),
    close: (id: string) => must(close(as("claude"), { docId: id }), `close ${id}`),
  };
}

function effectiveSop(s: ReturnType<typeof steps>): string {
  const id = s.create("SOP", "Procedure");
  s.routeReview(id);
  s.recommend(id);
  s.routeApproval(id);
  s.approve(id);
  return id;
}

function crInExecution(s: ReturnType<typeof steps>): string {
  const id = s.create("CR", "Change");
  s.routeReview(id);
  s.recommend(id);
  s.routeApproval(id);
  s.approve(id);
  s.release(id);
  return id;
}

function toClosed(s: ReturnType<typeof steps>, id: string): void {
  s.routeReview(id);
  s.recommend(id);
  s.routeApproval(id);
  s.approve(id);
  s.close(id);
}

const files = (root: string): string[] => [...snapshotTree(root).keys()].filter((k) => !k.endsWith("/"));

describe("requirements no other test covered", () => {
  test("REQ-DOC-003: documents go to QMS/ by type, state to .meta, history to .audit, versions to .archive, copies and tasks to the users' folders; nothing elsewhere", () => {
    const root = project();
    const before = new Set(files(root));
    const s = steps(root);
    const sop = effectiveSop(s);
    s.checkout(sop); // revision draft and workspace copy
    const cr = crInExecution(s);
    s.create("TP", "Tests", cr);
    s.create("VAR", "Deviation", cr);
    s.checkout(cr);
    s.checkin(cr); // archives 1.0
    s.routeReview(cr); // a task in qa's inbox
    const added = files(root).filter((f) => !before.has(f));
    const places: Array<[string, RegExp]> = [
      ["document", /^QMS\/SOP\/SOP-\d{3}(?:-draft)?\.md$|^QMS\/(?<type>CR|INV)\/(?<root>\k<type>-\d{3})\/\k<root>(?:-[A-Z]+-\d{3})*(?:-draft)?\.md$/],
      ["meta", /^QMS\/\.meta\/[A-Z]+\/[A-Z0-9-]+\.json$/],
      ["audit", /^QMS\/\.audit\/[A-Z]+\/[A-Z0-9-]+\.jsonl$/],
      ["archive", /^QMS\/\.archive\/[A-Z]+\/(?:[A-Z]+-\d{3}\/)?[A-Z0-9-]+-v\d+\.\d+\.md$/],
      ["workspace", /^\.claude\/users\/[a-z_]+\/workspace\/[A-Z0-9-]+\.md$/],
      ["inbox", /^\.claude\/users\/[a-z_]+\/inbox\/task-[A-Za-z0-9_.-]+\.md$/],
    ];
    const used = new Set<string>();
    for (const f of added) {
      const place = places.find(([, re]) => re.test(f));
      assert.ok(place, `${f} is stored outside the places of REQ-DOC-003`);
      used.add(place[0]);
    }
    assert.deepEqual([...used].sort(), places.map(([p]) => p).sort(), "every kind of place was written");
    assert.ok(added.includes("QMS/CR/CR-001/CR-001-TP-001-draft.md") && added.includes("QMS/.meta/TP/CR-001-TP-001.json"), added.join("\n"));
  });

  test("REQ-DOC-018: VR is the one attachment type; it closes straight from IN_EXECUTION, which a CR cannot, and never twice", () => {
    assert.deepEqual(Object.values(BASE_DOC_TYPES).filter((t) => t.attachment).map((t) => t.key), ["VR"]);
    const root = project();
    const s = steps(root);
    const cr = crInExecution(s);
    const vr = s.create("VR", "Verification", cr);
    assert.equal(meta(root, "VR", vr).status, "IN_EXECUTION");
    const ctx = makeContext(root, "claude");
    const unchanged = snapshotTree(root);
    refused(close(ctx, { docId: cr }), "close of an executing CR", /POST_APPROVED/);
    assert.deepEqual(snapshotTree(root), unchanged);
    s.close(vr);
    const m = meta(root, "VR", vr);
    assert.equal(m.status, "CLOSED");
    assert.equal(m.responsible_user, null);
    assert.deepEqual(audit(root, "VR", vr).slice(-2).map((e) => e.event), ["CLOSE", "STATUS_CHANGE"]);
    const again = snapshotTree(root);
    assert.equal(close(ctx, { docId: vr }).ok, false, "a CLOSED attachment does not close again");
    assert.deepEqual(snapshotTree(root), again);
  });

  test("REQ-DOC-019: checkout of a CLOSED or a RETIRED document is refused with a message naming its state; nothing changes", () => {
    const root = project();
    const s = steps(root);
    const cr = crInExecution(s);
    toClosed(s, cr);
    const sop = effectiveSop(s);
    s.checkout(sop);
    s.checkin(sop);
    s.routeReview(sop);
    s.recommend(sop);
    s.routeApproval(sop, true);
    s.approve(sop);
    assert.equal(meta(root, "SOP", sop).status, "RETIRED");
    const before = snapshotTree(root);
    refused(checkout(makeContext(root, "claude"), { docId: cr }), "checkout of a CLOSED CR", /CR-001 is CLOSED.*cannot be checked out/);
    refused(checkout(makeContext(root, "claude"), { docId: sop }), "checkout of a RETIRED SOP", /SOP-001 is RETIRED.*cannot be checked out/);
    assert.deepEqual(snapshotTree(root), before);
  });

  test("REQ-META-002: workflow fields an author writes into the frontmatter are dropped at checkin; .meta alone holds the state", () => {
    const root = project();
    const s = steps(root);
    const id = s.create("SOP", "Plain");
    const copy = path.join(root, ".claude", "users", "claude", "workspace", `${id}.md`);
    fs.writeFileSync(copy, "---\ntitle: Plain\nrevision_summary: Initial draft\nstatus: EFFECTIVE\nversion: '9.0'\nresponsible_user: qa\nchecked_out: false\n---\n\nbody\n");
    s.checkin(id);
    const m = meta(root, "SOP", id);
    assert.deepEqual([m.status, m.version, m.responsible_user], ["DRAFT", "0.1", "claude"]);
    const draft = parseDocument(fs.readFileSync(path.join(root, "QMS", "SOP", `${id}-draft.md`), "utf8"));
    assert.deepEqual(Object.keys(draft.frontmatter), ["title", "revision_summary"]);
    assert.match(draft.body, /body/);
  });

  test("REQ-CFG-005: the type registry gives each type its folder, executable flag, parent types and folder-per-document layout; SDLC types come from the namespaces", () => {
    const row = (key: string) => {
      const t = BASE_DOC_TYPES[key];
      assert.ok(t, key);
      return [t.path, t.executable, t.parentTypes ?? [], t.folderPerDoc === true];
    };
    assert.deepEqual(Object.keys(BASE_DOC_TYPES).sort(), ["ADD", "CR", "ER", "INV", "SOP", "TEMPLATE", "TP", "VAR", "VR"]);
    assert.deepEqual(row("SOP"), ["SOP", false, [], false]);
    assert.deepEqual(row("CR"), ["CR", true, [], true]);
    assert.deepEqual(row("INV"), ["INV", true, [], true]);
    assert.deepEqual(row("TP"), ["CR", true, ["CR"], false]);
    assert.deepEqual(row("ER"), ["CR", true, ["TP"], false]);
    assert.deepEqual(row("VAR"), ["CR", true, ["CR", "INV"], false]);
    assert.deepEqual(row("ADD"), ["CR", true, ["CR", "INV", "VAR", "ADD"], false]);
    assert.deepEqual(row("VR"), ["CR", true, ["CR", "VAR", "ADD"], false]);
    assert.deepEqual(row("TEMPLATE"), ["TEMPLATE", false, [], false]);
    const types = creatableTypeKeys({ ...BUILTIN_NAMESPACES, MYPROJ: { path: "SDLC-MYPROJ" } });
    for (const k of ["FLOW-RS", "FLOW-RTM", "QMS-RS", "QMS-RTM", "MYPROJ-RS", "MYPROJ-RTM"]) assert.ok(types.includes(k), k);
    assert.ok(!types.includes("NOPE-RS"));
  });

  test("REQ-AUDIT-003: every event of a CR taken to CLOSED carries an ISO-8601 UTC timestamp, its type, the user and the document version", () => {
    const root = project();
    const s = steps(root);
    const cr = crInExecution(s);
    s.checkout(cr);
    s.checkin(cr);
    toClosed(s, cr);
    const events = audit(root, "CR", cr);
    assert.ok(events.length >= 15, `${events.length} events`);
    for (const e of events) {
      assert.match(String(e.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/, JSON.stringify(e));
      assert.ok(!Number.isNaN(Date.parse(String(e.ts))), JSON.stringify(e));
      assert.equal(typeof e.event, "string");
      assert.match(String(e.user), /^(claude|qa)$/, JSON.stringify(e));
      assert.match(String(e.version), /^\d+\.\d+$/, JSON.stringify(e));
    }
  });
});

describe("requirements no other test covered: the MCP server", () => {
  test("REQ-MCP-006: qms_fix is a tool for administrators only; others get an isError result and nothing changes", async () => {
    const root = project();
    effectiveSop(steps(root));
    const srv = await startHttpServer({ project: new Project(root), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none" });
    const client = await httpClient(srv.url);
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === "qms_fix"));
      const before = snapshotTree(root);
      for (const user of ["qa", "tu_ui"]) {
        const r = await call(client, "qms_fix", { doc_id: "SOP-001", user });
        assert.equal(r.isError, true, `${user}: ${text(r)}`);
        assert.match(text(r), /administrator/);
      }
      assert.deepEqual(snapshotTree(root), before);
      for (const user of ["lead", "claude"]) {
        const r = await call(client, "qms_fix", { doc_id: "SOP-001", user });
        assert.equal(r.isError, undefined, `${user}: ${text(r)}`);
      }
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test("REQ-MCP-012: qms mcp takes --transport/--host/--port, defaulting to stdio, 127.0.0.1 and 8000", async () => {
    const help = spawnSync(process.execPath, [QMS_BIN, "mcp", "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    const options = help.stdout.replace(/\s+/g, " ");
    /** The help text of one option: from its flag up to the next option's flag. */
    const option = (flag: string): string => new RegExp(`${flag} ((?:(?! --[a-z]).)*)`).exec(options)?.[1] ?? "";
    assert.match(option("--transport <kind>"), /\(default: "stdio"\)$/);
    assert.match(option("--host <host>"), /\(default: "127\.0\.0\.1"\)$/);
    assert.match(option("--port <port>"), /\(default: "8000"\)$/);
    const root = project();
    // No --transport: an MCP client on stdin/stdout connects and calls a tool.
    const { client } = await stdioClient(root);
    try {
      const r = await call(client, "qms_inbox", { user: "qa" });
      assert.equal(r.isError, undefined, text(r));
    } finally {
      await client.close();
    }
    // HTTP without --host binds loopback (port 0 here: 8000 may be taken on a shared machine).
    const store = tempDir("qms-store-");
    made.push(store);
    const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root], { env: { QMS_TOKEN_STORE: path.join(store, "tokens.json") } });
    try {
      assert.ok(srv.url.startsWith("http://127.0.0.1:"), srv.url);
      assert.match(new URL(srv.url).pathname, /^\/mcp$/);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
});
