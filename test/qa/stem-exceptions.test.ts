import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePolicyText } from '../../src/policies/reader';
import { buildPolicyLibrary } from '../../src/qa/library';
import { TextAnalyzer, loadThesaurus, type ThesaurusData } from '../../src/qa/text-analysis';
import { ManualClock } from '../../src/shared/clock';

const clock = new ManualClock('2026-11-23T09:00:00Z');

const stemsOf = (analyzer: TextAnalyzer, text: string): string[] => analyzer.analyse(text).terms;

describe('stem exceptions: words the stemmer would merge with a word of another meaning', () => {
  const exceptions: ThesaurusData = {
    groups: [],
    stemExceptions: { regulator: 'regulatori', regulators: 'regulatori', officer: 'officer' },
  };
  const plain = new TextAnalyzer({ groups: [] });
  const withExceptions = new TextAnalyzer(exceptions);

  it.each([
    ['regulator', 'regulations'],
    ['officer', 'office'],
  ])('"%s" and "%s" share a stem without the exception and are kept apart with it', (word, other) => {
    expect(stemsOf(plain, word)).toEqual(stemsOf(plain, other));
    expect(stemsOf(withExceptions, word)).not.toEqual(stemsOf(withExceptions, other));
  });

  it('a word and its plural listed together still meet', () => {
    expect(stemsOf(withExceptions, 'regulators')).toEqual(stemsOf(withExceptions, 'regulator'));
  });

  it('words not listed are stemmed as before', () => {
    expect(stemsOf(withExceptions, 'training trained')).toEqual(stemsOf(plain, 'training trained'));
  });

  it('thesaurus phrases are stemmed with the exceptions too, so a phrase still matches its text', () => {
    const analyzer = new TextAnalyzer({
      groups: [{ concept: 'regulator', terms: ['the regulator'] }],
      stemExceptions: { regulator: 'regulatori' },
    });
    expect([...analyzer.analyse('Tell the Regulator today').concepts.keys()]).toEqual(['~regulator']);
  });

  it('loads the exceptions from the thesaurus file and ignores entries that are not words', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'thesaurus-'));
    const file = path.join(folder, 'thesaurus.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ groups: [], stemExceptions: { regulator: 'regulatori', bad: 3 } }),
    );
    try {
      expect(loadThesaurus(file).stemExceptions).toEqual({ regulator: 'regulatori' });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the shipped thesaurus on staff wording', () => {
  const analyzer = new TextAnalyzer(loadThesaurus());
  const conceptsOf = (text: string): string[] => [...analyzer.analyse(text, true).concepts.keys()];

  it.each([
    ['Is Otter OK for minuting a governors meeting?', '~notetaker', true],
    ['Is Otter OK for minuting a governors meeting?', '~minutes', true],
    // Drafting minutes with AI is not an AI notetaker: a policy's general rules answer it.
    ['Can AI draft the meeting minutes for us?', '~minutes', true],
    ['Can AI draft the meeting minutes for us?', '~notetaker', false],
    ['Can I spend ten minutes trying ChatGPT in a lesson?', '~notetaker', false],
    ["Do I have to tell people when I've used AI to write something?", '~label', true],
    ['A pupil has made a fake picture of a classmate with AI', '~deepfake', true],
    ['Can I upload a textbook chapter into AI to make questions?', '~copyright', true],
    ["Can Copilot suggest marks for pupils' extended writing?", '~student-work', true],
    ["Is it ok to put a child's name and SEN details into a chatbot?", '~input-data', true],
    ["Is it ok to put a child's name and SEN details into a chatbot?", '~personal-data', true],
  ])('"%s" → %s: %s', (question, concept, found) => {
    expect(conceptsOf(question).includes(concept)).toBe(found);
  });
});

describe('off-policy questions kept as data beside the thesaurus', () => {
  const withFile = (content: unknown, check: (file: string) => void): void => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'thesaurus-'));
    const file = path.join(folder, 'thesaurus.json');
    fs.writeFileSync(file, JSON.stringify(content));
    try {
      check(file);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  };

  it('loads named patterns and tells which kind a question is', () => {
    withFile(
      {
        groups: [],
        offPolicyQuestions: [
          { name: 'a price', pattern: '\\bhow much\\b.*\\bcost\\b', ask: 'the business manager' },
          { name: 'AI news', pattern: '\\bnews\\b', ask: 4 },
          {
            name: 'small talk',
            pattern: '^hello\\b',
            always: true,
            reply: 'Hello! Ask me about the AI policy.',
          },
          { name: 3 },
        ],
      },
      (file) => {
        const thesaurus = loadThesaurus(file);
        expect(thesaurus.offPolicyQuestions).toEqual([
          { name: 'a price', pattern: '\\bhow much\\b.*\\bcost\\b', ask: 'the business manager' },
          { name: 'AI news', pattern: '\\bnews\\b' },
          {
            name: 'small talk',
            pattern: '^hello\\b',
            always: true,
            reply: 'Hello! Ask me about the AI policy.',
          },
        ]);
        const analyzer = new TextAnalyzer(thesaurus);
        expect(analyzer.offPolicyQuestion('How much does Copilot cost?')).toEqual({
          name: 'a price',
          ask: 'the business manager',
          always: false,
        });
        expect(analyzer.offPolicyQuestion('Hello there')).toEqual({
          name: 'small talk',
          always: true,
          reply: 'Hello! Ask me about the AI policy.',
        });
        expect(analyzer.offPolicyQuestion('Can I use Copilot?')).toBeUndefined();
      },
    );
  });

  it('loads the words and phrases that mean AI without naming it, ignoring entries that are not words', () => {
    withFile({ groups: [], impliedAiWords: ['Software', 3, 'these tools'] }, (file) => {
      const thesaurus = loadThesaurus(file);
      expect(thesaurus.impliedAiWords).toEqual(['Software', 'these tools']);
      const analyzer = new TextAnalyzer(thesaurus);
      expect(analyzer.impliesAi('Can I let the software decide?')).toBe(true);
      expect(analyzer.impliesAi('Am I expected to go on courses about these tools?')).toBe(true);
      expect(analyzer.impliesAi('Can I borrow the tools from the DT room?')).toBe(false);
      expect(analyzer.impliesAi('Can I let my colleague decide?')).toBe(false);
    });
  });

  it('an invalid pattern fails at load with the file and the entry named', () => {
    withFile({ groups: [], offPolicyQuestions: [{ name: 'broken', pattern: '(unclosed' }] }, (file) => {
      expect(() => loadThesaurus(file)).toThrow(/off-policy question "broken" has an invalid pattern/);
    });
  });
});

describe('stem exceptions in the bundled thesaurus', () => {
  const analyzer = new TextAnalyzer(loadThesaurus());
  it.each([
    ['regulator', 'regulations'],
    ['officer', 'office'],
    ['general', 'generative'],
    ['designated', 'design'],
    ['community', 'communication'],
    ['personal', 'person'],
    ['authorities', 'author'],
    ['response', 'responsible'],
    ['settings', 'set'],
    ['integrity', 'integrate'],
    ['objective', 'objection'],
    ['government', 'governance'],
  ])('"%s" is not searched as "%s"', (word, other) => {
    expect(stemsOf(analyzer, word)).not.toEqual(stemsOf(analyzer, other));
  });
});

// An invented policy whose wording sets the two senses side by side.
const policyText = `HOLLYBROOK SCHOOLS TRUST
AI Policy

1. Regulations
AI use follows the regulations: data protection regulations and exam board regulations.

2. After a Data Loss
Where personal data is lost through an AI tool, the trust tells the regulator.

3. Support Staff
Support staff may use AI to draft letters and rotas for the school office.

4. The Data Protection Officer
The Data Protection Officer advises on DPIAs and keeps the record of AI tools for every office.
`;

describe('stem exceptions: ranking on an invented policy', () => {
  const document = parsePolicyText({ source: 'hollybrook.txt', text: policyText, clock });
  const library = buildPolicyLibrary([document]);

  it.each([
    ['Is the regulator told?', '2'],
    ['What regulations apply to AI?', '1'],
    ['Can the office use AI?', '3'],
  ])('"%s" is answered from section %s', (question, section) => {
    expect(library.retriever.search(question, 3)[0]?.passage.section).toBe(section);
  });
});

describe('product names whose words are common nouns', () => {
  const analyzer = new TextAnalyzer(loadThesaurus());
  it.each([['Copilot works inside Office 365'], ['Use Microsoft Office on a trust laptop']])(
    '"%s" does not make "office" a search word, so the school office does not match it',
    (text) => {
      expect(analyzer.analyse(text).terms).not.toContain(stemsOf(analyzer, 'office')[0]);
    },
  );

  it('the school office is still searched as "office"', () => {
    expect(stemsOf(analyzer, 'the school office')).toContain(stemsOf(analyzer, 'office')[0]);
  });
});
