import { step } from "../core/next.js";
import { fail, type ServiceResult, success } from "../core/result.js";
import { parseVersion } from "../core/version.js";
import { newChange } from "../store/change.js";
import { discardSteps, discardTarget } from "./discard.js";
import { applyAs, changeDoc, type ServiceContext } from "./context.js";

/** `cancel DOC_ID --confirm` (spec §5.13, REQ-DOC-010): delete a never-approved document entirely. */
export function cancel(ctx: ServiceContext, input: { docId: string; confirm: boolean }): ServiceResult<{ doc_id: string; deleted: string[] }> {
  return changeDoc(ctx, "cancel", input.docId, ({ actor, project, loaded }) => {
    const { doc, meta } = loaded;
    if (parseVersion(meta.version).major >= 1) {
      const discard = discardTarget(loaded) ? discardSteps(loaded, actor.user.name) : [];
      const retire = step("route", doc.id, {
        args: { route_type: "approval", retire: true },
        lead: `${discard.length > 0 ? "or, to retire the document" : "Retire it instead"}: check it out, route for review, then`,
      });
      fail("invalid-state", `${doc.id} is v${meta.version}: only never-approved documents (v0.x) can be cancelled.`, [...discard, retire]);
    }
    if (meta.checked_out) {
      fail(
        "checked-out",
        `${doc.id} is checked out by ${meta.responsible_user}; it must be checked in before it can be cancelled.`,
        step("checkin", doc.id, { user: meta.responsible_user ?? undefined, lead: "Run" }),
      );
    }
    const children = project.childIds(loaded);
    if (children.length > 0) fail("invalid-state", `${doc.id} has child documents (${children.join(", ")}); cancel them first.`);
    const all = [...project.documentFiles(loaded), ...project.users.workspaceCopiesOf(doc.id), ...project.users.tasksOf(doc.id)];
    if (!input.confirm) {
      fail("confirmation-required", `Cancelling ${doc.id} permanently deletes ${all.length} file(s):`, step("cancel", doc.id, { args: { confirm: true }, lead: "Run again with --confirm" }), {
        details: all.map((f) => `  ${f}`),
      });
    }
    const change = newChange(doc);
    change.deleteDocument = true;
    change.clearWorkspaces = true;
    change.removeTasks.push({ users: "everyone" });
    applyAs(actor, change);
    return success({ doc_id: doc.id, deleted: all }, [`Cancelled: ${doc.id}`, ...all.map((f) => `  deleted ${f}`)]);
  });
}
