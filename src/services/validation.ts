import * as path from "node:path";
import { TEXT_FIELDS, type TextFieldName, textFieldProblem } from "../core/fields.js";
import { fail } from "../core/result.js";
import type { Project } from "../store/project.js";

/** A free-text argument (title, comment, reason): present, within its field's limits (core/fields). */
export function checkTextArg(flag: string, value: unknown, field: TextFieldName): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail("invalid-argument", `${flag} must not be empty.`, `Pass ${flag} "<text>".`);
  }
  const problem = textFieldProblem(TEXT_FIELDS[field], value);
  if (problem) fail("invalid-argument", `${flag} ${problem}.`, problem.startsWith("is longer") ? `Shorten ${flag}.` : `Pass ${flag} as plain text.`);
  return value;
}

/** Project-relative path with forward slashes, for messages and structured results. */
export function relativeTo(project: Project, file: string): string {
  return path.relative(project.root, file).split(path.sep).join("/");
}
