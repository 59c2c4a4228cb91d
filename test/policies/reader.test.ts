import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Document, HeadingLevel, LevelFormat, Packer, Paragraph } from 'docx';
import { loadPolicyDocuments, parsePolicyText, type PolicyDocument } from '../../src/policies';
import { noTextWarning } from '../../src/policies/reader';
import { ManualClock } from '../../src/shared/clock';
import { layOutAsWordPdf, makePdf } from '../support/make-pdf';
import { typesetPolicyPdf } from '../support/typeset-pdf';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'policies');
const clock = new ManualClock('2025-06-01T12:00:00Z');

function parseFixture(name: string, at = clock) {
  return parsePolicyText({
    source: name,
    text: fs.readFileSync(path.join(fixtures, name), 'utf8'),
    clock: at,
  });
}

/** A PDF read by the project's reader in a child process (PDF.js loads as ESM, which jest's VM does not). */
function readPdfInChildProcess(pdf: Buffer): PolicyDocument {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-pdf-'));
  const file = path.join(directory, 'policy.pdf');
  fs.writeFileSync(file, pdf);
  const repoRoot = path.resolve(__dirname, '..', '..');
  const script = `require('./src/policies').loadPolicyDocuments({ paths: [${JSON.stringify(file)}], clock: new (require('./src/shared/clock').ManualClock)('2025-06-01T12:00:00Z') }).then((documents) => process.stdout.write(JSON.stringify(documents[0])))`;
  try {
    return JSON.parse(
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: repoRoot,
        encoding: 'utf8',
      }),
    ) as PolicyDocument;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The bundled example policy's text: laid out as PDFs below, it must read back the same. */
const examplePolicyText = fs.readFileSync(
  path.resolve(__dirname, '..', '..', 'policies', 'example', 'brookvale-ai-policy.txt'),
  'utf8',
);

/** Each passage's section, heading and text, with the typography a PDF's standard font lacks made plain. */
function outlineOf(document: PolicyDocument): string[][] {
  const plain = (value: string): string =>
    value.replace(/[‘’]/g, "'").replace(/[–—]/g, '-').replace(/\s+/g, ' ').trim();
  return document.passages.map((passage) => [passage.section, plain(passage.heading), plain(passage.text)]);
}

describe('policy reader on the project fixtures', () => {
  const numbered = parseFixture('numbered-with-contents.txt');

  it.each([
    ['1', 'Aims', ['1. Aims']],
    ['2', 'Staff Use', ['2. Staff Use']],
    ['2.1', 'Planning', ['2. Staff Use', '2.1 Planning']],
    ['2.2', 'Marking', ['2. Staff Use', '2.2 Marking']],
    ['3', 'Data & Privacy', ['3. Data & Privacy']],
    ['3.1', 'Data & Privacy', ['3. Data & Privacy', '3.1']],
    ['3.2', 'Data & Privacy', ['3. Data & Privacy', '3.2']],
    ['Appendix 1', 'Tool List', ['Appendix 1 – Tool List']],
  ])('finds section %s with heading %s and its heading path', (id, heading, headingPath) => {
    const section = numbered.sections.find((candidate) => candidate.id === id);
    expect(section).toMatchObject({ heading, headingPath });
  });

  it('reads a numbered list inside a section as list items, not sections', () => {
    const ids = numbered.sections.map((section) => section.id);
    expect(ids.filter((id) => id === '1')).toHaveLength(1);
    expect(ids.filter((id) => id === '2')).toHaveLength(1);
    const section3 = numbered.passages
      .filter((passage) => passage.section === '3.2')
      .map((passage) => passage.text)
      .join('\n');
    expect(section3).toContain('Clarity: this numbered list is part of section 3');
  });

  it('never indexes the contents page', () => {
    for (const passage of numbered.passages) {
      expect(passage.text).not.toMatch(/\t\d+$/m);
      expect(passage.section.toLowerCase()).not.toContain('contents');
    }
    const aimsMentions = numbered.passages.filter(
      (passage) => /\bAims\b/.test(passage.text) || passage.heading === 'Aims',
    );
    expect(aimsMentions).toHaveLength(1);
  });

  it('removes conversion debris', () => {
    const all = numbered.passages.map((passage) => passage.text).join('\n');
    expect(all).not.toMatch(/bookmark|<p>|<i>|&amp;|·/);
    expect(all).toContain('- Creating worksheets');
  });

  it('keeps table rows readable on their own with their column headers', () => {
    const appendix = numbered.passages.find((passage) => passage.section === 'Appendix 1');
    expect(appendix?.text).toContain('Tool: Copilot; Purpose: Drafting letters; Users: Staff');
    const cells = parseFixture('cell-per-line-table.txt');
    const table = cells.passages.find((passage) => passage.section === '1.1');
    expect(table?.text).toContain(
      'Tool name: Copilot; Approved use: Drafting letters, Summaries; Who may use it: Staff, Governors',
    );
    expect(table?.text).toContain('Tool name: Quiz maker; Approved use: Retrieval quizzes');
    expect(cells.sections.map((section) => section.id)).toEqual(['1', '1.1', '1.2']);
  });

  it('reads metadata from the title page', () => {
    expect(numbered.meta).toMatchObject({
      title: 'AI Policy',
      trustName: 'Elmwood Schools Trust',
      approvedOn: '2025-02-03',
      nextReview: 'February 2026',
      reviewDueBy: '2026-02-28',
      owner: 'Business Manager',
      pastReview: false,
    });
  });

  it.each([
    ['2026-02-28T23:00:00Z', false],
    ['2026-03-01T00:30:00Z', true],
  ])('judges the review date against the injected clock (%s → past %s)', (now, past) => {
    expect(parseFixture('numbered-with-contents.txt', new ManualClock(now)).meta.pastReview).toBe(past);
  });

  it('warns when two sections share an id, and not otherwise', () => {
    const text = `AI Policy\n\n**Support Services**\n\nOffice staff may use Copilot.\n\n**Teaching**\n\nTeachers may use Copilot.\n\n**Support Services**\n\nThe IT team supports staff.\n`;
    const repeated = parsePolicyText({ source: 'twice.txt', text, clock });
    expect(repeated.warnings.filter((warning) => warning.includes('more than one section'))).toEqual([
      'Section ids used by more than one section (citations to them are ambiguous; rename a heading to tell them apart): Support Services.',
    ]);
    const once = parsePolicyText({
      source: 'once.txt',
      text: text.replace(/\*\*Support Services\*\*\n\nThe IT/, '**IT**\n\nThe IT'),
      clock,
    });
    expect(once.warnings.some((warning) => warning.includes('more than one section'))).toBe(false);
  });

  it('cites the parts of an appendix as the appendix, under their own headings, until the next section', () => {
    const text = [
      '# AI Policy',
      '## 1. Purpose',
      'This policy sets out how staff use AI.',
      '## Appendix 1 - Suggested acceptable use wording',
      '### AI Acceptable Use',
      '- Staff must not paste pupil names into public AI tools.',
      '### Notetakers',
      '- Only approved tools may minute meetings.',
      '## Glossary',
      'A notetaker records meetings.',
    ].join('\n\n');
    const document = parsePolicyText({ source: 'appendix.md', text, clock });
    expect(document.passages.map(({ section, heading }) => [section, heading])).toEqual([
      ['1', 'Purpose'],
      ['Appendix 1', 'AI Acceptable Use'],
      ['Appendix 1', 'Notetakers'],
      ['Glossary', 'Glossary'],
    ]);
    expect(document.warnings.some((warning) => warning.includes('more than one section'))).toBe(false);
  });

  it('uses markdown, bold and plain one-line headings as unnumbered section ids', () => {
    const document = parseFixture('headings-and-tables.txt');
    expect(document.sections.filter((section) => !section.frontMatter).map((section) => section.id)).toEqual([
      'Purpose',
      'Who is responsible',
      'Transcription in meetings',
      'Governor meetings',
      'Sharing work',
    ]);
    expect(document.meta).toMatchObject({
      title: 'Digital Assistant Policy',
      trustName: 'Harbour View Learning Partnership',
      nextReview: 'Autumn Term 2025',
      reviewDueBy: '2025-12-31',
      owner: 'Sam Rivers',
    });
    const roles = document.passages.find((passage) => passage.section === 'Who is responsible');
    expect(roles?.text).toContain(
      'Role: DPO; Responsibility: Advises on data protection impact assessments; Contact: Data office',
    );
  });

  it('splits long sections into passages of at most 1,200 characters that carry the heading', () => {
    const clause = Array.from(
      { length: 40 },
      (_, index) => `Staff will check output number ${index} carefully before use.`,
    ).join(' ');
    const document = parsePolicyText({
      source: 'long.txt',
      text: `1. Checking Output\n\n${clause}\n`,
      clock,
    });
    expect(document.passages.length).toBeGreaterThan(1);
    for (const passage of document.passages) {
      expect(passage.text.length).toBeLessThanOrEqual(1200);
      expect(passage).toMatchObject({ section: '1', heading: 'Checking Output' });
    }
    expect(new Set(document.passages.map((passage) => passage.id)).size).toBe(document.passages.length);
  });

  it('reads .docx through mammoth with headings and lists', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-docx-'));
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: 'Staff AI Policy', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ text: '1. Notetakers', heading: HeadingLevel.HEADING_2 }),
            new Paragraph({ text: 'AI notetakers need everyone in the meeting to agree first.' }),
            new Paragraph({ text: '2. Breaches', heading: HeadingLevel.HEADING_2 }),
            new Paragraph({ text: 'Tell the DPO about a data breach the same day.' }),
          ],
        },
      ],
    });
    const file = path.join(directory, 'policy.docx');
    fs.writeFileSync(file, await Packer.toBuffer(doc));
    const [document] = await loadPolicyDocuments({ paths: [directory], clock });
    expect(document.meta.title).toBe('Staff AI Policy');
    expect(document.passages.map((passage) => [passage.section, passage.heading, passage.text])).toEqual([
      ['1', 'Notetakers', 'AI notetakers need everyone in the meeting to agree first.'],
      ['2', 'Breaches', 'Tell the DPO about a data breach the same day.'],
    ]);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('reads the numbers Word puts on headings and clauses itself (list numbering), which are not in the text', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-docx-numbered-'));
    const doc = new Document({
      numbering: {
        config: [
          {
            reference: 'policy',
            levels: [
              { level: 0, format: LevelFormat.DECIMAL, text: '%1.' },
              { level: 1, format: LevelFormat.DECIMAL, text: '%1.%2.' },
              { level: 2, format: LevelFormat.LOWER_LETTER, text: '(%3)' },
            ],
          },
          { reference: 'bullets', levels: [{ level: 0, format: LevelFormat.BULLET, text: '•' }] },
        ],
      },
      // Heading 1 numbered by its style, as trust templates do; clauses numbered one by one.
      styles: {
        paragraphStyles: [
          {
            id: 'Heading1',
            name: 'Heading 1',
            basedOn: 'Normal',
            next: 'Normal',
            run: { bold: true },
            paragraph: { numbering: { reference: 'policy', level: 0 } },
          },
        ],
      },
      sections: [
        {
          children: [
            new Paragraph({ text: 'Oakfield Trust AI Policy', heading: HeadingLevel.TITLE }),
            new Paragraph({ text: 'Notetakers', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({
              text: 'AI notetakers need everyone in the meeting to agree first.',
              numbering: { reference: 'policy', level: 1 },
            }),
            new Paragraph({
              text: 'They must never be used in:',
              numbering: { reference: 'policy', level: 1 },
            }),
            new Paragraph({ text: 'safeguarding meetings;', numbering: { reference: 'policy', level: 2 } }),
            new Paragraph({ text: 'disciplinary hearings.', numbering: { reference: 'policy', level: 2 } }),
            new Paragraph({ text: 'Breaches', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({
              text: 'Tell the DPO about a data breach the same day.',
              numbering: { reference: 'policy', level: 1 },
            }),
            new Paragraph({
              text: 'Do not wait for the facts.',
              numbering: { reference: 'bullets', level: 0 },
            }),
          ],
        },
      ],
    });
    const file = path.join(directory, 'policy.docx');
    fs.writeFileSync(file, await Packer.toBuffer(doc));
    const [document] = await loadPolicyDocuments({ paths: [file], clock });
    fs.rmSync(directory, { recursive: true, force: true });
    expect(document.meta.title).toBe('Oakfield Trust AI Policy');
    expect(document.sections.map((section) => [section.id, section.heading])).toEqual([
      ['1', 'Notetakers'],
      ['1.1', 'Notetakers'],
      ['1.2', 'Notetakers'],
      ['2', 'Breaches'],
      ['2.1', 'Breaches'],
    ]);
    expect(document.passages.map((passage) => [passage.section, passage.text])).toEqual([
      ['1.1', 'AI notetakers need everyone in the meeting to agree first.'],
      [
        '1.2',
        expect.stringMatching(
          /^They must never be used in:\n\(a\)\s+safeguarding meetings;\n\(b\)\s+disciplinary hearings\.$/,
        ),
      ],
      ['2.1', 'Tell the DPO about a data breach the same day.\n- Do not wait for the facts.'],
    ]);
  });

  it('reads .pdf text with its numbered sections (in a child process: PDF.js loads as ESM)', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-pdf-'));
    const file = path.join(directory, 'policy.pdf');
    fs.writeFileSync(
      file,
      makePdf(['1. Purpose', 'This policy sets out rules for AI.', '2. Scope', 'It applies to all staff.']),
    );
    const repoRoot = path.resolve(__dirname, '..', '..');
    const output = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/index-policies.ts', '--policies', file, '--json'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    const [outline] = JSON.parse(output) as {
      sections: { id: string; heading: string }[];
      passages: number;
    }[];
    expect(outline.sections.map((section) => [section.id, section.heading])).toEqual([
      ['1', 'Purpose'],
      ['2', 'Scope'],
    ]);
    expect(outline.passages).toBe(2);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it.each([23, 40])(
    'reads a PDF laid out as Word exports it (%i lines a page) into the same sections and passages as its text',
    (linesPerPage) => {
      // Wrapped clauses, clauses broken across pages, table cells wrapped in their columns, a
      // running header and "Page n of m" footers.
      const fromPdf = readPdfInChildProcess(
        layOutAsWordPdf(examplePolicyText, 'Brookvale Learning Trust - AI Policy', linesPerPage),
      );
      const fromText = parsePolicyText({ source: 'policy.pdf', text: examplePolicyText, clock });
      expect(outlineOf(fromPdf)).toEqual(outlineOf(fromText));
      expect(fromPdf.meta).toEqual(fromText.meta);
      // The outline tells the IT lead what was left out.
      expect(fromPdf.warnings).toEqual([
        ...fromText.warnings,
        'Left out as page headers, footers or numbers: "Brookvale Learning Trust - AI Policy", page numbers.',
      ]);
      expect(JSON.stringify(fromPdf.passages)).not.toMatch(/Page \d of|AI Policy"/);
    },
  );

  it.each(['', '   \n\n  \n', '12\n\n13'])(
    'gives one plain warning for a document with no text (%j)',
    (text) => {
      const document = parsePolicyText({ source: 'scanned.pdf', text, clock });
      expect(document.passages).toEqual([]);
      expect(document.warnings).toEqual([noTextWarning]);
    },
  );

  it.each([false, true])(
    'reads a PDF typeset by a real layout engine (justified: %s) into the same sections and passages as its text',
    async (justify) => {
      const fromPdf = readPdfInChildProcess(
        await typesetPolicyPdf(examplePolicyText, {
          header: 'Brookvale Learning Trust - AI Policy',
          justify,
        }),
      );
      const fromText = parsePolicyText({ source: 'policy.pdf', text: examplePolicyText, clock });
      expect(outlineOf(fromPdf)).toEqual(outlineOf(fromText));
      expect(fromPdf.meta).toEqual(fromText.meta);
    },
  );

  it('reads the rest of a folder when one file is damaged, and says which and why', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-damaged-'));
    fs.writeFileSync(path.join(directory, 'damaged.docx'), 'not a zip archive');
    fs.copyFileSync(path.join(fixtures, 'numbered-with-contents.txt'), path.join(directory, 'policy.txt'));
    const documents = await loadPolicyDocuments({ paths: [directory], clock });
    fs.rmSync(directory, { recursive: true, force: true });
    expect(documents.map((document) => [document.meta.source, document.passages.length > 0])).toEqual([
      ['damaged.docx', false],
      ['policy.txt', true],
    ]);
    expect(documents[0].warnings).toEqual([
      expect.stringMatching(
        /^Could not read the file: it does not open as a Word document \(.+\)\. Open it and save it again/,
      ),
    ]);
  });

  it('skips README files when loading a folder', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-folder-'));
    fs.writeFileSync(path.join(directory, 'README.md'), '# About these files\n');
    fs.copyFileSync(path.join(fixtures, 'numbered-with-contents.txt'), path.join(directory, 'policy.txt'));
    const documents = await loadPolicyDocuments({ paths: [directory], clock });
    expect(documents.map((document) => document.meta.source)).toEqual(['policy.txt']);
    fs.rmSync(directory, { recursive: true, force: true });
  });
});
