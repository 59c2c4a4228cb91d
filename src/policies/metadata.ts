import type { Clock } from '../shared/clock';
import type { PolicyDocumentMeta } from '../qa/types';
import type { PolicySection } from './types';

const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const monthPattern =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

export interface PolicyDate {
  /** The words as the policy states them, e.g. `Spring Term 2026`. */
  text: string;
  /** Set when the policy gives a day. */
  iso?: string;
  /** Last day of the stated period: the day the date has certainly passed after. */
  endOfPeriod: string;
}

function isoDate(year: number, monthIndex: number, day: number): string {
  return `${year}-${String(monthIndex + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function lastDayOfMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

function monthIndexOf(word: string): number {
  const lower = word.toLowerCase();
  return months.findIndex((month) => month.startsWith(lower.slice(0, 3)));
}

/** Finds the first date in a piece of text: `30th April 2026`, `22/05/2026`, `May 2027`, `Spring Term 2026`. */
export function findDate(text: string): PolicyDate | undefined {
  const candidates: { index: number; date: PolicyDate }[] = [];
  const dayMonthYear = new RegExp(
    `\\b(\\d{1,2})\\s*(?:st|nd|rd|th)?\\s+${monthPattern}\\.?,?\\s+(\\d{4})\\b`,
    'i',
  ).exec(text);
  if (dayMonthYear) {
    const year = Number(dayMonthYear[3]);
    const month = monthIndexOf(dayMonthYear[2]);
    const day = Number(dayMonthYear[1]);
    if (month >= 0 && day >= 1 && day <= lastDayOfMonth(year, month)) {
      const iso = isoDate(year, month, day);
      candidates.push({ index: dayMonthYear.index, date: { text: dayMonthYear[0], iso, endOfPeriod: iso } });
    }
  }
  const numeric = /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/.exec(text);
  if (numeric) {
    const year = numeric[3].length === 2 ? 2000 + Number(numeric[3]) : Number(numeric[3]);
    const month = Number(numeric[2]) - 1;
    const day = Number(numeric[1]);
    if (month >= 0 && month < 12 && day >= 1 && day <= lastDayOfMonth(year, month)) {
      const iso = isoDate(year, month, day);
      candidates.push({ index: numeric.index, date: { text: numeric[0], iso, endOfPeriod: iso } });
    }
  }
  const monthYear = new RegExp(`\\b${monthPattern}\\.?,?\\s+(\\d{4})\\b`, 'i').exec(text);
  if (monthYear) {
    const year = Number(monthYear[2]);
    const month = monthIndexOf(monthYear[1]);
    if (month >= 0) {
      candidates.push({
        index: monthYear.index,
        date: { text: monthYear[0], endOfPeriod: isoDate(year, month, lastDayOfMonth(year, month)) },
      });
    }
  }
  // School terms: England's spring term can run to late April when Easter is late.
  const term = /\b(spring|summer|autumn)\s+(?:term\s+)?(\d{4})\b/i.exec(text);
  if (term) {
    const year = Number(term[2]);
    const season = term[1].toLowerCase();
    const end =
      season === 'autumn'
        ? isoDate(year, 11, 31)
        : season === 'spring'
          ? isoDate(year, 3, 30)
          : isoDate(year, 6, 31);
    candidates.push({ index: term.index, date: { text: term[0], endOfPeriod: end } });
  }
  if (candidates.length === 0) {
    const yearOnly = /\b(20\d{2})\b/.exec(text);
    if (yearOnly) {
      const year = Number(yearOnly[1]);
      candidates.push({
        index: yearOnly.index,
        date: { text: yearOnly[0], endOfPeriod: isoDate(year, 11, 31) },
      });
    }
  }
  candidates.sort(
    (left, right) => left.index - right.index || (right.date.iso ? 1 : 0) - (left.date.iso ? 1 : 0),
  );
  return candidates[0]?.date;
}

/** Looks for `label … date` on one line of the title page (tab- or colon-separated). */
function dateAfter(lines: string[], label: RegExp, exclude?: RegExp): PolicyDate | undefined {
  for (const line of lines) {
    const match = label.exec(line);
    if (!match) continue;
    const rest = line.slice(match.index + match[0].length);
    if (exclude && exclude.test(line.slice(0, match.index + match[0].length))) continue;
    const date = findDate(rest);
    if (date) return date;
  }
  return undefined;
}

function valueAfter(lines: string[], label: RegExp): string | undefined {
  for (const line of lines) {
    const match = label.exec(line);
    if (!match) continue;
    const rest = line
      .slice(match.index + match[0].length)
      .replace(/^[\s:\t-]+/, '')
      .split('\t')
      .map((cell) => cell.trim())
      .find((cell) => cell.length > 0);
    if (rest) return rest;
  }
  return undefined;
}

const policyTitle = /((?:[A-Z][\w&’'-]*|\(["“]?[A-Z]+["”]?\)|["“][A-Z]+["”])\s+){0,6}Polic(?:y|ies)\b/;

function findTitle(
  frontLines: string[],
  markdownTitle: string | undefined,
  sections: PolicySection[],
  source: string,
): string {
  if (markdownTitle) return markdownTitle;
  for (const line of frontLines) {
    const text = line.replace(/\t/g, ' ').trim();
    if (text.length > 0 && text.length <= 80 && !/[:\t]/.test(line) && /\bpolic(y|ies)\b/i.test(text))
      return text;
  }
  for (const section of sections.slice(0, 3)) {
    const match = policyTitle.exec(section.heading);
    if (match) return match[0].trim();
  }
  const first = frontLines.find((line) => line.trim().length > 0 && line.trim().length <= 80);
  return first?.trim() ?? source.replace(/\.[^.]+$/, '');
}

/** The trust's name: the most frequent capitalised run ending in Trust or (Learning) Partnership. */
export function findTrustName(text: string): string | undefined {
  const counts = new Map<string, number>();
  const run = /(?:[A-Z][A-Za-z’'-]+|&)(?:[ ]+(?:[A-Z][A-Za-z’'-]+|&))*/g;
  for (const match of text.matchAll(run)) {
    const words = match[0].split(/\s+/);
    while (words.length > 0 && !/^(Trust|Partnership)$/.test(words[words.length - 1])) words.pop();
    if (words[0] === 'The') words.shift();
    if (words.length < 2) continue;
    const generic = words
      .slice(0, -1)
      .every((word) => /^(Academy|Multi|School|Schools|Our|This|Local|Central|Trust|Learning)$/.test(word));
    if (generic) continue;
    const name = words.join(' ');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [name, count] of counts) {
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  return best;
}

function findOwner(frontLines: string[]): string | undefined {
  const value = valueAfter(
    frontLines,
    /\b(policy owner|responsible officer|postholder responsible|owner|author\/contact|contact)\b\s*[:\t]/i,
  );
  if (!value) return undefined;
  const trimmed = value
    .replace(/^contact:\s*/i, '')
    .replace(/\s+authors?:.*$/i, '')
    .trim();
  return trimmed.length > 0 && trimmed.length <= 80 ? trimmed : undefined;
}

export const defaultAskInstead =
  "your school's Data Protection Officer (DPO) or the senior leader responsible for AI";

export function extractMetadata(input: {
  source: string;
  fullText: string;
  frontLines: string[];
  markdownTitle?: string;
  sections: PolicySection[];
  clock: Clock;
}): PolicyDocumentMeta {
  const { source, fullText, frontLines, sections, clock } = input;
  const title = findTitle(
    frontLines,
    input.markdownTitle,
    sections.filter((section) => !section.frontMatter),
    source,
  );
  const trustName = findTrustName(fullText);
  const approved =
    dateAfter(frontLines, /\b(date ratified|ratified|date approved|approved|adopted)\b/i) ??
    dateAfter(frontLines, /^\s*date\b\s*[:\t]/i);
  const review =
    dateAfter(
      frontLines,
      /\b(date of next review|next review date|next review|review date|review due|reviewed by)\b/i,
    ) ??
    dateAfter(fullText.split('\n'), /\b(date of next review|next review date|next review|review due)\b/i);
  const owner = findOwner(frontLines);
  const mentionsDpo = /\bdata protection officer\b|\bDPO\b/i.test(fullText);
  const askInstead = owner
    ? `the policy owner (${owner})${mentionsDpo ? ' or the Data Protection Officer (DPO)' : ''}`
    : mentionsDpo
      ? 'the Data Protection Officer (DPO) named in the policy'
      : defaultAskInstead;
  const meta: PolicyDocumentMeta = { source, title, askInstead };
  if (trustName) meta.trustName = trustName;
  if (owner) meta.owner = owner;
  if (approved) meta.approvedOn = approved.iso ?? approved.text;
  if (review) {
    meta.nextReview = review.iso ?? review.text;
    meta.reviewDueBy = review.endOfPeriod;
    const endOfDueDay = new Date(`${review.endOfPeriod}T23:59:59.999Z`).getTime();
    meta.pastReview = clock.now().getTime() > endOfDueDay;
  }
  return meta;
}
