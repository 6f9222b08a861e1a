import type { Status } from "./statuses.js";

/** One entry of the document type registry (REQ-CFG-005). */
export interface DocTypeSpec {
  key: string;
  executable: boolean;
  /** Folder under `QMS/` that holds documents of this type (for children: the root's type folder). */
  path: string;
  /** Types a child document may be created under; absent for top-level types. */
  parentTypes?: readonly string[];
  /** Status the parent must be in when the child is created. */
  parentStatus?: Status;
  /** CR and INV: each document (and its whole family) lives in `QMS/{TYPE}/{ID}/`. */
  folderPerDoc?: boolean;
  /** SDLC RS/RTM: exactly one document per namespace. */
  singleton?: boolean;
  /** Attachments (VR) follow the simplified lifecycle of REQ-DOC-018. */
  attachment?: boolean;
  /** TEMPLATE documents are named, not numbered. */
  named?: boolean;
  /** Interactive documents are authored through `interact` (VR). */
  interactive?: boolean;
}

export const BASE_DOC_TYPES: Readonly<Record<string, DocTypeSpec>> = {
  SOP: { key: "SOP", executable: false, path: "SOP" },
  CR: { key: "CR", executable: true, path: "CR", folderPerDoc: true },
  INV: { key: "INV", executable: true, path: "INV", folderPerDoc: true },
  TP: { key: "TP", executable: true, path: "CR", parentTypes: ["CR"] },
  ER: { key: "ER", executable: true, path: "CR", parentTypes: ["TP"] },
  VAR: { key: "VAR", executable: true, path: "CR", parentTypes: ["CR", "INV"] },
  ADD: {
    key: "ADD",
    executable: true,
    path: "CR",
    parentTypes: ["CR", "INV", "VAR", "ADD"],
    parentStatus: "CLOSED",
  },
  VR: {
    key: "VR",
    executable: true,
    path: "CR",
    parentTypes: ["CR", "VAR", "ADD"],
    parentStatus: "IN_EXECUTION",
    attachment: true,
    interactive: true,
  },
  TEMPLATE: { key: "TEMPLATE", executable: false, path: "TEMPLATE", named: true },
};

/** Types whose IDs appear as `-TYPE-NNN` segments after a CR/INV root. */
export const CHILD_TYPE_KEYS = ["TP", "ER", "VAR", "ADD", "VR"] as const;
export const ROOT_FAMILY_TYPES = ["CR", "INV"] as const;

/** Built-in SDLC namespaces (spec §3.5, TS decision): always present, never persisted. */
export const BUILTIN_NAMESPACES: Readonly<Record<string, { path: string }>> = {
  FLOW: { path: "SDLC-FLOW" },
  QMS: { path: "SDLC-QMS" },
};

export const SDLC_KINDS = ["RS", "RTM"] as const;

export function sdlcTypeSpec(namespace: string, kind: string, path: string): DocTypeSpec {
  return { key: `${namespace}-${kind}`, executable: false, path, singleton: true };
}

/** Every type a user can name on `create`, given the registered namespaces. */
export function creatableTypeKeys(namespaces: Readonly<Record<string, { path: string }>>): string[] {
  const sdlc = Object.keys(namespaces).flatMap((ns) => SDLC_KINDS.map((k) => `${ns}-${k}`));
  return [...Object.keys(BASE_DOC_TYPES), ...sdlc];
}
