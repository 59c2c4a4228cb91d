import { parsePolicyText } from '../../src/policies/reader';
import { buildPolicyLibrary } from '../../src/qa/library';
import { SpellingCorrector, isEnglishWord, oneSlipVariants } from '../../src/qa/spelling';
import { ManualClock } from '../../src/shared/clock';

describe('one-slip variants', () => {
  it.each([
    ['homewrok', 'homework'], // two letters swapped
    ['alowed', 'allowed'], // a letter dropped
    ['allowwed', 'allowed'], // a letter added
    ['parkimg', 'parking'], // a letter changed
  ])('"%s" is one slip from "%s"', (slip, word) => {
    expect(oneSlipVariants(slip).has(word)).toBe(true);
  });

  it.each([
    ['homwrok', 'homework'],
    ['mark', 'marking'],
  ])('"%s" is more than one slip from "%s"', (slip, word) => {
    expect(oneSlipVariants(slip).has(word)).toBe(false);
  });
});

describe('spelling corrector', () => {
  const known = new Set(['homework', 'allow', 'safeguard', 'mark', 'park']);
  const stemOf = (word: string): string => word.replace(/(?:ing|ed)$/, '');
  const corrector = new SpellingCorrector((stem) => known.has(stem));

  it('reads a slip as the one known word it is one slip from, judged by stem', () => {
    expect(corrector.correct('homewrok', stemOf)).toBe('homework');
    expect(corrector.correct('alowed', stemOf)).toBe('allow');
    expect(corrector.correct('safegaurd', stemOf)).toBe('safeguard');
  });

  it('leaves unclear slips and distant words alone', () => {
    expect(corrector.correct('dark', stemOf)).toBeUndefined(); // mark or park: not guessed
    expect(corrector.correct('timetable', stemOf)).toBeUndefined();
  });

  it('knows English words, British spellings included, and not slips', () => {
    expect(isEnglishWord('parking')).toBe(true);
    expect(isEnglishWord('behaviour')).toBe(true);
    expect(isEnglishWord('homewrok')).toBe(false);
  });
});

describe('questions with a slip are answered as if spelt right', () => {
  const policy = `AI Policy

1. Homework

1.1. Pupils may use AI tools for homework only when their teacher allows it.

2. Parking

2.1. Staff park in the rear car park.
`;
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const library = buildPolicyLibrary([parsePolicyText({ source: 'slips.txt', text: policy, clock })]);

  it.each([
    ['Can my class use AI for their homewrok?', '1.1'],
    ['Are pupils alowed to use AI for homework?', '1.1'],
  ])('"%s" → %s', (question, section) => {
    expect(library.retriever.search(question, 2)[0]?.passage.section).toBe(section);
  });

  it('a real word is never changed into a policy word: "marking" is not read as "parking"', () => {
    const onlyPark = new SpellingCorrector((stem) => stem === 'park');
    const analyzer = library.retriever.analyzer;
    expect(analyzer.analyse('Where do I do my marking?', true, onlyPark).terms).toContain('mark');
    expect(analyzer.analyse('Where do I do my markign?', true, onlyPark).terms).toContain('markign');
    expect(analyzer.analyse('Where is the parkign?', true, onlyPark).terms).toContain('park');
  });
});
