import { BASE_DOC_TYPES, CHILD_TYPE_KEYS, type DocTypeSpec, ROOT_FAMILY_TYPES, sdlcTypeSpec } from "./doctypes.js";

/** Longest document ID we accept; real ones are far shorter. */
export const MAX_ID_LENGTH = 120;

const NUMBER = "\\d{3,6}";
const FAMILY_PATTERN = new RegExp(`^(CR|INV)-(${NUMBER})((?:-(?:TP|ER|VAR|ADD|VR)-${NUMBER})*)$`);
const SOP_PATTERN = new RegExp(`^SOP-${NUMBER}$`);
/** Child types numbered on their own, as some Python-era projects still hold them (e.g. `.meta/VAR/VAR-001.json`). */
const LEGACY_CHILD_PATTERN = new RegExp(`^(TP|ER|VAR|ADD|VR)-${NUMBER}$`);
const TEMPLATE_PATTERN = /^TEMPLATE-([A-Z0-9][A-Z0-9_]{0,39})$/;
const SDLC_PATTERN = /^SDLC-([A-Z][A-Z0-9_]{0,29})-(RS|RTM)$/;
export const NAMESPACE_PATTERN = /^[A-Z][A-Z0-9_]{0,29}$/;
export const TEMPLATE_NAME_PATTERN = /^[A-Z0-9][A-Z0-9_]{0,39}$/;

/** What an ID tells about where a document lives. Paths are relative to `QMS/`. */
export interface ParsedId {
  id: string;
  /** Type key used for `.meta/{typeKey}` and `.audit/{typeKey}`. */
  typeKey: string;
  spec: DocTypeSpec;
  /** Directory holding the draft/effective files. */
  dir: string;
  /** Directory under `.archive/`. */
  archiveDir: string;
  /** For family members: the CR/INV root ID and the direct parent ID. */
  rootId?: string;
  parentId?: string;
  /** Python-era top-level children (VAR-001): other folders the Python tool may have put the files in. */
  legacyDirs?: readonly string[];
}

export type IdProblem = { reason: string };

type NamespaceTable = Readonly<Record<string, { path: string }>>;

/**
 * Validate a document ID against the grammar before any path is built from it.
 * Namespaces tell which SDLC IDs exist; pass a function to look them up only for SDLC IDs.
 */
export function parseDocId(raw: unknown, namespaces: NamespaceTable | (() => NamespaceTable)): ParsedId | IdProblem {
  if (typeof raw !== "string" || raw.length === 0) return { reason: "the document ID is empty" };
  if (raw.length > MAX_ID_LENGTH) return { reason: `the document ID is longer than ${MAX_ID_LENGTH} characters` };
  // Only the ASCII letters, digits, '-' and '_' of the grammar; this alone rules out '/', '..', NUL and spaces.
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) {
    return { reason: "a document ID contains only letters, digits, '-' and '_' (no paths)" };
  }
  const id = raw.toUpperCase() === raw ? raw : raw.toUpperCase();

  if (SOP_PATTERN.test(id)) {
    return { id, typeKey: "SOP", spec: BASE_DOC_TYPES.SOP!, dir: "SOP", archiveDir: "SOP" };
  }
  const legacyChild = LEGACY_CHILD_PATTERN.exec(id);
  if (legacyChild) {
    const typeKey = legacyChild[1]!;
    const base = BASE_DOC_TYPES[typeKey]!;
    return { id, typeKey, spec: { ...base, path: typeKey }, dir: typeKey, archiveDir: typeKey, legacyDirs: [base.path] };
  }
  const template = TEMPLATE_PATTERN.exec(id);
  if (template) {
    return { id, typeKey: "TEMPLATE", spec: BASE_DOC_TYPES.TEMPLATE!, dir: "TEMPLATE", archiveDir: "TEMPLATE" };
  }
  const sdlc = SDLC_PATTERN.exec(id);
  if (sdlc) {
    const ns = sdlc[1]!;
    const kind = sdlc[2]!;
    const entry = (typeof namespaces === "function" ? namespaces() : namespaces)[ns];
    if (!entry) return { reason: `SDLC namespace ${ns} is not registered (see: qms namespace list)` };
    const spec = sdlcTypeSpec(ns, kind, entry.path);
    return { id, typeKey: spec.key, spec, dir: entry.path, archiveDir: entry.path };
  }
  const family = FAMILY_PATTERN.exec(id);
  if (family) {
    const rootType = family[1]!;
    const rootId = `${rootType}-${family[2]}`;
    const tail = family[3] ?? "";
    const rootDir = `${rootType}/${rootId}`;
    if (tail === "") {
      return { id, typeKey: rootType, spec: BASE_DOC_TYPES[rootType]!, dir: rootDir, archiveDir: rootDir };
    }
    const segments = tail.slice(1).split("-");
    const typeKey = segments[segments.length - 2]!;
    const parentId = id.slice(0, id.length - typeKey.length - 1 - segments[segments.length - 1]!.length - 1);
    const base = BASE_DOC_TYPES[typeKey]!;
    const spec: DocTypeSpec = { ...base, path: rootType };
    return { id, typeKey, spec, dir: rootDir, archiveDir: rootDir, rootId, parentId };
  }
  return {
    reason:
      "the ID does not match any document ID form (SOP-001, CR-001, CR-001-TP-001, INV-002-VAR-001, TEMPLATE-CR, SDLC-QMS-RS)",
  };
}

export function isIdProblem(value: ParsedId | IdProblem): value is IdProblem {
  return "reason" in value;
}

export function isChildTypeKey(key: string): boolean {
  return (CHILD_TYPE_KEYS as readonly string[]).includes(key);
}

export function isFamilyRootType(key: string): boolean {
  return (ROOT_FAMILY_TYPES as readonly string[]).includes(key);
}

/** Zero-padded sequence number as the Python tool wrote it (at least three digits). */
export function formatSequence(n: number): string {
  return String(n).padStart(3, "0");
}
