import type { QueryName } from "./queries.js";

/** A read-only query recognized without the full command-line parser. */
export interface QuickQuery {
  name: QueryName;
  user: string;
  docId?: string;
  draft?: boolean;
  version?: string;
  json?: boolean;
  type?: string;
  status?: string;
  owner?: string;
  mine?: boolean;
}

const WITH_ID: ReadonlySet<string> = new Set(["status", "read", "history", "comments"]);
const WITHOUT_ID: ReadonlySet<string> = new Set(["inbox", "workspace", "list"]);
/** `list`'s filters that take a value. */
const LIST_VALUES = { "--type": "type", "--status": "status", "--owner": "owner" } as const;

/**
 * Plumbing fast path (like git's): recognize the exact, common shapes of the read-only queries —
 * `[-u U|--user U|--user=U] status|history ID`, `read ID [--draft] [--version V]`, `comments ID [--version V]`,
 * `inbox`, `workspace`, `list [--type T] [--status S] [--owner U] [--mine]`, each with `--json` — so they start
 * without loading commander. Anything else (help, unknown or repeated flags, missing arguments, `--user` after
 * the command) returns undefined and goes to the full parser, which also owns every error message.
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
  let rest = argv.slice(i + 1);
  const query: QuickQuery = { name: name as QueryName, user };
  if (WITH_ID.has(name)) {
    const docId = rest[0];
    if (docId === undefined || docId.startsWith("-")) return undefined;
    query.docId = docId;
    rest = rest.slice(1);
  } else if (!WITHOUT_ID.has(name)) {
    return undefined;
  }
  for (let f = 0; f < rest.length; f++) {
    const flag = rest[f]!;
    const hasValue = f + 1 < rest.length;
    if (flag === "--json" && query.json === undefined) query.json = true;
    else if (flag === "--draft" && name === "read" && query.draft === undefined) query.draft = true;
    else if (flag === "--version" && (name === "read" || name === "comments") && query.version === undefined && hasValue) query.version = rest[++f]!;
    else if (name === "list" && flag === "--mine" && query.mine === undefined) query.mine = true;
    else if (name === "list" && flag in LIST_VALUES && hasValue && !rest[f + 1]!.startsWith("-")) {
      const key = LIST_VALUES[flag as keyof typeof LIST_VALUES];
      if (query[key] !== undefined) return undefined;
      query[key] = rest[++f]!;
    } else return undefined;
  }
  return query;
}
