import MarkdownIt from "markdown-it";
import { parseDocument } from "../core/frontmatter.js";
import { type Html, trusted } from "./html.js";

/**
 * Markdown with raw HTML disabled (web spec §1): `<script>` in a document is shown as text, and markdown-it's
 * link check drops `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs, so a document cannot run code.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet("rel", "noopener noreferrer nofollow");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): Html {
  return trusted(md.render(text));
}

/** A QMS document's body rendered, and the frontmatter fields shown above it. */
export function renderDocument(text: string): { frontmatter: Record<string, unknown>; body: Html } {
  const parsed = parseDocument(text);
  return { frontmatter: parsed.frontmatter, body: renderMarkdown(parsed.body) };
}
