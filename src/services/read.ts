import type { DocMeta } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { isVersionString } from "../core/version.js";
import { readTextIfExists } from "../store/fsio.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { loadDoc } from "./documents.js";
import { relativeTo } from "./validation.js";

export interface ReadInput {
  docId: string;
  /** Read the working draft. */
  draft?: boolean;
  /** Read an archived version `N.X` (a version equal to the effective one may read the effective file). */
  version?: string;
}

export interface ReadData {
  doc_id: string;
  source: "effective" | "draft" | "archive";
  version: string;
  path: string;
  content: string;
}

/** The version held by the effective file `{ID}.md`, if the meta can tell. */
export function effectiveFileVersion(meta: DocMeta): string | undefined {
  if (typeof meta.effective_version === "string" && meta.effective_version !== "") return meta.effective_version;
  if (meta.status === "EFFECTIVE" || meta.status === "CLOSED" || meta.status === "RETIRED") return meta.version;
  return undefined;
}

/**
 * `read DOC_ID [--draft] [--version V]` (spec §5.15, REQ-QRY-001): `--version` reads the archive, `--draft`
 * the draft, the default the effective file and else the draft. Prints the raw content.
 */
export function read(ctx: ServiceContext, input: ReadInput): ServiceResult<ReadData> {
  return runService(() => {
    const { project } = authorize(ctx, "read");
    // Validate the version before the ID is used to build any path (both are user input).
    const version = input.version;
    if (version !== undefined && (typeof version !== "string" || !isVersionString(version))) {
      const shown = typeof version === "string" ? JSON.stringify(version.length > 40 ? `${version.slice(0, 40)}…` : version) : String(version);
      fail("invalid-argument", `Invalid version ${shown}: a version looks like 1.0 or 0.2.`, "See the versions of a document with: qms history <DOC_ID>");
    }
    if (version !== undefined && input.draft === true) {
      fail("invalid-argument", "Use either --draft or --version, not both.", "Run: qms read <DOC_ID> --draft  or  qms read <DOC_ID> --version 1.0");
    }
    const loaded = loadDoc(project, input.docId);
    const { doc, meta } = loaded;

    let source: ReadData["source"];
    let file: string;
    let shownVersion: string;
    if (version !== undefined) {
      const archived = project.archivePath(doc, version);
      const effectiveVersion = effectiveFileVersion(meta);
      if (readTextIfExists(archived) !== undefined) {
        source = "archive";
        file = archived;
      } else if (loaded.hasEffective && effectiveVersion === version) {
        source = "effective";
        file = project.effectivePath(doc);
      } else {
        fail(
          "not-found",
          `Version ${version} of ${doc.id} is not in the archive${effectiveVersion ? ` (the effective version is ${effectiveVersion})` : ""}.`,
          `See which versions exist with: qms history ${doc.id}`,
        );
      }
      shownVersion = version;
    } else if (input.draft === true) {
      if (!loaded.hasDraft) {
        fail("not-found", `${doc.id} has no draft (status ${meta.status}, version ${meta.version}).`, `Read the effective version with: qms read ${doc.id}`);
      }
      source = "draft";
      file = project.draftPath(doc);
      shownVersion = meta.version;
    } else if (loaded.hasEffective) {
      source = "effective";
      file = project.effectivePath(doc);
      shownVersion = effectiveFileVersion(meta) ?? meta.version;
    } else if (loaded.hasDraft) {
      source = "draft";
      file = project.draftPath(doc);
      shownVersion = meta.version;
    } else {
      // RETIRED: no working file is left; its last version lives in the archive.
      source = "archive";
      file = project.archivePath(doc, meta.version);
      shownVersion = meta.version;
      if (readTextIfExists(file) === undefined) {
        fail("not-found", `${doc.id} is ${meta.status} and has no readable file left.`, `See its history: qms history ${doc.id}`);
      }
    }

    const content = readTextIfExists(file);
    if (content === undefined) {
      fail("not-found", `${relativeTo(project, file)} disappeared while it was being read.`, `Try again: qms read ${doc.id}`);
    }
    const data: ReadData = { doc_id: doc.id, source, version: shownVersion, path: relativeTo(project, file), content };
    // One element: the CLI prints it followed by a newline, as the Python tool's print(content) did.
    return success(data, [content]);
  });
}
