/** Words longer than this get no suggestion, to bound the edit distance. */
const MAX_WORD_LENGTH = 64;

/**
 * Returns the candidate nearest to a misspelt word, or undefined when none is
 * close. Case and the choice between '-' and '_' are ignored, and up to one
 * edit per three characters is allowed (at least one).
 */
export function nearestWord(
  word: string,
  candidates: readonly string[],
): string | undefined {
  if (word.length > MAX_WORD_LENGTH) {
    return undefined;
  }
  const normalized = normalize(word);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(normalized.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(normalized, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function normalize(word: string): string {
  return word.toLowerCase().replace(/-/g, '_');
}

/** Levenshtein distance between two strings, with two rolling rows. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
