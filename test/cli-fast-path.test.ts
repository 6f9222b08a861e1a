import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseQuickQuery } from "../src/cli/fast-path.js";
import { makeHarnessProject, QMS_BIN, qms } from "./helpers.js";

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
