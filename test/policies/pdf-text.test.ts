import { pdfItemsToText, type PdfTextItem } from '../../src/policies/pdf-text';

/** One line of text as PDF.js reports it; `cells` after the first are placed further right on the same line. */
function line(
  y: number,
  text: string,
  options: { x?: number; size?: number; width?: number } = {},
): PdfTextItem {
  const size = options.size ?? 11;
  return { str: text, x: options.x ?? 72, y, width: options.width ?? text.length * size * 0.5, height: size };
}

/** A line that runs to the right margin (a wrapped line of a paragraph). */
function full(y: number, text: string, x = 72): PdfTextItem {
  return line(y, text, { x, width: 540 - x });
}

const header = (): PdfTextItem => line(750, 'Oakfield Trust - AI Policy', { size: 9 });
const footer = (page: number, of: number): PdfTextItem => line(40, `Page ${page} of ${of}`, { size: 9 });

describe('PDF text to policy paragraphs', () => {
  it.each<[string, PdfTextItem[][], string]>([
    [
      'joins the wrapped lines of a paragraph',
      [
        [
          full(700, 'Staff may use approved AI tools to draft lesson resources, provided they'),
          line(686, 'check everything first.'),
        ],
      ],
      'Staff may use approved AI tools to draft lesson resources, provided they check everything first.',
    ],
    [
      'keeps a clause number apart from its text with a tab, as Word text does, and joins its wrapped text',
      [
        [
          line(700, '4.2.'),
          full(700, 'A DPIA must be completed and signed off by the', 108),
          line(686, 'DPO before any new AI tool is introduced.', { x: 108 }),
        ],
      ],
      '4.2.\tA DPIA must be completed and signed off by the DPO before any new AI tool is introduced.',
    ],
    [
      'starts a new paragraph after a gap, at a heading, and at each bullet or clause',
      [
        [
          line(700, '3. Using AI Tools', { size: 13 }),
          line(676, 'Staff must:'),
          full(662, '- check every output before it is used, and keep a note of the tool used and'),
          line(648, 'what it was asked;'),
          line(634, '- never enter pupil data.'),
          full(620, '3.1 Public chatbots are not approved for any trust work at all, whatever the'),
          line(606, 'task.'),
        ],
      ],
      '3. Using AI Tools\n\nStaff must:\n- check every output before it is used, and keep a note of the tool used and what it was asked;\n- never enter pupil data.\n3.1 Public chatbots are not approved for any trust work at all, whatever the task.',
    ],
    [
      'does not join a short line to the next one that starts a sentence',
      [[line(700, 'Roles and responsibilities'), line(686, 'The DPO advises on DPIAs.')]],
      'Roles and responsibilities\nThe DPO advises on DPIAs.',
    ],
    [
      'joins a word hyphenated at the line end without a space',
      [
        [
          full(700, 'Report any content that could harm a pupil, such as AI-'),
          line(686, 'generated images.'),
        ],
      ],
      'Report any content that could harm a pupil, such as AI-generated images.',
    ],
    [
      'drops running headers, page numbers and footers, and carries a sentence across the page break',
      [
        [
          header(),
          line(700, '1. Purpose', { size: 13 }),
          full(676, 'This policy applies to every member of staff who uses AI tools for'),
          footer(1, 2),
        ],
        [header(), line(700, 'trust work, at school or at home.'), footer(2, 2)],
      ],
      '1. Purpose\n\nThis policy applies to every member of staff who uses AI tools for trust work, at school or at home.',
    ],
    [
      'does not carry a finished sentence across a page break',
      [
        [
          header(),
          full(700, 'Notetakers need everyone in the meeting to agree before the meeting starts.'),
          line(60, '3'),
        ],
        [header(), line(700, 'The chair checks the minutes.'), line(60, '4')],
      ],
      'Notetakers need everyone in the meeting to agree before the meeting starts.\n\nThe chair checks the minutes.',
    ],
    [
      'writes table cells on one line with tabs between them, and does not join rows',
      [
        [
          line(700, 'Tool'),
          line(700, 'Approved for', { x: 250 }),
          line(686, 'Copilot'),
          line(686, 'Drafting', { x: 250 }),
          line(672, 'Teams transcription'),
          line(672, 'Meeting notes', { x: 250 }),
        ],
      ],
      'Tool\tApproved for\nCopilot\tDrafting\nTeams transcription\tMeeting notes',
    ],
    [
      'folds table cells that wrap inside their columns into their row',
      [
        [
          line(700, 'Role'),
          line(700, 'Responsibilities', { x: 200 }),
          line(700, 'Named', { x: 420 }),
          line(686, 'IT lead'),
          line(686, 'Manage the technical side of AI,', { x: 200 }),
          line(686, 'Laura Austen &', { x: 420 }),
          line(672, 'including data security.', { x: 200 }),
          line(672, 'Connor Millington', { x: 420 }),
          line(658, 'DPO'),
          line(658, 'Advise on DPIAs.', { x: 200 }),
          line(658, 'Trust DPO', { x: 420 }),
        ],
      ],
      'Role\tResponsibilities\tNamed\nIT lead\tManage the technical side of AI, including data security.\tLaura Austen & Connor Millington\nDPO\tAdvise on DPIAs.\tTrust DPO',
    ],
    [
      'folds the wrapped text of a bullet set apart from its glyph, and ends it before a paragraph',
      [
        [
          line(700, '•', { x: 80 }),
          full(700, 'Never enter the names, photographs or medical details of pupils into', 108),
          line(686, 'any public AI tool.', { x: 108 }),
          line(672, 'Staff who are unsure ask the DPO.'),
        ],
      ],
      '•\tNever enter the names, photographs or medical details of pupils into any public AI tool.\nStaff who are unsure ask the DPO.',
    ],
    ['reads an empty PDF as no text', [[], []], ''],
  ])('%s', (_name, pages, expected) => {
    expect(pdfItemsToText(pages)).toBe(expected);
  });

  it('keeps a line that repeats on only one page (a heading, not a running header)', () => {
    const pages = [
      [header(), line(700, 'Contents'), footer(1, 3)],
      [header(), line(700, 'Appendix 1'), footer(2, 3)],
      [header(), line(700, 'The end.'), footer(3, 3)],
    ];
    expect(pdfItemsToText(pages).split('\n').filter(Boolean)).toEqual(['Contents', 'Appendix 1', 'The end.']);
  });
});
