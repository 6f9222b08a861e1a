import { step } from "../core/next.js";
import { type ServiceResult, refuse } from "../core/result.js";
import { authorize, runService, type ServiceContext } from "./context.js";

export interface InteractInput {
  docId: string;
  respond?: string;
  file?: string;
  reason?: string;
  goto?: string;
  cancelGoto?: boolean;
  reopen?: string;
  progress?: boolean;
  compile?: boolean;
}

/** `interact DOC_ID [...]` (spec §9): interactive VR authoring is not built yet; says so after the usual checks. */
export function interact(ctx: ServiceContext, _input: InteractInput): ServiceResult<Record<string, never>> {
  return runService(() => {
    authorize(ctx, "interact");
    return refuse(
      "not-available",
      "interact is not available in this version: interactive (VR) authoring is not built yet.",
      step("checkin", "<ID>", { lead: "Edit the VR's workspace copy and check it in like any other document" }),
    );
  });
}
