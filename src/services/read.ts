import type { DocMeta } from "../core/meta.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { step } from "../core/next.js";
import { checkVersionArg } from "./validation.js";
import { authorize, runService, type ServiceContext } from "./context.js";
import { liveRecord } from "./interactive.js";

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
  /** An interactive document being authored: the content is compiled from its owner's session (REQ-INT-019). */
  compiled_from?: "session";
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
    checkVersionArg(version);
    if (version !== undefined && input.draft === true) {
      fail("invalid-argument", "Use either --draft or --version, not both.", [step("read", "<DOC_ID>", { args: { draft: true }, lead: "Run" }), step("read", "<DOC_ID>", { args: { version: "1.0" }, lead: "or" })]);
    }
    const loaded = project.load(input.docId);
    const { doc, meta } = loaded;

    let source: ReadData["source"];
    let where: "draft" | "effective" | { archive: string };
    let shownVersion: string;
    if (version !== undefined) {
      const effectiveVersion = effectiveFileVersion(meta);
      if (project.readText(loaded, { archive: version }) !== undefined) {
        source = "archive";
        where = { archive: version };
      } else if (loaded.hasEffective && effectiveVersion === version) {
        source = "effective";
        where = "effective";
      } else {
        fail(
          "not-found",
          `Version ${version} of ${doc.id} is not in the archive${effectiveVersion ? ` (the effective version is ${effectiveVersion})` : ""}.`,
          step("history", doc.id, { lead: "See which versions exist with" }),
        );
      }
      shownVersion = version;
    } else if (input.draft === true) {
      if (!loaded.hasDraft) {
        fail("not-found", `${doc.id} has no draft (status ${meta.status}, version ${meta.version}).`, step("read", doc.id, { lead: "Read the effective version with" }));
      }
      source = "draft";
      where = "draft";
      shownVersion = meta.version;
    } else if (loaded.hasEffective) {
      source = "effective";
      where = "effective";
      shownVersion = effectiveFileVersion(meta) ?? meta.version;
    } else if (loaded.hasDraft) {
      source = "draft";
      where = "draft";
      shownVersion = meta.version;
    } else {
      // RETIRED: no working file is left; its last version lives in the archive.
      source = "archive";
      where = { archive: meta.version };
      shownVersion = meta.version;
    }

    const live = source !== "archive" ? liveRecord(project, loaded) : undefined;
    const content = live ?? project.readText(loaded, where);
    if (content === undefined) {
      if (source === "archive" && version === undefined) {
        fail("not-found", `${doc.id} is ${meta.status} and has no readable file left.`, step("history", doc.id, { lead: "See its history" }));
      }
      fail("not-found", `${project.pathOf(loaded, where)} disappeared while it was being read.`, step("read", doc.id, { lead: "Try again" }));
    }
    const data: ReadData = { doc_id: doc.id, source, version: shownVersion, path: project.pathOf(loaded, where), content, ...(live !== undefined ? { compiled_from: "session" as const } : {}) };
    // One element: the CLI prints it followed by a newline, as the Python tool's print(content) did.
    return success(data, [content]);
  });
}
