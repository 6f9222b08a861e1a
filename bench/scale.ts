/**
 * Scale benchmark (`npm run bench:scale`, issue #8): costs that must not grow with the project.
 *
 * Grows a harness project ("large") to BENCH_SCALE_DOCS CRs (default 10,000) entirely through a real `qms mcp`
 * server (streamable HTTP, loopback) with 4 concurrent clients creating as `claude`; every 10th new CR is
 * routed for review, which writes a task to `qa`'s inbox (1,000 tasks at 10,000 documents). Nothing is seeded
 * behind the server's back: every document is a `qms_create` call. A second project ("small", its own
 * server) is grown the same way to 20 documents (2 tasks for qa).
 *
 * The machine is shared, and its load drifts over the minutes a growth takes, so every comparison is also
 * made side by side, at the end, under the same load:
 * - reads (one client, p50 after a warm-up, rounds alternating between the two servers): `qms_status CR-001`,
 *   `qms_read CR-001 draft`, `qms_inbox` as qa, at 20 (small) and at 10,000 (large) documents;
 * - the CLI (median wall time of real `node bin/qms.js` processes, round-robin with `node -e 0`): `status
 *   CR-001` and `inbox` as qa in the small and in the large project;
 * - creates (4 clients, p50): alternating blocks of 50 on a fresh project (its start) and on the large one.
 * The literal "first and last 500 creates of the growth" is reported too (it includes the load's drift).
 *
 * Checks (issue #8): create p50 at 10,000 ≤ 1.5× at the start; qms_inbox p50 ≤ 5 ms with 1,000 tasks;
 * qms_status p50 ≤ 5 ms and ≤ 1.5× its cost at 20 documents; CLI status ≤ 1.5× its time at 20 documents.
 *
 * Env: BENCH_SCALE_DOCS (default 10000), BENCH_READ_CALLS (per tool and size, default 400), BENCH_CLI_RUNS
 * (default 11), BENCH_SCALE_MAX_S (growth time limit, default 900). Writes bench/results/scale-<date>.json
 * and bench/results/scale-latest.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { makeHarnessProject, QMS_BIN, REPO_ROOT, tempDir } from "../test/helpers.js";
import { type BenchServer, callTool, startServer } from "./server.js";

const DOCS = Math.max(40, Number(process.env.BENCH_SCALE_DOCS ?? 10000) || 10000);
const READ_CALLS = Math.max(50, Number(process.env.BENCH_READ_CALLS ?? 400) || 400);
const CLI_RUNS = Math.max(5, Number(process.env.BENCH_CLI_RUNS ?? 11) || 11);
const MAX_MS = (Number(process.env.BENCH_SCALE_MAX_S ?? 900) || 900) * 1000;
const CLIENTS = 4;
const SMALL = 20;
const ROUTE_EVERY = 10;
const WINDOW = Math.min(500, Math.floor(DOCS / 4));
const AB_BLOCK = 50;

const p = (xs: number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The tool result's structured data, from a JSON or an SSE-framed JSON-RPC response. */
function resultData(text: string): Record<string, unknown> | undefined {
  const json = text.trimStart().startsWith("{") ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? "{}");
  const parsed = JSON.parse(json) as { result?: { structuredContent?: { data?: Record<string, unknown> } } };
  return parsed.result?.structuredContent?.data;
}

/** A project with its own server and keep-alive clients. */
interface Side {
  name: string;
  root: string;
  server: BenchServer;
  agent: http.Agent;
}

async function side(name: string): Promise<Side> {
  const root = makeHarnessProject();
  return { name, root, server: await startServer(root), agent: new http.Agent({ keepAlive: true, maxSockets: CLIENTS }) };
}

class Growth {
  readonly creates: Array<{ index: number; ms: number }> = [];
  readonly routes: number[] = [];
  readonly errors: string[] = [];
  private next = 0;

  constructor(private readonly s: Side) {}

  /** Create (and route every 10th) with 4 clients until `target` documents exist or the deadline. */
  async growTo(target: number, deadline: number, routeEvery = ROUTE_EVERY): Promise<void> {
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (this.next < target && Date.now() < deadline && this.errors.length < 20) {
          const index = this.next++;
          const c = await callTool(this.s.agent, this.s.server.url, "qms_create", { doc_type: "CR", title: `Scale ${index}`, user: "claude" });
          this.creates.push({ index, ms: c.ms });
          if (!c.ok) {
            this.errors.push(`${this.s.name} create ${index}: ${c.text.slice(0, 200)}`);
            continue;
          }
          if (index % routeEvery !== 0) continue;
          const docId = String(resultData(c.text)?.doc_id ?? "");
          const r = await callTool(this.s.agent, this.s.server.url, "qms_route", { doc_id: docId, route_type: "review", user: "claude" });
          this.routes.push(r.ms);
          if (!r.ok) this.errors.push(`${this.s.name} route ${docId}: ${r.text.slice(0, 200)}`);
        }
      }),
    );
  }

  /** The latencies of the creates made since `from` (by creation order). */
  latencies(from = 0): number[] {
    return [...this.creates].sort((a, b) => a.index - b.index).slice(from).map((c) => c.ms);
  }
}

const READS = [
  { key: "status", tool: "qms_status", args: { doc_id: "CR-001", user: "claude" } },
  { key: "read", tool: "qms_read", args: { doc_id: "CR-001", draft: true, user: "claude" } },
  { key: "inbox", tool: "qms_inbox", args: { user: "qa" } },
] as const;
type ReadKey = (typeof READS)[number]["key"];

/** p50 and p90 of each read tool on each side, rounds alternating between the sides. */
async function measureReads(sides: Side[]): Promise<Record<string, Record<ReadKey, { p50: number; p90: number }>>> {
  const samples = new Map<string, number[]>();
  for (const s of sides) for (const r of READS) for (let i = 0; i < 50; i++) await callTool(s.agent, s.server.url, r.tool, r.args); // warm-up
  const rounds = 8;
  for (let round = 0; round < rounds; round++) {
    for (const r of READS) {
      for (const s of sides) {
        const key = `${s.name}/${r.key}`;
        const xs = samples.get(key) ?? [];
        samples.set(key, xs);
        for (let i = 0; i < Math.ceil(READ_CALLS / rounds); i++) {
          const c = await callTool(s.agent, s.server.url, r.tool, r.args);
          if (!c.ok) throw new Error(`${s.name} ${r.tool}: ${c.text.slice(0, 300)}`);
          xs.push(c.ms);
        }
      }
    }
  }
  const out: Record<string, Record<ReadKey, { p50: number; p90: number }>> = {};
  for (const s of sides) {
    const row = {} as Record<ReadKey, { p50: number; p90: number }>;
    for (const r of READS) {
      const xs = samples.get(`${s.name}/${r.key}`)!;
      row[r.key] = { p50: r3(p(xs, 0.5)), p90: r3(p(xs, 0.9)) };
    }
    out[s.name] = row;
  }
  return out;
}

/** The CLI's state folder (where it keeps large listings between runs): a throw-away one, not the user's. */
const STATE_DIR = tempDir("qms-bench-state-");

/** Median wall time of real CLI processes, round-robin with the floor so machine load hits all alike. */
function measureCli(sides: Side[]): Record<string, number> {
  const cases: Array<{ key: string; cwd: string; argv: string[] }> = [{ key: "floor", cwd: sides[0]!.root, argv: ["-e", "0"] }];
  for (const s of sides) {
    cases.push({ key: `${s.name}/status`, cwd: s.root, argv: [QMS_BIN, "--user", "claude", "status", "CR-001"] });
    cases.push({ key: `${s.name}/inbox`, cwd: s.root, argv: [QMS_BIN, "--user", "qa", "inbox"] });
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
  for (let run = 0; run < CLI_RUNS + 2; run++) {
    for (const c of cases) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, c.argv, { cwd: c.cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, QMS_USER: "", QMS_STATE_DIR: STATE_DIR } });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`node ${c.argv.join(" ")} exited ${r.status}: ${r.stderr}`);
      if (run >= 2) samples.get(c.key)!.push(ms);
    }
  }
  return Object.fromEntries([...samples].map(([k, xs]) => [k, Math.round(median(xs) * 10) / 10]));
}

/** Create p50 on each side, in alternating blocks of AB_BLOCK creates (4 clients), `blocks` blocks per side. */
async function measureCreates(sides: Side[], growths: Map<string, Growth>, blocks: number, deadline: number): Promise<Record<string, number>> {
  const samples = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  for (let b = 0; b < blocks; b++) {
    for (const s of sides) {
      const g = growths.get(s.name)!;
      const from = g.creates.length;
      await g.growTo(from + AB_BLOCK, deadline, Number.POSITIVE_INFINITY);
      samples.get(s.name)!.push(...g.latencies(from));
    }
  }
  return Object.fromEntries([...samples].map(([k, xs]) => [k, r3(p(xs, 0.5))]));
}

function countTasks(root: string, user: string): number {
  return fs.readdirSync(path.join(root, ".claude", "users", user, "inbox")).filter((n) => n.startsWith("task-")).length;
}

async function main(): Promise<void> {
  const deadline = Date.now() + MAX_MS;
  const small = await side("small");
  const large = await side("large");
  const fresh = await side("fresh");
  const sides = [small, large, fresh];
  const growths = new Map(sides.map((s) => [s.name, new Growth(s)]));
  let growthS = 0;
  let reads: Awaited<ReturnType<typeof measureReads>>;
  let cli: Record<string, number>;
  let creates: Record<string, number>;
  try {
    await growths.get("small")!.growTo(SMALL, deadline);
    await growths.get("fresh")!.growTo(SMALL, deadline, Number.POSITIVE_INFINITY);
    const g0 = Date.now();
    await growths.get("large")!.growTo(DOCS, deadline);
    growthS = Math.round((Date.now() - g0) / 100) / 10;
    reads = await measureReads([small, large]);
    cli = measureCli([small, large]);
    creates = await measureCreates([fresh, large], growths, Math.ceil(WINDOW / AB_BLOCK), deadline);
  } finally {
    for (const s of sides) {
      s.agent.destroy();
      await s.server.stop();
    }
  }
  const docs = fs.readdirSync(path.join(large.root, "QMS", ".meta", "CR")).filter((n) => /^CR-\d+\.json$/.test(n)).length;
  const tasks = { small: countTasks(small.root, "qa"), large: countTasks(large.root, "qa") };
  const grown = growths.get("large")!.latencies().slice(0, DOCS);
  const growth = { first_p50_ms: r3(p(grown.slice(0, WINDOW), 0.5)), last_p50_ms: r3(p(grown.slice(-WINDOW), 0.5)) };
  const errors = [...growths.values()].flatMap((g) => g.errors);
  const ratios = {
    create: r2(creates.large! / creates.fresh!),
    create_growth_last_vs_first: r2(growth.last_p50_ms / growth.first_p50_ms),
    status: r2(reads.large!.status.p50 / reads.small!.status.p50),
    read: r2(reads.large!.read.p50 / reads.small!.read.p50),
    inbox: r2(reads.large!.inbox.p50 / reads.small!.inbox.p50),
    cli_status: r2(cli["large/status"]! / cli["small/status"]!),
    cli_inbox: r2(cli["large/inbox"]! / cli["small/inbox"]!),
    cli_status_vs_floor: r2(cli["large/status"]! / cli.floor!),
    cli_inbox_vs_floor: r2(cli["large/inbox"]! / cli.floor!),
  };
  const checks = {
    complete: docs >= DOCS && errors.length === 0,
    create_within_1_5x: ratios.create <= 1.5,
    inbox_p50_at_most_5ms: reads.large!.inbox.p50 <= 5,
    status_p50_at_most_5ms: reads.large!.status.p50 <= 5,
    status_within_1_5x: ratios.status <= 1.5,
    cli_status_within_1_5x: ratios.cli_status <= 1.5,
  };
  const verdict = Object.values(checks).every(Boolean) ? "PASS" : "FAIL";
  const when = new Date();
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg().map(r2) };
  const result = {
    benchmark: "scale",
    date: when.toISOString(),
    machine,
    settings: { docs: DOCS, clients: CLIENTS, route_every: ROUTE_EVERY, window: WINDOW, ab_block: AB_BLOCK, read_calls: READ_CALLS, cli_runs: CLI_RUNS },
    documents: docs,
    qa_tasks: tasks,
    growth_s: growthS,
    errors,
    growth,
    creates_side_by_side_p50_ms: creates,
    route_p50_ms: r3(p(growths.get("large")!.routes, 0.5)),
    reads_p50_ms: reads,
    cli_median_ms: cli,
    ratios,
    checks,
    verdict,
  };
  const row = (name: string, a: number, b: number): string => `| ${name} | ${a} ms | ${b} ms | ${r2(b / a)}× |`;
  const md = [
    `# Scale benchmark (${when.toISOString()})`,
    "",
    `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.platform}, Node ${machine.node}; load average at the end ${machine.loadavg.join(" / ")}.`,
    `Grown to ${DOCS} CRs through the MCP server (streamable HTTP, ${CLIENTS} clients, every document a \`qms_create\`; ${docs} after the side-by-side creates), every ${ROUTE_EVERY}th routed to qa: ${tasks.large} tasks in qa's inbox; the growth took ${growthS} s. The small project: ${SMALL} CRs, ${tasks.small} tasks for qa.`,
    `Side by side, under the same load: reads with one client (p50 of ${READ_CALLS} calls per tool and project, rounds alternating); the CLI as the median of ${CLI_RUNS} runs of \`node bin/qms.js\`, round-robin with \`node -e 0\`; creates (${CLIENTS} clients) in alternating blocks of ${AB_BLOCK} on a fresh project and on the large one.`,
    "",
    `| measurement | at the start / ${SMALL} documents | at ${DOCS} documents | ratio |`,
    "|---|---:|---:|---:|",
    row(`qms_create p50 (${CLIENTS} clients, side by side)`, creates.fresh!, creates.large!),
    row(`qms_create p50 (first / last ${WINDOW} creates of the growth)`, growth.first_p50_ms, growth.last_p50_ms),
    row("qms_status CR-001 p50", reads.small!.status.p50, reads.large!.status.p50),
    row("qms_read CR-001 p50", reads.small!.read.p50, reads.large!.read.p50),
    row(`qms_inbox qa p50 (${tasks.small} → ${tasks.large} tasks)`, reads.small!.inbox.p50, reads.large!.inbox.p50),
    row("CLI `qms status CR-001`", cli["small/status"]!, cli["large/status"]!),
    row("CLI `qms inbox` (qa)", cli["small/inbox"]!, cli["large/inbox"]!),
    "",
    `CLI floor \`node -e 0\`: ${cli.floor} ms; at ${DOCS} documents \`status\` is ${ratios.cli_status_vs_floor}× and \`inbox\` ${ratios.cli_inbox_vs_floor}× the floor. qms_route p50 during the growth: ${result.route_p50_ms} ms. Errors: ${errors.length}.`,
    "",
    "Checks (issue #8):",
    `- create p50 at ${DOCS} documents within 1.5× of the start (side by side): ${ratios.create}× → ${checks.create_within_1_5x ? "met" : "NOT met"} (growth's first/last ${WINDOW}: ${ratios.create_growth_last_vs_first}×)`,
    `- qms_inbox p50 with ${tasks.large} tasks ≤ 5 ms: ${reads.large!.inbox.p50} ms → ${checks.inbox_p50_at_most_5ms ? "met" : "NOT met"}`,
    `- qms_status p50 ≤ 5 ms and within 1.5× of ${SMALL} documents: ${reads.large!.status.p50} ms, ${ratios.status}× → ${checks.status_p50_at_most_5ms && checks.status_within_1_5x ? "met" : "NOT met"}`,
    `- CLI status within 1.5× of ${SMALL} documents: ${ratios.cli_status}× → ${checks.cli_status_within_1_5x ? "met" : "NOT met"}`,
    `- all ${DOCS} documents created without error: ${checks.complete ? "yes" : "NO"}`,
    "",
    `Verdict: ${verdict}.`,
    "",
  ].join("\n");
  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = when.toISOString().slice(0, 19).replace(/[:]/g, "-");
  fs.writeFileSync(path.join(dir, `scale-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, "scale-latest.md"), md);
  process.stdout.write(md);
  for (const s of sides) fs.rmSync(s.root, { recursive: true, force: true });
  fs.rmSync(STATE_DIR, { recursive: true, force: true });
  if (verdict !== "PASS") process.exitCode = 1;
}

await main();
