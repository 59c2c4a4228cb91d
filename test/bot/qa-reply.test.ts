/**
 * The Teams reply for a policy answer: citation entities within Teams' limits, only for sources the
 * text marks, the AI label and the feedback buttons.
 */
import { answerActivity } from '../../src/bot/qa-reply';
import type { Answer, Citation } from '../../src/qa/types';

function citation(section: string, overrides: Partial<Citation> = {}): Citation {
  return {
    source: 'oakfield-ai-policy.md',
    document: 'Oakfield Trust AI Policy',
    section,
    heading: `Heading of ${section}`,
    quote: `The text of section ${section}.`,
    ...overrides,
  };
}

function answered(text: string, citations: Citation[]): Answer {
  return { kind: 'answered', text, citations, generatedBy: 'extractive' };
}

interface ReplyEntity {
  additionalType: string[];
  citation: { position: number; appearance: { name: string; abstract: string } }[];
}

const entityOf = (answer: Answer) => (answerActivity(answer).entities ?? [])[0] as unknown as ReplyEntity;

describe('answerActivity', () => {
  it('a not-covered answer says who to ask once, after any personal-data notice, with no citations or AI label', () => {
    const activity = answerActivity({
      kind: 'not-covered',
      text: "Our AI policy doesn't cover that. Please ask the DPO.",
      askInstead: 'the DPO',
      personalDataNotice: 'I left out an email address before searching.',
    });
    expect(activity.text).toBe(
      "I left out an email address before searching.\n\nOur AI policy doesn't cover that. Please ask the DPO.",
    );
    expect(activity.entities ?? []).toEqual([]);
  });

  it.each([
    ['every source marked', 'One [1]. Two [2].', ['1.1', '2.2'], [1, 2]],
    ['a source the text never marks', 'Only the second [2].', ['1.1', '2.2'], [2]],
    ['sources marked out of order', 'Second [2], then first [1].', ['1.1', '2.2', '3.3'], [1, 2]],
    ['no markers at all (every source kept)', 'No markers.', ['1.1', '2.2'], [1, 2]],
  ])('cites %s', (_case, text, sections, positions) => {
    const entity = entityOf(
      answered(
        text,
        sections.map((section) => citation(section)),
      ),
    );
    expect(entity.citation.map((claim) => claim.position)).toEqual(positions);
  });

  it('keeps within Teams limits: 20 citations, titles up to 80 and abstracts up to 160 characters', () => {
    const long = 'word '.repeat(100);
    const citations = Array.from({ length: 25 }, (_, index) =>
      citation(String(index + 1), { heading: long, quote: long }),
    );
    const text = citations.map((_citation, index) => `Statement [${index + 1}].`).join(' ');
    const entity = entityOf(answered(text, citations));
    expect(entity.citation).toHaveLength(20);
    for (const claim of entity.citation) {
      expect(claim.appearance.name.length).toBeLessThanOrEqual(80);
      expect(claim.appearance.abstract.length).toBeLessThanOrEqual(160);
      expect(claim.appearance.name.endsWith('…')).toBe(true);
    }
  });

  it('labels the answer as AI generated and asks for feedback; puts the personal-data notice first', () => {
    const activity = answerActivity({
      ...answered('Answer [1].', [citation('4.2')]),
      personalDataNotice: 'I removed an email address before answering.',
    });
    expect(activity.text).toBe('I removed an email address before answering.\n\nAnswer [1].');
    expect(activity.channelData).toEqual({ feedbackLoopEnabled: true });
    expect(entityOf(answered('Answer [1].', [citation('4.2')])).additionalType).toEqual([
      'AIGeneratedContent',
    ]);
  });
});
