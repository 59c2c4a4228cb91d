import { wrapWords } from './text-layout';

/** Text placed on a PDF page: x and y in points from the bottom left, size in points. */
export interface PlacedText {
  x: number;
  y: number;
  text: string;
  size?: number;
}

/** PDF string syntax for the Latin-1 subset Helvetica's standard encoding shows. */
function pdfString(text: string): string {
  const latin = text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/[^\x20-\x7e]/g, '?');
  return `(${latin.replace(/[()\\]/g, (match) => `\\${match}`)})`;
}

/** Writes a PDF with one page per entry, each text at its own position, so layout can be tested offline. */
export function makePagedPdf(pages: PlacedText[][]): Buffer {
  const fontObject = 3 + pages.length * 2;
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', ''];
  const kids: string[] = [];
  for (const page of pages) {
    const stream = page
      .map(
        (placed) =>
          `BT /F1 ${placed.size ?? 11} Tf ${placed.x} ${placed.y} Td ${pdfString(placed.text)} Tj ET`,
      )
      .join('\n');
    const pageObject = objects.length + 1;
    kids.push(`${pageObject} 0 R`);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${pageObject + 1} 0 R /Resources << /Font << /F1 ${fontObject} 0 R >> >> >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages.length} >>`;
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  let output = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(output, 'latin1'));
    output += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(output, 'latin1');
  output += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  output += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  output += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(output, 'latin1');
}

/** Writes a minimal one-page PDF (Helvetica, one line per entry) so PDF reading can be tested offline. */
export function makePdf(lines: string[]): Buffer {
  return makePagedPdf([lines.map((text, index) => ({ x: 72, y: 720 - index * 14, text, size: 12 }))]);
}

/**
 * Lays a one-paragraph-per-line policy text out as Word exports it to PDF: paragraphs wrapped at
 * the page width, a clause number set apart from its indented text, table cells in columns, space
 * between paragraphs, a running header and a "Page n of m" footer on every page.
 */
export function layOutAsWordPdf(text: string, header: string, linesPerPage = 40, spacedRows = true): Buffer {
  const lineHeight = 14;
  const top = 700;
  const pages: PlacedText[][] = [];
  let page: PlacedText[] = [];
  let y = top;
  let used = 0;
  const newLine = (): void => {
    if (used >= linesPerPage || y < 80) {
      pages.push(page);
      page = [];
      y = top;
      used = 0;
    }
  };
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) {
      if (used > 0) y -= 8;
      continue;
    }
    const clause = /^(\d+(?:\.\d+)*\.?)\t(.*)$/.exec(line);
    if (clause) {
      wrapWords(clause[2], 85).forEach((part, index) => {
        newLine();
        if (index === 0) page.push({ x: 72, y, text: clause[1] });
        page.push({ x: 108, y, text: part });
        y -= lineHeight;
        used += 1;
      });
    } else if (line.includes('\t')) {
      // Table cells wrap inside their columns (Helvetica averages about half its size a character).
      const cells = line.split('\t');
      const columnWidth = 468 / cells.length;
      const wrapped = cells.map((cell) => wrapWords(cell, Math.floor((columnWidth - 12) / 5.5)));
      const height = Math.max(...wrapped.map((parts) => parts.length));
      // Word's default style leaves space after every paragraph, in table cells too.
      if (used > 0 && spacedRows) y -= 8;
      for (let row = 0; row < height; row += 1) {
        newLine();
        wrapped.forEach((parts, index) => {
          if (parts[row]) page.push({ x: 72 + Math.round(index * columnWidth), y, text: parts[row] });
        });
        y -= lineHeight;
        used += 1;
      }
    } else {
      const heading = /^(?:\d+\.|Appendix)\s/.test(line);
      for (const part of wrapWords(line, 90)) {
        newLine();
        page.push({ x: 72, y, text: part, size: heading ? 13 : 11 });
        y -= lineHeight;
        used += 1;
      }
    }
  }
  if (page.length > 0) pages.push(page);
  return makePagedPdf(
    pages.map((placed, index) => [
      { x: 72, y: 750, text: header, size: 9 },
      ...placed,
      { x: 280, y: 40, text: `Page ${index + 1} of ${pages.length}`, size: 9 },
    ]),
  );
}
