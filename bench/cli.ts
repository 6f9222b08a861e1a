/**
 * CLI start-up benchmark (`npm run bench:cli`): median wall time of real `node bin/qms.js` processes against
 * the floor `node -e 0`, in a throw-away harness project. Targets (issue #8): read commands ≤ 1.25× and write
 * commands ≤ 1.4× the floor measured in the same run.
 *
 * Also decomposes the start-up path with probe scripts that stop at successive points (ESM entry, commander,
 * the program built, the services loaded), so the report says what costs what.
 *
 * Env: BENCH_RUNS (default 15, minimum 15), BENCH_WARMUP (default 2).
 * Writes bench/results/cli-<date>.json and bench/results/cli-latest.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkin } from "../src/services/checkin.js";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";
import { route } from "../src/services/route.js";
import { makeHarnessProject, QMS_BIN, REPO_ROOT } from "../test/helpers.js";

const RUNS = Math.max(15, Number(process.env.BENCH_RUNS ?? 15) || 15);
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 2) || 0);

interface Case {
  name: string;
  kind: "floor" | "read" | "write" | "probe";
  /** argv for `node`, per run index (writes need a fresh document each run). */
  argv: (run: number) => string[];
}

interface Row {
  name: string;
  kind: Case["kind"];
  median_ms: number;
  min_ms: number;
  p90_ms: number;
  ratio: number;
  runs: number;
  cpu_ms: number;
  cpu_ratio: number;
}

function must<T>(r: { ok: boolean; data?: T; message?: string }, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.data as T;
}

function time(cwd: string, argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, QMS_USER: "" } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return ms;
}

/**
 * The CPU time (user + system, every thread) a process used, reported by a preloaded hook at exit. Unlike the
 * wall time it hardly changes with the machine's load (a shared machine), so it says what the code costs.
 */
function cpuTime(cwd: string, argv: string[], hook: string): number {
  const r = spawnSync(process.execPath, ["-r", hook, ...argv], { cwd, stdio: ["ignore", "pipe", "pipe", "pipe"], env: { ...process.env, QMS_USER: "" } });
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return Number(String(r.output[3]).trim());
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const round = (x: number): number => Math.round(x * 10) / 10;

/** Probe scripts for the start-up decomposition; they live under dist/ so `commander` resolves like the CLI's. */
function writeProbes(): Record<string, string> {
  const dir = path.join(REPO_ROOT, "dist", "bench", "probes");
  fs.mkdirSync(dir, { recursive: true });
  const src = (rel: string): string => JSON.stringify(path.relative(dir, path.join(REPO_ROOT, "dist", "src", rel)).split(path.sep).join("/").replace(/^(?!\.)/, "./"));
  const probes: Record<string, string> = {
    "esm-entry": "",
    "cjs-entry": "",
    "+commander": 'import "commander";\n',
    "+program built": `import { buildProgram } from ${src("cli/program.js")};\nbuildProgram();\n`,
    // What `status` costs through the tsc output (one ES module per source file, no bundle).
    "status from the tsc output": [
      `const { runQuery } = await import(${src("cli/queries.js")});`,
      'process.exitCode = await runQuery("claude", "status", { docId: "SOP-001" }, false);',
      "",
    ].join("\n"),
  };
  // The bundle (scripts/bundle.mjs), when the build made one: the fast path's file without its code cache.
  const queries = path.join(REPO_ROOT, "dist", "bundle", "queries.cjs");
  if (fs.existsSync(queries)) {
    probes["status via queries.cjs, no code cache"] = `require(${JSON.stringify(queries)}).runQuery("claude", "status", { docId: "SOP-001" }, false).then((code) => { process.exitCode = code; });\n`;
  }
  const files: Record<string, string> = {};
  for (const [name, code] of Object.entries(probes)) {
    const commonjs = name === "cjs-entry" || name.includes("queries.cjs");
    const file = path.join(dir, `${name.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "")}.${commonjs ? "cjs" : "mjs"}`);
    fs.writeFileSync(file, code);
    files[name] = file;
  }
  return files;
}

function main(): void {
  const root = makeHarnessProject();
  const ctx = makeContext(root, "claude");
  // A few documents: SOP-001 (draft), SOP-002 in review with a task for claude and qa, CR-001.
  must(create(ctx, { type: "SOP", title: "Benchmark subject" }), "create SOP-001");
  must(create(ctx, { type: "SOP", title: "In review" }), "create SOP-002");
  must(route(ctx, { docId: "SOP-002", kind: "review", assign: ["qa", "claude"] }), "route SOP-002");
  must(create(ctx, { type: "CR", title: "A change" }), "create CR-001");
  must(checkin(ctx, { docId: "CR-001" }), "checkin CR-001");
  // One fresh, checked-in SOP per `route` run (wall time, then CPU time), made beforehand.
  const routeIds: string[] = [];
  for (let i = 0; i < 2 * (WARMUP + RUNS); i++) {
    const id = must<{ doc_id: string }>(create(ctx, { type: "SOP", title: `Route me ${i}` }), "create").doc_id;
    must(checkin(ctx, { docId: id }), `checkin ${id}`);
    routeIds.push(id);
  }

  const qmsArgs = (...args: string[]): string[] => [QMS_BIN, "--user", "claude", ...args];
  const probes = writeProbes();
  const cases: Case[] = [
    { name: "node -e 0", kind: "floor", argv: () => ["-e", "0"] },
    ...Object.entries(probes).map(([name, file]): Case => ({ name: `probe: ${name}`, kind: "probe", argv: () => [file] })),
    { name: "qms status SOP-001", kind: "read", argv: () => qmsArgs("status", "SOP-001") },
    { name: "qms inbox", kind: "read", argv: () => qmsArgs("inbox") },
    { name: "qms read SOP-001", kind: "read", argv: () => qmsArgs("read", "SOP-001") },
    { name: "qms create SOP --title x", kind: "write", argv: () => qmsArgs("create", "SOP", "--title", "x") },
    { name: "qms route SOP-00N --review", kind: "write", argv: (run) => qmsArgs("route", routeIds[run]!, "--review") },
  ];

  // Round-robin: every case gets run i before any gets run i+1, so drifting machine load hits all alike.
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const hook = path.join(REPO_ROOT, "dist", "bench", "probes", "cpu-hook.cjs");
  fs.writeFileSync(hook, 'process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeSync(3, String((u.user + u.system) / 1000) + "\\n"); });\n');
  for (let run = 0; run < WARMUP + RUNS; run++) {
    for (const c of cases) {
      const ms = time(root, c.argv(run));
      const cpuMs = cpuTime(root, c.argv(WARMUP + RUNS + run), hook);
      if (run >= WARMUP) {
        samples.get(c.name)!.push(ms);
        cpu.get(c.name)!.push(cpuMs);
      }
    }
  }
  const cpuFloor = median(cpu.get("node -e 0")!);

  const floor = median(samples.get("node -e 0")!);
  const rows: Row[] = cases.map((c) => {
    const xs = samples.get(c.name)!;
    const m = median(xs);
    const c50 = median(cpu.get(c.name)!);
    return {
      name: c.name,
      kind: c.kind,
      median_ms: round(m),
      min_ms: round(Math.min(...xs)),
      p90_ms: round(pct(xs, 0.9)),
      ratio: Math.round((m / floor) * 100) / 100,
      runs: xs.length,
      cpu_ms: round(c50),
      cpu_ratio: Math.round((c50 / cpuFloor) * 100) / 100,
    };
  });
  const target = { read: 1.25, write: 1.4 };
  const reads = rows.filter((r) => r.kind === "read");
  const writes = rows.filter((r) => r.kind === "write");
  const verdict = reads.every((r) => r.ratio <= target.read) && writes.every((r) => r.ratio <= target.write) ? "PASS" : "FAIL";
  const shown = (xs: Row[]): string => xs.map((r) => `${r.name.replace(/^qms /, "")} ${r.ratio.toFixed(2)}×`).join(", ");

  const table = [
    "| command | median ms | min ms | p90 ms | × floor | CPU ms | CPU × floor |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${r.median_ms.toFixed(1)} | ${r.min_ms.toFixed(1)} | ${r.p90_ms.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.cpu_ms.toFixed(1)} | ${r.cpu_ratio.toFixed(2)} |`),
  ].join("\n");
  const when = new Date();
  const header = [
    `# CLI start-up benchmark (${when.toISOString()})`,
    "",
    `node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ""}, ${RUNS} runs after ${WARMUP} warm-ups, round-robin; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" / ")}.`,
    "The verdict is on the median wall time. The CPU columns (user + system time of every thread, from a preloaded",
    "hook, median of as many more runs) change little with the load of a shared machine: they say what the code costs.",
    `Targets: read commands ≤ ${target.read}×, write commands ≤ ${target.write}× \`node -e 0\` → ${verdict} (reads: ${shown(reads)}; writes: ${shown(writes)}).`,
    "",
    "Probes decompose the start-up: an empty ES module and an empty CommonJS file as the entry (the ESM loader's",
    "own cost), + importing commander, + building the full program (every command registered); `status` from the",
    "tsc output (one ES module per source file) and through the bundle's fast-path file without its V8 code cache.",
    "`qms` itself starts from a CommonJS entry (bin/qms.js → dist/bundle/launch.cjs), parses the common reads and",
    "writes by hand and loads one bundled file for them through the code cache (scripts/bundle.mjs).",
    "",
  ].join("\n");
  process.stdout.write(`${header}\n${table}\n`);

  const outDir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = when.toISOString().slice(0, 19).replace(/[:]/g, "-");
  const json = { date: when.toISOString(), node: process.version, cpus: os.cpus().length, runs: RUNS, warmup: WARMUP, floor_ms: round(floor), target_ratio: target, verdict, rows };
  fs.writeFileSync(path.join(outDir, `cli-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, "cli-latest.md"), `${header}\n${table}\n`);
  fs.rmSync(root, { recursive: true, force: true });
}

main();
