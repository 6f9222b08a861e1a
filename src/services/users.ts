import { refuse, type ServiceResult } from "../core/result.js";
import type { ServiceContext } from "./context.js";

export function userAdd(_ctx: ServiceContext, _input: { name: string; group?: string }): ServiceResult<Record<string, unknown>> {
  return refuse("not-available", "user --add is not implemented yet.");
}
export function userList(_ctx: ServiceContext): ServiceResult<Record<string, unknown>> {
  return refuse("not-available", "user --list is not implemented yet.");
}
export function userUsage(): ServiceResult<Record<string, unknown>> {
  return refuse("invalid-argument", "user needs --add NAME --group G or --list.");
}
