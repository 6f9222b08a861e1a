import { didYouMean, listWhenFew } from "../core/did-you-mean.js";
import { step, type NextStep } from "../core/next.js";
import type { Project } from "./project.js";

/**
 * For a refused document ID (malformed or unknown): the closest existing IDs, the project's documents when
 * there are few, and the way to list them all.
 */
export function unknownIdHelp(project: Project, typed: unknown): { guess: string; details: string[]; next: NextStep } {
  let ids: string[] = [];
  try {
    ids = project.index.all(Date.now()).documents.map((d) => d.doc.id);
  } catch {
    // a listing that cannot be built must not hide the refusal itself
  }
  const guess = typeof typed === "string" ? didYouMean(typed, ids) : "";
  const few = listWhenFew("Documents in this project", ids);
  return { guess, details: few ? [few] : [], next: step("list", undefined, { lead: "See every document with" }) };
}
