import type { QueryName } from "./queries.js";
import type { WriteArgs, WriteName } from "./writes.js";

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
  const command = splitUser(argv, envUser);
  if (!command) return undefined;
  const { user, name, rest } = command;
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

type FlagKind = "flag" | "value" | "values";
interface WriteShape {
  /** The one positional argument, before any option. */
  arg: "docId" | "type";
  options?: Record<string, { key: keyof WriteArgs; kind: FlagKind }>;
  required?: Array<keyof WriteArgs>;
}

const flag = (key: keyof WriteArgs): { key: keyof WriteArgs; kind: FlagKind } => ({ key, kind: "flag" });
const value = (key: keyof WriteArgs): { key: keyof WriteArgs; kind: FlagKind } => ({ key, kind: "value" });
const values = (key: keyof WriteArgs): { key: keyof WriteArgs; kind: FlagKind } => ({ key, kind: "values" });

/** The write commands of document-commands.ts, each with exactly the options it declares there. */
const WRITE_SHAPES: Record<WriteName, WriteShape> = {
  create: { arg: "type", options: { "--title": value("title"), "--parent": value("parent"), "--name": value("name") } },
  checkout: { arg: "docId" },
  checkin: { arg: "docId" },
  cancel: { arg: "docId", options: { "--confirm": flag("confirm") } },
  route: { arg: "docId", options: { "--review": flag("review"), "--approval": flag("approval"), "--assign": values("assign"), "--retire": flag("retire") } },
  assign: { arg: "docId", options: { "--assignees": values("assignees") }, required: ["assignees"] },
  review: { arg: "docId", options: { "--recommend": flag("recommend"), "--request-updates": flag("requestUpdates"), "--comment": value("comment") } },
  approve: { arg: "docId" },
  reject: { arg: "docId", options: { "--comment": value("comment") } },
  withdraw: { arg: "docId" },
  release: { arg: "docId" },
  revert: { arg: "docId", options: { "--reason": value("reason") } },
  close: { arg: "docId" },
  fix: { arg: "docId" },
};

/**
 * The write commands in their plain shapes — `[-u U] create TYPE [--title T] [--parent P] [--name N]`,
 * `route ID --review|--approval [--assign U...] [--retire]`, `review ID --recommend --comment C`, `checkin ID`,
 * ... — the positional argument first, each option once, every value a separate word not starting with `-`.
 * Anything else (help, `--opt=value`, a repeated or unknown option, a missing value or required option, an
 * extra argument) returns undefined and goes to the full parser, which owns every error message; both paths
 * call the same mapping (writes.ts), and test/cli-fast-path.test.ts checks they print and write the same.
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
  return { name, user: command.user, args };
}
