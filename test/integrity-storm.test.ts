import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, test } from "node:test";
import type { ServiceResult } from "../src/core/result.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { initProject } from "../src/services/init.js";
import { verifyProject } from "../src/services/verify.js";
import { Project } from "../src/store/project.js";
import { QMS_BIN, tempDir } from "./helpers.js";

const ROUNDS = Number(process.env.QMS_STORM_ROUNDS ?? 20);
const CLIENTS = 8;

const temps: string[] = [];
after(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function must<T>(r: ServiceResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data;
}

function project(documents: number): string {
  const root = tempDir("qms-storm-");
  temps.push(root);
  must(initProject({ root, createMarker: false }), "init");
  const p = new Project(root);
  for (let i = 0; i < documents; i++) must(create(makeContext(p, "claude"), { type: "SOP", title: `Stormy ${i + 1}` }), "create");
  return root;
}

interface Server {
  child: ChildProcess;
  url: URL;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startServer(root: string): Promise<Server> {
  const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { ...process.env, QMS_USER: "", QMS_MCP_LOG: "0", QMS_TOKEN_STORE: path.join(root, "..", `${path.basename(root)}-tokens.json`) },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: new URL(m[1]!), exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
}

/** One tools/call; "ack" only for a result the server sent back whole and not as an error. */
function callTool(agent: http.Agent, url: URL, name: string, args: Record<string, unknown>): Promise<{ ack: boolean; data?: Record<string, unknown> }> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } });
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", () => resolve({ ack: false }));
        res.on("end", () => {
          try {
            const text = Buffer.concat(chunks).toString("utf8");
            const json = JSON.parse(text.startsWith("event:") ? (/^data: (.*)$/m.exec(text)?.[1] ?? "") : text) as { result?: { isError?: boolean; structuredContent?: { data?: Record<string, unknown> } } };
            const r = json.result;
            resolve(r && !r.isError ? { ack: true, ...(r.structuredContent?.data ? { data: r.structuredContent.data } : {}) } : { ack: false });
          } catch {
            resolve({ ack: false });
          }
        });
      },
    );
    req.on("error", () => resolve({ ack: false }));
    req.end(body);
  });
}

function events(root: string, type: string, id: string): string[] {
  const file = path.join(root, "QMS", ".audit", type, `${id}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { event: string }).event);
}

function checkedOut(root: string, id: string): boolean {
  return (JSON.parse(fs.readFileSync(path.join(root, "QMS", ".meta", "SOP", `${id}.json`), "utf8")) as { checked_out: boolean }).checked_out;
}

function verifyClean(root: string, context: string): void {
  const findings = verifyProject(new Project(root), new Date()).findings;
  assert.deepEqual(findings.map((f) => `${f.doc_id ?? "-"} ${f.file ?? ""}:${f.line ?? ""} ${f.what}`), [], context);
}

test(`REQ-ITG-009: kill -9 of the HTTP server during a write storm from ${CLIENTS} clients, ${ROUNDS} times: verify clean after each restart, no acknowledged write lost, none duplicated`, { timeout: 170_000 }, async () => {
  const started = Date.now();
  const root = project(CLIENTS);
  const sop = (c: number): string => `SOP-${String(c + 1).padStart(3, "0")}`;
  // acknowledged and attempted (acknowledged or in flight at the kill) toggles per client, creates overall
  const acked = { toggles: Array.from({ length: CLIENTS }, () => 0), creates: new Set<string>() };
  const attempted = { toggles: Array.from({ length: CLIENTS }, () => 0), creates: 0 };
  const baseline = Array.from({ length: CLIENTS }, (_, c) => events(root, "SOP", sop(c)).filter((e) => e === "CHECKIN" || e === "CHECKOUT").length);
  let lost = 0;
  let duplicated = 0;
  let kills = 0;
  let interrupted = 0;

  for (let round = 0; round < ROUNDS; round++) {
    const srv = await startServer(root);
    if (round > 0) verifyClean(root, `round ${round}: after the restart`);
    const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    let killed = false;
    let roundAcks = 0;
    const storm = agents.map(async (agent, c) => {
      let out = checkedOut(root, sop(c));
      for (let k = 0; !killed; k++) {
        if (k % 3 === 2) {
          attempted.creates++;
          const r = await callTool(agent, srv.url, "qms_create", { doc_type: "CR", title: `Storm ${round}/${c}/${k}`, user: "claude" });
          if (r.ack && typeof r.data?.doc_id === "string") {
            acked.creates.add(r.data.doc_id);
            roundAcks++;
          }
        } else {
          attempted.toggles[c]!++;
          const r = await callTool(agent, srv.url, out ? "qms_checkin" : "qms_checkout", { doc_id: sop(c), user: "claude" });
          if (r.ack) {
            acked.toggles[c]!++;
            roundAcks++;
            out = !out;
          } else if (!killed) {
            attempted.toggles[c]!--; // refused while the server was alive: nothing was written
          }
        }
      }
    });
    // the storm is on once every client has had a write through (a loaded machine starts slowly); then a random moment
    const on = Date.now();
    while (roundAcks < CLIENTS && Date.now() - on < 10_000) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 200)));
    killed = true;
    srv.child.kill("SIGKILL");
    kills++;
    assert.equal(await srv.exited, "SIGKILL");
    await Promise.all(storm);
    for (const a of agents) a.destroy();
    // changes the kill cut in the middle, which the next start must finish or undo
    interrupted += fs.readdirSync(path.join(root, "QMS", ".intent")).filter((n) => n.endsWith(".json")).length;
  }

  const srv = await startServer(root);
  verifyClean(root, "after the last restart");
  srv.child.kill("SIGTERM");
  await srv.exited;

  for (let c = 0; c < CLIENTS; c++) {
    const onDisk = events(root, "SOP", sop(c)).filter((e) => e === "CHECKIN" || e === "CHECKOUT").length - baseline[c]!;
    lost += Math.max(0, acked.toggles[c]! - onDisk);
    duplicated += Math.max(0, onDisk - attempted.toggles[c]!);
  }
  const crMetas = fs.readdirSync(path.join(root, "QMS", ".meta", "CR")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
  for (const id of acked.creates) {
    if (!crMetas.includes(id) || events(root, "CR", id).filter((e) => e === "CREATE").length !== 1) lost++;
  }
  for (const id of crMetas) if (events(root, "CR", id).filter((e) => e === "CREATE").length !== 1) duplicated++;
  duplicated += Math.max(0, crMetas.length - attempted.creates);
  const ackedWrites = acked.toggles.reduce((a, b) => a + b, 0) + acked.creates.size;
  process.stdout.write(`# storm: ${kills} kills, ${interrupted} changes cut in the middle and recovered, ${ackedWrites} acknowledged writes, ${lost} lost, ${duplicated} duplicated, ${Math.round((Date.now() - started) / 1000)} s\n`);
  assert.equal(lost, 0, "no acknowledged write lost");
  assert.equal(duplicated, 0, "no write duplicated");
  assert.ok(ackedWrites >= ROUNDS * CLIENTS, `the storm wrote in every round (${ackedWrites})`);
  assert.ok(interrupted > 0, "some kill landed in the middle of a change (else nothing was tested)");
});

test("REQ-ITG-013: two CLI processes and the server write the same documents at once: every acknowledged event is on disk once", { timeout: 120_000 }, async () => {
  const root = project(1);
  const srv = await startServer(root);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const counts = { CHECKIN: 0, CHECKOUT: 0, CREATE: 0 };
  const before = events(root, "SOP", "SOP-001");
  const deadline = Date.now() + 4000;
  const cli = (args: string[]): Promise<number | null> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [QMS_BIN, "--user", "claude", ...args], { cwd: root, env: { ...process.env, QMS_USER: "" }, stdio: "ignore" });
      child.once("exit", (code) => resolve(code));
    });
  const writer = async (run: (op: "CHECKIN" | "CHECKOUT" | "CREATE") => Promise<boolean>): Promise<void> => {
    for (let k = 0; Date.now() < deadline; k++) {
      const op = k % 3 === 2 ? "CREATE" : checkedOut(root, "SOP-001") ? "CHECKIN" : "CHECKOUT";
      if (await run(op)) counts[op]++;
    }
  };
  const viaCli = (op: "CHECKIN" | "CHECKOUT" | "CREATE"): Promise<boolean> =>
    cli(op === "CREATE" ? ["create", "SOP", "--title", "from the CLI"] : [op.toLowerCase(), "SOP-001"]).then((code) => code === 0);
  const viaServer = async (op: "CHECKIN" | "CHECKOUT" | "CREATE"): Promise<boolean> =>
    (await callTool(agent, srv.url, op === "CREATE" ? "qms_create" : op === "CHECKIN" ? "qms_checkin" : "qms_checkout", op === "CREATE" ? { doc_type: "SOP", title: "from MCP", user: "claude" } : { doc_id: "SOP-001", user: "claude" })).ack;
  await Promise.all([writer(viaCli), writer(viaCli), writer(viaServer)]);
  agent.destroy();
  srv.child.kill("SIGTERM");
  await srv.exited;

  const now = events(root, "SOP", "SOP-001").slice(before.length);
  assert.equal(now.filter((e) => e === "CHECKIN").length, counts.CHECKIN, "CHECKIN events = acknowledged checkins");
  assert.equal(now.filter((e) => e === "CHECKOUT").length, counts.CHECKOUT, "CHECKOUT events = acknowledged checkouts");
  const sops = fs.readdirSync(path.join(root, "QMS", ".meta", "SOP")).filter((f) => f.endsWith(".json"));
  assert.equal(sops.length, 1 + counts.CREATE, "one document per acknowledged create");
  for (const f of sops) assert.equal(events(root, "SOP", f.slice(0, -5)).filter((e) => e === "CREATE").length, 1, f);
  assert.ok(counts.CHECKIN + counts.CHECKOUT > 4 && counts.CREATE > 2, JSON.stringify(counts));
  verifyClean(root, "after the concurrent writers");
  process.stdout.write(`# concurrent writers: ${JSON.stringify(counts)}\n`);
});
