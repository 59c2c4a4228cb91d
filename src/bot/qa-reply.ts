import type { Activity } from 'botbuilder';
import type { Answer, Citation } from '../qa/types';

/** Teams limits from the citation docs: at most 20 citations, title ≤ 80 chars, abstract ≤ 160. */
const maximumCitations = 20;
const maximumTitle = 80;
const maximumAbstract = 160;

function clip(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : flat.slice(0, limit - 1).trimEnd() + '…';
}

export function citationTitle(citation: Citation): string {
  const section = /^\d/.test(citation.section) ? `§${citation.section}` : citation.section;
  const heading = citation.heading && citation.heading !== citation.section ? ` ${citation.heading}` : '';
  return clip(`${section}${heading} — ${citation.document}`, maximumTitle);
}

/**
 * The reply for a policy answer: text with [n] markers, Teams citation entities, the "AI generated"
 * label and the feedback buttons. teams-ai's SAY action only emits citations from a planner's
 * context, and this answer comes from our own retrieval, so the activity is built here.
 */
export function answerActivity(answer: Answer): Partial<Activity> {
  if (answer.kind === 'not-covered') {
    // The text already names who to ask.
    const lines = [answer.personalDataNotice, answer.text].filter(Boolean);
    return { type: 'message', text: lines.join('\n\n'), textFormat: 'markdown' };
  }
  // Teams lists every citation entity under the answer; one the text never marks would look like a
  // source for a statement that is not there. Positions keep their numbers so [n] still points at n.
  const numbered = answer.citations.map((citation, index) => ({ citation, position: index + 1 }));
  const marked = numbered.filter(({ position }) => answer.text.includes(`[${position}]`));
  const citations = (marked.length > 0 ? marked : numbered)
    .slice(0, maximumCitations)
    .map(({ citation, position }) => ({
      '@type': 'Claim',
      position,
      appearance: {
        '@type': 'DigitalDocument',
        name: citationTitle(citation),
        abstract: clip(citation.quote, maximumAbstract),
        keywords: [citation.section].filter(Boolean).slice(0, 3),
      },
    }));
  const text = [answer.personalDataNotice, answer.text, answer.reviewWarning].filter(Boolean).join('\n\n');
  return {
    type: 'message',
    text,
    textFormat: 'markdown',
    channelData: { feedbackLoopEnabled: true },
    entities: [
      {
        type: 'https://schema.org/Message',
        '@type': 'Message',
        '@context': 'https://schema.org',
        '@id': '',
        additionalType: ['AIGeneratedContent'],
        citation: citations,
      },
    ],
  };
}
