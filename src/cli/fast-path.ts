import type { QueryName } from "./queries.js";
import type { WriteArgs, WriteName } from "./writes.js";

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
  const command = splitUser(argv, envUser);
  if (!command) return undefined;
  const { user, name } = command;
  let rest = command.rest;
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

/** `[-u U|--user U|--user=U] COMMAND ARGS...`: the user (else QMS_USER), the command name and what follows. */
function splitUser(argv: readonly string[], envUser: string | undefined): { user: string; name: string; rest: string[] } | undefined {
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
  return name === undefined ? undefined : { user, name, rest: argv.slice(i + 1) };
}

/** A write command recognized without the full command-line parser. */
export interface QuickWrite {
  name: WriteName;
  user: string;
  args: WriteArgs;
}

type OptionKind = "flag" | "value" | "values";
type OptionSpec = { key: keyof WriteArgs; kind: OptionKind };
interface WriteShape {
  /** The one positional argument, before any option. */
  arg: "docId" | "type";
  options?: Record<string, OptionSpec>;
  /** Options the full parser requires (its error is left to it). */
  required?: Array<keyof WriteArgs>;
  /** Flags of which exactly one must be given (else the full parser's usage error). */
  exactlyOne?: [keyof WriteArgs, keyof WriteArgs];
}

const flag = (key: keyof WriteArgs): OptionSpec => ({ key, kind: "flag" });
const value = (key: keyof WriteArgs): OptionSpec => ({ key, kind: "value" });
const values = (key: keyof WriteArgs): OptionSpec => ({ key, kind: "values" });

/** The write commands of document-commands.ts, each with exactly the options and rules it declares there. */
const WRITE_SHAPES: Record<WriteName, WriteShape> = {
  create: { arg: "type", options: { "--title": value("title"), "--parent": value("parent"), "--name": value("name") }, required: ["title"] },
  checkout: { arg: "docId", options: { "--discard": flag("discard") } },
  checkin: { arg: "docId" },
  cancel: { arg: "docId", options: { "--confirm": flag("confirm") } },
  route: {
    arg: "docId",
    options: { "--review": flag("review"), "--approval": flag("approval"), "--assign": values("assign"), "--retire": flag("retire"), "--allow-placeholders": flag("allowPlaceholders") },
    exactlyOne: ["review", "approval"],
  },
  assign: { arg: "docId", options: { "--assignees": values("assignees") }, required: ["assignees"] },
  review: { arg: "docId", options: { "--recommend": flag("recommend"), "--request-updates": flag("requestUpdates"), "--comment": value("comment") }, required: ["comment"], exactlyOne: ["recommend", "requestUpdates"] },
  approve: { arg: "docId" },
  reject: { arg: "docId", options: { "--comment": value("comment") }, required: ["comment"] },
  withdraw: { arg: "docId" },
  release: { arg: "docId" },
  revert: { arg: "docId", options: { "--reason": value("reason") }, required: ["reason"] },
  close: { arg: "docId" },
  fix: { arg: "docId" },
};

/**
 * The write commands in their plain shapes — `[-u U] create TYPE --title T [--parent P] [--name N]`,
 * `route ID --review|--approval [--assign U...] [--retire]`, `review ID --recommend --comment C`, `checkin ID`,
 * ... — the positional argument first, each option once, every value a separate word not starting with `-`.
 * Anything else (help, `--opt=value`, `--user` after the command, a repeated or unknown option, a missing value
 * or required option, no or both outcomes, an extra argument) returns undefined and goes to the full parser,
 * which owns every error message; both paths call the same mapping (writes.ts), and
 * test/cli-fast-path.test.ts checks they print and write the same.
 */
export function parseQuickWrite(argv: readonly string[], envUser: string | undefined): QuickWrite | undefined {
  const command = splitUser(argv, envUser);
  if (!command || !Object.hasOwn(WRITE_SHAPES, command.name)) return undefined;
  const name = command.name as WriteName;
  const shape = WRITE_SHAPES[name];
  const [positional, ...rest] = command.rest;
  if (positional === undefined || positional.startsWith("-")) return undefined;
  const args: WriteArgs = { [shape.arg]: positional };
  const given = args as Record<string, string | boolean | string[]>;
  for (let i = 0; i < rest.length; i++) {
    const option = shape.options && Object.hasOwn(shape.options, rest[i]!) ? shape.options[rest[i]!]! : undefined;
    if (!option || option.key in args) return undefined;
    if (option.kind === "flag") {
      given[option.key] = true;
      continue;
    }
    const taken: string[] = [];
    while (i + 1 < rest.length && !rest[i + 1]!.startsWith("-") && (option.kind === "values" || taken.length === 0)) taken.push(rest[++i]!);
    if (taken.length === 0) return undefined;
    given[option.key] = option.kind === "values" ? taken : taken[0]!;
  }
  if (shape.required?.some((key) => !(key in args))) return undefined;
  if (shape.exactlyOne && (shape.exactlyOne[0] in args) === (shape.exactlyOne[1] in args)) return undefined;
  return { name, user: command.user, args };
}
