import { makeContext, runService } from "../services/context.js";
import { Project } from "../store/project.js";
import { renderResult } from "./render.js";

export interface VerifyFlags {
  json?: boolean;
  anchor?: boolean;
  against?: string;
}

/** `qms verify [DOC_ID...] [--json] [--anchor] [--against DIGEST]`: exit 0 when the record is intact, 1 with findings. */
export async function runVerify(user: string, docIds: string[], flags: VerifyFlags): Promise<number> {
  const { verify } = await import("../services/verify.js");
  const result = runService(() => verify(makeContext(Project.open({ env: process.env, cwd: process.cwd() }), user), { docIds, anchor: flags.anchor === true, ...(flags.against !== undefined ? { against: flags.against } : {}) }));
  if (!result.ok) {
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ok: false, code: result.code, message: result.message }, null, 2)}\n`);
      return 1;
    }
    return renderResult(result, user);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
  else renderResult(result, user);
  return result.data.ok ? 0 : 1;
}
