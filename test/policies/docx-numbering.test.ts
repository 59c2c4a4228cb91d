import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Document, LevelFormat, Packer, Paragraph, Table, TableCell, TableRow } from 'docx';
import { readPolicyText } from '../../src/policies';
import { docxWithNumbersAsText } from '../../src/policies/docx-numbering';

type Level = {
  level: number;
  format: (typeof LevelFormat)[keyof typeof LevelFormat];
  text: string;
  start?: number;
};

/** A Word document whose paragraphs are numbered by one list with these levels. */
async function numberedDocument(
  levels: Level[],
  paragraphs: { text: string; level: number }[],
): Promise<Buffer> {
  const document = new Document({
    numbering: { config: [{ reference: 'list', levels }] },
    sections: [
      {
        children: paragraphs.map(
          ({ text, level }) => new Paragraph({ text, numbering: { reference: 'list', level } }),
        ),
      },
    ],
  });
  return Packer.toBuffer(document);
}

async function textOf(buffer: Buffer): Promise<string[]> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'docx-numbering-'));
  const file = path.join(directory, 'policy.docx');
  fs.writeFileSync(file, buffer);
  const text = await readPolicyText(file);
  fs.rmSync(directory, { recursive: true, force: true });
  return text.split('\n').filter((line) => line.trim().length > 0);
}

describe('Word list numbering written into the text', () => {
  it.each<[string, Level[], { text: string; level: number }[], string[]]>([
    [
      'clause numbers under section numbers, restarting under each section',
      [
        { level: 0, format: LevelFormat.DECIMAL, text: '%1.' },
        { level: 1, format: LevelFormat.DECIMAL, text: '%1.%2.' },
      ],
      [
        { text: 'Scope', level: 0 },
        { text: 'Staff may use AI.', level: 1 },
        { text: 'Pupils may use AI.', level: 1 },
        { text: 'Data', level: 0 },
        { text: 'No personal data.', level: 1 },
      ],
      [
        '1.\tScope',
        '1.1.\tStaff may use AI.',
        '1.2.\tPupils may use AI.',
        '2.\tData',
        '2.1.\tNo personal data.',
      ],
    ],
    [
      'a list that starts at 5',
      [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', start: 5 }],
      [
        { text: 'Review', level: 0 },
        { text: 'Ownership', level: 0 },
      ],
      ['5.\tReview', '6.\tOwnership'],
    ],
    [
      'roman and letter labels, set off by a space',
      [
        { level: 0, format: LevelFormat.UPPER_ROMAN, text: '%1.' },
        { level: 1, format: LevelFormat.LOWER_LETTER, text: '(%2)' },
      ],
      [
        { text: 'Principles', level: 0 },
        { text: 'fairness;', level: 1 },
        { text: 'transparency.', level: 1 },
        { text: 'Roles', level: 0 },
      ],
      ['I. Principles', '(a) fairness;', '(b) transparency.', 'II. Roles'],
    ],
  ])('%s', async (_name, levels, paragraphs, expected) => {
    expect(await textOf(await numberedDocument(levels, paragraphs))).toEqual(expected);
  });

  it('numbers paragraphs inside tables in document order', async () => {
    const document = new Document({
      numbering: {
        config: [{ reference: 'list', levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.' }] }],
      },
      sections: [
        {
          children: [
            new Paragraph({ text: 'Before the table.', numbering: { reference: 'list', level: 0 } }),
            new Table({
              rows: [
                new TableRow({
                  children: [
                    new TableCell({
                      children: [
                        new Paragraph({ text: 'In a cell.', numbering: { reference: 'list', level: 0 } }),
                      ],
                    }),
                  ],
                }),
              ],
            }),
            new Paragraph({ text: 'After the table.', numbering: { reference: 'list', level: 0 } }),
          ],
        },
      ],
    });
    const lines = await textOf(await Packer.toBuffer(document));
    expect(lines).toEqual(['1.\tBefore the table.', '2. In a cell.', '3.\tAfter the table.']);
  });

  it('returns a document without numbering unchanged', async () => {
    const buffer = await Packer.toBuffer(
      new Document({ sections: [{ children: [new Paragraph({ text: 'Plain.' })] }] }),
    );
    expect(await docxWithNumbersAsText(buffer)).toBe(buffer);
  });
});
