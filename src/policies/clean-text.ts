/**
 * Removes debris that Word/PDF-to-text conversion leaves behind, without touching line structure:
 * the structure parser relies on line starts, tabs and blank lines.
 */
const namedEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  pound: '£',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[body.toLowerCase()] ?? whole;
  });
}

const bulletGlyphs = /^(\t*)[ ]*(?:[·•▪◦●‣∙]|-(?=\s)|\*(?=\s)|–(?=\s)|o(?=\t))\s*/;

export function cleanConvertedText(raw: string): string {
  let text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  text = text.replace(/[\u200B-\u200D\u2060]/g, '').replace(/\u00A0/g, ' ');
  // Word bookmarks and anchors survive as `[bookmark: _Toc…]`.
  text = text.replace(/\[bookmark:[^\]\n]*\]/gi, '');
  // Inline HTML fragments from rich-text cells: keep the words, drop the tags.
  text = text.replace(/<\/?(?:p|i|b|u|em|strong|span|div|br|sup|sub|font|a)(?:\s[^>\n]*)?\/?>/gi, ' ');
  text = decodeEntities(text);
  // Markdown links keep their text; bare autolinks keep the address.
  text = text.replace(/\[([^\]\n]+)\]\((?:[^)\n]*)\)/g, '$1');
  text = text.replace(/<(https?:\/\/[^>\s]+)>/g, '$1');
  const lines = text.split('\n').map((line) => {
    // Trailing tabs stay: a line holding only a tab is an empty table cell in cell-per-line tables.
    let cleaned = line.replace(/[ \f\v]+$/g, '');
    cleaned = cleaned.replace(bulletGlyphs, (_whole, tabs: string) => `${tabs}- `);
    // Contents-page leaders: `Purpose.......3`
    cleaned = cleaned.replace(/\.{4,}/g, ' ');
    return cleaned;
  });
  return lines.join('\n');
}

/** Strips markdown emphasis markers and collapses spaces inside one line of text. */
export function plainInline(text: string): string {
  // Most lines have no markup and single spaces: skip the regular expressions (parsing 1,000
  // policies calls this several times per line).
  if (!/[*_\t]| {2}/.test(text)) return text.trim();
  return text
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])\*(\S[^*]*?)\*(?=[\s).,;:]|$)/g, '$1$2')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
