/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * A one-paragraph-per-line policy as an editor wraps it at `width` columns: a clause's further lines
 * indented under its text, table rows (tab-separated) left alone, or written as Markdown pipe tables
 * under `##` headings with `markdown`.
 */
export function hardWrapPolicy(text: string, width: number, markdown = false): string {
  const output: string[] = [];
  for (const line of text.split('\n')) {
    const clause = /^(\d+(?:\.\d+)*\.?)\t(.*)$/.exec(line);
    if (clause) {
      const indent = ' '.repeat(clause[1].length + 1);
      wrapWords(clause[2], width - indent.length).forEach((part, index) =>
        output.push(`${index === 0 ? `${clause[1]} ` : indent}${part}`),
      );
    } else if (line.includes('\t')) {
      const cells = line.split('\t');
      output.push(markdown ? `| ${cells.join(' | ')} |` : line);
      if (markdown && output.length >= 2 && !output[output.length - 2].startsWith('|'))
        output.push(`|${cells.map(() => '---').join('|')}|`);
    } else if (markdown && /^(?:\d+\.|Appendix)\s/.test(line)) {
      output.push(`## ${line}`);
    } else {
      output.push(...(line.trim().length === 0 ? [''] : wrapWords(line, width)));
    }
  }
  return output.join('\n');
}
