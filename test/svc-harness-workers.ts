import * as fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { makeContext } from "../src/services/context.js";
import { create } from "../src/services/create.js";

/**
 * Worker threads for test/svc-store.test.ts (not a test file itself):
 * - `create`: a second writer in this process, creating an SOP through the service (so it takes the project lock);
 * - `reader`: reads a file in a tight loop and reports every content that is not one of the whole versions.
 */
const job = workerData as { kind: "create"; root: string } | { kind: "reader"; file: string; size: number };
if (job.kind === "create") {
  const r = create(makeContext(job.root, "claude"), { type: "SOP", title: "second writer" });
  parentPort?.postMessage(r.ok ? { ok: true, id: r.data.doc_id } : { ok: false, code: r.code, message: r.message });
} else {
  let stop = false;
  parentPort?.on("message", () => (stop = true));
  const bad: string[] = [];
  let reads = 0;
  const loop = (): void => {
    for (let i = 0; i < 200 && !stop; i++) {
      let text: string;
      try {
        text = fs.readFileSync(job.file, "utf8");
      } catch (err) {
        bad.push(`read failed: ${(err as NodeJS.ErrnoException).code}`);
        continue;
      }
      reads++;
      if (text.length !== job.size || text[0] !== text[text.length - 1] || text.indexOf(text[0] === "a" ? "b" : "a") !== -1) {
        bad.push(`partial: ${text.length} chars, starting ${JSON.stringify(text.slice(0, 1))}`);
      }
    }
    if (stop) parentPort?.postMessage({ reads, bad: bad.slice(0, 5), badCount: bad.length });
    else setImmediate(loop);
  };
  parentPort?.postMessage({ ready: true });
  loop();
}
