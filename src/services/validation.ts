import * as path from "node:path";
import { fail } from "../core/result.js";
import type { Project } from "../store/project.js";

/** A one-line free-text argument (title, comment, reason): present, no control characters, bounded. */
export function checkTextArg(flag: string, value: unknown, max: number, options: { multiline?: boolean } = {}): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail("invalid-argument", `${flag} must not be empty.`, `Pass ${flag} "<text>".`);
  }
  if (value.length > max) fail("invalid-argument", `${flag} is longer than ${max} characters.`, `Shorten ${flag}.`);
  const forbidden = options.multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/;
  if (forbidden.test(value)) {
    fail("invalid-argument", `${flag} contains control characters${options.multiline ? "" : " or line breaks"}.`, `Pass ${flag} as plain text.`);
  }
  return value;
}

/** Project-relative path with forward slashes, for messages and structured results. */
export function relativeTo(project: Project, file: string): string {
  return path.relative(project.root, file).split(path.sep).join("/");
}
