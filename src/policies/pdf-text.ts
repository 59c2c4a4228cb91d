import { listOrClauseStart } from './line-layout';

/**
 * Turns the positioned text of a PDF back into the one-paragraph-per-line text the structure parser
 * reads. Trusts publish policies as PDFs exported from Word, whose text comes out wrapped at the page
 * width, broken across pages and interleaved with running headers, footers and page numbers: read as
 * lines, the first line of every wrapped clause looks like a heading and every footer like a section.
 */

/** One run of text as PDF.js reports it (`transform[4]`, `transform[5]` are its x and y). */
export interface PdfTextItem {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PdfLine {
  text: string;
  cells: PdfCell[];
  left: number;
  right: number;
  y: number;
  height: number;
  /** More space than the document's line spacing comes before this line (see `withGaps`). */
  gapBefore: boolean;
}

/** A clause number set off from its text by a wide gap, as Word lays out numbered paragraphs. */
const clauseNumber = /^\d+(?:\.\d+)*\.?\t/;

/** A page number on its own: "3", "Page 3", "Page 3 of 12", "3 / 12", "- 3 -". */
const pageNumber = /^(?:page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|\/)\s*\d{1,4})?$/i;

/** How many lines at the top and bottom of a page may be running headers or footers. */
const marginLines = 3;

interface PdfCell {
  x: number;
  text: string;
}

/**
 * A gap wider than this share of the font size starts a new cell: a word space is about a quarter
 * of it, while table cells sit apart by their margins (Word's 0.19 cm each side, about 11 points).
 */
const cellGap = 0.6;

function joinItems(items: PdfTextItem[]): { cells: PdfCell[]; left: number; right: number } {
  const cells: PdfCell[] = [];
  let right = -Infinity;
  let left = Infinity;
  /** Width of a space PDF.js reported since the last word: justified text stretches them. */
  let space: number | undefined;
  for (const item of items) {
    if (item.str.trim().length === 0) {
      space = (space ?? 0) + item.width;
      continue;
    }
    const cell = cells[cells.length - 1];
    const size = Math.max(item.height, 1);
    const wordSpace = space !== undefined && space <= size;
    space = undefined;
    // A wide gap on one line separates a clause number from its text, or table cells: written as
    // a tab, as Word's own text export does, which the structure parser reads that way.
    if (!cell || (!wordSpace && item.x - right > size * cellGap))
      cells.push({ x: item.x, text: item.str.trim() });
    else
      cell.text +=
        (wordSpace || item.x - right > size * 0.1) && !/\s$/.test(cell.text) && !/^\s/.test(item.str)
          ? ` ${item.str}`
          : item.str;
    left = Math.min(left, item.x);
    right = Math.max(right, item.x + item.width);
  }
  for (const cell of cells) cell.text = cell.text.trimEnd();
  return { cells, left, right };
}

const cellText = (cells: PdfCell[]): string => cells.map((cell) => cell.text).join('\t');

/**
 * Text carried on from one line to the next: a word hyphenated at the line end ("AI-" /
 * "generated") keeps its hyphen and no space.
 */
function carryOn(text: string, more: string): string {
  return /[A-Za-z]-$/.test(text) ? `${text}${more}` : `${text} ${more}`;
}

/** How far apart two x positions may be and still be one column. */
const columnTolerance = 3;

function alignsWith(line: PdfLine, above: PdfLine): boolean {
  return (
    above.cells.length >= 2 &&
    line.cells.every((cell) => above.cells.some((column) => Math.abs(column.x - cell.x) <= columnTolerance))
  );
}

/**
 * Folds a line into the one above when it continues that line's columns: the further lines of a
 * clause's text beside its number, of a bullet beside its glyph, of table cells that wrap inside
 * their column. A line that fills the first column too starts a new row, unless the table sets its
 * rows apart with space (as Word's default paragraph spacing does) and this row began so, or every
 * cell of it carries on mid-sentence (starts in lower case).
 */
function withColumnsFolded(lines: PdfLine[]): PdfLine[] {
  const folded: PdfLine[] = [];
  /** The last folded line began a table row after a gap, below another row of the same columns. */
  let rowsSpaced = false;
  for (const line of lines) {
    const above = folded[folded.length - 1];
    const fits =
      above !== undefined &&
      !line.gapBefore &&
      alignsWith(line, above) &&
      (rowsSpaced ||
        line.cells[0].x > above.cells[0].x + columnTolerance ||
        line.cells.every((cell) => /^[a-z(),;]/.test(cell.text)));
    if (!fits) {
      rowsSpaced = above !== undefined && line.gapBefore && line.cells.length >= 2 && alignsWith(line, above);
      folded.push(line);
      continue;
    }
    const cells = above.cells.map((column) => {
      const more = line.cells.find((cell) => Math.abs(column.x - cell.x) <= columnTolerance);
      if (!more) return column;
      return { x: column.x, text: carryOn(column.text, more.text) };
    });
    folded[folded.length - 1] = {
      ...above,
      cells,
      text: cellText(cells),
      // Whether the next line carries on depends on where the last physical line stopped.
      right: line.right,
      y: line.y,
    };
  }
  return folded;
}

/**
 * Groups a page's items into lines by their baseline, top to bottom and left to right: Word and
 * other writers put a table's text down cell by cell, and only the positions show which cells
 * share a row. Policies are laid out in one column, so position order is reading order.
 */
function pageLines(items: PdfTextItem[]): PdfLine[] {
  // Spaces stay in: they tell a stretched word space from the gap between table cells.
  const printable = items
    .filter((item) => item.str.length > 0)
    .map((item, order) => ({ item, order }))
    .sort((left, right) => right.item.y - left.item.y || left.order - right.order)
    .map(({ item }) => item);
  const groups: PdfTextItem[][] = [];
  for (const item of printable) {
    const group = groups[groups.length - 1];
    // Superscripts and mixed fonts sit a little off the baseline of their line.
    if (group && Math.abs(group[0].y - item.y) <= Math.max(group[0].height, item.height, 1) * 0.5)
      group.push(item);
    else groups.push([item]);
  }
  return groups
    .filter((group) => group.some((item) => item.str.trim().length > 0))
    .map((group) => {
      const words = group.filter((item) => item.str.trim().length > 0);
      const { cells, left, right } = joinItems([...group].sort((first, second) => first.x - second.x));
      const height = Math.max(...words.map((item) => item.height));
      return { text: cellText(cells), cells, left, right, y: words[0].y, height, gapBefore: false };
    });
}

/**
 * The distance between the lines of one paragraph: the smaller distances between consecutive
 * lines are the usual line spacing, the larger ones paragraph spacing and headings.
 */
function linePitch(pages: PdfLine[][]): number {
  const distances: number[] = [];
  for (const lines of pages)
    for (let index = 1; index < lines.length; index += 1) {
      const distance = lines[index - 1].y - lines[index].y;
      if (distance > 0 && Math.abs(lines[index - 1].height - lines[index].height) <= 1)
        distances.push(distance);
    }
  if (distances.length === 0) return 14;
  distances.sort((left, right) => left - right);
  return distances[Math.floor(distances.length * 0.25)];
}

/** Marks the lines that follow more space than a line's: a new paragraph, heading or table row. */
function withGaps(lines: PdfLine[], pitch: number): PdfLine[] {
  return lines.map((line, index) => {
    const above = lines[index - 1];
    if (!above) return line;
    // A larger font needs more room without any space between paragraphs.
    const expected = Math.max(pitch, ((above.height + line.height) / 2) * 1.15);
    return { ...line, gapBefore: above.y - line.y > expected * 1.3 };
  });
}

function runningKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/**
 * Drops page numbers and the headers and footers repeated on at least half the pages (and two),
 * looking only at the first and last few lines of each page. Also says what it dropped (each
 * header or footer once, as on its first page), for the outline an IT lead checks.
 */
function withoutRunningLines(pages: PdfLine[][]): { pages: PdfLine[][]; dropped: string[] } {
  const pagesWith = new Map<string, number>();
  for (const lines of pages) {
    const keys = new Set(
      [...lines.slice(0, marginLines), ...lines.slice(-marginLines)].map((line) => runningKey(line.text)),
    );
    for (const key of keys) pagesWith.set(key, (pagesWith.get(key) ?? 0) + 1);
  }
  const threshold = Math.max(2, pages.length / 2);
  const dropped = new Map<string, string>();
  const kept = pages.map((lines) =>
    lines.filter((line, position) => {
      const inMargin = position < marginLines || position >= lines.length - marginLines;
      if (!inMargin) return true;
      const running = pageNumber.test(line.text.trim())
        ? 'page numbers'
        : pages.length >= 2 && (pagesWith.get(runningKey(line.text)) ?? 0) >= threshold
          ? `"${line.text.replace(/\t/g, ' ')}"`
          : undefined;
      if (running === undefined) return true;
      if (!dropped.has(runningKey(running))) dropped.set(runningKey(running), running);
      return false;
    }),
  );
  return { pages: kept, dropped: [...dropped.values()] };
}

/**
 * Whether `next` carries on the paragraph of `line`: `line` runs to the right margin (it was
 * wrapped) or stops mid-sentence before a lower-case word, and `next` does not start a clause,
 * bullet or heading of its own.
 */
function continues(line: PdfLine, next: PdfLine, fullWidthFrom: number, acrossPage: boolean): boolean {
  if (listOrClauseStart.test(next.text) || Math.abs(next.height - line.height) > 1) return false;
  // A line with cells spread across the page is a table row, not wrapped prose.
  const wrapped = line.right >= fullWidthFrom && !/\t/.test(line.text.replace(clauseNumber, ''));
  const endsSentence = /[.:;!?]["”’)]?$/.test(line.text);
  const midSentence = !endsSentence && /^[a-z]/.test(next.text);
  // The gap before a page's first line is the page margin, not a paragraph break: a new page
  // carries on a paragraph only where the sentence visibly does.
  if (acrossPage) return midSentence || (wrapped && !endsSentence);
  return !next.gapBefore && (wrapped || midSentence);
}

/** Below this many lines, too few wrap to show where the text block ends. */
const linesToFindMargin = 10;

/**
 * Rebuilds paragraphs from the pages' positioned text; pages are in order, `pageWidth` in the
 * same units as the items' positions.
 */
export function pdfItemsToText(pages: PdfTextItem[][], pageWidth = 612): string {
  return pdfLayoutToText(pages, pageWidth).text;
}

/** The text, and the running headers, footers and page numbers left out of it. */
export function pdfLayoutToText(
  pages: PdfTextItem[][],
  pageWidth = 612,
): { text: string; runningLines: string[] } {
  const linesByPage = pages.map(pageLines);
  const pitch = linePitch(linesByPage);
  const { pages: cleaned, dropped: runningLines } = withoutRunningLines(
    linesByPage.map((lines) => withColumnsFolded(withGaps(lines, pitch))),
  );
  const all = cleaned.flat();
  if (all.length === 0) return { text: '', runningLines };
  // The text block's right edge: most wrapped lines reach it, headings and last lines fall short.
  // With only a few lines, the page's own margins (as wide on the right as on the left) say it.
  const leftEdge = Math.min(...all.map((line) => line.left));
  const rights = all.map((line) => line.right).sort((left, right) => left - right);
  const margin =
    all.length >= linesToFindMargin ? rights[Math.floor(rights.length * 0.9)] : pageWidth - leftEdge;
  const fullWidthFrom = margin - (margin - leftEdge) * 0.15;
  const paragraphs: string[] = [];
  let current = '';
  let previous: PdfLine | undefined;
  cleaned.forEach((lines, pageIndex) => {
    lines.forEach((line, position) => {
      const acrossPage = position === 0 && pageIndex > 0;
      if (previous && current.length > 0 && continues(previous, line, fullWidthFrom, acrossPage)) {
        current = carryOn(current, line.text);
      } else {
        if (current.length > 0) paragraphs.push(current);
        if ((line.gapBefore || acrossPage) && paragraphs.length > 0) paragraphs.push('');
        current = line.text;
      }
      previous = line;
    });
  });
  if (current.length > 0) paragraphs.push(current);
  return { text: paragraphs.join('\n').replace(/\n{3,}/g, '\n\n'), runningLines };
}

/** Reads a PDF's text with PDF.js (through unpdf) and rebuilds its paragraphs. */
export async function pdfToText(data: Uint8Array): Promise<{ text: string; runningLines: string[] }> {
  // unpdf's CommonJS entry is required lazily to keep start-up fast. It loads its bundled PDF.js with a
  // dynamic import(), which plain Node supports; jest's VM does not without
  // --experimental-vm-modules, so the PDF tests run the reader in a child process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const unpdf = require('unpdf') as typeof import('unpdf');
  // PDF.js reports repairs of damaged files as console output; `ask` keeps stdout for its answers.
  const pdf = await unpdf.getDocumentProxy(data, { verbosity: 0 });
  const pages: PdfTextItem[][] = [];
  let pageWidth = 612;
  for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
    const page = await pdf.getPage(pageNumber);
    if (pageNumber === 1) pageWidth = page.view[2] - page.view[0];
    const content = await page.getTextContent();
    const items: PdfTextItem[] = [];
    for (const item of content.items) {
      if (!('str' in item)) continue;
      items.push({
        str: item.str,
        x: item.transform[4],
        y: item.transform[5],
        width: item.width,
        height: item.height,
      });
    }
    pages.push(items);
  }
  await pdf.destroy();
  return pdfLayoutToText(pages, pageWidth);
}
