import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadPolicyDocuments, parsePolicyText } from '../../src/policies';
import { markdownToPolicyText, unwrapHardWrappedText } from '../../src/policies/line-layout';
import { ManualClock } from '../../src/shared/clock';
import { hardWrapPolicy } from '../support/text-layout';

const clock = new ManualClock('2025-06-01T12:00:00Z');
const examplePolicy = fs.readFileSync(
  path.resolve(__dirname, '..', '..', 'policies', 'example', 'brookvale-ai-policy.txt'),
  'utf8',
);

/** Ten lines of filler wrapped at 60 columns, so a text has enough lines to show its wrapping. */
const wrappedFiller = [
  'Staff should read this policy in full before they use any AI tool',
  'for trust work, and ask the Director of Operations if anything in',
  'it is unclear. The trust reviews the policy every year and tells',
  'staff about every change that affects how they work with AI tools',
  'in school, at home and on trips, whichever device they are using.',
  'Leaders make sure that new staff read it during their induction,',
  'and that supply staff and volunteers who use trust devices know',
  'where to find it. Governors receive a summary of the changes each',
  'year with the annual data protection report, and they may ask the',
  'Director of Operations to explain any change before approving it.',
];

describe('text wrapped at a fixed width', () => {
  it.each<[string, string[], string[]]>([
    ['joins the lines of a wrapped paragraph', [...wrappedFiller], [wrappedFiller.join(' ')]],
    [
      'joins a wrapped clause and its indented further lines, and starts a new one at the next number',
      [
        ...wrappedFiller,
        '',
        '4.2. A data protection impact assessment must be completed and',
        '     signed off by the DPO before any new AI tool is introduced.',
        '4.3. Special category information must never be entered.',
        '4.4.\tA tab after the number, as Word writes it, still lets the',
        '      clause carry on, as does a word that begins a heading in the',
        '      Appendix 1 list when the wrapping puts it at a line start.',
      ],
      [
        wrappedFiller.join(' '),
        '',
        '4.2. A data protection impact assessment must be completed and signed off by the DPO before any new AI tool is introduced.',
        '4.3. Special category information must never be entered.',
        '4.4.\tA tab after the number, as Word writes it, still lets the clause carry on, as does a word that begins a heading in the Appendix 1 list when the wrapping puts it at a line start.',
      ],
    ],
    [
      'keeps a heading, bullets and table rows on lines of their own',
      [
        ...wrappedFiller,
        '',
        'Prohibited Uses',
        'Staff must never enter pupil data into a public AI chatbot, even',
        'when the chatbot says it does not keep what it is given.',
        '- no pupil names;',
        '- no photographs.',
        'Tool\tApproved for',
        'Copilot\tDrafting',
      ],
      [
        wrappedFiller.join(' '),
        '',
        'Prohibited Uses',
        'Staff must never enter pupil data into a public AI chatbot, even when the chatbot says it does not keep what it is given.',
        '- no pupil names;',
        '- no photographs.',
        'Tool\tApproved for',
        'Copilot\tDrafting',
      ],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(unwrapHardWrappedText(lines.join('\n'))).toBe(expected.join('\n'));
  });

  it('leaves a text written a paragraph to a line unchanged, however its line lengths fall', () => {
    expect(unwrapHardWrappedText(examplePolicy)).toBe(examplePolicy);
    const shortLines = ['Purpose', 'This policy covers AI.', 'Scope', 'All staff.'].join('\n');
    expect(unwrapHardWrappedText(shortLines)).toBe(shortLines);
  });

  it.each([
    ['.txt', hardWrapPolicy(examplePolicy, 72)],
    ['.md', hardWrapPolicy(examplePolicy, 72, true)],
  ])(
    'reads the example policy wrapped at 72 columns as %s into the same passages',
    async (extension, wrapped) => {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-wrapped-'));
      const file = path.join(directory, `policy${extension}`);
      fs.writeFileSync(file, wrapped);
      const [fromWrapped] = await loadPolicyDocuments({ paths: [file], clock });
      fs.rmSync(directory, { recursive: true, force: true });
      const fromText = parsePolicyText({ source: `policy${extension}`, text: examplePolicy, clock });
      const passages = (document: ReturnType<typeof parsePolicyText>) =>
        document.passages.map((passage) => [passage.section, passage.heading, passage.text]);
      expect(passages(fromWrapped)).toEqual(passages(fromText));
      expect(fromWrapped.meta).toEqual(fromText.meta);
    },
  );
});

describe('markdown', () => {
  it('reads a pipe table as tab-separated rows without its separator row', () => {
    const markdown = [
      '## Approved tools',
      '',
      '| Tool | Approved for |',
      '|:---|---:|',
      '| Copilot | Drafting |',
    ].join('\n');
    expect(markdownToPolicyText(markdown)).toBe(
      ['## Approved tools', '', 'Tool\tApproved for', 'Copilot\tDrafting'].join('\n'),
    );
  });

  it('keeps a bold heading line apart from the text under it', () => {
    const markdown = [
      ...wrappedFiller,
      '',
      '**Prohibited Uses**',
      'Staff must never enter pupil data into a chatbot.',
    ].join('\n');
    expect(markdownToPolicyText(markdown).split('\n').slice(-2)).toEqual([
      '**Prohibited Uses**',
      'Staff must never enter pupil data into a chatbot.',
    ]);
  });
});
