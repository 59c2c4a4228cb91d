import { decodeEntities } from './clean-text';

/**
 * Mammoth's HTML is small and regular (h1–h6, p, ul/ol/li, table/tr/td, strong/em, a); turning it
 * into the same text shape as the plain-text exports lets one structure parser serve every format:
 * headings become markdown headings, list items bullets, table rows tab-separated lines.
 */
export function htmlToPolicyText(html: string): string {
  let text = html.replace(/\r?\n/g, ' ');
  text = text.replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_whole, level: string, inner: string) => {
    return `\n\n${'#'.repeat(Number(level))} ${stripTags(inner)}\n\n`;
  });
  text = text.replace(/<tr[^>]*>([\s\S]*?)<\/tr>/gi, (_whole, row: string) => {
    const cells = [...row.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/gi)].map((cell) =>
      stripTags(cell[1].replace(/<\/(p|li)>/gi, ' ')).replace(/\t/g, ' '),
    );
    return `\n${cells.join('\t')}\n`;
  });
  text = text.replace(/<\/?table[^>]*>/gi, '\n\n');
  // A paragraph that is wholly bold is how Word authors often mark a heading.
  text = text.replace(
    /<p[^>]*>\s*<strong>([^<]{1,120})<\/strong>\s*<\/p>/gi,
    (_whole, inner: string) => `\n\n**${inner.trim()}**\n\n`,
  );
  text = text.replace(/<li[^>]*>/gi, '\n- ').replace(/<\/li>/gi, '\n');
  text = text.replace(/<\/?(ul|ol)[^>]*>/gi, '\n\n');
  text = text.replace(/<p[^>]*>/gi, '\n\n').replace(/<\/p>/gi, '\n\n');
  text = text.replace(/<br\s*\/?>/gi, '\n');
  text = stripTagsKeepLines(text);
  return text
    .split('\n')
    .map((line) => line.replace(/[ ]+/g, ' ').replace(/^ /, '').replace(/ $/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function stripTags(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

function stripTagsKeepLines(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ''));
}
