/**
 * "Can I use <tool> for <purpose>?": the register says whether the tool is approved and for what;
 * the policy answerer supplies the policy's own words with citations. Unknown tools are "not
 * authorised" with the policy's route and an offer to start a DPIA.
 */
import type { Clock } from '../shared/clock';
import type { Citation, PolicyAnswerer } from '../qa/types';
import type { PolicyCitation } from '../checklists/engine';
import { effectiveStatus, type DpiaStatus, type ToolRecord, type ToolRegister } from './tool-register';

export interface ToolQuestion {
  toolName: string;
  purpose?: string;
}

export type ToolAnswer =
  | {
      kind: 'approved';
      tool: ToolRecord;
      /** `no` when the purpose asked about is not one the tool is approved for. */
      purposeMatch: 'yes' | 'no' | 'not-asked';
      text: string;
      conditions: string[];
      citations: Citation[];
    }
  | {
      kind: 'not-approved';
      tool: ToolRecord;
      status: DpiaStatus;
      text: string;
      citations: Citation[];
      offerDpia: boolean;
    }
  | {
      kind: 'unknown-tool';
      toolName: string;
      text: string;
      route: string;
      citations: Citation[];
      offerDpia: true;
    };

const questionPattern =
  /^\s*(?:please\s+)?(?:can|may|could|am\s+i\s+allowed\s+to|are\s+we\s+allowed\s+to|is\s+it\s+ok(?:ay)?\s+to)\s*(?:i|we|staff|teachers|pupils|students)?\s*(?:use|try)\s+(.+?)(?:\s+(?:for|to|with|in)\s+(.+?))?\s*[?.!]*\s*$/i;

/** Reads "can I use X for Y?" and its common variants; undefined when the message is not such a question. */
export function parseToolQuestion(text: string): ToolQuestion | undefined {
  if (text.length > 500) return undefined;
  const match = questionPattern.exec(text);
  if (!match) return undefined;
  const toolName = match[1].replace(/^(the|an?)\s+/i, '').trim();
  if (!toolName || toolName.split(/\s+/).length > 6) return undefined;
  return { toolName, purpose: match[2]?.trim() || undefined };
}

/** Words that name AI in general rather than a product; "AI tools" is a policy question, not a tool. */
const genericWords = new Set(
  [
    'ai',
    'tool',
    'tools',
    'generative',
    'artificial',
    'intelligence',
    'chatbot',
    'chatbots',
    'app',
    'apps',
    'software',
    'any',
    'some',
    'my',
    'our',
    'it',
    'this',
    'that',
    'these',
    'those',
    'a',
    'an',
    'the',
    'online',
    'free',
    'new',
  ].map((word) => word.toLowerCase()),
);

/**
 * True when the words look like a product's name (a capitalised or dotted word that is not just "AI"
 * or "tools"), so that "can I use Gemini?" is answered from the register while "can I use AI tools to
 * mark work?" stays an ordinary policy question.
 */
export function looksLikeToolName(name: string): boolean {
  return name
    .split(/\s+/)
    .filter((word) => !genericWords.has(word.toLowerCase().replace(/[^a-z0-9.]/g, '')))
    .some((word) => /^[A-Z0-9]/.test(word) || /\w\.\w/.test(word));
}

const stopWords = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'of',
  'for',
  'to',
  'with',
  'in',
  'on',
  'my',
  'our',
  'some',
  'help',
  'helping',
  'use',
  'using',
]);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 2 && !stopWords.has(word))
    .map((word) => word.replace(/(ing|es|s)$/, ''));
}

/** A purpose matches when most of its content words appear in one approved purpose. */
export function purposeApproved(purpose: string, approved: string[]): boolean {
  const wanted = words(purpose);
  if (wanted.length === 0) return false;
  return approved.some((entry) => {
    const have = new Set(words(entry));
    const hits = wanted.filter((word) => have.has(word)).length;
    return hits / wanted.length >= 0.5;
  });
}

export interface ToolQuestionOptions {
  register: ToolRegister;
  answerer: PolicyAnswerer;
  clock: Clock;
  /** Who to ask about a tool that is not authorised, in the policy's words. */
  route: string;
  routeCitation?: PolicyCitation;
  dpiaCitation?: PolicyCitation;
}

function toCitation(citation: PolicyCitation): Citation {
  return {
    source: citation.document,
    document: citation.document,
    section: citation.section,
    heading: citation.heading,
    quote: citation.quote,
  };
}

export class ToolQuestionService {
  constructor(private readonly options: ToolQuestionOptions) {}

  async answer(question: ToolQuestion): Promise<ToolAnswer> {
    const { register, clock } = this.options;
    const tool =
      (await register.findByName(question.toolName)) ?? (await register.findMentioned(question.toolName));
    const policyCitations = await this.policyCitations(question);
    if (!tool) {
      const citations = dedupe([
        ...this.configured(this.options.routeCitation, this.options.dpiaCitation),
        ...policyCitations,
      ]);
      return {
        kind: 'unknown-tool',
        toolName: question.toolName,
        // Worded for a name that may not be an AI tool at all ("Can I use Teams for…?").
        text: `${question.toolName} is not in the trust's AI tool register, so it is not authorised as an AI tool. Do not put personal data into it. To ask for it to be approved, start a DPIA; ${this.options.route}.`,
        route: this.options.route,
        citations,
        offerDpia: true,
      };
    }
    const status = effectiveStatus(tool, clock.now());
    if (status !== 'approved') {
      const why: Record<DpiaStatus, string> = {
        none: 'has no DPIA',
        draft: 'has a DPIA still being written',
        submitted: "has a DPIA waiting for the DPO's decision",
        approved: '',
        rejected: 'had its DPIA rejected',
        expired: 'is past its review date, so its approval has lapsed',
      };
      return {
        kind: 'not-approved',
        tool,
        status,
        text: `${tool.name} is in the register but ${why[status]}, so it is not approved for use yet.${
          status === 'submitted' ? '' : ` To change that, start a DPIA; ${this.options.route}.`
        }`,
        citations: dedupe([...this.configured(this.options.dpiaCitation), ...policyCitations]),
        offerDpia: status !== 'submitted',
      };
    }
    const purposeMatch = question.purpose
      ? purposeApproved(question.purpose, tool.approvedPurposes)
        ? 'yes'
        : 'no'
      : 'not-asked';
    const who = [
      tool.approvedUsers.staff ? 'staff' : '',
      tool.approvedUsers.pupils
        ? `pupils${tool.approvedUsers.ageRange ? ` (${tool.approvedUsers.ageRange})` : ''}`
        : '',
    ]
      .filter(Boolean)
      .join(' and ');
    const purposes =
      tool.approvedPurposes.length > 0 ? tool.approvedPurposes.join('; ') : 'no purposes listed';
    const lead =
      purposeMatch === 'yes'
        ? `Yes: ${tool.name} is approved for ${question.purpose}.`
        : purposeMatch === 'no'
          ? `${tool.name} is approved, but not for ${question.purpose}. Ask ${this.options.route.replace(/^ask\s+/i, '')} before using it for that.`
          : `${tool.name} is approved.`;
    const text = [
      lead,
      `Approved purposes: ${purposes}.`,
      `Approved for: ${who || 'nobody listed'}.`,
      tool.dpia.reference
        ? `DPIA ${tool.dpia.reference}${tool.reviewDate ? `, review due ${tool.reviewDate}` : ''}.`
        : '',
      tool.conditions.length > 0 ? `Conditions: ${tool.conditions.join('; ')}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return {
      kind: 'approved',
      tool,
      purposeMatch,
      text,
      conditions: tool.conditions,
      citations: policyCitations,
    };
  }

  private configured(...citations: (PolicyCitation | undefined)[]): Citation[] {
    return citations.filter((citation): citation is PolicyCitation => citation !== undefined).map(toCitation);
  }

  private async policyCitations(question: ToolQuestion): Promise<Citation[]> {
    const answer = await this.options.answerer.answer(
      `Can staff use ${question.toolName}${question.purpose ? ` for ${question.purpose}` : ''}? Which AI tools are approved?`,
    );
    return answer.kind === 'answered' ? answer.citations.slice(0, 3) : [];
  }
}

function dedupe(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((citation) => {
    const key = `${citation.document}|${citation.section}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
