import { cleanConvertedText, plainInline } from './clean-text';
import type { PolicySection } from './types';

/**
 * Turns cleaned policy text into sections. Real policies mix numbered clauses (`3.5.<tab>text`),
 * numbered headings (`6.1 Teaching and Learning`), markdown/bold headings, plain one-line headings,
 * tables and contents pages; the rules below are ordered from most to least certain.
 */

export interface ParsedStructure {
  sections: PolicySection[];
  /** Cleaned lines before the first section (title page, approval tables), tabs kept for metadata. */
  frontLines: string[];
  /** Heading text of the first markdown H1 when the document starts with one. */
  markdownTitle?: string;
  /** Numbered ids listed on a contents page, to check that each one was found in the body. */
  contentsIds: string[];
  contentsSkipped: boolean;
  /** Numbers that looked like sections but broke the sequence, for the outline warnings. */
  warnings: string[];
}

type Item =
  | { kind: 'blank' }
  | { kind: 'line'; text: string; continuation: boolean }
  | { kind: 'table'; rows: string[][]; hasHeader: boolean; raw: string[] };

const contentsHeading = /^(?:table of )?contents(?: page)?:?$/i;
const contentsEntry = /(?:\t\s*\d{1,3}|\s{2,}\d{1,3})\s*$/;
const numberedLine = /^\s*(\d{1,2}(?:\.\d{1,2}){0,3})(\.?)[ \t]+(\S.*)$/;
const appendixLine = /^(appendix|annex|annexe|schedule)\s+(\d{1,2}|[A-Z])\b[\s.:–—-]*(.*)$/i;
const markdownHeading = /^(#{1,6})\s+(.+?)\s*#*$/;
const boldOnlyLine = /^(?:\*\*|__)([^*_].*?)(?:\*\*|__):?$/;
const modalWords = /\b(will|must|shall|should|can|could|are|is|we|was|were|has|have)\b/i;
const leadInWords =
  /\b(will|must|may|shall|should|can|could|are|is|be|include|includes|including|following|that|to|we|our|they|these)\b/i;

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function hasInteriorTab(line: string): boolean {
  return /\S\t+\S/.test(line) || /\S\t+$/.test(line.trimStart());
}

function splitCells(line: string): string[] {
  const cells = line.split('\t').map((cell) => plainInline(cell));
  while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

function looksLikeHeaderRow(cells: string[]): boolean {
  return (
    cells.length >= 2 && cells.every((cell) => cell.length > 0 && cell.length <= 60 && !/[.;]$/.test(cell))
  );
}

/** Groups raw lines into blank lines, text lines and tables; skips contents pages on the way. */
function toItems(lines: string[]): { items: Item[]; contentsIds: string[]; contentsSkipped: boolean } {
  const items: Item[] = [];
  const contentsIds: string[] = [];
  let contentsSkipped = false;
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (isBlank(line) && !/^\t$/.test(line)) {
      items.push({ kind: 'blank' });
      index += 1;
      continue;
    }
    const plain = plainInline(line.replace(/^#+\s*/, ''));
    if (contentsHeading.test(plain)) {
      contentsSkipped = true;
      index = skipContents(lines, index + 1, contentsIds);
      continue;
    }
    if (contentsEntry.test(line) && numberedLine.test(line) && /\t/.test(line)) {
      // A stray contents entry (`6.2 Assessment<tab>4`) outside a recognised contents page.
      index += 1;
      continue;
    }
    if (/^\t/.test(line) && !numberedLine.test(line)) {
      const table = readCellPerLineTable(lines, index);
      if (table) {
        items.push(table.item);
        index = table.next;
        continue;
      }
    }
    if (hasInteriorTab(line) && !numberedLine.test(line)) {
      const raw: string[] = [];
      let cursor = index;
      while (cursor < lines.length) {
        if (hasInteriorTab(lines[cursor]) && !numberedLine.test(lines[cursor])) {
          raw.push(lines[cursor]);
          cursor += 1;
        } else if (
          isBlank(lines[cursor]) &&
          cursor + 1 < lines.length &&
          hasInteriorTab(lines[cursor + 1]) &&
          !numberedLine.test(lines[cursor + 1])
        ) {
          cursor += 1;
        } else break;
      }
      const rows = raw
        .map(splitCells)
        .filter((cells) => cells.length > 0 && !cells.every((cell) => /^-+$/.test(cell)));
      const hasHeader = rows.length >= 2 && looksLikeHeaderRow(rows[0]);
      items.push({ kind: 'table', rows, hasHeader, raw });
      index = cursor;
      continue;
    }
    const continuation = / {4,}/.test(line.slice(0, 4)) && !/^\s*-\s/.test(line);
    items.push({ kind: 'line', text: line.replace(/\t+/g, ' '), continuation });
    index += 1;
  }
  return { items, contentsIds, contentsSkipped };
}

function skipContents(lines: string[], start: number, contentsIds: string[]): number {
  let index = start;
  while (index < lines.length && isBlank(lines[index])) index += 1;
  const listed = new Set<string>();
  const entryKey = (line: string): string =>
    plainInline(line.replace(contentsEntry, ''))
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const note = (line: string): void => {
    const match = numberedLine.exec(line.replace(contentsEntry, ''));
    if (match) contentsIds.push(match[1]);
    const appendix = appendixLine.exec(plainInline(line));
    if (appendix) contentsIds.push(`Appendix ${appendix[2]}`);
    listed.add(entryKey(line));
  };
  for (;;) {
    while (index < lines.length && !isBlank(lines[index])) {
      // A heading the contents already listed, now without a page number: the body has begun (a
      // PDF or a tight layout may leave no blank line between the contents and the first section).
      if (!contentsEntry.test(lines[index]) && listed.has(entryKey(lines[index]))) return index;
      note(lines[index]);
      index += 1;
    }
    // Contents pages converted with a blank line between entries: keep skipping while lines still
    // carry page numbers.
    let lookahead = index;
    while (lookahead < lines.length && isBlank(lines[lookahead])) lookahead += 1;
    if (lookahead < lines.length && contentsEntry.test(lines[lookahead])) index = lookahead;
    else return index;
  }
}

/** Word tables exported one cell per line, each cell starting with a tab (header cells then blank line). */
function readCellPerLineTable(lines: string[], start: number): { item: Item; next: number } | undefined {
  const cells: string[] = [];
  const raw: string[] = [];
  let headerCount = 0;
  let index = start;
  let previousBlank = false;
  while (index < lines.length) {
    const line = lines[index];
    if (/^\t/.test(line) && !numberedLine.test(line)) {
      cells.push(plainInline(line));
      previousBlank = false;
    } else if (isBlank(line)) {
      if (headerCount === 0) headerCount = cells.length;
      previousBlank = true;
    } else if (!previousBlank && cells.length > 0 && !numberedLine.test(line)) {
      cells[cells.length - 1] = `${cells[cells.length - 1]}\n${plainInline(line)}`;
    } else break;
    raw.push(line);
    index += 1;
  }
  if (headerCount < 2 || cells.length <= headerCount) return undefined;
  const rows: string[][] = [];
  for (let offset = 0; offset < cells.length; offset += headerCount)
    rows.push(cells.slice(offset, offset + headerCount));
  return { item: { kind: 'table', rows, hasHeader: true, raw }, next: index };
}

function cellText(cell: string): string {
  return cell
    .split('\n')
    .map((part) => part.replace(/^-\s+/, '').trim())
    .filter((part) => part.length > 0)
    .join(', ');
}

/** A row that reads on its own: `Header: cell; Header: cell`. */
export function renderRow(header: string[] | undefined, cells: string[]): string {
  const values = cells.map(cellText);
  if (!header) return values.filter((value) => value.length > 0).join(' | ');
  const parts: string[] = [];
  values.forEach((value, position) => {
    if (value.length === 0) return;
    const label = (header[position] ?? '').replace(/\s*:\s*$/, '').trim();
    parts.push(label ? `${label}: ${value}` : value);
  });
  return parts.join('; ');
}

function renderKeyValueRow(cells: string[]): string {
  const values = cells.map(cellText).filter((value) => value.length > 0);
  if (values.length % 2 !== 0) return values.join(' | ');
  const pairs: string[] = [];
  for (let position = 0; position < values.length; position += 2) {
    pairs.push(`${values[position].replace(/:\s*$/, '')}: ${values[position + 1]}`);
  }
  return pairs.join('; ');
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

export function isHeadingLike(text: string, maxWords = 12, maxLength = 90): boolean {
  if (text.length === 0 || text.length > maxLength || wordCount(text) > maxWords) return false;
  if (/[.;,!?]$/.test(text)) return false;
  if (text.endsWith(':') && (leadInWords.test(text) || /^(this|these|it|all|each|any)\b/i.test(text)))
    return false;
  return /^[A-Z0-9“"'‘(]/.test(text);
}

function isPlainHeading(text: string): boolean {
  if (!isHeadingLike(text, 10, 80)) return false;
  if (/^-\s/.test(text) || /^\S+:\s/.test(text)) return false;
  if (modalWords.test(text)) return false;
  if (text.endsWith(':') && wordCount(text) > 7) return false;
  return true;
}

interface StackEntry {
  level: number;
  label: string;
  heading: string;
  numbered: boolean;
}

export function parseStructure(rawText: string): ParsedStructure {
  const cleaned = cleanConvertedText(rawText);
  const lines = cleaned.split('\n');
  const first = parseItems(lines, false);
  if (first.sections.some((section) => !section.frontMatter)) return first;
  // No numbered or marked-up headings at all: let plain one-line headings start sections from the top.
  return parseItems(lines, true);
}

function parseItems(lines: string[], plainHeadingsFromStart: boolean): ParsedStructure {
  const { items, contentsIds, contentsSkipped } = toItems(lines);
  const sections: PolicySection[] = [];
  const frontLines: string[] = [];
  const warnings: string[] = [];
  let markdownTitle: string | undefined;
  const stack: StackEntry[] = [];
  let inFront = !plainHeadingsFromStart;
  let lastTop = 0;
  let listCounter = 0;
  let inAppendix = false;
  /**
   * Inside an appendix, a sub-heading's text is cited as the appendix ("Appendix 1"), the way staff
   * and the policy's own cross-references name it; the sub-heading stays the passage's heading.
   */
  let appendixId: string | undefined;
  let sawNumberedTop = false;
  const front: PolicySection = {
    id: 'Document information',
    heading: 'Document information',
    headingPath: ['Document information'],
    level: 1,
    units: [],
    frontMatter: true,
  };
  let current: PolicySection = front;

  const open = (entry: StackEntry, id: string, heading: string): void => {
    while (stack.length > 0 && stack[stack.length - 1].level >= entry.level) stack.pop();
    stack.push(entry);
    current = {
      id,
      heading,
      headingPath: stack.map((item) => item.label),
      level: entry.level,
      units: [],
      frontMatter: false,
    };
    sections.push(current);
    inFront = false;
    listCounter = 0;
  };
  const parentHeading = (level: number): string | undefined => {
    for (let position = stack.length - 1; position >= 0; position -= 1) {
      if (stack[position].level < level) return stack[position].heading;
    }
    return undefined;
  };
  const numberedLevel = (): number => {
    for (let position = stack.length - 1; position >= 0; position -= 1) {
      if (stack[position].numbered) return stack[position].level;
    }
    return 0;
  };
  const addUnit = (text: string, joinable: boolean): void => {
    const units = current.units;
    const previous = units[units.length - 1];
    if (joinable && previous !== undefined && !/^-\s/.test(previous) && !/[.:;!?]$/.test(previous)) {
      units[units.length - 1] = `${previous} ${text}`;
    } else units.push(text);
  };

  for (let position = 0; position < items.length; position += 1) {
    const item = items[position];
    if (item.kind === 'blank') continue;
    const blankBefore = position === 0 || items[position - 1].kind === 'blank';
    const nextItem = items[position + 1];
    const blankAfter = nextItem === undefined || nextItem.kind === 'blank';

    if (item.kind === 'table') {
      if (inFront) {
        frontLines.push(...item.raw);
        item.rows.forEach((cells) => current.units.push(renderKeyValueRow(cells)));
      } else {
        const header = item.hasHeader ? item.rows[0] : undefined;
        item.rows
          .slice(item.hasHeader ? 1 : 0)
          .forEach((cells) => current.units.push(renderRow(header, cells)));
      }
      continue;
    }

    const rawLine = item.text;
    if (item.continuation && current.units.length > 0) {
      current.units[current.units.length - 1] += ` ${plainInline(rawLine)}`;
      continue;
    }

    const markdown = markdownHeading.exec(rawLine.trim());
    const bold = markdown ? undefined : boldOnlyLine.exec(rawLine.trim());
    if (markdown || bold) {
      const text = plainInline(markdown ? markdown[2] : (bold as RegExpExecArray)[1]).replace(/:$/, '');
      const hashes = markdown ? markdown[1].length : 2;
      // A document's first top heading is its title, unless it is numbered ("1. Introduction"):
      // then the document has no title heading and this is its first section.
      if (hashes === 1 && markdownTitle === undefined && sections.length === 0 && !numberedLine.test(text)) {
        markdownTitle = text;
        frontLines.push(text);
        continue;
      }
      const numbered = numberedLine.exec(text);
      if (numbered && acceptsNumber(numbered[1], true)) {
        openNumbered(numbered[1], numbered[3]);
        continue;
      }
      const appendix = appendixLine.exec(text);
      if (appendix) {
        openAppendix(appendix);
        continue;
      }
      const level = Math.max(1, markdownTitle !== undefined ? hashes - 1 : hashes);
      // A heading at the appendix's own level ends it.
      if (level <= 1) appendixId = undefined;
      open({ level, label: text, heading: text, numbered: false }, appendixId ?? text, text);
      continue;
    }

    const plain = plainInline(rawLine);
    const numbered = numberedLine.exec(plain);
    if (numbered && !inAppendix) {
      if (acceptsNumber(numbered[1], isHeadingLike(plainInline(numbered[3])))) {
        openNumbered(numbered[1], numbered[3]);
        continue;
      }
      const parts = numbered[1].split('.');
      if (parts.length === 1) listCounter = Number(parts[0]);
      if (inFront) frontLines.push(rawLine);
      addUnit(plain, false);
      continue;
    }

    const appendix = appendixLine.exec(plain);
    if (appendix && isHeadingLike(appendix[3] || 'Appendix', 25, 170) && blankBefore) {
      openAppendix(appendix);
      continue;
    }

    if (
      (!inFront || plainHeadingsFromStart) &&
      blankBefore &&
      blankAfter &&
      isPlainHeading(plain) &&
      hasBodyAfter(items, position)
    ) {
      const level = numberedLevel() + 1;
      const text = plain.replace(/:$/, '');
      open({ level, label: text, heading: text, numbered: false }, appendixId ?? text, text);
      continue;
    }

    if (inFront) frontLines.push(rawLine);
    const joinable = blankBefore && /^[a-z]/.test(plain);
    addUnit(plain, joinable);
  }

  function acceptsNumber(number: string, headingLike: boolean): boolean {
    const parts = number.split('.').map(Number);
    const top = parts[0];
    if (parts.some((part) => part === 0 && parts.length === 1)) return false;
    if (parts.length === 1) {
      if (listCounter > 0 && top === listCounter + 1 && top !== lastTop + 1) return false;
      if (listCounter > 0 && top === listCounter + 1 && !headingLike) return false;
      if (top === lastTop + 1) return headingLike || sawNumberedTop || lastTop === 0;
      if (top === lastTop + 2 && headingLike && lastTop > 0) {
        warnings.push(`Section ${lastTop + 1} is missing: numbering jumps from ${lastTop} to ${top}.`);
        return true;
      }
      return false;
    }
    if (top === lastTop) return true;
    if (top === lastTop + 1) return true;
    // Subsections under unnumbered top-level headings (e.g. `4.1` under a bold "Definitions").
    return !sawNumberedTop;
  }

  function openNumbered(number: string, rest: string): void {
    const parts = number.split('.').map(Number);
    const text = plainInline(rest);
    const level = parts.length;
    if (parts.length === 1 || parts[0] === lastTop + 1) {
      if (parts.length === 1) sawNumberedTop = true;
      lastTop = parts[0];
      listCounter = 0;
    }
    inAppendix = false;
    appendixId = undefined;
    if (isHeadingLike(text)) {
      const heading = text.replace(/:$/, '');
      const label = level === 1 ? `${number}. ${heading}` : `${number} ${heading}`;
      open({ level, label, heading, numbered: true }, number, heading);
      return;
    }
    // A clause: numbered paragraph under its section heading.
    const heading = parentHeading(level) ?? number;
    open({ level, label: number, heading, numbered: true }, number, heading);
    current.units.push(text);
  }

  function openAppendix(match: RegExpExecArray): void {
    const id = `${match[1][0].toUpperCase()}${match[1].slice(1).toLowerCase()} ${match[2]}`;
    const heading = plainInline(match[3] ?? '').replace(/^[-–—:.\s]+/, '') || id;
    inAppendix = true;
    appendixId = id;
    // Marked as numbered so that plain sub-headings inside the appendix nest under it.
    open(
      { level: 1, label: heading === id ? id : `${id} – ${heading}`, heading, numbered: true },
      id,
      heading,
    );
  }

  const all = front.units.length > 0 ? [front, ...sections] : sections;
  return { sections: all, frontLines, markdownTitle, contentsIds, contentsSkipped, warnings };
}

/** A one-line heading must introduce something: not the last line of a document or of an appendix. */
function hasBodyAfter(items: Item[], position: number): boolean {
  for (let cursor = position + 1; cursor < items.length; cursor += 1) {
    const item = items[cursor];
    if (item.kind === 'blank') continue;
    if (item.kind === 'table') return true;
    const text = plainInline(item.text);
    const numbered = numberedLine.exec(text);
    // A following `1. …` starts a list under this heading; a later number is the next section.
    if (numbered && numbered[1] !== '1' && isHeadingLike(text)) return false;
    if (appendixLine.test(text)) return false;
    return true;
  }
  return false;
}
