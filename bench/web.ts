/**
 * Web view benchmark (`npm run bench:web`): time to answer the documents page of a 10,000-document project
 * (target < 100 ms), unfiltered, filtered, searched and deep in the pagination, plus a document page and the
 * audit feed. The project is written directly into a temp folder (meta, draft and audit files, no CLI); the
 * server is a real `qms mcp --transport streamable-http` process; requests are sequential keep-alive GETs on
 * loopback, so the time measured is the server's (loopback adds ~0.1 ms). The first request of each page is
 * reported apart ("cold": the server reads every meta file once).
 *
 * Env: BENCH_DOCS (default 10000), BENCH_REPEAT (per page, default 30). Writes bench/results/web-<date>.json
 * and web-latest.md.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { LoginCodeStore } from "../src/store/login-codes.js";
import { makeHarnessProject, QMS_BIN, REPO_ROOT, tempDir } from "../test/helpers.js";

const DOCS = Number(process.env.BENCH_DOCS ?? 10000) || 10000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 30) || 30;
const TARGET_MS = 100;
const STATUSES = ["DRAFT", "IN_REVIEW", "REVIEWED", "IN_APPROVAL", "EFFECTIVE"] as const;

const pad = (n: number): string => String(n).padStart(5, "0");

/** 40% SOPs, 60% CR families (each CR with one TP): meta, draft or effective file, one audit line each. */
function writeProject(root: string): void {
  const qms = path.join(root, "QMS");
  const write = (file: string, text: string): void => fs.writeFileSync(file, text);
  for (const d of [".meta/SOP", ".meta/CR", ".meta/TP", ".audit/SOP", ".audit/CR", ".audit/TP"]) fs.mkdirSync(path.join(qms, d), { recursive: true });
  const doc = (id: string, type: string, n: number, dir: string, executable: boolean): void => {
    const status = executable ? (["DRAFT", "IN_PRE_REVIEW", "PRE_REVIEWED", "IN_PRE_APPROVAL", "IN_EXECUTION"] as const)[n % 5]! : STATUSES[n % 5]!;
    const effective = status === "EFFECTIVE";
    const pending = status.startsWith("IN_") && status !== "IN_EXECUTION" ? ["qa"] : [];
    const meta = { doc_id: id, doc_type: type, version: effective ? "1.0" : "0.1", status, executable, execution_phase: executable ? "pre_release" : null, responsible_user: effective ? null : n % 3 === 0 ? "lead" : "claude", checked_out: status === "DRAFT", checked_out_date: null, effective_version: effective ? "1.0" : null, pending_assignees: pending };
    write(path.join(qms, ".meta", type, `${id}.json`), `${JSON.stringify(meta, null, 2)}\n`);
    const title = `${type === "SOP" ? "Procedure" : type === "CR" ? "Change" : "Test plan"} ${n} for the ${["release", "review", "audit", "build", "deploy"][n % 5]} process`;
    write(path.join(qms, dir, `${id}${effective ? "" : "-draft"}.md`), `---\ntitle: "${title}"\nrevision_summary: Initial draft\n---\n\n# ${id}: ${title}\n\nBody of ${id}.\n`);
    // the event's time is the file's write time, as when the engine appends it
    const ts = `${new Date().toISOString().slice(0, 19)}+00:00`;
    write(path.join(qms, ".audit", type, `${id}.jsonl`), `${JSON.stringify({ ts, event: "CREATE", user: "claude", version: "0.1", title })}\n`);
  };
  const sops = Math.round(DOCS * 0.4);
  fs.mkdirSync(path.join(qms, "SOP"), { recursive: true });
  for (let i = 1; i <= sops; i++) doc(`SOP-${pad(i)}`, "SOP", i, "SOP", false);
  const crs = Math.floor((DOCS - sops) / 2);
  for (let i = 1; i <= crs; i++) {
    const dir = path.join("CR", `CR-${pad(i)}`);
    fs.mkdirSync(path.join(qms, dir), { recursive: true });
    doc(`CR-${pad(i)}`, "CR", i, dir, true);
    doc(`CR-${pad(i)}-TP-001`, "TP", i, dir, true);
  }
}

async function startServer(root: string, env: Record<string, string>): Promise<{ base: URL; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [QMS_BIN, "mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { ...process.env, QMS_USER: "", QMS_MCP_LOG: "0", ...env },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  const base = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)\/mcp/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]!));
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { base, stop };
}

function get(agent: http.Agent, base: URL, pathname: string, cookie: string): Promise<{ status: number; ms: number; bytes: number; location?: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ agent, host: base.hostname, port: base.port, path: pathname, method: "GET", headers: cookie ? { cookie } : {} }, (res) => {
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes, location: res.headers.location, setCookie: res.headers["set-cookie"] }));
    });
    req.on("error", reject);
    req.end();
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number): number => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const root = makeHarnessProject();
  const storeDir = tempDir("qms-bench-web-");
  const env = { QMS_TOKEN_STORE: path.join(storeDir, "tokens.json") };
  const t0 = performance.now();
  writeProject(root);
  const setupMs = performance.now() - t0;
  const server = await startServer(root, env);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rows: Array<{ page: string; user: string; cold_ms: number; p50_ms: number; p95_ms: number; max_ms: number; kb: number; target: boolean }> = [];
  try {
    const signIn = async (user: string): Promise<string> => {
      const { code } = new LoginCodeStore(path.join(storeDir, "ui-login.json")).createCode(root, user);
      const r = await get(agent, server.base, `/ui/login?code=${code}`, "");
      const cookie = (r.setCookie ?? []).find((c) => c.startsWith("qms_ui="))?.split(";")[0];
      if (r.status !== 200 || !cookie) throw new Error(`sign-in failed: ${r.status}`);
      return cookie;
    };
    const pages: Array<[string, string, boolean]> = [
      ["/ui/documents", "lead", true],
      ["/ui/documents?page=100", "lead", true],
      ["/ui/documents?q=deploy", "lead", true],
      ["/ui/documents?status=IN_REVIEW&type=SOP", "lead", true],
      ["/ui/documents?needs=me", "qa", true],
      [`/ui/doc/CR-${pad(1234)}`, "lead", false],
      ["/ui/audit", "lead", false],
    ];
    const cookies = new Map<string, string>();
    for (const [pathname, user, target] of pages) {
      if (!cookies.has(user)) cookies.set(user, await signIn(user));
      const cookie = cookies.get(user)!;
      const cold = await get(agent, server.base, pathname, cookie);
      if (cold.status !== 200) throw new Error(`${pathname}: HTTP ${cold.status}`);
      const times: number[] = [];
      let bytes = cold.bytes;
      for (let i = 0; i < REPEAT; i++) {
        const r = await get(agent, server.base, pathname, cookie);
        if (r.status !== 200) throw new Error(`${pathname}: HTTP ${r.status}`);
        times.push(r.ms);
        bytes = r.bytes;
      }
      times.sort((a, b) => a - b);
      rows.push({ page: pathname, user, cold_ms: round(cold.ms), p50_ms: round(pct(times, 50)), p95_ms: round(pct(times, 95)), max_ms: round(times[times.length - 1]!), kb: round(bytes / 1024), target });
    }
  } finally {
    agent.destroy();
    await server.stop();
  }
  const listRows = rows.filter((r) => r.target);
  const worstP95 = Math.max(...listRows.map((r) => r.p95_ms));
  const verdict = { documents: DOCS, target_ms: TARGET_MS, documents_page_p95_max_ms: worstP95, met: worstP95 < TARGET_MS };
  const stamp = new Date().toISOString();
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", platform: `${os.platform()} ${os.release()}` };
  const result = { benchmark: "web", date: stamp, machine, settings: { documents: DOCS, repeat: REPEAT, setup_ms: Math.round(setupMs) }, rows, verdict };
  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `web-${stamp.slice(0, 10)}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    `# Web view benchmark (${stamp})`,
    "",
    `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.platform}, Node ${machine.node}. ${DOCS} documents (written directly, ${Math.round(setupMs)} ms), sequential keep-alive GETs on loopback, ${REPEAT} per page after one cold request.`,
    "",
    "| page | user | cold ms | p50 ms | p95 ms | max ms | KiB |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.page} | ${r.user} | ${r.cold_ms} | ${r.p50_ms} | ${r.p95_ms} | ${r.max_ms} | ${r.kb} |`),
    "",
    `Documents pages, worst p95: ${worstP95} ms (target < ${TARGET_MS} ms): ${verdict.met ? "met" : "NOT met"}.`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "web-latest.md"), md);
  process.stdout.write(`${md}\n`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(storeDir, { recursive: true, force: true });
}

await main();
