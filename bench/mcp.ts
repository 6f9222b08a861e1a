/**
 * MCP server benchmark (`npm run bench:mcp`): p50/p99 latency of `qms_status` (read) and `qms_create` (write)
 * over streamable HTTP at 1, 8 and 32 concurrent clients, each as a ratio to the no-op tool `qms_noop` on the
 * same server in the same run, plus calls/s. Targets: read p50 ≤ 1.5× the no-op; ≥ 1,000 read calls/s at 8
 * clients (2-core machine).
 *
 * The server is a real `qms mcp` process (QMS_MCP_BENCH=1 registers the no-op; its stderr log goes to
 * /dev/null); the clients are keep-alive HTTP connections in this process posting JSON-RPC `tools/call`
 * (stateless server: no session). Loopback only, bounded by count and time.
 *
 * Env: BENCH_READ_CALLS (per level, default 3000), BENCH_WRITE_CALLS (per level, default 400),
 * BENCH_MAX_S (per measurement, default 10). Writes bench/results/mcp-<date>.json and mcp-latest.md.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { makeHarnessProject, REPO_ROOT, tempDir } from "../test/helpers.js";
import { post, startServer } from "./server.js";

const READ_CALLS = Number(process.env.BENCH_READ_CALLS ?? 3000) || 3000;
const WRITE_CALLS = Number(process.env.BENCH_WRITE_CALLS ?? 400) || 400;
const MAX_MS = (Number(process.env.BENCH_MAX_S ?? 10) || 10) * 1000;
const LEVELS = [1, 8, 32];
const ROUNDS = 4;

interface Measurement {
  tool: string;
  clients: number;
  calls: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  calls_per_s: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Raw {
  tool: string;
  clients: number;
  latencies: number[];
  errors: number;
  elapsed: number;
}

function summarize(parts: Raw[]): Measurement {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const elapsed = parts.reduce((n, p) => n + p.elapsed, 0);
  return {
    tool: parts[0]!.tool,
    clients: parts[0]!.clients,
    calls: latencies.length,
    errors: parts.reduce((n, p) => n + p.errors, 0),
    p50_ms: Math.round(pct(latencies, 50) * 1000) / 1000,
    p99_ms: Math.round(pct(latencies, 99) * 1000) / 1000,
    calls_per_s: Math.round((latencies.length / elapsed) * 1000),
  };
}

async function measure(url: URL, tool: string, args: (i: number) => Record<string, unknown>, clients: number, total: number): Promise<Raw> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = Date.now() + MAX_MS;
  // Warm-up: a few calls per connection, not measured.
  await Promise.all(Array.from({ length: clients }, () => post(agent, url, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "tools/call", params: { name: "qms_noop", arguments: { user: "claude" } } }))));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total && Date.now() < deadline) {
        const i = next++;
        const body = JSON.stringify({ jsonrpc: "2.0", id: i + 1, method: "tools/call", params: { name: tool, arguments: args(i) } });
        const s = performance.now();
        const r = await post(agent, url, body);
        latencies.push(performance.now() - s);
        if (r.status !== 200 || r.text.includes('"isError":true')) errors++;
      }
    }),
  );
  const elapsed = performance.now() - t0;
  agent.destroy();
  return { tool, clients, latencies, errors, elapsed };
}

async function main(): Promise<void> {
  const root = makeHarnessProject();
  const srv = await startServer(root);
  const rows: Array<Measurement & { p50_ratio: number; p99_ratio: number }> = [];
  try {
    // A document for the read tool.
    await measure(srv.url, "qms_create", () => ({ doc_type: "SOP", title: "Bench target", user: "claude" }), 1, 1);
    // Warm the server's JIT on both paths before anything is measured.
    await measure(srv.url, "qms_noop", () => ({ user: "claude" }), 8, 1000);
    await measure(srv.url, "qms_status", () => ({ doc_id: "SOP-001", user: "claude" }), 8, 1000);
    for (const clients of LEVELS) {
      // Alternate rounds so that neither tool gets the warmer JIT or the quieter machine.
      const noopParts: Raw[] = [];
      const statusParts: Raw[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        noopParts.push(await measure(srv.url, "qms_noop", () => ({ user: "claude" }), clients, Math.ceil(READ_CALLS / ROUNDS)));
        statusParts.push(await measure(srv.url, "qms_status", () => ({ doc_id: "SOP-001", user: "claude" }), clients, Math.ceil(READ_CALLS / ROUNDS)));
      }
      const noop = summarize(noopParts);
      const status = summarize(statusParts);
      const create = summarize([await measure(srv.url, "qms_create", (i) => ({ doc_type: "CR", title: `Bench ${clients}/${i}`, user: "claude" }), clients, WRITE_CALLS)]);
      for (const m of [noop, status, create]) {
        rows.push({ ...m, p50_ratio: Math.round((m.p50_ms / noop.p50_ms) * 100) / 100, p99_ratio: Math.round((m.p99_ms / noop.p99_ms) * 100) / 100 });
      }
    }
  } finally {
    await srv.stop();
  }
  const status8 = rows.find((r) => r.tool === "qms_status" && r.clients === 8)!;
  const worstReadRatio = Math.max(...rows.filter((r) => r.tool === "qms_status").map((r) => r.p50_ratio));
  const verdict = {
    read_p50_ratio_max: worstReadRatio,
    read_p50_target: 1.5,
    read_p50_ok: worstReadRatio <= 1.5,
    read_calls_per_s_at_8: status8.calls_per_s,
    read_calls_per_s_target: 1000,
    read_throughput_ok: status8.calls_per_s >= 1000,
    errors: rows.reduce((n, r) => n + r.errors, 0),
  };
  const stamp = new Date().toISOString();
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", platform: `${os.platform()} ${os.release()}` };
  const result = { benchmark: "mcp", date: stamp, machine, settings: { read_calls: READ_CALLS, write_calls: WRITE_CALLS, max_s: MAX_MS / 1000, levels: LEVELS }, rows, verdict };
  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `mcp-${stamp.slice(0, 10)}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const table = [
    "| tool | clients | calls | p50 ms | p99 ms | p50 / no-op | p99 / no-op | calls/s | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.tool} | ${r.clients} | ${r.calls} | ${r.p50_ms} | ${r.p99_ms} | ${r.p50_ratio} | ${r.p99_ratio} | ${r.calls_per_s} | ${r.errors} |`),
  ];
  const md = [
    `# MCP server benchmark (${stamp})`,
    "",
    `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.platform}, Node ${machine.node}. Streamable HTTP, stateless, loopback, keep-alive clients.`,
    "",
    ...table,
    "",
    `Read p50 vs no-op (worst level): ${verdict.read_p50_ratio_max}× (target ≤ 1.5×): ${verdict.read_p50_ok ? "met" : "NOT met"}.`,
    `Read calls/s at 8 clients: ${verdict.read_calls_per_s_at_8} (target ≥ 1000): ${verdict.read_throughput_ok ? "met" : "NOT met"}.`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "mcp-latest.md"), md);
  process.stdout.write(`${md}\n`);
  fs.rmSync(root, { recursive: true, force: true });
  void tempDir;
}

await main();
