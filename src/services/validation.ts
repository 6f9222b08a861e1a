import { TEXT_FIELDS, type TextFieldName, textFieldProblem } from "../core/fields.js";
import { step } from "../core/next.js";
import { fail } from "../core/result.js";
import { isVersionString } from "../core/version.js";

/** A free-text argument (title, comment, reason): present, within its field's limits (core/fields). */
export function checkTextArg(flag: string, value: unknown, field: TextFieldName): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail("invalid-argument", `${flag} must not be empty.`, `Pass ${flag} "<text>".`);
  }
  const problem = textFieldProblem(TEXT_FIELDS[field], value);
  if (problem) fail("invalid-argument", `${flag} ${problem}.`, problem.startsWith("is longer") ? `Shorten ${flag}.` : `Pass ${flag} as plain text.`);
  return value;
}

/** A `--version` argument: absent, or a version such as 1.0 (checked before any path is built from it). */
export function checkVersionArg(version: unknown): void {
  if (version === undefined || (typeof version === "string" && isVersionString(version))) return;
  const shown = typeof version === "string" ? JSON.stringify(version.length > 40 ? `${version.slice(0, 40)}…` : version) : String(version);
  fail("invalid-argument", `Invalid version ${shown}: a version looks like 1.0 or 0.2.`, step("history", "<DOC_ID>", { lead: "See the versions of a document with" }));
}
