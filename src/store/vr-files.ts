/**
 * The files behind interactive (VR) authoring that are not a document's own: the candidate templates of
 * spec §9.5, a response file named on the host, and the evidence commit's exclusions (REQ-INT-020/021).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../core/result.js";
import { newestFirst, type TemplateCandidate } from "../core/vr/template.js";
import { MAX_DOCUMENT_BYTES } from "./contained-fs.js";
import { commitEvidence } from "./evidence-commit.js";
import { listDir, readTextIfExists } from "./fsio.js";
import { packagePath, readPackageText } from "./package-root.js";
import type { Project } from "./project.js";
import { projectStateDir } from "./state-dir.js";
import { tokenStorePath } from "./tokens.js";

const TEMPLATE_ID = "TEMPLATE-VR";

/**
 * The templates a VR may use, in lookup order: the project's EFFECTIVE `TEMPLATE-VR`, its archived versions
 * newest first, then the package's shipped copy. `selectTemplate` (core) picks one.
 */
export function vrTemplateCandidates(project: Project): TemplateCandidate[] {
  const candidates: TemplateCandidate[] = [];
  const doc = project.parseId(TEMPLATE_ID);
  const effective = readTextIfExists(project.effectivePath(doc));
  if (effective !== undefined) candidates.push({ origin: project.pathOf(doc, "effective"), text: effective });
  const archiveDir = path.dirname(project.archivePath(doc, "1.0"));
  const archived = listDir(archiveDir).filter((name) => name.startsWith(`${TEMPLATE_ID}-v`));
  for (const name of newestFirst(archived)) {
    const text = readTextIfExists(path.join(archiveDir, name));
    if (text !== undefined) candidates.push({ origin: project.relative(path.join(archiveDir, name)), text });
  }
  const shippedFile = packagePath("seed", "templates", `${TEMPLATE_ID}.md`);
  const shipped = readPackageText(shippedFile);
  if (shipped !== undefined) candidates.push({ origin: `seed/templates/${TEMPLATE_ID}.md`, text: shipped, shipped: true });
  return candidates;
}

/**
 * The text of a response file a person names on the host command line (`--respond --file PATH`, relative to
 * the command's working directory). Only a regular file is read (never blocks on a FIFO), within the
 * document size limit.
 */
export function readHostResponseFile(baseDir: string, shown: string): string {
  const file = path.resolve(baseDir, shown);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") fail("not-found", `The response file ${shown} does not exist.`, "Name an existing file with the output to record.");
    fail("invalid-argument", `Cannot read the response file ${shown} (${code ?? "error"}).`, "Check the file's permissions.");
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) fail("invalid-argument", `The response file ${shown} is a folder, not a file.`, "Name the file inside it that holds the output to record.");
    if (!st.isFile()) fail("invalid-argument", `The response file ${shown} is not a regular file (a FIFO, socket or device is never read).`, "Write the output to a regular file first.");
    if (st.size > MAX_DOCUMENT_BYTES) fail("invalid-argument", `The response file ${shown} is larger than the limit of ${MAX_DOCUMENT_BYTES} bytes.`, "Record a shortened output and say what was left out.");
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The evidence commit of a `commit: true` prompt, made by this (host) process as the acting user. Besides the
 * users' container folders, it never includes the project's lock file or a token, head or state store that
 * happens to live inside the project. Returns the short hash, or undefined when the commit was skipped.
 */
export function evidenceCommitter(project: Project, user: string, now: Date, env: NodeJS.ProcessEnv = process.env): (message: string) => string | undefined {
  const exclude = [project.lockFile, path.dirname(tokenStorePath(env)), projectStateDir(project.root, env)];
  if (env.QMS_HEAD_STORE?.trim()) exclude.push(path.resolve(env.QMS_HEAD_STORE));
  return (message) => {
    const result = commitEvidence(project.root, { message, authorName: user, now, exclude });
    return "hash" in result ? result.hash : undefined;
  };
}
