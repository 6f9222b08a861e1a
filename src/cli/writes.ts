import type { ServiceResult } from "../core/result.js";
import { approve } from "../services/approve.js";
import { assign } from "../services/assign.js";
import { cancel } from "../services/cancel.js";
import { checkin } from "../services/checkin.js";
import { checkout } from "../services/checkout.js";
import { close } from "../services/close.js";
import type { ServiceContext } from "../services/context.js";
import { create } from "../services/create.js";
import { fix } from "../services/fix.js";
import { reject } from "../services/reject.js";
import { release } from "../services/release.js";
import { revert } from "../services/revert.js";
import { review } from "../services/review.js";
import { route } from "../services/route.js";
import { withdraw } from "../services/withdraw.js";

export { runAsUser } from "./queries.js";

/** A write command's arguments as the command line gives them (commander's option names, camel-cased). */
export interface WriteArgs {
  docId?: string;
  type?: string;
  title?: string;
  parent?: string;
  name?: string;
  confirm?: boolean;
  review?: boolean;
  approval?: boolean;
  retire?: boolean;
  assign?: string[];
  allowPlaceholders?: boolean;
  discard?: boolean;
  assignees?: string[];
  recommend?: boolean;
  requestUpdates?: boolean;
  comment?: string;
  reason?: string;
}

type WriteCall = (ctx: ServiceContext, a: WriteArgs) => ServiceResult<unknown> | Promise<ServiceResult<unknown>>;

const id = (a: WriteArgs): string => a.docId ?? "";

/**
 * The document-control write commands, from command-line arguments to a service call: the one mapping both the
 * full parser (document-commands.ts, which first refuses usage errors such as no or both outcomes) and the
 * write fast path (fast-path.ts, which takes only command lines without them) use.
 */
export const WRITES = {
  create: (ctx, a) => create(ctx, { type: a.type ?? "", title: a.title, parent: a.parent, name: a.name }),
  checkout: (ctx, a) => checkout(ctx, { docId: id(a), discard: a.discard === true }),
  checkin: (ctx, a) => checkin(ctx, { docId: id(a) }),
  cancel: (ctx, a) => cancel(ctx, { docId: id(a), confirm: a.confirm === true }),
  route: (ctx, a) =>
    route(ctx, { docId: id(a), kind: a.review ? "review" : "approval", assign: a.assign, retire: a.retire === true, allowPlaceholders: a.allowPlaceholders === true }),
  assign: (ctx, a) => assign(ctx, { docId: id(a), assignees: a.assignees ?? [] }),
  review: (ctx, a) => review(ctx, { docId: id(a), outcome: a.recommend ? "recommend" : "request-updates", comment: a.comment ?? "" }),
  approve: (ctx, a) => approve(ctx, { docId: id(a) }),
  reject: (ctx, a) => reject(ctx, { docId: id(a), comment: a.comment ?? "" }),
  withdraw: (ctx, a) => withdraw(ctx, { docId: id(a) }),
  release: (ctx, a) => release(ctx, { docId: id(a) }),
  revert: (ctx, a) => revert(ctx, { docId: id(a), reason: a.reason ?? "" }),
  close: (ctx, a) => close(ctx, { docId: id(a) }),
  fix: (ctx, a) => fix(ctx, { docId: id(a) }),
} satisfies Record<string, WriteCall>;

export type WriteName = keyof typeof WRITES;
