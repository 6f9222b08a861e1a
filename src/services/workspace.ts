import { refuse, type ServiceResult } from "../core/result.js";
import type { ServiceContext } from "./context.js";

// biome-ignore lint/suspicious/noExplicitAny: stub until implemented
export function workspace(_ctx: ServiceContext, _input?: any): ServiceResult<Record<string, unknown>> {
  return refuse("not-available", "workspace is not implemented yet.");
}
