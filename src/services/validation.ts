import { TEXT_FIELDS, type TextFieldName, textFieldProblem } from "../core/fields.js";
import { fail } from "../core/result.js";

/** A free-text argument (title, comment, reason): present, within its field's limits (core/fields). */
export function checkTextArg(flag: string, value: unknown, field: TextFieldName): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail("invalid-argument", `${flag} must not be empty.`, `Pass ${flag} "<text>".`);
  }
  const problem = textFieldProblem(TEXT_FIELDS[field], value);
  if (problem) fail("invalid-argument", `${flag} ${problem}.`, problem.startsWith("is longer") ? `Shorten ${flag}.` : `Pass ${flag} as plain text.`);
  return value;
}
