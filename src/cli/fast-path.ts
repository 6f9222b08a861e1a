import type { QueryName } from "./queries.js";

/** A read-only query recognized without the full command-line parser. */
export interface QuickQuery {
  name: QueryName;
  user: string;
  docId?: string;
  draft?: boolean;
  version?: string;
}

const WITH_ID: ReadonlySet<string> = new Set(["status", "read", "history", "comments"]);
const WITHOUT_ID: ReadonlySet<string> = new Set(["inbox", "workspace"]);

/**
 * Plumbing fast path (like git's): recognize the exact, common shapes of the read-only queries —
 * `[-u U|--user U|--user=U] status|history ID`, `read ID [--draft] [--version V]`, `comments ID [--version V]`,
 * `inbox`, `workspace` — so they start without loading commander. Anything else (help, unknown or repeated
 * flags, missing arguments) returns undefined and goes to the full parser, which also owns every error message.
 * test/cli-fast-path.test.ts checks both paths print the same.
 */
export function parseQuickQuery(argv: readonly string[], envUser: string | undefined): QuickQuery | undefined {
  let i = 0;
  let user = envUser ?? "";
  const first = argv[0];
  if (first === "-u" || first === "--user") {
    if (argv.length < 2) return undefined;
    user = argv[1]!;
    i = 2;
  } else if (first?.startsWith("--user=")) {
    user = first.slice("--user=".length);
    i = 1;
  }
  const name = argv[i];
  if (name === undefined) return undefined;
  const rest = argv.slice(i + 1);
  if (WITHOUT_ID.has(name)) return rest.length === 0 ? { name: name as QueryName, user } : undefined;
  if (!WITH_ID.has(name)) return undefined;
  const [docId, ...flags] = rest;
  if (docId === undefined || docId.startsWith("-")) return undefined;
  const query: QuickQuery = { name: name as QueryName, user, docId };
  for (let f = 0; f < flags.length; f++) {
    const flag = flags[f]!;
    if (flag === "--draft" && name === "read" && query.draft === undefined) query.draft = true;
    else if (flag === "--version" && (name === "read" || name === "comments") && query.version === undefined && f + 1 < flags.length) {
      query.version = flags[++f]!;
    } else return undefined;
  }
  return query;
}
