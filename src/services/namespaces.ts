import { refuse, type ServiceResult } from "../core/result.js";
import type { ServiceContext } from "./context.js";

export function namespaceCommand(_ctx: ServiceContext, _input: { action: string; name?: string }): ServiceResult<Record<string, unknown>> {
  return refuse("not-available", "namespace is not implemented yet.");
}
