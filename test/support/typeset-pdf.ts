import PDFDocument from 'pdfkit';
import { Writable } from 'stream';

/**
 * Typesets a one-paragraph-per-line policy text with pdfkit, a real layout engine (word wrapping,
 * optional justification, table cells wrapping inside their columns, text written cell by cell), on
 * A4 with a running header and a "Page n of m" footer, as trusts publish their policies.
 */
export function typesetPolicyPdf(
  text: string,
  options: { header: string; justify?: boolean },
): Promise<Buffer> {
  const margin = 72;
  const document = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin, left: margin, right: margin },
    bufferPages: true,
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    sink.on('finish', () => resolve(Buffer.concat(chunks)));
    sink.on('error', reject);
    document.pipe(sink);
  });
  const textWidth = document.page.width - 2 * margin;
  const align = options.justify ? 'justify' : 'left';
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) {
      document.moveDown(0.5);
      continue;
    }
    const clause = /^(\d+(?:\.\d+)*\.?)\t(.*)$/.exec(line);
    if (clause) {
      const top = document.y;
      document.font('Helvetica').fontSize(11).text(clause[1], margin, top, { lineBreak: false });
      document.text(clause[2], margin + 36, top, { width: textWidth - 36, align });
    } else if (line.includes('\t')) {
      const cells = line.split('\t');
      const columnWidth = textWidth / cells.length;
      const top = document.y;
      let bottom = top;
      cells.forEach((cell, index) => {
        document
          .font('Helvetica')
          .fontSize(11)
          .text(cell, margin + index * columnWidth, top, { width: columnWidth - 8 });
        bottom = Math.max(bottom, document.y);
      });
      document.x = margin;
      document.y = bottom;
    } else {
      const heading = /^(?:\d+\.|Appendix)\s/.test(line);
      document
        .font(heading ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(heading ? 13 : 11)
        .text(line, margin, document.y, { width: textWidth, align });
    }
  }
  const pages = document.bufferedPageRange();
  for (let index = 0; index < pages.count; index += 1) {
    document.switchToPage(index);
    // Header and footer sit in the page margins, where pdfkit would otherwise start a new page.
    const bottomMargin = document.page.margins.bottom;
    document.page.margins.bottom = 0;
    document.font('Helvetica').fontSize(9).text(options.header, margin, 40, { lineBreak: false });
    document.text(
      `Page ${index + 1} of ${pages.count}`,
      document.page.width / 2 - 25,
      document.page.height - 50,
      {
        lineBreak: false,
      },
    );
    document.page.margins.bottom = bottomMargin;
  }
  document.end();
  return finished;
}
