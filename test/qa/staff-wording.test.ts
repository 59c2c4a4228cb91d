import { parsePolicyText } from '../../src/policies/reader';
import { buildPolicyLibrary, type PolicyLibrary } from '../../src/qa/library';
import { documentNamePatterns } from '../../src/qa/retriever';
import { TextAnalyzer, stem, type ThesaurusData } from '../../src/qa/text-analysis';
import type { PolicyDocumentMeta } from '../../src/qa/types';
import { ManualClock } from '../../src/shared/clock';

// A small thesaurus written for these tests, so each behaviour is shown by its own group.
const thesaurus: ThesaurusData = {
  groups: [
    { concept: 'ai', anchor: true, explicitAi: true, terms: ['ai', 'artificial intelligence'] },
    { concept: 'chatbot', anchor: true, explicitAi: true, terms: ['chatbot', 'read.ai'] },
    { concept: 'personal-data', terms: ['personal data', 'pupil photos', 'child name'] },
    { concept: 'input-data', objectGap: 6, terms: ['put into'] },
    { concept: 'copy', terms: ['copy into'] },
    { concept: 'misconduct', terms: ['misuse', 'break the rules'] },
    { concept: 'consider', idiom: true, terms: ['take into account', 'due regard'] },
    { concept: 'minutes', anchor: true, explicitAi: true, terms: ['take minutes'] },
    { concept: 'review-date', anchor: true, terms: ['review date'], questionCues: ['how often', 'updated'] },
    {
      concept: 'role-holder',
      terms: ['data protection officer', 'line manager'],
      questionCues: ['who', 'go-to person'],
    },
  ],
};
const analyzer = new TextAnalyzer(thesaurus);
const concepts = (text: string, loose: boolean): string[] => [
  ...analyzer.analyse(text, loose).concepts.keys(),
];

describe('staff wording: words the policy writes differently', () => {
  it.each([
    ['taught', 'teach'],
    ['told', 'tell'],
    ['written', 'write'],
    ['brought', 'bring'],
    ['children', 'child'],
  ])('"%s" is searched as "%s"', (form, base) => {
    expect(stem(form)).toBe(stem(base));
  });

  it.each([['actually'], ['supposed'], ['basically'], ['quickly']])(
    '"%s" is a filler of spoken questions, not a search word',
    (word) => {
      expect(analyzer.analyse(`${word} chatbot`).terms).toEqual(['chatbot', '~chatbot']);
    },
  );
});

describe('staff wording: text-speak typed on a phone', () => {
  const reader = new TextAnalyzer({
    groups: [],
    textSpeak: { cn: 'can', hav: 'have', wen: 'when', mtg: 'meeting' },
  });

  it.each([
    ['cn i use it wen marking', 'can i use it when marking'],
    ['CN I record the mtg?', 'can I record the meeting?'],
    // "2" and "4" between words are "to" and "for" …
    ['do i hav 2 say so', 'do i have to say so'],
    ['pics w ai 4 projects', 'pics w ai for projects'],
    // … but not where they count or name something.
    ['Can Year 2 use it?', 'Can Year 2 use it?'],
    ['what does section 4 say', 'what does section 4 say'],
    ['we have 2 weeks to reply', 'we have 2 weeks to reply'],
    ['I teach 4 classes', 'I teach 4 classes'],
    ["who's covering period 4 tomorrow", "who's covering period 4 tomorrow"],
    // Only whole words: "wend" and "hav's" are left alone.
    ['wend your way', 'wend your way'],
  ])('"%s" is read as "%s"', (typed, meant) => {
    expect(reader.readTextSpeak(typed)).toBe(meant);
  });
});

describe('staff wording: fillers inside set phrases', () => {
  it.each([
    // A question may put fillers or "AI" inside a phrase ...
    ['What happens if I break the AI rules?', true, ['~misconduct', '~ai']],
    ['What if staff break all the rules?', true, ['~misconduct']],
    // ... policy text may not: its phrases stand as written.
    ['Staff who break the AI rules', false, ['~ai']],
    // A two-word phrase never skips a content word, and a one-token term is never split.
    ['Does it take 5 minutes?', true, []],
    ['Should I read the AI summary?', true, ['~ai']],
  ])('"%s" (question: %s) names %j', (text, loose, expected) => {
    expect(concepts(text, loose).sort()).toEqual([...expected].sort());
  });
});

describe('staff wording: idioms and coordinated phrases', () => {
  it.each([
    // An idiom stands for its concept; its words are not searched for themselves.
    ['Which laws does it take into account?', ['law', '~consider']],
    ['The trust has due regard to the law', ['law', '~consider']],
  ])('"%s" is searched as %j', (text, expected) => {
    expect(analyzer.analyse(text, true).terms.sort()).toEqual([...expected].sort());
  });

  it.each([
    // A phrase interrupted by a short "x or y" run in policy text still names its concept.
    ['Never enter personal, sensitive or confidential data', ['~personal-data']],
    ['Never enter personal data', ['~personal-data']],
    // Without "and" / "or" the words are not coordinated.
    ['Personal opinions about data', []],
  ])('policy text "%s" names %j', (text, expected) => {
    expect(concepts(text, false)).toEqual(expected);
  });
});

describe('staff wording: phrases that frame an object', () => {
  it.each([
    // "put … into" frames whatever is put; the object keeps its own concepts.
    [
      "Can I put a child's name and SEN details into a chatbot?",
      true,
      ['~input-data', '~personal-data', '~chatbot'],
    ],
    ['Can I put them into Copilot?', true, ['~input-data']],
    // Too far apart to be one phrase.
    ['Can I put up a display about the trip, and then into the hall, the chatbot?', true, ['~chatbot']],
    // Policy text is read strictly.
    ["Staff must not put a child's name into any tool", false, ['~personal-data']],
    // A phrase without the flag stays strict in questions too.
    ['Can I copy the whole lesson plan into a chatbot?', true, ['~chatbot']],
  ])('"%s" (question: %s) names %j', (text, loose, expected) => {
    expect(concepts(text, loose).sort()).toEqual([...expected].sort());
  });
});

describe('staff wording: question cues and explicit AI', () => {
  it.each([
    ['Who do I ask?', ['~role-holder']],
    ["Who's the go-to person for the chatbot?", ['~role-holder', '~chatbot']],
    ['How often is it updated?', ['~review-date']],
    ['What is a chatbot?', ['~chatbot']],
  ])('the question "%s" asks for %j', (question, expected) => {
    const analysed = analyzer.analyse(question, true);
    expect([...analysed.concepts.keys(), ...analysed.cued].sort()).toEqual([...expected].sort());
  });

  it('cues are for questions only: policy text saying "who" does not become a role holder', () => {
    const analysed = analyzer.analyse('Staff who are unsure should ask.', false);
    expect(analysed.terms).not.toContain('~role-holder');
    expect(analysed.cued.size).toBe(0);
  });

  it.each([
    // A cue never makes a question about an AI-policy topic on its own.
    ['How often do staff get paid?', false, false],
    ['When is the review date?', true, false],
    ['Can I use a chatbot?', true, true],
    // Personal data is a neighbouring topic, not an AI one.
    ['Can I share pupil photos on the school website?', false, false],
  ])('"%s": anchored %s, names AI %s', (question, anchored, namesAi) => {
    const analysed = analyzer.analyse(question, true);
    expect(analysed.anchored).toBe(anchored);
    expect(analysed.namesAi).toBe(namesAi);
  });
});

// An invented policy written for these tests.
const policyText = `MEADOWBANK LEARNING TRUST

AI Policy

Next review date	June 2027

1. Purpose

1.1. This policy sets out how staff may use AI tools safely.

2. Roles

2.1. The Data Protection Officer answers questions about AI tools and keeps the list of approved tools.

3. Staff use of AI

3.1. Staff may use AI tools to draft worksheets and letters, and must check everything the tool produces before it is shared with pupils or parents. AI tools must never be given personal data about pupils, staff or families, and staff stay responsible for every decision made with the help of AI.

3.2. AI tools may summarise long documents, suggest quiz questions, plan lessons and translate letters for families who speak other languages. They may also help with routine administration such as scheduling, sorting spreadsheets and drafting agendas, always with a member of staff checking the result before it is used.

4. Misuse

4.1. Staff who break the rules of this policy may face disciplinary action.

5. Review

5.1. The policy is reviewed every year by the trust board.
`;

describe('retrieval for loosely worded staff questions', () => {
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  let library: PolicyLibrary;
  beforeAll(() => {
    const document = parsePolicyText({ source: 'meadowbank.txt', text: policyText, clock });
    library = buildPolicyLibrary([document], { thesaurus });
  });

  it('"who" asks for the passage naming a role holder, well ahead of one repeating "AI tools"', () => {
    const [first, second] = library.retriever.search('Who looks after AI tools?', 3);
    expect(first.passage.section).toBe('2.1');
    expect(first.score).toBeGreaterThan(1.5 * second.score);
  });

  it('fillers inside a set phrase still reach the misuse section', () => {
    expect(library.retriever.search('What happens if I break the AI rules?', 3)[0]?.passage.section).toBe(
      '4.1',
    );
  });

  it.each([
    // Names AI and one word of one passage: a weak match, still a question for the AI policy.
    ['Can AI do my agendas?', true],
    // The same weak match without AI named: out of scope.
    ['Can the office do my agendas?', false],
    ['Is the staff car park open at weekends?', false],
    // AI named but nothing else found: nothing to answer from.
    ['Is AI worth it for a busy teacher?', false],
  ])('"%s" answered: %s', (question, answered) => {
    expect(library.answerer.answerSync(question).kind === 'answered').toBe(answered);
  });

  it('cites each section once, so the other places go to other sections', () => {
    const sections = library.retriever
      .search('Can AI tools help staff with letters, worksheets and scheduling?', 3)
      .map((item) => item.passage.section);
    expect(new Set(sections).size).toBe(sections.length);
  });
});

describe('a question that names a trust', () => {
  const meta = (source: string, title: string, trustName?: string): PolicyDocumentMeta => ({
    source,
    title,
    trustName,
  });
  const patterns = documentNamePatterns([
    meta('a.txt', 'AI Policy', 'Brookfield Learning Trust'),
    meta('b.txt', 'BCAT Artificial Intelligence Policy', 'Bramble Creative Academy Trust'),
  ]);
  const named = (question: string): string[] =>
    [...patterns].filter(([, pattern]) => pattern.test(question)).map(([source]) => source);

  it.each([
    ['Does Brookfield let staff use Copilot?', ['a.txt']],
    ['BCAT rules on chatbots?', ['b.txt']],
    ['At Bramble can I use Gemini?', ['b.txt']],
    // Words every trust name shares, or a capital only because it starts the sentence, name none.
    ['Does the Learning Trust allow it?', []],
    ['Creative writing with AI?', []],
    ['Can I use AI for creative writing?', []],
  ])('"%s" names %j', (question, sources) => {
    expect(named(question)).toEqual(sources);
  });

  it('names nothing when only one policy is loaded', () => {
    expect(documentNamePatterns([meta('a.txt', 'AI Policy', 'Brookfield Learning Trust')]).size).toBe(0);
  });
});
