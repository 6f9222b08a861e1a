import assert from "node:assert/strict";
import { test } from "node:test";
import { startHttpServer } from "../src/mcp/http.js";
import { silentLogger } from "../src/mcp/log.js";
import { Project } from "../src/store/project.js";
import { call, httpClient, normalizedTree, text } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, meta, qms } from "./helpers.js";

/** One step: who, the MCP tool call, and the equivalent CLI command line. */
interface Step {
  user: string;
  tool: string;
  args: Record<string, unknown>;
  cli: string[];
}

const s = (user: string, tool: string, args: Record<string, unknown>, cli: string[]): Step => ({ user, tool, args, cli });

const SOP_LIFECYCLE: Step[] = [
  s("claude", "qms_create", { doc_type: "SOP", title: "Lifecycle SOP" }, ["create", "SOP", "--title", "Lifecycle SOP"]),
  s("claude", "qms_checkin", { doc_id: "SOP-001" }, ["checkin", "SOP-001"]),
  s("claude", "qms_route", { doc_id: "SOP-001", route_type: "review" }, ["route", "SOP-001", "--review"]),
  s("qa", "qms_review", { doc_id: "SOP-001", outcome: "recommend", comment: "Looks right." }, ["review", "SOP-001", "--recommend", "--comment", "Looks right."]),
  s("claude", "qms_route", { doc_id: "SOP-001", route_type: "approval" }, ["route", "SOP-001", "--approval"]),
  s("qa", "qms_approve", { doc_id: "SOP-001" }, ["approve", "SOP-001"]),
  s("claude", "qms_checkout", { doc_id: "SOP-001" }, ["checkout", "SOP-001"]),
  s("claude", "qms_checkin", { doc_id: "SOP-001" }, ["checkin", "SOP-001"]),
  s("claude", "qms_route", { doc_id: "SOP-001", route_type: "review" }, ["route", "SOP-001", "--review"]),
  s("qa", "qms_review", { doc_id: "SOP-001", outcome: "request-updates", comment: "Fix section 2." }, ["review", "SOP-001", "--request-updates", "--comment", "Fix section 2."]),
];

const CR_LIFECYCLE: Step[] = [
  s("claude", "qms_create", { doc_type: "CR", title: "Lifecycle CR" }, ["create", "CR", "--title", "Lifecycle CR"]),
  s("claude", "qms_checkin", { doc_id: "CR-001" }, ["checkin", "CR-001"]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "review" }, ["route", "CR-001", "--review"]),
  s("qa", "qms_review", { doc_id: "CR-001", outcome: "recommend", comment: "Pre-review ok." }, ["review", "CR-001", "--recommend", "--comment", "Pre-review ok."]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "approval" }, ["route", "CR-001", "--approval"]),
  s("qa", "qms_approve", { doc_id: "CR-001" }, ["approve", "CR-001"]),
  s("claude", "qms_release", { doc_id: "CR-001" }, ["release", "CR-001"]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "review" }, ["route", "CR-001", "--review"]),
  s("qa", "qms_review", { doc_id: "CR-001", outcome: "recommend", comment: "Executed as planned." }, ["review", "CR-001", "--recommend", "--comment", "Executed as planned."]),
  s("claude", "qms_route", { doc_id: "CR-001", route_type: "approval" }, ["route", "CR-001", "--approval"]),
  s("qa", "qms_approve", { doc_id: "CR-001" }, ["approve", "CR-001"]),
  s("claude", "qms_close", { doc_id: "CR-001" }, ["close", "CR-001"]),
];

test("REQ-MCP-003, REQ-MCP-004, REQ-MCP-005, REQ-MCP-007: a full SOP and CR lifecycle through MCP gives the same files, text and outcomes as through the CLI", { timeout: 60000 }, async () => {
  const viaCli = makeHarnessProject();
  const viaMcp = makeHarnessProject();
  const srv = await startHttpServer({ project: new Project(viaMcp), log: silentLogger, host: "127.0.0.1", port: 0, auth: "none" });
  const client = await httpClient(srv.url);
  try {
    for (const step of [...SOP_LIFECYCLE, ...CR_LIFECYCLE]) {
      const label = `${step.user}: ${step.cli.join(" ")}`;
      const r = await call(client, step.tool, { ...step.args, user: step.user });
      const c = qms(viaCli, step.user, ...step.cli);
      assert.equal(c.code, 0, `${label} (CLI): ${c.out}`);
      assert.equal(r.isError, undefined, `${label} (MCP): ${text(r)}`);
      // Issue 7: the same text, except that each adapter words the next steps its own way.
      const steps = ((r.structuredContent as { next?: unknown[] } | undefined)?.next ?? []).length;
      const mcpLines = text(r).split("\n");
      const cliLines = c.stdout.trimEnd().split("\n");
      assert.deepEqual(mcpLines.slice(0, mcpLines.length - steps), cliLines.slice(0, cliLines.length - steps), `${label}: MCP text = CLI stdout`);
      for (const line of mcpLines.slice(mcpLines.length - steps)) assert.match(line, /call qms_[a-z]+/, `${label}: MCP names the tool`);
      for (const line of cliLines.slice(cliLines.length - steps)) assert.match(line, /qms --user \w+ [a-z]+/, `${label}: the CLI names the command`);
    }
    assert.equal(meta(viaMcp, "SOP", "SOP-001").status, "REVIEWED");
    assert.equal(meta(viaMcp, "CR", "CR-001").status, "CLOSED");
    const r = await call(client, "qms_approve", { doc_id: "CR-001", user: "qa" });
    const c = qms(viaCli, "qa", "approve", "CR-001");
    assert.equal(r.isError, true);
    assert.equal(c.code, 1);
    // Refusals agree too: the same rule; the next step named as a tool call over MCP, as a command on the CLI.
    assert.equal(text(r), "Error: CR-001 is CLOSED, not in approval.\nNext: See: call qms_inbox");
    assert.equal((c.stdout + c.stderr).trimEnd(), "Error: CR-001 is CLOSED, not in approval.\nNext: See: qms --user qa inbox");
    assert.deepEqual((r.structuredContent as { next?: unknown }).next, [{ action: "inbox", lead: "See" }]);
    assert.deepEqual(normalizedTree(viaMcp), normalizedTree(viaCli));
  } finally {
    await client.close();
    await srv.close();
  }
});
