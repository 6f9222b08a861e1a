/**
 * JSON in the exact layout the Python tool wrote (`json.dumps` defaults): `", "` and `": "` separators and
 * non-ASCII characters escaped, so our files are byte-compatible with existing projects.
 */
export function pythonJsonLine(value: unknown): string {
  return asciiOnly(compact(value));
}

/** `json.dump(obj, indent=2)`: the layout of `.meta` files (no trailing newline). */
export function pythonJsonPretty(value: unknown): string {
  return asciiOnly(JSON.stringify(value, null, 2));
}

function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function asciiOnly(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
