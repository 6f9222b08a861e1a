/**
 * Limits on free-text fields, whatever path they arrive by (a flag, an MCP argument, a workspace file's
 * frontmatter): the same rule for `--title` on create and `title:` in a checked-in copy.
 */
export interface TextFieldRule {
  max: number;
  /** Line breaks and tabs allowed (comments, reasons); other control characters never are. */
  multiline: boolean;
}

export const TEXT_FIELDS = {
  title: { max: 200, multiline: false },
  revision_summary: { max: 5000, multiline: true },
  comment: { max: 20000, multiline: true },
  reason: { max: 2000, multiline: true },
} as const satisfies Record<string, TextFieldRule>;

export type TextFieldName = keyof typeof TEXT_FIELDS;

const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f]/;
const MULTILINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** What is wrong with a field's value, or undefined when it is acceptable (empty is the caller's call). */
export function textFieldProblem(rule: TextFieldRule, value: string): string | undefined {
  if (value.length > rule.max) return `is longer than ${rule.max} characters`;
  if ((rule.multiline ? MULTILINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).test(value)) {
    return `contains control characters${rule.multiline ? "" : " or line breaks"}`;
  }
  return undefined;
}
