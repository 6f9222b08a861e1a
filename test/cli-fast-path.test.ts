import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import * as fs from "node:fs";
import { after } from "node:test";
import { parseQuickQuery, parseQuickWrite } from "../src/cli/fast-path.js";
import * as path from "node:path";
import { makeHarnessProject, QMS_BIN, qms, REPO_ROOT, snapshotTree } from "./helpers.js";

const made: string[] = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function run(cwd: string, args: string[], fastPath: boolean, envUser = ""): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [QMS_BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, QMS_USER: envUser, QMS_CLI_FAST_PATH: fastPath ? "1" : "0" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("CLI fast path for read-only queries", () => {
  it("recognizes only the exact common shapes", () => {
    assert.deepEqual(parseQuickQuery(["--user", "qa", "status", "SOP-001"], ""), { name: "status", user: "qa", docId: "SOP-001" });
    assert.deepEqual(parseQuickQuery(["-u", "qa", "inbox"], ""), { name: "inbox", user: "qa" });
    assert.deepEqual(parseQuickQuery(["--user=qa", "workspace"], ""), { name: "workspace", user: "qa" });
    assert.deepEqual(parseQuickQuery(["read", "SOP-001", "--draft"], "lead"), { name: "read", user: "lead", docId: "SOP-001", draft: true });
    assert.deepEqual(parseQuickQuery(["-u", "a", "comments", "CR-001", "--version", "1.0"], ""), { name: "comments", user: "a", docId: "CR-001", version: "1.0" });
    for (const argv of [
      [],
      ["--help"],
      ["-u", "qa"],
      ["-uqa", "inbox"],
      ["-u", "qa", "inbox", "extra"],
      ["-u", "qa", "status"],
      ["-u", "qa", "status", "--help"],
      ["-u", "qa", "status", "SOP-001", "--draft"],
      ["-u", "qa", "read", "SOP-001", "--draft", "--draft"],
      ["-u", "qa", "read", "SOP-001", "--version"],
      ["-u", "qa", "read", "SOP-001", "--bogus"],
      ["-u", "qa", "history", "SOP-001", "--version", "1.0"],
      ["-u", "qa", "create", "SOP"],
      ["status", "SOP-001", "-u", "qa"],
    ]) {
      assert.equal(parseQuickQuery(argv, "x"), undefined, argv.join(" "));
    }
  });

  it("prints exactly what the full parser prints, for successes and refusals", () => {
    const root = makeHarnessProject();
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Fast path").code, 0);
    assert.equal(qms(root, "claude", "route", "SOP-001", "--review").code, 0);
    const cases: Array<{ args: string[]; envUser?: string }> = [
      { args: ["--user", "claude", "status", "SOP-001"] },
      { args: ["-u", "qa", "inbox"] },
      { args: ["--user=claude", "workspace"] },
      { args: ["-u", "qa", "read", "SOP-001", "--draft"] },
      { args: ["-u", "qa", "read", "SOP-001", "--version", "0.1"] },
      { args: ["-u", "qa", "history", "SOP-001"] },
      { args: ["-u", "qa", "comments", "SOP-001"] },
      { args: ["status", "SOP-001"], envUser: "qa" },
      { args: ["status", "SOP-001"] },
      { args: ["-u", "ghost", "status", "SOP-001"] },
      { args: ["-u", "qa", "status", "../etc"] },
      { args: ["-u", "qa", "status", "SOP-404"] },
      { args: ["-u", "qa", "read", "SOP-001", "--version", "../../x"] },
    ];
    for (const { args, envUser } of cases) {
      const fast = run(root, args, true, envUser);
      const full = run(root, args, false, envUser);
      assert.deepEqual(fast, full, args.join(" "));
    }
  });
});

describe("CLI fast path for the document-control writes (issue #8)", () => {
  it("REQ-PERF-003: recognizes only the plain shapes of the write commands", () => {
    assert.deepEqual(parseQuickWrite(["--user", "claude", "create", "SOP", "--title", "T"], ""), { name: "create", user: "claude", args: { type: "SOP", title: "T" } });
    assert.deepEqual(parseQuickWrite(["create", "VAR", "--parent", "CR-001", "--title", ""], "lead"), { name: "create", user: "lead", args: { type: "VAR", parent: "CR-001", title: "" } });
    assert.deepEqual(parseQuickWrite(["-u", "claude", "checkout", "SOP-001", "--discard"], ""), { name: "checkout", user: "claude", args: { docId: "SOP-001", discard: true } });
    assert.deepEqual(parseQuickWrite(["-u", "claude", "route", "SOP-001", "--assign", "qa", "bu", "--review"], ""), {
      name: "route",
      user: "claude",
      args: { docId: "SOP-001", assign: ["qa", "bu"], review: true },
    });
    assert.deepEqual(parseQuickWrite(["-u", "qa", "review", "SOP-001", "--request-updates", "--comment", "x y"], ""), {
      name: "review",
      user: "qa",
      args: { docId: "SOP-001", requestUpdates: true, comment: "x y" },
    });
    assert.deepEqual(parseQuickWrite(["--user=qa", "approve", "SOP-001"], ""), { name: "approve", user: "qa", args: { docId: "SOP-001" } });
    for (const argv of [
      ["-u", "claude", "create"],
      ["-u", "claude", "create", "SOP"],
      ["-u", "claude", "route", "SOP-001"],
      ["-u", "claude", "route", "SOP-001", "--review", "--approval"],
      ["-u", "qa", "review", "SOP-001", "--comment", "x"],
      ["-u", "qa", "review", "SOP-001", "--recommend"],
      ["-u", "qa", "reject", "SOP-001"],
      ["-u", "claude", "revert", "CR-001"],
      ["-u", "claude", "checkin", "SOP-001", "--user", "claude"],
      ["-u", "claude", "create", "--title", "T", "SOP"],
      ["-u", "claude", "create", "SOP", "--title"],
      ["-u", "claude", "create", "SOP", "--title", "-T"],
      ["-u", "claude", "create", "SOP", "--title=T"],
      ["-u", "claude", "create", "SOP", "--title", "a", "--title", "b"],
      ["-u", "claude", "create", "SOP", "extra"],
      ["-u", "claude", "create", "SOP", "--help"],
      ["-u", "claude", "checkin", "SOP-001", "--force"],
      ["-u", "claude", "checkin"],
      ["-u", "claude", "route", "SOP-001", "--review", "--review"],
      ["-u", "claude", "route", "SOP-001", "--assign"],
      ["-u", "qa", "assign", "SOP-001"],
      ["-u", "claude", "interact", "SOP-001"],
      ["-u", "claude", "status", "SOP-001"],
      ["checkin", "SOP-001", "-u", "claude"],
      ["-u", "claude", "toString", "x"],
    ]) {
      assert.equal(parseQuickWrite(argv, "x"), undefined, argv.join(" "));
    }
  });

  it("REQ-PERF-003: prints and writes exactly what the full parser does, for successes and refusals", () => {
    const fastRoot = makeHarnessProject();
    const fullRoot = makeHarnessProject();
    made.push(fastRoot, fullRoot);
    const steps: string[][] = [
      ["--user", "claude", "create", "SOP", "--title", "Fast path"],
      ["-u", "claude", "create", "CR", "--title", "A change"],
      ["-u", "claude", "create", "BOGUS", "--title", "x"],
      ["-u", "claude", "create", "sop", "--title", "lower case type"],
      ["-u", "ghost", "create", "SOP", "--title", "x"],
      ["-u", "qa", "create", "SOP", "--title", "x"],
      ["-u", "claude", "create", "VAR", "--parent", "CR-001", "--title", "v"],
      ["-u", "claude", "checkin", "SOP-001"],
      ["-u", "claude", "route", "SOP-001", "--review", "--assign", "qa", "tu_ui"],
      ["-u", "qa", "review", "SOP-001", "--recommend", "--comment", "Looks complete."],
      ["-u", "tu_ui", "review", "SOP-001", "--request-updates", "--comment", "Fix it."],
      ["-u", "claude", "route", "SOP-001", "--approval"],
      ["-u", "claude", "route", "SOP-002", "--review", "--allow-placeholders"],
      ["-u", "qa", "approve", "SOP-001"],
      ["-u", "claude", "reject", "SOP-001", "--comment", "no"],
      ["-u", "lead", "assign", "SOP-001", "--assignees", "bu"],
      ["-u", "qa", "assign", "SOP-002", "--assignees", "bu"],
      ["-u", "claude", "cancel", "CR-001"],
      ["-u", "claude", "cancel", "SOP-002", "--confirm"],
      ["-u", "claude", "checkout", "SOP-001"],
      ["-u", "claude", "checkout", "SOP-001", "--discard"],
      ["-u", "claude", "withdraw", "SOP-001"],
      ["-u", "claude", "revert", "CR-001", "--reason", "r"],
      ["-u", "claude", "release", "CR-001"],
      ["-u", "claude", "close", "CR-001"],
      ["-u", "claude", "fix", "SOP-001"],
      ["-u", "claude", "route", "SOP-404", "--review"],
      ["-u", "claude", "checkin", "../etc"],
    ];
    for (const args of steps) {
      assert.ok(parseQuickWrite(args, ""), `the fast path takes ${args.join(" ")}`);
      const fast = run(fastRoot, args, true);
      const full = run(fullRoot, args, false);
      assert.deepEqual(fast, full, args.join(" "));
    }
    // the same files with the same content, but for the seconds of the audit timestamps
    // times differ between the two runs, and so do the chain values computed over them (integrity §1)
    const content = (file: string): string =>
      fs
        .readFileSync(file, "utf8")
        .replace(/"ts": ?"[^"]*"/g, '"ts":""')
        .replace(/"(prev|hash)": ?"[0-9a-f]{64}"/g, '"$1":""');
    assert.deepEqual(snapshotTree(fastRoot, content), snapshotTree(fullRoot, content));
  });
});

describe("CLI start-up path (issue #8)", () => {
  it("REQ-PERF-003: bin/qms.js is CommonJS and the fast path's bundles load through code caches this Node accepts", () => {
    const root = makeHarnessProject();
    made.push(root);
    assert.equal(qms(root, "claude", "create", "SOP", "--title", "Cached").code, 0);
    const launch = path.join(REPO_ROOT, "dist", "bundle", "launch.cjs");
    const script = [
      `const cli = require(${JSON.stringify(launch)});`,
      'cli.launch(["--user", "claude", "status", "SOP-001"]);',
      'process.on("exit", () => process.stderr.write("CACHES=" + JSON.stringify(cli.codeCacheStates()) + "\\n"));',
    ].join("\n");
    const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "" } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Document: SOP-001$/m);
    assert.match(r.stderr, /CACHES=\{"queries":"accepted"\}/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "bin", "package.json"), "utf8")).type, "commonjs");
    // a write loads the other bundle, also from its cache
    const w = spawnSync(process.execPath, ["-e", script.replace('"status", "SOP-001"', '"checkin", "SOP-001"')], { cwd: root, encoding: "utf8", env: { ...process.env, QMS_USER: "" } });
    assert.equal(w.status, 0, w.stderr);
    assert.match(w.stderr, /CACHES=\{"writes":"accepted"\}/);
  });
});
