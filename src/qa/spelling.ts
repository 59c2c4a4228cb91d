import * as fs from 'fs';

const letters = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Staff type quickly in Teams ("homewrok", "alowed", "safegaurding"). A misspelt word matches
 * nothing in the policy, so the question loses the very word it asks about and may be refused.
 * The analyzer corrects a question word only when it is not an English word (a bundled list of
 * ~275,000, British spellings included: "parking" stays "parking") and exactly one word the index
 * or the thesaurus knows is one slip away (a letter added, dropped or changed, or two swapped); a
 * typo with two equally close readings is left alone rather than guessed.
 */
export class SpellingCorrector {
  /** `isKnown` says whether the index or the thesaurus holds a stem. */
  constructor(readonly isKnown: (stem: string) => boolean) {}

  /** The one known stem that a one-slip variant of `word` has, or undefined when none or several. */
  correct(word: string, stemOf: (word: string) => string): string | undefined {
    let found: string | undefined;
    for (const variant of oneSlipVariants(word)) {
      const stemmed = stemOf(variant);
      if (!this.isKnown(stemmed) || stemmed === found) continue;
      if (found !== undefined) return undefined;
      found = stemmed;
    }
    return found;
  }
}

/** Every word one letter added, dropped, changed or two neighbours swapped away from `word`. */
export function oneSlipVariants(word: string): Set<string> {
  const variants = new Set<string>();
  for (let position = 0; position <= word.length; position += 1) {
    const before = word.slice(0, position);
    const after = word.slice(position);
    for (const letter of letters) variants.add(before + letter + after);
    if (position < word.length) {
      variants.add(before + after.slice(1));
      for (const letter of letters) variants.add(before + letter + after.slice(1));
    }
    if (position < word.length - 1) variants.add(before + after[1] + after[0] + after.slice(2));
  }
  variants.delete(word);
  return variants;
}

let englishWords: Set<string> | undefined;

/** The bundled English word list, read once per process (~0.3 s, ~25 MB). */
export function loadEnglishWords(): Set<string> {
  if (!englishWords) {
    const listPath = require.resolve('an-array-of-english-words');
    englishWords = new Set(JSON.parse(fs.readFileSync(listPath, 'utf8')) as string[]);
  }
  return englishWords;
}

/** Whether a lower-case word is in the bundled English word list. */
export function isEnglishWord(word: string): boolean {
  return loadEnglishWords().has(word);
}
