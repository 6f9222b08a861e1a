import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { startServerProcess } from "./fixtures-mcp/harness.js";
import { makeHarnessProject, tempDir } from "./helpers.js";

/**
 * Issue 13 (exit 143): SIGTERM at every point of a request's life must stop the HTTP server gracefully: exit 0,
 * the shutdown and stopped log lines, and every write a client saw acknowledged on disk, whole. 50 rounds in a
 * row, cycling through the moments below.
 */

const ROUNDS = 50;
const cleanup: string[] = [];
after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

type Moment = "idle after start" | "as a request is sent" | "during concurrent writes" | "right after a response" | "with writes in flight after the first answer";
const MOMENTS: Moment[] = ["idle after start", "as a request is sent", "during concurrent writes", "right after a response", "with writes in flight after the first answer"];

const createBody = (i: number): string =>
  JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "qms_create", arguments: { doc_type: "SOP", title: `Round doc ${i}`, user: "claude" } } });

interface Answer {
  status: number;
  body: string;
}

/**
 * One POST over node:http, settled on every path. Not fetch: when the server dies while a response body is being
 * read, undici can leave `response.text()` pending forever with no handle open, and the test process then ends
 * with the round unfinished (nodejs/node#56917).
 */
function post(url: string, i: number): Promise<Answer> {
  return new Promise((resolve) => {
    const failed = (): void => resolve({ status: 0, body: "" });
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", failed);
      res.on("aborted", failed);
      res.on("close", () => {
        if (!res.complete) failed();
      });
    });
    req.on("error", failed);
    req.on("timeout", () => req.destroy());
    req.end(createBody(i));
  });
}

/** The IDs a client was told were created. */
function acknowledged(answers: Answer[]): string[] {
  return answers.flatMap((a) => (a.status === 200 ? [...a.body.matchAll(/Created: (SOP-\d+)/g)].map((m) => m[1]!) : []));
}

describe("issue 13: SIGTERM at any moment of a request's life", () => {
  test(`server-and-container §1: SIGTERM → exit 0, shutdown line, every acknowledged write on disk (${ROUNDS} rounds in a row)`, async () => {
    const store = path.join(tempDir("qms-shutdown-store-"), "tokens.json");
    cleanup.push(path.dirname(store));
    const tally: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const moment = MOMENTS[round % MOMENTS.length]!;
      const root = makeHarnessProject();
      cleanup.push(root);
      const srv = await startServerProcess(["mcp", "--transport", "streamable-http", "--port", "0", "--project-root", root], { env: { QMS_TOKEN_STORE: store } });
      let answers: Answer[] = [];
      switch (moment) {
        case "idle after start":
          break;
        case "as a request is sent": {
          const pending = post(srv.url, 1);
          srv.child.kill("SIGTERM");
          answers = [await pending];
          break;
        }
        case "during concurrent writes": {
          const pending = Array.from({ length: 8 }, (_, i) => post(srv.url, i));
          await new Promise((r) => setTimeout(r, 2));
          srv.child.kill("SIGTERM");
          answers = await Promise.all(pending);
          break;
        }
        case "right after a response":
          answers = [await post(srv.url, 1)];
          break;
        case "with writes in flight after the first answer": {
          const pending = Array.from({ length: 12 }, (_, i) => post(srv.url, i));
          await Promise.race(pending);
          srv.child.kill("SIGTERM");
          answers = await Promise.all(pending);
          break;
        }
      }
      const code = await srv.stop();
      const where = `round ${round + 1} (${moment})`;
      assert.equal(code, 0, `${where}: exit code\n${srv.stderr()}`);
      assert.match(srv.stderr(), /"event":"shutdown","signal":"SIGTERM"/, `${where}: the shutdown line`);
      assert.match(srv.stderr(), /"event":"stopped"/, `${where}: the stopped line`);
      for (const id of acknowledged(answers)) {
        const metaFile = path.join(root, "QMS", ".meta", "SOP", `${id}.json`);
        assert.ok(fs.existsSync(metaFile), `${where}: acknowledged ${id} has its meta`);
        JSON.parse(fs.readFileSync(metaFile, "utf8"));
        assert.ok(fs.existsSync(path.join(root, "QMS", "SOP", `${id}-draft.md`)), `${where}: ${id} has its draft`);
        assert.match(fs.readFileSync(path.join(root, "QMS", ".audit", "SOP", `${id}.jsonl`), "utf8"), /"event": ?"CREATE"/, `${where}: ${id} has its CREATE event`);
      }
      tally[moment] = (tally[moment] ?? 0) + acknowledged(answers).length;
    }
    // The rounds really exercised acknowledged writes (a test that saw none could not fail on a lost one).
    assert.ok((tally["right after a response"] ?? 0) >= 10, JSON.stringify(tally));
    assert.ok((tally["with writes in flight after the first answer"] ?? 0) >= 10, JSON.stringify(tally));
  });
});
