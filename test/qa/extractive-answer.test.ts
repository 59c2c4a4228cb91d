import { parsePolicyText } from '../../src/policies/reader';
import { buildPolicyLibrary, type PolicyLibrary } from '../../src/qa/library';
import { ManualClock } from '../../src/shared/clock';

// An invented policy written for these tests.
const meadowPolicy = `MEADOW LEARNING TRUST

AI Policy

1. Reporting

1.1. All staff must report:
- data breaches involving AI tools;
- unsafe content made by AI; and
- suspected misuse of AI.

2. Meetings

2.1. Staff may use approved tools in staff meetings, staff briefings and staff training. Otter must not be used.
2.2. Read the privacy guidance before recording a meeting.
https://example.org/privacy-guidance https://example.org/meetings

3. Staff

3.1. Staff wellbeing matters to the trust, and staff workload is reviewed every term by staff governors.

4. Public chatbots

4.1. Under no circumstances may AI be used for:
- Public chatbots such as ChatGPT must not be given pupil records.
- grading pupils' homework.
`;

describe('the extractive answer reads as short statements', () => {
  let library: PolicyLibrary;
  beforeAll(() => {
    const clock = new ManualClock('2026-11-23T09:00:00Z');
    library = buildPolicyLibrary([parsePolicyText({ source: 'meadow.txt', text: meadowPolicy, clock })]);
  });

  const answerTo = (question: string): string => {
    const answer = library.answerer.answerSync(question);
    if (answer.kind !== 'answered') throw new Error(`not answered: ${question}`);
    return answer.text;
  };

  it('quotes the bullets of one list under their lead-in once', () => {
    const text = answerTo('What must staff report about AI?');
    expect(text).toBe(
      'All staff must report: data breaches involving AI tools; unsafe content made by AI; suspected misuse of AI. [1]',
    );
  });

  it('quotes a bullet that is a sentence of its own without the lead-in it would contradict', () => {
    expect(answerTo('Can ChatGPT be given pupil records?')).toBe(
      'Public chatbots such as ChatGPT must not be given pupil records. [1]',
    );
  });

  it('keeps the lead-in for a bullet that only continues it', () => {
    expect(answerTo("Can AI be used for grading pupils' homework?")).toBe(
      "Under no circumstances may AI be used for: grading pupils' homework. [1]",
    );
  });

  it('quotes the sentence sharing the rare words of the question, not one sharing only common ones', () => {
    const text = answerTo('Can staff use Otter?');
    expect(text).toBe('Otter must not be used. [1]');
  });

  it.each([['Where is the privacy guidance for meetings?'], ['What does the meetings guidance say?']])(
    'never quotes a line of bare web addresses: "%s"',
    (question) => {
      const text = answerTo(question);
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).toMatch(/\[\d+\]$/);
    },
  );
});
