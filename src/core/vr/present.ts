/**
 * Human lines for an engine outcome (spec §9.3). Commands are not spelled here: the adapters turn the
 * structured `next` step into their own words.
 */
import type { CurrentPrompt, Outcome, Progress } from "./engine.js";
import { isEnd, type VrSource } from "./source.js";
import type { Template } from "./template.js";

export interface InteractNextStep {
  action: "interact" | "checkin";
  doc_id: string;
  args?: Record<string, string | boolean>;
}

export function headerLines(source: VrSource, template: Template): string[] {
  const title = typeof source.metadata.title === "string" && source.metadata.title !== "" ? `: ${source.metadata.title}` : "";
  return [`${source.doc_id}${title}`, `Template: ${template.name} v${template.version}`];
}

export function currentPromptLines(current: CurrentPrompt | null, progress: Progress): string[] {
  if (current === null) return [`All prompts answered (${progress.answered}/${progress.total}).`, "Check the document in to compile the record."];
  const where = current.loop ? ` (loop ${current.loop.name}, iteration ${current.loop.iteration})` : "";
  const lines = [`${current.amending ? "AMENDING " : ""}${current.kind === "gate" ? "Gate" : "Prompt"}: ${current.key}${where}`];
  if (current.amending) {
    const back = isEnd(current.amending.returnTo) ? "the end of the flow" : current.amending.returnTo;
    lines.push(`Amendment reason: ${current.amending.reason}; afterwards the cursor returns to ${back}.`);
  }
  lines.push("", ...current.guidance.split("\n"), "");
  if (current.commit) lines.push("Recording this response also commits the project's working tree as evidence.");
  if (current.accepts) lines.push("Answer yes or no.");
  if (current.suggested !== undefined) lines.push(`Suggested answer: ${current.suggested}`);
  return lines;
}

export function progressLines(progress: Progress): string[] {
  const lines = progress.items.map((i) => {
    const marks = [i.commit ? "commit" : "", i.kind === "gate" ? "gate" : "", i.amended ? "amended" : "", i.loop ? `loop ${i.loop.name} #${i.loop.iteration}` : ""].filter(Boolean);
    return `${i.answered ? "[x]" : "[ ]"} ${i.key}${marks.length > 0 ? ` (${marks.join(", ")})` : ""}${i.current ? "  <- current" : ""}`;
  });
  lines.push(`${progress.answered}/${progress.total} answered${progress.complete ? ", complete" : ""}`);
  return lines;
}

/** What the caller does next: answer the current prompt, or check the record in. */
export function nextStep(docId: string, outcome: Outcome): InteractNextStep {
  if (outcome.current === null) return { action: "checkin", doc_id: docId };
  return { action: "interact", doc_id: docId, args: { respond: outcome.current.accepts ? "yes|no" : (outcome.current.suggested ?? "<answer>") } };
}
