/** What an evidence commit is about when the engine makes one for a `commit: true` prompt. */
export const EVIDENCE_CONTEXT = "Evidence capture during VR execution";

/** The engine commit's message (REQ-INT-020): `[QMS] {DOC_ID} | {context} | {prompt_id}`. */
export function evidenceCommitMessage(docId: string, promptKey: string, context: string = EVIDENCE_CONTEXT): string {
  return `[QMS] ${docId} | ${context} | ${promptKey}`;
}
