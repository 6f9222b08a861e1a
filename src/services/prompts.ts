import { isoDate } from "../core/audit-events.js";
import { taskTypeOf } from "../core/transitions.js";
import { commandLineStep } from "../core/command-line.js";
import { step } from "../core/next.js";
import { parseYaml } from "../core/yaml.js";
import { readPackageText } from "../store/package-root.js";
import { compiledPromptValue, PACKAGE_PROMPTS_DIR, promptCandidates } from "../store/prompt-files.js";
import type { TaskSpec } from "./task-spec.js";

/**
 * Generated guidance of review/approval tasks (REQ-PROMPT-001..006). The content lives in YAML files under the
 * package's `prompts/` folder, so it changes without code changes; this module only lays it out.
 */

export type ChecklistItem = string | { text: string; evidence_prompt?: string };

export interface PromptConfig {
  checklist: Array<{ category: string; items: ChecklistItem[] }>;
  critical_reminders: string[];
  additional_sections: Array<{ title: string; content: string }>;
  response_format: string;
  custom_header: string;
  custom_footer: string;
}

export { PACKAGE_PROMPTS_DIR, promptCandidates };

const REVIEW_RESPONSE_FORMAT = [
  "## {user} Review: {doc_id}",
  "",
  "### Checklist Verification",
  "",
  "[Each checklist table, filled in with PASS/FAIL and evidence]",
  "",
  "### Findings",
  "",
  '[Numbered list of every deficiency found, or "No findings"]',
  "",
  "1. [Finding]",
  "",
  "### Recommendation",
  "",
  "[RECOMMEND / REQUEST UPDATES] - [One-sentence rationale]",
].join("\n");

/** Used when no YAML file is found (or a key is missing from the one found). */
export const BUILTIN_PROMPTS: Readonly<Record<"review" | "approval", PromptConfig>> = {
  review: {
    checklist: [
      {
        category: "Frontmatter",
        items: [
          { text: "`title:` is present and not empty", evidence_prompt: "quote the title" },
          { text: "`revision_summary:` is present and says what changed", evidence_prompt: "quote the summary" },
        ],
      },
      {
        category: "Document Structure",
        items: ["The document follows the template for its type", "Every section the template requires is present", "Sections are numbered in order"],
      },
      {
        category: "Content Integrity",
        items: [
          "No drafting leftovers: TBD, TODO, XXX, FIXME or unfilled {{...}} placeholders",
          "Statements do not contradict each other or known facts",
          "Every referenced document ID exists and is the intended one",
        ],
      },
    ],
    critical_reminders: [
      "**Compliance is pass/fail**: the document conforms or it does not",
      "**A single failed item means REQUEST UPDATES**: there are no minor findings",
      "**Show your evidence**: quote what you checked instead of assuming it",
    ],
    additional_sections: [],
    response_format: REVIEW_RESPONSE_FORMAT,
    custom_header: "",
    custom_footer: "",
  },
  approval: {
    checklist: [
      {
        category: "Review Completion",
        items: ["Every assigned reviewer recommended approval", "Every review finding has been addressed in this version"],
      },
      { category: "Document Readiness", items: ["The document is complete, with no placeholders left"] },
    ],
    critical_reminders: [
      "**Approval is a signature**: you vouch for the document as it is now",
      "**When in doubt, reject**: a rejection costs one revision, a bad approval costs a deviation",
    ],
    additional_sections: [],
    response_format: "",
    custom_header: "",
    custom_footer: "",
  },
};


/** Resolve the configuration for a task: the first readable, well-formed YAML file, else the built-in defaults. */
export function resolvePromptConfig(spec: Pick<TaskSpec, "workflow" | "docType">, dir = PACKAGE_PROMPTS_DIR): { config: PromptConfig; source: string } {
  const kind = taskTypeOf(spec.workflow) === "APPROVAL" ? "approval" : "review";
  for (const file of promptCandidates(spec, dir)) {
    const text = readPackageText(file);
    if (text === undefined) continue;
    // the build's compiled copy of exactly this text, else the YAML itself (an edited or project file)
    const compiled = compiledPromptValue(file, text);
    const config = compiled ? promptConfigFrom(compiled.value, BUILTIN_PROMPTS[kind]) : parsePromptConfig(text, BUILTIN_PROMPTS[kind]);
    if (config) return { config, source: file };
  }
  return { config: BUILTIN_PROMPTS[kind], source: "built-in" };
}

/** Parse and validate one YAML prompt file; keys it does not set come from `defaults`. Malformed → undefined. */
export function parsePromptConfig(text: string, defaults: PromptConfig): PromptConfig | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return undefined;
  }
  return promptConfigFrom(raw, defaults);
}

/** Validate what the YAML parser made of a prompt file; keys it does not set come from `defaults`. Malformed → undefined. */
export function promptConfigFrom(parsed: unknown, defaults: PromptConfig): PromptConfig | undefined {
  const raw = parsed === null || parsed === undefined ? {} : parsed;
  if (typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const obj = raw as Record<string, unknown>;
  const config: PromptConfig = { ...defaults };
  if (obj.checklist !== undefined) {
    if (!Array.isArray(obj.checklist)) return undefined;
    const checklist: PromptConfig["checklist"] = [];
    for (const cat of obj.checklist) {
      const c = cat as { category?: unknown; items?: unknown } | null;
      if (!c || typeof c.category !== "string" || !Array.isArray(c.items)) return undefined;
      const items: ChecklistItem[] = [];
      for (const item of c.items) {
        if (typeof item === "string") items.push(item);
        else if (item && typeof item === "object" && typeof (item as { text?: unknown }).text === "string") {
          const { text: t, evidence_prompt } = item as { text: string; evidence_prompt?: unknown };
          items.push(typeof evidence_prompt === "string" ? { text: t, evidence_prompt } : { text: t });
        } else return undefined;
      }
      checklist.push({ category: c.category, items });
    }
    config.checklist = checklist;
  }
  if (obj.critical_reminders !== undefined) {
    if (!Array.isArray(obj.critical_reminders) || !obj.critical_reminders.every((r) => typeof r === "string")) return undefined;
    config.critical_reminders = obj.critical_reminders as string[];
  }
  if (obj.additional_sections !== undefined) {
    if (!Array.isArray(obj.additional_sections)) return undefined;
    const sections: PromptConfig["additional_sections"] = [];
    for (const s of obj.additional_sections) {
      const sec = s as { title?: unknown; content?: unknown } | null;
      if (!sec || typeof sec.title !== "string" || typeof sec.content !== "string") return undefined;
      sections.push({ title: sec.title, content: sec.content });
    }
    config.additional_sections = sections;
  }
  for (const key of ["response_format", "custom_header", "custom_footer"] as const) {
    const v = obj[key];
    if (v === undefined) continue;
    if (v !== null && typeof v !== "string") return undefined;
    config[key] = v ?? "";
  }
  return config;
}

/** Body of a review/approval task (after its frontmatter), from the package prompts. Signature used by tasks.ts. */
export function renderTaskBody(spec: TaskSpec): string {
  return renderTaskBodyWith(spec, resolvePromptConfig(spec).config);
}

/** Lay out a task body from a given configuration (spec §8.2). */
export function renderTaskBodyWith(spec: TaskSpec, config: PromptConfig): string {
  const fill = (text: string): string => fillPlaceholders(text, spec);
  const approval = taskTypeOf(spec.workflow) === "APPROVAL";
  const out: string[] = [];
  const header = config.custom_header.trim();
  if (header) out.push(fill(header), "");
  out.push(
    `# ${approval ? "APPROVAL" : "REVIEW"} REQUEST: ${spec.docId}`,
    "",
    `**Document:** ${spec.docId} - ${spec.title}`,
    `**Workflow:** ${spec.workflow}`,
    `**Version:** ${spec.version}`,
    `**Assigned By:** ${spec.assignedBy}`,
    `**Date:** ${isoDate(spec.now)}`,
    "",
    "---",
    "",
  );
  if (approval) {
    out.push(
      "## FINAL VERIFICATION",
      "",
      "**Confirm every item below against the version you are approving. Answer YES only with evidence.**",
      "",
    );
    for (const cat of config.checklist) {
      out.push(`### ${cell(fill(cat.category))}`, "", "| Item | Verified |", "|------|----------|");
      for (const item of cat.items) out.push(`| ${cell(fill(itemText(item)))} | YES / NO |`);
      out.push("");
    }
    out.push("**If ANY item is NO: REJECT.** There is no conditional approval.", "", "---", "");
  } else {
    out.push(
      "## MANDATORY VERIFICATION CHECKLIST",
      "",
      "**Check every item below. A single FAIL means the document is not ready.**",
      "",
      "Fill in these tables before you submit your review:",
      "",
    );
    for (const cat of config.checklist) {
      out.push(`### ${cell(fill(cat.category))}`, "", "| Item | Status | Evidence |", "|------|--------|----------|");
      for (const item of cat.items) {
        const evidence = typeof item === "string" || !item.evidence_prompt ? "" : `(${item.evidence_prompt})`;
        out.push(`| ${cell(fill(itemText(item)))} | PASS / FAIL | ${cell(fill(evidence))} |`);
      }
      out.push("");
    }
    out.push("---", "");
  }
  const format = config.response_format.trim();
  if (format) {
    out.push(
      approval ? "## REJECTION COMMENT FORMAT" : "## STRUCTURED REVIEW RESPONSE FORMAT",
      "",
      approval ? "If you reject, your comment must follow this format:" : "Write your review comment in this format:",
      "",
      "```",
      fill(format),
      "```",
      "",
      "---",
      "",
    );
  }
  out.push("## CRITICAL REMINDERS", "");
  for (const r of config.critical_reminders) out.push(`- ${fill(r)}`);
  if (config.critical_reminders.length > 0) out.push("");
  if (approval) {
    out.push("**Rejecting is always the safe choice: if you are not certain every item is YES, reject.**");
  } else {
    out.push(
      '**There is no "approve with comments" and no severity scale for findings.**',
      "**If any deficiency exists, the only valid outcome is REQUEST UPDATES.**",
    );
  }
  out.push("", "---", "");
  for (const section of config.additional_sections) {
    out.push(`## ${fill(section.title)}`, "", fill(section.content).trimEnd(), "", "---", "");
  }
  out.push(...commands(spec, approval));
  const footer = config.custom_footer.trim();
  if (footer) out.push("", "---", "", fill(footer));
  return `${out.join("\n")}\n`;
}

function commands(spec: TaskSpec, approval: boolean): string[] {
  const id = spec.docId;
  // Task files are read by agents with a shell as well as over MCP: both ways are written out.
  const cli = (s: ReturnType<typeof step>): string => commandLineStep(spec.assignee)(s);
  const readFirst = ["## Commands", "", "Read the document first:", "```", cli(step("read", id, { args: { draft: true } })), "```", ""];
  const u = spec.assignee;
  if (approval) {
    return [
      ...readFirst,
      "**If ALL items are YES:**",
      "```",
      cli(step("approve", id)),
      "```",
      "",
      "**If ANY item is NO:**",
      "```",
      cli(step("reject", id, { args: { comment: "[what is wrong and what must change]" } })),
      "```",
      "",
      `With the MCP server: \`qms_approve(doc_id="${id}", user="${u}")\` or \`qms_reject(doc_id="${id}", comment="...", user="${u}")\`.`,
    ];
  }
  return [
    ...readFirst,
    "Submit your review:",
    "",
    "**If ALL items PASS:**",
    "```",
    cli(step("review", id, { args: { outcome: "recommend", comment: "[your structured review]" } })),
    "```",
    "",
    "**If ANY item FAILS:**",
    "```",
    cli(step("review", id, { args: { outcome: "request-updates", comment: "[your structured review with findings]" } })),
    "```",
    "",
    `With the MCP server: \`qms_review(doc_id="${id}", outcome="recommend" or "request-updates", comment="...", user="${u}")\`.`,
  ];
}

function itemText(item: ChecklistItem): string {
  return typeof item === "string" ? item : item.text;
}

/** One table cell: no line breaks, literal pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").trim();
}

/** `{doc_id}`, `{user}`, … — but never inside `{{...}}`, which is template placeholder syntax in checklist text. */
export function fillPlaceholders(text: string, spec: TaskSpec): string {
  const values: Record<string, string> = {
    doc_id: spec.docId,
    user: spec.assignee,
    assignee: spec.assignee,
    version: spec.version,
    workflow: spec.workflow,
    doc_type: spec.docType,
    title: spec.title,
    assigned_by: spec.assignedBy,
  };
  return text.replace(/(?<!\{)\{([a-z_]+)\}(?!\})/g, (whole, key: string) => values[key] ?? whole);
}
