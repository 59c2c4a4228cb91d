import type { Answer } from './types';

/** One line of the `ask` CLI's JSON contract; field names and order are part of the contract. */
export interface AskResult {
  question: string;
  answered: boolean;
  answer: string;
  citations: { source: string; document: string; section: string; heading: string; quote: string }[];
  ms: number;
}

export function toAskResult(question: string, answer: Answer, milliseconds: number): AskResult {
  const ms = Math.round(milliseconds * 100) / 100;
  if (answer.kind === 'not-covered')
    return { question, answered: false, answer: answer.text, citations: [], ms };
  const text = answer.reviewWarning ? `${answer.text}\n\nNote: ${answer.reviewWarning}` : answer.text;
  return {
    question,
    answered: true,
    answer: text,
    citations: answer.citations.map((citation) => ({
      source: citation.source,
      document: citation.document,
      section: citation.section,
      heading: citation.heading,
      quote: citation.quote,
    })),
    ms,
  };
}

/** What a person wants to read in a terminal: the answer, then where each [n] comes from. */
export function formatForPerson(result: AskResult): string {
  const lines = [result.answer];
  if (result.citations.length > 0) {
    lines.push('', 'Sources:');
    result.citations.forEach((citation, position) => {
      const section = /^\d/.test(citation.section) ? `section ${citation.section}` : `“${citation.section}”`;
      const heading =
        citation.heading && citation.heading !== citation.section ? ` (${citation.heading})` : '';
      lines.push(`  [${position + 1}] ${citation.document}, ${section}${heading} — ${citation.source}`);
    });
  }
  return lines.join('\n');
}
