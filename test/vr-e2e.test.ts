import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { parseSourceJson, type ResponseEntry } from "../src/core/vr/source.js";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, meta, qms, snapshotTree } from "./helpers.js";

const VR = "CR-001-VR-001";
const WS = ".claude/users/claude/workspace";

/** One step: who, the MCP tool call, and the same thing as a CLI command line. */
interface Step {
  user: string;
  tool: string;
  args: Record<string, unknown>;
  cli: string[];
}

const s = (user: string, tool: string, args: Record<string, unknown>, cli: string[]): Step => ({ user, tool, args, cli });
const respond = (value: string): Step => s("claude", "qms_interact", { doc_id: VR, respond: value }, ["interact", VR, "--respond", value]);
/** A response from a file: a host path for the CLI (run in the project root), a workspace-relative one over MCP. */
const respondFile = (name: string): Step => s("claude", "qms_interact", { doc_id: VR, file: name }, ["interact", VR, "--respond", "--file", `${WS}/${name}`]);

const RELEASE_CR: Step[] = [
  s("claude", "qms_create", { doc_type: "CR", title: "Importer validation" }, ["create", "CR", "--title", "Importer validation"]),
  s("claude", "qms_checkin", { doc_id: "CR-001" }, ["checkin", "CR-001"]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "review" }, ["route", "CR-001", "--review"]),
  s("qa", "qms_review", { doc_id: "CR-001", outcome: "recommend", comment: "ok" }, ["review", "CR-001", "--recommend", "--comment", "ok"]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "approval" }, ["route", "CR-001", "--approval"]),
  s("qa", "qms_approve", { doc_id: "CR-001" }, ["approve", "CR-001"]),
  s("claude", "qms_release", { doc_id: "CR-001" }, ["release", "CR-001"]),
];

/** The shipped template, start to end: two loop iterations, one amendment, one reopen. */
const AUTHOR_VR: Step[] = [
  s("claude", "qms_create", { doc_type: "VR", parent: "CR-001", title: "Importer rejects malformed files" }, ["create", "VR", "--parent", "CR-001", "--title", "Importer rejects malformed files"]),
  s("claude", "qms_interact", { doc_id: VR }, ["interact", VR]),
  respond("EI-2"),
  respond("The importer refuses a malformed CSV and says which row is wrong."),
  respond("Branch main; sample files in samples/."),
  respond("qms-import samples/bad.csv"),
  respond("Exit code 1 and an error naming row 3."),
  respondFile("step1.txt"),
  respond("Pass"),
  respond("yes"),
  respond("qms-import samples/good.csv"),
  respond("Exit code 0, 10 rows imported."),
  respond("Imported 10 rows."),
  respond("Pass"),
  respond("no"),
  respond("Pass"),
  s("claude", "qms_interact", { doc_id: VR, goto: "objective", reason: "name the error message too" }, ["interact", VR, "--goto", "objective", "--reason", "name the error message too"]),
  respond("The importer refuses a malformed CSV and its error names the row."),
  s("claude", "qms_interact", { doc_id: VR, reopen: "steps", reason: "an empty file was not tried" }, ["interact", VR, "--reopen", "steps", "--reason", "an empty file was not tried"]),
  respond("qms-import samples/empty.csv"),
  respond("Exit code 1: file is empty."),
  respondFile("step3.txt"),
  respond("Pass"),
  respond("no"),
  respond("Three steps run: a malformed, a good and an empty file; all as expected."),
  s("claude", "qms_interact", { doc_id: VR, progress: true }, ["interact", VR, "--progress"]),
  s("claude", "qms_interact", { doc_id: VR, compile: true }, ["interact", VR, "--compile"]),
  s("claude", "qms_checkin", { doc_id: VR }, ["checkin", VR]),
  s("qa", "qms_read", { doc_id: VR }, ["read", VR]),
  s("qa", "qms_interact", { doc_id: VR, compile: true }, ["interact", VR, "--compile"]),
];

const CLOSE_CR: Step[] = [
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "review" }, ["route", "CR-001", "--review"]),
  s("qa", "qms_review", { doc_id: "CR-001", outcome: "recommend", comment: "verified by the VR" }, ["review", "CR-001", "--recommend", "--comment", "verified by the VR"]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "approval" }, ["route", "CR-001", "--approval"]),
  s("qa", "qms_approve", { doc_id: "CR-001" }, ["approve", "CR-001"]),
  s("claude", "qms_close", { doc_id: "CR-001" }, ["close", "CR-001"]),
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

/** Timestamps, dates, commit hashes and the audit chain over them differ between two runs; everything else must not. */
function normalize(textValue: string): string {
  return textValue
    .replace(/"(prev|hash)": "[0-9a-f]{64}"/g, '"$1": "<SHA256>"')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, "<TS>")
    .replace(/\d{4}-\d{2}-\d{2}/g, "<DATE>")
    .replace(/(commit"?:\s*"?)[0-9a-f]{7}\b/g, "$1<HASH>");
}

function tree(root: string): Map<string, string> {
  const all = snapshotTree(root, (file) => normalize(fs.readFileSync(file, "utf8")));
  for (const key of [...all.keys()]) if (key === ".git/" || key.startsWith(".git/")) all.delete(key);
  return all;
}

/** The VR's responses as they stand: the session while it is being authored, else the checked-in source. */
function responsesOf(root: string): Record<string, ResponseEntry[]> {
  for (const file of [`${WS}/${VR}.interact`, `QMS/.meta/VR/${VR}.source.json`]) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue;
    const parsed = parseSourceJson(fs.readFileSync(full, "utf8"));
    assert.ok(parsed.ok, file);
    return parsed.source.responses;
  }
  return {};
}

function assertAppendOnly(before: Record<string, ResponseEntry[]>, after: Record<string, ResponseEntry[]>, label: string): void {
  for (const [key, entries] of Object.entries(before)) {
    assert.deepEqual(after[key]?.slice(0, entries.length), entries, `${label}: the entries of ${key} were kept as they were`);
  }
}

test("REQ-INT-022, REQ-INT-020: a VR authored end to end through MCP gives the same texts, files and evidence commits as through the CLI", { timeout: 180_000 }, async (t) => {
  const viaCli = makeHarnessProject();
  const viaMcp = makeHarnessProject();
  t.after(() => {
    for (const root of [viaCli, viaMcp]) fs.rmSync(root, { recursive: true, force: true });
  });
  for (const root of [viaCli, viaMcp]) {
    fs.writeFileSync(path.join(root, WS, "step1.txt"), "error: samples/bad.csv row 3: expected 4 fields, found 3\n");
    fs.writeFileSync(path.join(root, WS, "step3.txt"), "error: samples/empty.csv is empty\n");
    git(root, "init", "-q");
    git(root, "config", "user.name", "Repo Owner");
    git(root, "config", "user.email", "owner@example.com");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "initial");
  }
  const srv = await startHttpServer({ project: new Project(viaMcp), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none" });
  const client = await httpClient(srv.url);
  try {
    let responses = { cli: responsesOf(viaCli), mcp: responsesOf(viaMcp) };
    let readOutput = "";
    for (const step of [...RELEASE_CR, ...AUTHOR_VR, ...CLOSE_CR]) {
      const label = `${step.user}: ${step.cli.join(" ")}`;
      const r = await call(client, step.tool, { ...step.args, user: step.user });
      const c = qms(viaCli, step.user, ...step.cli);
      assert.equal(c.code, 0, `${label} (CLI): ${c.out}`);
      assert.equal(r.isError, undefined, `${label} (MCP): ${text(r)}`);
      if (step.tool === "qms_read") readOutput = c.stdout;
      const steps = ((r.structuredContent as { next?: unknown[] } | undefined)?.next ?? []).length;
      const mcpLines = normalize(text(r).trimEnd()).split("\n");
      const cliLines = normalize(c.stdout.trimEnd()).split("\n");
      assert.deepEqual(mcpLines.slice(0, mcpLines.length - steps), cliLines.slice(0, cliLines.length - steps), `${label}: MCP text = CLI stdout`);
      for (const line of mcpLines.slice(mcpLines.length - steps)) assert.match(line, /call qms_[a-z]+/, `${label}: MCP names the tool`);
      // Append-only (REQ-INT-008): no command removes or rewrites a response entry.
      const now = { cli: responsesOf(viaCli), mcp: responsesOf(viaMcp) };
      assertAppendOnly(responses.cli, now.cli, `${label} (CLI)`);
      assertAppendOnly(responses.mcp, now.mcp, `${label} (MCP)`);
      responses = now;
    }

    // the structured result an agent works from: the prompt, its guidance, the progress
    const shown = await call(client, "qms_interact", { doc_id: VR, progress: true, user: "qa" });
    const data = (shown.structuredContent as { data: { progress: { complete: boolean; answered: number; total: number }; current: unknown } }).data;
    assert.deepEqual([data.progress.complete, data.progress.answered, data.progress.total], [true, 20, 20]);
    assert.equal(data.current, null);

    for (const root of [viaCli, viaMcp]) {
      assert.equal(meta(root, "CR", "CR-001").status, "CLOSED");
      assert.equal(meta(root, "VR", VR).status, "CLOSED", "closing the CR closed the VR");
      const record = fs.readFileSync(path.join(root, "QMS", "CR", "CR-001", `${VR}.md`), "utf8");
      if (root === viaCli) assert.equal(readOutput.trimEnd(), record.trimEnd(), "read showed the compiled record that was closed");
      assert.match(record, /> ~~The importer refuses a malformed CSV and says which row is wrong\.~~\n\n\*-- claude, [^|]+ \| superseded: name the error message too\*/);
      assert.match(record, /### 4\.3 Step 3\n\n\*\*qms-import samples\/empty\.csv\*\*/);
      assert.match(record, /```\nerror: samples\/bad\.csv row 3: expected 4 fields, found 3\n```\n\*-- claude, [\d-]+ [\d:]+ \| commit: [0-9a-f]{7}\*/);
      assert.ok(!fs.existsSync(path.join(root, WS, `${VR}.interact`)));
      const log = git(root, "log", "--format=%an|%s").trim().split("\n");
      assert.deepEqual(log, [
        `claude|[QMS] ${VR} | Evidence capture during VR execution | step_actual.3`,
        `claude|[QMS] ${VR} | Evidence capture during VR execution | step_actual.2`,
        `claude|[QMS] ${VR} | Evidence capture during VR execution | step_actual.1`,
        "Repo Owner|initial",
      ]);
      const hashes = Object.values(responsesOf(root)).flat().map((e) => e.commit).filter(Boolean);
      assert.deepEqual(hashes, git(root, "log", "--format=%H", "-3").trim().split("\n").map((h) => h.slice(0, 7)).reverse(), "each commit's hash is kept in its entry");
    }
    assert.deepEqual(tree(viaMcp), tree(viaCli), "the two projects are the same, but for times and hashes");
  } finally {
    await client.close();
    await srv.close();
  }
});
