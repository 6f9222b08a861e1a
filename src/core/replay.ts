import type { AuditEvent } from "./audit-events.js";
import { isStatus, type Status } from "./statuses.js";
import { CHECKIN_RESETS, CHECKOUT_TRANSITIONS } from "./transitions.js";
import { isVersionString, previousMinor, parseVersion } from "./version.js";

/**
 * The record is a function of its audit trail (integrity spec §2): replaying a document's events in order
 * gives its meta's status, version, owner and checkout. Our events state every change explicitly
 * (STATUS_CHANGE, WITHDRAW with `to_status`, `version` on each event, `to_version` on a checkout that bumps
 * it); the Python tool left some implied (a checkin of a REVIEWED document went back to DRAFT silently,
 * a checkout of an EFFECTIVE one too), so those rules are applied here as well, and the explicit event that
 * follows them in our trails agrees.
 */
export interface ReplayedState {
  status: Status | undefined;
  version: string | undefined;
  responsible_user: string | null;
  checked_out: boolean;
}

export interface ReplayOptions {
  /** Status a CREATE starts in: DRAFT, or IN_EXECUTION for an attachment (VR). */
  createStatus: Status;
}

export interface ReplayProblem {
  /** 0-based index of the event in the trail. */
  index: number;
  what: string;
}

export interface ReplayResult {
  state: ReplayedState;
  problems: ReplayProblem[];
  /** Versions whose text the trail says was archived (approved versions; execution revisions checked in). */
  archived: string[];
}

const APPROVED: ReadonlySet<string> = new Set(["APPROVED", "PRE_APPROVED", "POST_APPROVED"]);

export function replay(events: readonly AuditEvent[], options: ReplayOptions): ReplayResult {
  const state: ReplayedState = { status: undefined, version: undefined, responsible_user: null, checked_out: false };
  const problems: ReplayProblem[] = [];
  const archived = new Set<string>();
  events.forEach((e, index) => {
    if (index === 0 && e.event !== "CREATE") problems.push({ index, what: `the trail starts with ${e.event}, not CREATE: its beginning is missing` });
    if (index > 0 && e.event === "CREATE") problems.push({ index, what: "a second CREATE: two documents' trails in one file" });
    const before = state.version;
    if (typeof e.version === "string" && isVersionString(e.version)) state.version = e.version;
    switch (e.event) {
      case "CREATE":
        if (e.legacy_action === "seed") {
          state.status = isStatus(e.status) ? e.status : "EFFECTIVE";
          state.responsible_user = null;
          state.checked_out = false;
        } else {
          state.status = options.createStatus;
          state.responsible_user = e.user;
          state.checked_out = true;
        }
        break;
      case "CHECKOUT": {
        if (typeof e.to_version === "string" && isVersionString(e.to_version)) state.version = e.to_version;
        if (typeof e.from_version === "string") state.status = "DRAFT";
        else if (state.status && CHECKOUT_TRANSITIONS[state.status]) state.status = CHECKOUT_TRANSITIONS[state.status];
        state.responsible_user = e.user;
        state.checked_out = true;
        break;
      }
      case "CHECKIN":
        if (e.hash !== undefined && state.status === "IN_EXECUTION" && state.version && parseVersion(state.version).minor > 0) {
          archived.add(previousMinor(state.version));
        }
        if (state.status && CHECKIN_RESETS.includes(state.status)) state.status = "DRAFT";
        state.checked_out = false;
        break;
      case "STATUS_CHANGE":
      case "WITHDRAW":
        if (isStatus(e.to_status)) {
          if (APPROVED.has(e.to_status) && before) archived.add(before);
          state.status = e.to_status;
        } else {
          problems.push({ index, what: `${e.event} without a valid to_status` });
        }
        break;
      case "EFFECTIVE":
        state.status = "EFFECTIVE";
        state.responsible_user = null;
        state.checked_out = false;
        break;
      case "CLOSE":
        state.status = "CLOSED";
        state.responsible_user = null;
        state.checked_out = false;
        break;
      case "RETIRE":
        state.status = "RETIRED";
        state.responsible_user = null;
        state.checked_out = false;
        break;
      default:
        // ROUTE_*, ASSIGN, REVIEW, APPROVE, REJECT, RELEASE, REVERT: their status change is its own event
        break;
    }
  });
  return { state, problems, archived: [...archived] };
}
