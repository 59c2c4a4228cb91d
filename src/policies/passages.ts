import type { Passage } from '../qa/types';
import type { PolicySection } from './types';

export const maxPassageLength = 1200;

/** Sentence boundaries that do not split `e.g.`, `i.e.`, `etc.` or section numbers like `3.5.`. */
export function splitSentences(text: string): string[] {
  const protectedText = text.replace(/\b(e\.g|i\.e|etc|vs|no|approx|incl)\./gi, (match) =>
    match.replace(/\./g, '\uE000'),
  );
  const parts = protectedText.split(/(?<=[.!?])\s+(?=[A-Z“"‘(\d])/);
  return parts.map((part) => part.replace(/\uE000/g, '.').trim()).filter((part) => part.length > 0);
}

function chunkLongUnit(unit: string): string[] {
  if (unit.length <= maxPassageLength) return [unit];
  const chunks: string[] = [];
  let current = '';
  for (const sentence of splitSentences(unit)) {
    const pieces =
      sentence.length > maxPassageLength
        ? (sentence.match(new RegExp(`[\\s\\S]{1,${maxPassageLength - 1}}(?=\\s|$)`, 'g')) ?? [
            sentence.slice(0, maxPassageLength),
          ])
        : [sentence];
    for (const piece of pieces) {
      if (current.length > 0 && current.length + 1 + piece.length > maxPassageLength) {
        chunks.push(current);
        current = '';
      }
      current = current.length > 0 ? `${current} ${piece.trim()}` : piece.trim();
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Section-level passages of at most 1,200 characters. A long section is split at paragraph,
 * bullet or row boundaries; each part keeps the section id and heading, and a part that starts in
 * the middle of a list repeats the list's lead-in line so it still reads on its own.
 */
export function buildPassages(input: {
  source: string;
  document: string;
  sections: PolicySection[];
}): Passage[] {
  const passages: Passage[] = [];
  const usedIds = new Set<string>();
  for (const section of input.sections) {
    const units = section.units.flatMap(chunkLongUnit);
    if (units.length === 0) continue;
    const parts: string[] = [];
    let current: string[] = [];
    let length = 0;
    let leadIn: string | undefined;
    for (const unit of units) {
      if (current.length > 0 && length + 1 + unit.length > maxPassageLength) {
        parts.push(current.join('\n'));
        current = [];
        length = 0;
        if (
          leadIn &&
          /^-\s/.test(unit) &&
          leadIn.length + 1 + unit.length <= maxPassageLength &&
          leadIn.length <= 240
        ) {
          current.push(leadIn);
          length = leadIn.length;
        }
      }
      current.push(unit);
      length += (current.length > 1 ? 1 : 0) + unit.length;
      if (/:$/.test(unit)) leadIn = unit;
      else if (!/^-\s/.test(unit)) leadIn = undefined;
    }
    if (current.length > 0) parts.push(current.join('\n'));
    parts.forEach((text, position) => {
      let id = `${input.source}#${section.id}${parts.length > 1 ? `~${position + 1}` : ''}`;
      for (let suffix = 2; usedIds.has(id); suffix += 1)
        id = `${input.source}#${section.id}@${suffix}${parts.length > 1 ? `~${position + 1}` : ''}`;
      usedIds.add(id);
      passages.push({
        id,
        source: input.source,
        document: input.document,
        section: section.id,
        heading: section.heading,
        headingPath: section.headingPath,
        text,
      });
    });
  }
  return passages;
}
