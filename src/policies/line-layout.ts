/**
 * The structure parser reads one paragraph per line, as Word's own text export writes it. Text and
 * Markdown files are often wrapped by hand or by an editor at a fixed width instead; read as lines,
 * the first line of every wrapped clause would look like a heading with the rest as its text.
 */

/**
 * A line that starts a paragraph of its own whatever the line before it: a bullet, a numbered or
 * lettered list item, a clause number ("3.5", "6.1.2").
 */
export const listOrClauseStart =
  /^\s{0,3}(?:[-*+•·▪◦●‣∙–]\s|\d+[.)]\s|\d+(?:\.\d+)+\.?\s|\(?[a-z]\)\s|\(?[ivx]+\)\s)/i;

/** Markdown's other blocks: heading, table row, quote, fence, rule. */
const markdownBlockStart = /^\s{0,3}(?:#{1,6}\s|>|\||```|~~~|(?:-{3,}|\*{3,}|_{3,})\s*$)/;

/** A line that is only bold text, which the structure parser reads as a heading. */
const boldOnly = /^\s*(?:\*\*|__)[^*_]+(?:\*\*|__):?\s*$/;

const tableRow = /^\s*\|.*\|\s*$/;
const tableDivider = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/**
 * Markdown as the policy parser reads it: a pipe table becomes tab-separated rows (its separator
 * row dropped), and paragraphs wrapped at a fixed width are rejoined as for plain text. Lines are
 * not otherwise joined as Markdown would show them: policies converted to `.md` keep a paragraph a
 * line and set plain one-line headings above their text, which the parser reads as headings.
 */
export function markdownToPolicyText(markdown: string): string {
  const lines = markdown
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => !(tableDivider.test(line) && /\|/.test(line)))
    .map((line) =>
      tableRow.test(line)
        ? line
            .trim()
            .replace(/^\|/, '')
            .replace(/\|$/, '')
            .split('|')
            .map((cell) => cell.trim())
            .join('\t')
        : line,
    );
  return unwrapHardWrappedText(lines.join('\n'));
}

/** A clause number and the tab after it, as Word's text export writes "3.5.<tab>Staff must…". */
const clauseNumberTab = /^\s*\d+(?:\.\d+)*\.?\t/;

/** Editors wrap a little short of their width now and then (a hyphen, a trailing space). */
const wrapSlack = 2;

/** Lines in a text that is wrapped at a fixed width are at most this long. */
const maxWrapWidth = 120;

/**
 * Plain text wrapped at a fixed width, its paragraphs rejoined; text written one paragraph per line
 * (as the five real policies and Word's export are) is returned unchanged. A text counts as wrapped
 * when its long lines all stop at nearly the same width, well short of a paragraph's length.
 */
export function unwrapHardWrappedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // Table rows are as long as their cells make them, wrapped or not.
  const lengths = lines
    .filter((line) => !/\S\t/.test(line))
    .map((line) => line.trimEnd().length)
    .filter((length) => length > 0);
  if (lengths.length < 10) return text;
  const sorted = [...lengths].sort((left, right) => left - right);
  const width = sorted[Math.floor(sorted.length * 0.98)];
  const nearWidth = lengths.filter((length) => length >= width * 0.8).length;
  const beyond = lengths.filter((length) => length > maxWrapWidth).length;
  if (width > maxWrapWidth || beyond > 0 || nearWidth < Math.max(5, lengths.length * 0.25)) return text;
  const output: string[] = [];
  let previous: string | undefined;
  for (const line of lines) {
    const trimmed = line.trim();
    const firstWord = trimmed.split(/\s+/)[0] ?? '';
    // The line before was wrapped where the next word would not fit, or it stops mid-sentence
    // before a lower-case word.
    const wrapped =
      previous !== undefined &&
      trimmed.length > 0 &&
      !/\S\t/.test(previous.replace(clauseNumberTab, '')) &&
      !/\t/.test(line) &&
      !listOrClauseStart.test(line) &&
      !markdownBlockStart.test(line) &&
      !boldOnly.test(line) &&
      !boldOnly.test(previous) &&
      (previous.trimEnd().length + 1 + firstWord.length > width - wrapSlack ||
        (!/[.:;!?]["”’)]?$/.test(previous.trimEnd()) && /^[a-z]/.test(trimmed)));
    if (wrapped) {
      const joined = `${output[output.length - 1].trimEnd()} ${trimmed}`;
      output[output.length - 1] = joined;
      previous = line;
      continue;
    }
    output.push(line);
    previous = trimmed.length > 0 ? line : undefined;
  }
  return output.join('\n');
}
