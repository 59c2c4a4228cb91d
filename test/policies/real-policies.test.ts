import * as fs from 'fs';
import * as path from 'path';
import { parsePolicyText } from '../../src/policies';
import { markdownToPolicyText, unwrapHardWrappedText } from '../../src/policies/line-layout';
import type { PolicyDocument } from '../../src/policies';
import { ManualClock } from '../../src/shared/clock';

const repoRoot = path.resolve(__dirname, '..', '..');
const sharedPolicies = path.resolve(repoRoot, '..', 'shared', 'policies');
const present = fs.existsSync(sharedPolicies);
const describeShared = present ? describe : describe.skip;
if (!present) console.log(`Skipping real-policy tests: ${sharedPolicies} not found.`);

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => `${prefix}${from + index}`);

/** Section ids each real policy must yield; ids, not policy text, so nothing is copied. */
const expectedIds: Record<string, string[]> = {
  '000_f539ab12b187f12a.txt': [...range('', 1, 15), '6.1', '6.2', '6.3'],
  '001_256e678ce297e28b.txt': [
    ...range('', 1, 10),
    ...range('1.', 1, 6),
    ...range('2.', 1, 9),
    ...range('3.', 1, 13),
    ...range('4.', 1, 6),
    ...range('5.', 1, 6),
    '6.1',
    ...range('6.1.', 1, 6),
    ...range('7.', 1, 4),
    '8.1',
    ...range('9.', 1, 3),
  ],
  '002_178342a2a84166ff.txt': [
    ...range('', 1, 7),
    'Appendix 1',
    'Appendix 2',
    'Prohibited Uses',
    'Headteachers',
    'AI tools',
  ],
  '003_c0090e74ba68b814.txt': [
    'Purpose',
    'Scope',
    'Definitions',
    '4.1',
    '4.2',
    'Roles and responsibilities',
    'AI misuse',
    'Implementation',
    'Review mechanisms',
  ],
  '004_e485cc565e785ee2.txt': [
    ...range('', 1, 10),
    'Guiding Principles',
    'Immediate Response',
    'Notification Procedures',
    'Intellectual Property',
  ],
};

describeShared('policy reader on the five real policies in ../shared/policies', () => {
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const documents = new Map<string, PolicyDocument>();
  beforeAll(() => {
    for (const name of Object.keys(expectedIds)) {
      documents.set(
        name,
        parsePolicyText({
          source: name,
          text: fs.readFileSync(path.join(sharedPolicies, name), 'utf8'),
          clock,
        }),
      );
    }
  });

  it.each(Object.entries(expectedIds))('%s: every numbered section (and key headings) found', (name, ids) => {
    const found = new Set(documents.get(name)?.sections.map((section) => section.id));
    expect(ids.filter((id) => !found.has(id))).toEqual([]);
  });

  it.each(Object.keys(expectedIds))(
    '%s: numbered ids are unique and no list item became a section',
    (name) => {
      const numbered = (documents.get(name)?.sections ?? [])
        .map((section) => section.id)
        .filter((id) => /^\d/.test(id));
      expect(numbered.length).toBe(new Set(numbered).size);
      const expectedNumbered = expectedIds[name].filter((id) => /^\d/.test(id));
      expect(numbered.sort()).toEqual([...expectedNumbered].sort());
    },
  );

  it.each(Object.keys(expectedIds))('%s: no contents page indexed', (name) => {
    const document = documents.get(name) as PolicyDocument;
    const topHeadings = document.sections
      .filter((section) => /^\d+$/.test(section.id))
      .map((section) => section.heading);
    for (const passage of document.passages) {
      expect(passage.section).not.toMatch(/contents/i);
      // A contents page lists every heading; no passage may repeat more than two of them.
      const repeated = topHeadings.filter((heading) => heading.length > 6 && passage.text.includes(heading));
      expect(repeated.length).toBeLessThanOrEqual(2);
      expect(passage.text).not.toMatch(/\t\d+\s*$/m);
      expect(passage.text.length).toBeLessThanOrEqual(1200);
    }
  });

  it.each(Object.keys(expectedIds))(
    '%s: read as it is, and the same if saved as .md (a paragraph a line is not wrapped text)',
    (name) => {
      const text = fs.readFileSync(path.join(sharedPolicies, name), 'utf8');
      expect(unwrapHardWrappedText(text)).toBe(text);
      expect(markdownToPolicyText(text)).toBe(text);
    },
  );

  it('keeps no conversion debris in any passage', () => {
    for (const document of documents.values()) {
      for (const passage of document.passages)
        expect(passage.text).not.toMatch(/\[bookmark:|<\/?p>|<i>|&amp;|\*\*/);
    }
  });

  it.each([
    ['000_f539ab12b187f12a.txt', 'Quantock Education Trust', '2026-04-30', false],
    ['002_178342a2a84166ff.txt', 'Learning Partners Academy Trust', '2026-05-22', false],
    ['003_c0090e74ba68b814.txt', 'Creative Learning Partnership Trust', 'Spring Term 2025', true],
    ['004_e485cc565e785ee2.txt', 'Arthur Terry Learning Partnership', '2024-09-15', true],
  ])('%s: trust %s, approved %s, past review %s', (name, trustName, approvedOn, pastReview) => {
    expect(documents.get(name)?.meta).toMatchObject({ trustName, approvedOn, pastReview });
  });

  it("cites the Learning Partners appendix's acceptable-use wording as Appendix 1", () => {
    const appendix = documents
      .get('002_178342a2a84166ff.txt')
      ?.passages.filter((passage) => passage.headingPath[0]?.startsWith('Appendix 1'));
    expect(appendix?.length).toBeGreaterThan(0);
    for (const passage of appendix ?? []) expect(passage.section).toBe('Appendix 1');
  });

  it('warns that the ATLP policy uses "Support Services" for two sections', () => {
    expect(documents.get('004_e485cc565e785ee2.txt')?.warnings.join('\n')).toContain(
      'used by more than one section (citations to them are ambiguous; rename a heading to tell them apart): Support Services.',
    );
  });

  it('keeps the authorised-tools table of the template as self-contained rows', () => {
    const table = documents
      .get('001_256e678ce297e28b.txt')
      ?.passages.find((passage) => passage.section === '9.1');
    expect(table?.text).toMatch(/^Supplier\/System: .*Copilot.*; Authorised purpose: /m);
  });
});
