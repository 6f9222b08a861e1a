/**
 * "Did you mean …?" for mistyped names (users, document types, document IDs): the candidates closest to what
 * was typed by edit distance, and the words that say so.
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, beforePrevious[j - 2]! + 1);
      row.push(best);
    }
    beforePrevious = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/** Longer inputs than this get no suggestions (nobody mistypes 60 characters; it also bounds the work). */
const MAX_INPUT = 60;

/**
 * The candidates closest to `input`, best first (at most `limit`): a case-insensitive match wins outright,
 * else those within an edit distance of a third of the input's length (at least 1, at most 3), compared
 * without case.
 */
export function closestMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const typed = input.trim();
  if (typed === "" || typed.length > MAX_INPUT) return [];
  const lower = typed.toLowerCase();
  const unique = [...new Set(candidates)].filter((c) => c !== typed);
  const sameLetters = unique.filter((c) => c.toLowerCase() === lower);
  if (sameLetters.length > 0) return sameLetters.slice(0, limit);
  const threshold = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  return unique
    .map((c) => ({ c, d: c.length > MAX_INPUT * 2 ? Number.POSITIVE_INFINITY : editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= threshold)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((x) => x.c);
}

/** "Did you mean qa?" / "Did you mean SOP-001 or SOP-010?", or "" when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const matches = closestMatches(input, candidates);
  if (matches.length === 0) return "";
  const shown = matches.length === 1 ? matches[0]! : `${matches.slice(0, -1).join(", ")} or ${matches.at(-1)}`;
  return `Did you mean ${shown}?`;
}

/** How many valid names are still worth listing in a message. */
export const FEW = 12;

/** "Known users: claude, lead, qa." when there are few of them, else "". */
export function listWhenFew(label: string, names: readonly string[], few = FEW): string {
  return names.length > 0 && names.length <= few ? `${label}: ${names.join(", ")}.` : "";
}
