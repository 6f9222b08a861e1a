import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { commandLineStep } from "../src/core/command-line.js";
import { refusalText } from "../src/core/result.js";
import { comments } from "../src/services/comments.js";
import { fix } from "../src/services/fix.js";
import { namespaceCommand } from "../src/services/namespaces.js";
import { read } from "../src/services/read.js";
import { tokenCreate, tokenRevoke } from "../src/services/tokens.js";
import { userAdd, userList, userUsage } from "../src/services/users.js";
import { vrRecord } from "../src/services/vr-record.js";
import { TokenStore } from "../src/store/tokens.js";
import { approve } from "../src/services/approve.js";
import { assign } from "../src/services/assign.js";
import { cancel } from "../src/services/cancel.js";
import { checkin } from "../src/services/checkin.js";
import { checkout } from "../src/services/checkout.js";
import { close } from "../src/services/close.js";
import { create } from "../src/services/create.js";
import { reject } from "../src/services/reject.js";
import { release } from "../src/services/release.js";
import { revert } from "../src/services/revert.js";
import { review } from "../src/services/review.js";
import { route } from "../src/services/route.js";
import { withdraw } from "../src/services/withdraw.js";
import { removeTempDir, tempDir } from "./helpers.js";
import { type SvcProject, svcProject } from "./svc-harness.js";

/**
 * Every refusal names the rule and what to do next (spec §4.2): the whole text the CLI prints for each, the
 * next steps rendered as command lines. One project per scenario group; each refusal changes nothing.
 */
type Case = [label: string, run: (p: SvcProject) => string, expected: string];

/** QMS_PRINT_REFUSALS=1 prints the texts instead of comparing them (to review a deliberate change of wording). */
const GOLD = process.env.QMS_PRINT_REFUSALS === "1";

function check(p: SvcProject, cases: Case[]): void {
  for (const [label, run, expected] of cases) {
    const text = run(p);
    if (GOLD) console.log(JSON.stringify([label, text]));
    else assert.equal(text, expected, label);
  }
}

describe("refusal texts (in process)", () => {
  it("REQ-SEC-002, REQ-DOC-001, REQ-DOC-002, REQ-DOC-011: create refusals say the rule and the command to run", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "CR", title: "c" });
    check(p, [
      ["TP without parent", (q) => q.no(create, "claude", { type: "TP", title: "tp" }, "invalid-parent").text, "Error: TP documents need a parent (CR).\nNext: Run: qms --user claude create TP --parent <ID> --title ..."],
      ["TP with empty parent", (q) => q.no(create, "claude", { type: "tp", title: "tp", parent: "" }, "invalid-parent").text, "Error: TP documents need a parent (CR).\nNext: Run: qms --user claude create TP --parent <ID> --title ..."],
      ["ER under a CR", (q) => q.no(create, "claude", { type: "ER", title: "er", parent: "CR-001" }, "invalid-parent").text, "Error: An ER cannot be created under CR-001 (a CR); its parent must be a TP.\nNext: Pick a parent of the right type; see: qms --user claude status <ID>"],
      ["ADD under a draft CR", (q) => q.no(create, "claude", { type: "ADD", title: "add", parent: "CR-001" }, "invalid-parent").text, "Error: An ADD needs its parent CR-001 to be CLOSED; it is DRAFT.\nNext: Close CR-001 first, or amend it another way."],
      ["VR under a draft CR", (q) => q.no(create, "claude", { type: "VR", title: "vr", parent: "CR-001" }, "invalid-parent").text, "Error: A VR needs its parent CR-001 to be IN_EXECUTION; it is DRAFT.\nNext: Release CR-001 first: qms --user claude release CR-001"],
      ["TEMPLATE without name", (q) => q.no(create, "claude", { type: "TEMPLATE", title: "t" }, "invalid-argument").text, "Error: TEMPLATE documents are named: --name is required.\nNext: Run: qms --user claude create TEMPLATE --name CR --title ..."],
      ["TEMPLATE blank name", (q) => q.no(create, "claude", { type: "TEMPLATE", title: "t", name: "  " }, "invalid-argument").text, "Error: TEMPLATE documents are named: --name is required.\nNext: Run: qms --user claude create TEMPLATE --name CR --title ..."],
      ["TEMPLATE bad name", (q) => q.no(create, "claude", { type: "TEMPLATE", title: "t", name: ` ${"x".repeat(45)}!` }, "invalid-argument").text, "Error: Invalid template name 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX': use letters, digits and '_' only.\nNext: Run: qms --user claude create TEMPLATE --name CR"],
      ["unknown type 41", (q) => q.no(create, "claude", { type: "Q".repeat(41), title: "x" }, "invalid-type").text, "Error: Unknown document type 'QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ…'. Valid types: SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, FLOW-RS, FLOW-RTM, QMS-RS, QMS-RTM."],
      ["unknown type 40", (q) => q.no(create, "claude", { type: ` ${"q".repeat(40)} `, title: "x" }, "invalid-type").text, "Error: Unknown document type 'QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ'. Valid types: SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, FLOW-RS, FLOW-RTM, QMS-RS, QMS-RTM."],
      ["unregistered SDLC type", (q) => q.no(create, "claude", { type: "NOPE-RS", title: "x" }, "invalid-type").text, "Error: Unknown document type 'NOPE-RS'. Valid types: SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, FLOW-RS, FLOW-RTM, QMS-RS, QMS-RTM.\nNext: NOPE is not a registered SDLC namespace; an administrator registers it with: qms --user claude namespace add NOPE"],
      ["SDLC-like type", (q) => q.no(create, "claude", { type: "X-QMS-RS", title: "x" }, "invalid-type").text, "Error: Unknown document type 'X-QMS-RS'. Did you mean QMS-RS? Valid types: SOP, CR, INV, TP, ER, VAR, ADD, VR, TEMPLATE, FLOW-RS, FLOW-RTM, QMS-RS, QMS-RTM."],
      ["reviewer creates", (q) => q.no(create, "tu_ui", { type: "SOP", title: "x" }, "permission-denied").text, "Error: Permission denied: 'create' requires group initiator (or administrator); user 'tu_ui' is in group 'reviewer'.\nNext: As a reviewer you can review, approve or reject documents assigned to you (see: inbox)."],
    ]);
  });

  it("REQ-DOC-007, REQ-DOC-008, REQ-DOC-019, REQ-WF-022: checkout and checkin refusals", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    const cr = p.crTo("POST_APPROVED");
    p.ok(close, "claude", { docId: cr });
    check(p, [
      ["own checkout", (q) => q.no(checkout, "claude", { docId: "SOP-001" }, "checked-out").text, "Error: You already have SOP-001 checked out.\nNext: Edit .claude/users/claude/workspace/SOP-001.md, then: qms --user claude checkin SOP-001"],
      ["other's checkout", (q) => q.no(checkout, "lead", { docId: "SOP-001" }, "checked-out").text, "Error: SOP-001 is checked out by claude.\nNext: Ask claude to check it in first."],
      ["closed", (q) => q.no(checkout, "claude", { docId: cr }, "invalid-state").text, "Error: CR-001 is CLOSED: a closed document cannot be checked out.\nNext: To correct it, create an addendum: qms --user claude create ADD --parent CR-001"],
      ["missing", (q) => q.no(checkout, "claude", { docId: "SOP-099" }, "not-found").text, "Error: Document not found: SOP-099. Did you mean SOP-001?\nDocuments in this project: CR-001, SOP-001.\nNext: See every document with: qms --user claude list"],
      ["checkin by non-owner", (q) => q.no(checkin, "lead", { docId: "SOP-001" }, "not-owner").text, "Error: Only the owner (responsible user) may check in SOP-001; its owner is claude, not lead.\nNext: Ask claude to run it, or check the document's state with: qms --user lead status SOP-001"],
      ["checkin not checked out", (q) => {
        q.ok(checkin, "claude", { docId: "SOP-001" });
        return q.no(checkin, "claude", { docId: "SOP-001" }, "not-checked-out").text;
      }, "Error: SOP-001 is not checked out.\nNext: Check it out first: qms --user claude checkout SOP-001"],
      ["checkout without any file", (q) => {
        fs.rmSync(q.file("QMS/SOP/SOP-001-draft.md"));
        return q.no(checkout, "claude", { docId: "SOP-001" }, "not-found").text;
      }, "Error: SOP-001 has no draft to check out (status DRAFT).\nNext: See: qms --user claude status SOP-001"],
      ["close closed", (q) => q.no(close, "claude", { docId: cr }, "not-owner").text, "Error: Only the owner (responsible user) may close CR-001; its owner is nobody, not claude.\nNext: Check out the document first: qms --user claude checkout CR-001"],
      ["checkin closed", (q) => q.no(checkin, "claude", { docId: cr }, "not-owner").text, "Error: Only the owner (responsible user) may check in CR-001; its owner is nobody, not claude.\nNext: Check out the document first: qms --user claude checkout CR-001"],
    ]);
  });

  it("REQ-WF-001, REQ-WF-008, REQ-WF-009, REQ-WF-010, REQ-WF-018, REQ-DOC-010: refusals of executable documents", (t) => {
    const p = svcProject(t);
    const cr = p.crTo("IN_EXECUTION");
    p.ok(create, "claude", { type: "TP", title: "tp", parent: cr });
    const vr = p.ok(create, "claude", { type: "VR", title: "vr", parent: cr }).data.doc_id;
    check(p, [
      ["release in execution", (q) => q.no(release, "claude", { docId: cr }, "invalid-transition").text, "Error: Cannot release CR-001 from IN_EXECUTION: it must be PRE_APPROVED.\nNext: See: qms --user claude status CR-001"],
      ["revert in execution", (q) => q.no(revert, "claude", { docId: cr, reason: "r" }, "invalid-transition").text, "Error: Cannot revert CR-001 from IN_EXECUTION: it must be POST_REVIEWED.\nNext: See: qms --user claude status CR-001"],
      ["close in execution", (q) => q.no(close, "claude", { docId: cr }, "invalid-transition").text, "Error: Cannot close CR-001 from IN_EXECUTION: it must be POST_APPROVED.\nNext: See: qms --user claude status CR-001"],
      ["withdraw in execution", (q) => q.no(withdraw, "claude", { docId: cr }, "invalid-transition").text, "Error: Cannot withdraw CR-001 from IN_EXECUTION: only a document in review or approval can be withdrawn.\nNext: See: qms --user claude status CR-001"],
      ["assign in execution", (q) => q.no(assign, "qa", { docId: cr, assignees: ["qa"] }, "invalid-state").text, "Error: CR-001 is IN_EXECUTION, not in an active workflow: assignees can only be added during a review or approval.\nNext: See: qms --user qa status CR-001"],
      ["cancel approved", (q) => q.no(cancel, "claude", { docId: cr, confirm: true }, "invalid-state").text, "Error: CR-001 is v1.0: only never-approved documents (v0.x) can be cancelled.\nNext: Retire it instead: check it out, route for review, then: qms --user claude route CR-001 --approval --retire"],
      ["cancel a checked-out child", (q) => q.no(cancel, "claude", { docId: `${cr}-TP-001`, confirm: true }, "checked-out").text, "Error: CR-001-TP-001 is checked out by claude; it must be checked in before it can be cancelled.\nNext: Run: qms --user claude checkin CR-001-TP-001"],
    ]);
    p.ok(close, "claude", { docId: vr });
    check(p, [["close a closed VR", (q) => q.no(close, "claude", { docId: vr }, "not-owner").text, "Error: Only the owner (responsible user) may close CR-001-VR-001; its owner is nobody, not claude.\nNext: Check out the document first: qms --user claude checkout CR-001-VR-001"]]);
    const q2 = svcProject(t);
    q2.ok(create, "claude", { type: "CR", title: "c" });
    q2.ok(create, "claude", { type: "TP", title: "tp", parent: "CR-001" });
    q2.ok(checkin, "claude", { docId: "CR-001" });
    check(q2, [["cancel a parent", (q) => q.no(cancel, "claude", { docId: "CR-001", confirm: true }, "invalid-state").text, "Error: CR-001 has child documents (CR-001-TP-001); cancel them first."]]);
    const q3 = svcProject(t);
    q3.effectiveSop();
    q3.ok(checkout, "claude", { docId: "SOP-001" });
    q3.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    q3.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "retire" });
    q3.ok(route, "claude", { docId: "SOP-001", kind: "approval", retire: true });
    q3.ok(approve, "qa", { docId: "SOP-001" });
    check(q3, [
      ["route retired", (q) => q.no(route, "claude", { docId: "SOP-001", kind: "review" }, "not-found").text, "Error: No draft found for SOP-001 (status RETIRED)."],
      ["checkout retired", (q) => q.no(checkout, "claude", { docId: "SOP-001" }, "invalid-state").text, "Error: SOP-001 is RETIRED: a retired document cannot be checked out."],
    ]);
  });

  it("REQ-WF-001, REQ-WF-008, REQ-WF-009, REQ-WF-010, REQ-WF-018, REQ-DOC-010: workflow refusals", (t) => {
    const p = svcProject(t);
    p.ok(create, "claude", { type: "SOP", title: "x" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "review" });
    check(p, [
      ["review twice routed", (q) => q.no(route, "claude", { docId: "SOP-001", kind: "review" }, "invalid-transition").text, "Error: Cannot route_review from IN_REVIEW (non-executable).\nNext: See: qms --user claude status SOP-001"],
      ["release SOP", (q) => q.no(release, "claude", { docId: "SOP-001" }, "invalid-type").text, "Error: SOP-001 is not executable: only executable documents (CR, INV, TP, ...) are released."],
      ["revert SOP", (q) => q.no(revert, "claude", { docId: "SOP-001", reason: "r" }, "invalid-transition").text, "Error: Cannot revert SOP-001 from IN_REVIEW: it must be POST_REVIEWED.\nNext: See: qms --user claude status SOP-001"],
      ["close SOP", (q) => q.no(close, "claude", { docId: "SOP-001" }, "invalid-type").text, "Error: SOP-001 is not executable: only executable documents are closed (non-executables become EFFECTIVE)."],
      ["withdraw by other", (q) => q.no(withdraw, "lead", { docId: "SOP-001" }, "not-owner").text, "Error: Only the owner (responsible user) may withdraw SOP-001; its owner is claude, not lead.\nNext: Ask claude to run it, or check the document's state with: qms --user lead status SOP-001"],
      ["cancel unconfirmed", (q) => q.no(cancel, "claude", { docId: "SOP-001", confirm: false }, "confirmation-required").text, "Error: Cancelling SOP-001 permanently deletes 4 file(s):\n  QMS/SOP/SOP-001-draft.md\n  QMS/.meta/SOP/SOP-001.json\n  QMS/.audit/SOP/SOP-001.jsonl\n  .claude/users/qa/inbox/task-SOP-001-review-v0-1.md\nNext: Run again with --confirm: qms --user claude cancel SOP-001 --confirm"],
      ["assign unknown long", (q) => q.no(assign, "qa", { docId: "SOP-001", assignees: ["u".repeat(41)] }, "unknown-user").text, "Error: Cannot assign unknown user 'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu…'.\nKnown users: lead, claude, bu, ian, qa, tu_scene, tu_sim, tu_sketch, tu_ui.\nNext: List users with: qms --user qa user --list"],
      ["assign unknown 40", (q) => q.no(assign, "qa", { docId: "SOP-001", assignees: ["v".repeat(40)] }, "unknown-user").text, "Error: Cannot assign unknown user 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'.\nKnown users: lead, claude, bu, ian, qa, tu_scene, tu_sim, tu_sketch, tu_ui.\nNext: List users with: qms --user qa user --list"],
      ["assign 50 unknown", (q) => q.no(assign, "qa", { docId: "SOP-001", assignees: Array.from({ length: 50 }, () => " nobody ") }, "unknown-user").text, "Error: Cannot assign unknown user 'nobody'.\nKnown users: lead, claude, bu, ian, qa, tu_scene, tu_sim, tu_sketch, tu_ui.\nNext: List users with: qms --user qa user --list"],
      ["assign not a string", (q) => q.no(assign, "qa", { docId: "SOP-001", assignees: [7 as unknown as string] }, "unknown-user").text, "Error: Cannot assign unknown user ''.\nKnown users: lead, claude, bu, ian, qa, tu_scene, tu_sim, tu_sketch, tu_ui.\nNext: List users with: qms --user qa user --list"],
      ["review not assigned", (q) => q.no(review, "tu_ui", { docId: "SOP-001", outcome: "recommend", comment: "c" }, "not-assigned").text, "Error: tu_ui is not assigned to review SOP-001 (assigned: qa).\nNext: See your tasks with: qms --user tu_ui inbox"],
      ["reject in review", (q) => q.no(reject, "qa", { docId: "SOP-001", comment: "c" }, "invalid-state").text, "Error: SOP-001 is IN_REVIEW, not in approval: only a document in approval can be rejected.\nNext: See: qms --user qa inbox"],
      ["approve in review", (q) => q.no(approve, "qa", { docId: "SOP-001" }, "invalid-state").text, "Error: SOP-001 is IN_REVIEW, not in approval.\nNext: See: qms --user qa inbox"],
      ["review no outcome", (q) => q.no(review, "qa", { docId: "SOP-001", outcome: undefined, comment: "c" }, "invalid-argument").text, "Error: Give exactly one outcome: --recommend or --request-updates.\nNext: Run: qms --user qa review SOP-001 --recommend --comment ..."],
    ]);
    p.ok(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "ok" });
    p.ok(route, "claude", { docId: "SOP-001", kind: "approval" });
    check(p, [
      ["assign initiator to approval", (q) => q.no(assign, "qa", { docId: "SOP-001", assignees: ["ian"] }, "permission-denied").text, "Error: Cannot assign ian (group initiator) to approval: approval assignees must be in group quality or reviewer.\nNext: Assign a quality or reviewer user, e.g. --assign qa"],
      ["review in approval", (q) => q.no(review, "qa", { docId: "SOP-001", outcome: "recommend", comment: "c" }, "invalid-state").text, "Error: SOP-001 is IN_APPROVAL, not in review.\nNext: See: qms --user qa inbox"],
      ["cancel checked-in v0.1 in approval", (q) => q.no(cancel, "claude", { docId: "SOP-001", confirm: false }, "confirmation-required").text, "Error: Cancelling SOP-001 permanently deletes 4 file(s):\n  QMS/SOP/SOP-001-draft.md\n  QMS/.meta/SOP/SOP-001.json\n  QMS/.audit/SOP/SOP-001.jsonl\n  .claude/users/qa/inbox/task-SOP-001-approval-v0-1.md\nNext: Run again with --confirm: qms --user claude cancel SOP-001 --confirm"],
    ]);
  });

  it("REQ-USER-003, REQ-DOC-013, REQ-TOK-002, REQ-QRY-001, REQ-FIX-001: refusals of the administration and query services", (t) => {
    const p = svcProject(t);
    const dir = tempDir("qms-store-");
    t.after(() => removeTempDir(dir));
    const store = new TokenStore(path.join(dir, "tokens.json"));
    p.effectiveSop();
    p.ok(checkout, "claude", { docId: "SOP-001" });
    p.ok(tokenCreate, "lead", { user: "qa", label: "one", store });
    check(p, [
      ["namespace unknown action", (q) => q.no(namespaceCommand, "lead", { action: "x".repeat(41) }, "invalid-argument").text, "Error: Unknown namespace action 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…': use 'list' or 'add NAME'.\nNext: Run: qms --user lead namespace list"],
      ["namespace add nothing", (q) => q.no(namespaceCommand, "lead", { action: "add", name: "  " }, "invalid-argument").text, "Error: namespace add needs a NAME.\nNext: Run: qms --user lead namespace add MYPROJ"],
      ["namespace add invalid", (q) => q.no(namespaceCommand, "lead", { action: "add", name: `9${"n".repeat(40)}` }, "invalid-argument").text, "Error: Invalid namespace '9NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN…': start with a letter, then letters, digits or '_' (at most 30 characters).\nNext: Run: qms --user lead namespace add MYPROJ"],
      ["namespace add built-in", (q) => q.no(namespaceCommand, "lead", { action: " ADD ", name: "qms" }, "already-exists").text, "Error: Namespace QMS already exists (built-in).\nNext: See the namespaces with: qms --user lead namespace list"],
      ["namespace list", (q) => q.ok(namespaceCommand, "tu_ui", { action: " LIST " }).text, "SDLC namespaces:\n  FLOW: QMS/SDLC-FLOW/  types FLOW-RS, FLOW-RTM  IDs SDLC-FLOW-RS, SDLC-FLOW-RTM  (built-in)\n  QMS: QMS/SDLC-QMS/  types QMS-RS, QMS-RTM  IDs SDLC-QMS-RS, SDLC-QMS-RTM  (built-in)"],
      ["namespace add by reviewer", (q) => q.no(namespaceCommand, "tu_ui", { action: "add", name: "X" }, "permission-denied").text, "Error: Permission denied: 'namespace add' requires group administrator; user 'tu_ui' is in group 'reviewer'.\nNext: As a reviewer you can review, approve or reject documents assigned to you (see: inbox)."],
      ["user bad name", (q) => q.no(userAdd, "lead", { name: `-${"u".repeat(41)}`, group: "reviewer" }, "invalid-argument").text, "Error: Invalid user name '-uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu…': use a letter followed by letters, digits, '_' or '-' (at most 64 characters).\nNext: e.g.: qms --user lead user --add tu_ui --group reviewer"],
      ["user built-in", (q) => q.no(userAdd, "lead", { name: "lead", group: "reviewer" }, "already-exists").text, "Error: 'lead' is a hard-coded administrator; it needs no agent file.\nNext: Use it directly: qms --user lead inbox"],
      ["user no group", (q) => q.no(userAdd, "lead", { name: "newbie", group: "  " }, "invalid-argument").text, "Error: user --add needs --group.\nNext: Run: qms --user lead user --add newbie --group <administrator|initiator|quality|reviewer>"],
      ["user bad group", (q) => q.no(userAdd, "lead", { name: "newbie", group: ` ${"g".repeat(45)} ` }, "invalid-argument").text, "Error: Invalid group 'gggggggggggggggggggggggggggggggggggggggg': it must be one of administrator, initiator, quality, reviewer.\nNext: Run: qms --user lead user --add newbie --group reviewer"],
      ["user exists", (q) => q.no(userAdd, "lead", { name: "tu_ui", group: "reviewer" }, "already-exists").text, "Error: User 'tu_ui' already exists (.claude/agents/tu_ui.md).\nNext: See every user with: qms --user lead user --list"],
      ["user usage", () => refusalText(userUsage() as never, commandLineStep(undefined)), "Error: user needs an action: --add NAME --group GROUP, or --list.\nNext: Usage: qms --user <admin> user --add <name> --group <administrator|initiator|quality|reviewer>; or: qms --user <user> user --list"],
      ["user list", (q) => q.ok(userList, "lead", undefined).text, "Users:\n  lead       administrator (hard-coded)\n  claude     administrator (hard-coded)\n  bu         reviewer\n  ian        initiator\n  qa         quality\n  tu_scene   reviewer\n  tu_sim     reviewer\n  tu_sketch  reviewer\n  tu_ui      reviewer"],
      ["token no user", (q) => q.no(tokenCreate, "lead", { user: "   ", store }, "invalid-argument").text, "Error: token create needs --user NAME: the QMS user the token acts as.\nNext: Run: qms token create --user claude"],
      ["token bad user", (q) => q.no(tokenCreate, "lead", { user: ` ${"b".repeat(45)}`, store }, "invalid-user").text, "Error: Invalid user name \" bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\": a user name is a letter followed by letters, digits, '_' or '-'.\nNext: Run: qms token create --user claude"],
      ["token unknown user", (q) => q.no(tokenCreate, "lead", { user: "m".repeat(41), store }, "unknown-user").text, "Error: Unknown user 'mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm…': a token can only be created for a user of this project.\nNext: Ask an administrator to run: qms --user lead user --add <name> --group <administrator|initiator|quality|reviewer>"],
      ["token bad label", (q) => q.no(tokenCreate, "lead", { user: "qa", label: `!${"l".repeat(45)}`, store }, "invalid-argument").text, "Error: Invalid --label \"!lllllllllllllllllllllllllllllllllllllll\": use letters, digits, '_', '.', '@' and '-' (at most 64).\nNext: Run: qms token create --user qa --label qa-laptop"],
      ["token label twice", (q) => q.no(tokenCreate, "lead", { user: "qa", label: "one", store }, "already-exists").text, "Error: A token labelled 'one' already exists for this project.\nNext: Pick another --label, or revoke it first: qms token revoke one"],
      ["token revoke nothing", (q) => q.no(tokenRevoke, "lead", { what: "  ", store }, "invalid-argument").text, "Error: token revoke needs a label, a token id (from token list) or the token itself.\nNext: See them with: qms token list"],
      ["token revoke invalid", (q) => q.no(tokenRevoke, "lead", { what: `"${"r".repeat(45)}`, store }, "invalid-argument").text, "Error: Invalid token reference \"\\\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\": give a label, a token id (hex, from token list) or the token itself.\nNext: See them with: qms token list"],
      ["token revoke unknown", (q) => q.no(tokenRevoke, "lead", { what: "z".repeat(45), store }, "not-found").text.replace(q.root, "<root>").replace(fs.realpathSync(q.root), "<root>"), "Error: No token matches 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' for <root>.\nNext: See them with: qms token list"],
      ["read both", (q) => q.no(read, "qa", { docId: "SOP-001", draft: true, version: "1.0" }, "invalid-argument").text, "Error: Use either --draft or --version, not both.\nNext: Run: qms --user qa read <DOC_ID> --draft; or: qms --user qa read <DOC_ID> --version 1.0"],
      ["read missing version", (q) => q.no(read, "qa", { docId: "SOP-001", version: "0.9" }, "not-found").text, "Error: Version 0.9 of SOP-001 is not in the archive (the effective version is 1.0).\nNext: See which versions exist with: qms --user qa history SOP-001"],
      ["fix a draft", (q) => q.no(fix, "lead", { docId: "SOP-001" }, "invalid-state").text, "Error: fix only applies to EFFECTIVE or CLOSED documents; SOP-001 is DRAFT.\nNext: See its state with: qms --user lead status SOP-001"],
      ["comments bad version", (q) => q.no(comments, "qa", { docId: "SOP-001", version: "x" }, "invalid-argument").text, "Error: Invalid version \"x\": a version looks like 1.0 or 0.2.\nNext: See the versions of a document with: qms --user qa history <DOC_ID>"],
      ["vr record of an SOP", (q) => q.no(vrRecord, "qa", { docId: "SOP-001" }, "not-found").text, "Error: SOP-001 has no stored interactive record.\nNext: Read the document itself: qms --user qa read SOP-001"],
    ]);
  });
});

