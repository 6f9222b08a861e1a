import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { call, httpClient, startServerProcess, text } from "./fixtures-mcp/harness.js";
import { audit, makeHarnessProject, tempDir } from "./helpers.js";

const CLIENTS = 16;
const PER_CLIENT = 25;

test("16 clients × 25 qms_create through one server: 400 distinct IDs, 400 meta files, one CREATE per audit file; readers never see a torn file", { timeout: 120000 }, async () => {
  const root = makeHarnessProject();
  const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root, "--auth", "none"], {
    env: { QMS_TOKEN_STORE: path.join(tempDir("qms-store-"), "none.json"), QMS_MCP_LOG: "0" },
  });
  const clients: Client[] = [];
  try {
    for (let i = 0; i < CLIENTS + 3; i++) clients.push(await httpClient(srv.url));
    const seed = await call(clients[0]!, "qms_create", { doc_type: "SOP", title: "Contended", user: "claude" });
    assert.equal(seed.isError, undefined, text(seed));

    let writing = true;
    const readerProblems: string[] = [];
    let reads = 0;
    let writes = 0;
    // A writer cycling SOP-001 through checkin/checkout (each rewrites meta, draft and audit)...
    const writer = (async () => {
      const c = clients[CLIENTS]!;
      let checkedOut = true;
      while (writing) {
        const r = await call(c, checkedOut ? "qms_checkin" : "qms_checkout", { doc_id: "SOP-001", user: "claude" });
        assert.equal(r.isError, undefined, text(r));
        checkedOut = !checkedOut;
        writes++;
      }
    })();
    // ...and readers of the same document, through MCP and straight from disk.
    const metaFile = path.join(root, "QMS", ".meta", "SOP", "SOP-001.json");
    const readers = [CLIENTS + 1, CLIENTS + 2].map(async (i) => {
      const c = clients[i]!;
      while (writing) {
        const st = await call(c, "qms_status", { doc_id: "SOP-001", user: "qa" });
        if (st.isError || !/^Document: SOP-001\nTitle: Contended/.test(text(st))) readerProblems.push(`status: ${text(st)}`);
        const rd = await call(c, "qms_read", { doc_id: "SOP-001", draft: true, user: "qa" });
        if (rd.isError || !text(rd).includes("SOP-001")) readerProblems.push(`read: ${text(rd)}`);
        try {
          JSON.parse(fs.readFileSync(metaFile, "utf8"));
        } catch (err) {
          readerProblems.push(`meta on disk: ${(err as Error).message}`);
        }
        reads++;
      }
    });

    const ids: string[] = [];
    await Promise.all(
      clients.slice(0, CLIENTS).map(async (c, ci) => {
        for (let k = 0; k < PER_CLIENT; k++) {
          const r = await call(c, "qms_create", { doc_type: "CR", title: `Client ${ci} #${k}`, user: "claude" });
          assert.equal(r.isError, undefined, text(r));
          ids.push((r.structuredContent as { data: { doc_id: string } }).data.doc_id);
        }
      }),
    );
    writing = false;
    await Promise.all([writer, ...readers]);

    assert.equal(ids.length, CLIENTS * PER_CLIENT);
    assert.equal(new Set(ids).size, CLIENTS * PER_CLIENT, "distinct IDs");
    const metas = fs.readdirSync(path.join(root, "QMS", ".meta", "CR")).filter((f) => f.endsWith(".json"));
    assert.equal(metas.length, CLIENTS * PER_CLIENT);
    for (const id of ids) {
      const events = audit(root, "CR", id).map((e) => e.event);
      assert.equal(events.filter((e) => e === "CREATE").length, 1, id);
    }
    assert.deepEqual(readerProblems, []);
    assert.ok(reads > 0 && writes > 0, `reads ${reads}, writes ${writes}`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    assert.equal(await srv.stop(), 0);
  }
});
