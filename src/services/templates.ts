import { parseDocument, serializeDocument } from "../core/frontmatter.js";
import type { Project } from "../store/project.js";

const NOTICE_COMMENT = /<!--(?:(?!-->)[\s\S])*?TEMPLATE DOCUMENT NOTICE[\s\S]*?-->\s*/;

/**
 * Content of a new document (REQ-TEMPLATE-001..005): the project's `QMS/TEMPLATE/TEMPLATE-{TYPE}.md` from its
 * example frontmatter on, NOTICE removed, `{{TITLE}}` and `{TYPE}-XXX` substituted; frontmatter reset to
 * title + "Initial draft". Without a usable template: a minimal document.
 */
export function newDocumentContent(project: Project, typeKey: string, docId: string, title: string): { content: string; fromTemplate: boolean } {
  const body = templateBody(project, typeKey);
  const frontmatter = { title, revision_summary: "Initial draft" };
  if (body === undefined) return { content: serializeDocument(frontmatter, fallbackBody(docId, title)), fromTemplate: false };
  // `{{title}}` is the interactive templates' spelling (TEMPLATE-VR); both mean the document title
  const filled = body.split("{{TITLE}}").join(title).split("{{title}}").join(title).split(`${typeKey}-XXX`).join(docId);
  return { content: serializeDocument(frontmatter, filled), fromTemplate: true };
}

function templateBody(project: Project, typeKey: string): string | undefined {
  const text = project.templateText(typeKey);
  if (text === undefined) return undefined;
  const afterOwnFrontmatter = parseDocument(text).body.replace(NOTICE_COMMENT, "").trimStart();
  const example = parseDocument(afterOwnFrontmatter);
  if (!example.hasFrontmatter || example.body.trim() === "") return undefined;
  return example.body;
}

export function fallbackBody(docId: string, title: string): string {
  return [
    `# ${docId}: ${title}`,
    "",
    "## 1. Purpose",
    "",
    "[Describe the purpose of this document]",
    "",
    "---",
    "",
    "## 2. Scope",
    "",
    "[Describe what this document covers]",
    "",
    "---",
    "",
    "## 3. Content",
    "",
    "[Document content]",
    "",
    "---",
    "",
    "**END OF DOCUMENT**",
    "",
  ].join("\n");
}
