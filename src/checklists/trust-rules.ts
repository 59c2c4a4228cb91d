/**
 * The trust's own rules for the checklists, read from configuration (config/trust-rules.*.yaml):
 * which policy section each stop cites, which suppliers may be used for minuting, which email
 * domains are the trust's own. The wording of a trust's policies lives in that file, never in code,
 * so a stop always cites the trust's own section.
 */
import { parse as parseYaml } from 'yaml';
import { AppError } from '../shared/errors';
import type { PolicyCitation } from './engine';

export interface TrustRules {
  trustName: string;
  /** Email domains of the trust's own staff; anyone else in a meeting is external. */
  internalDomains: string[];
  /** Rule id → the policy passage that states it. */
  citations: Record<string, PolicyCitation>;
  notetaker: {
    /** Rule: a DPIA must be approved before a notetaker is used. */
    dpiaRuleId: string;
    /** Rule: everyone must be told before the meeting starts. */
    noticeRuleId: string;
    /** Rule: what happens when someone objects. */
    objectionRuleId: string;
    /** When set, only tools from these suppliers may minute or transcribe meetings. */
    allowedSuppliers?: string[];
    allowedSuppliersRuleId?: string;
    /** The line shown to external attendees. */
    externalAttendeeLine: string;
    /** Suggested retention of notes, prefilled on the notice step. */
    defaultRetention: string;
  };
  dpia: {
    /** Rule: when a DPIA is required. */
    requiredRuleId: string;
    /** Rule: what a DPIA must contain (AI-specific questions). */
    contentsRuleId?: string;
    /** Rule: the route for a tool that is not authorised (who to ask). */
    routeRuleId: string;
    /** Who to ask, in the policy's words, e.g. "the DPO, dpo@…". */
    route: string;
    /** True when the trust's policy requires a DPIA for every new AI tool that touches personal data. */
    requiredForAnyNewAiWithPersonalData: boolean;
    /** Months from approval to the next review of a tool, written into the register. */
    reviewAfterMonths: number;
  };
}

const maximumQuote = 600;

export function citationFor(rules: TrustRules, ruleId: string | undefined): PolicyCitation | undefined {
  return ruleId ? rules.citations[ruleId] : undefined;
}

/** Reads and checks the trust rules file; every problem names the field so the IT lead can fix it. */
export function parseTrustRules(text: string, source: string): TrustRules {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw configProblem(
      source,
      `is not valid YAML/JSON (${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'})`,
    );
  }
  const root = objectAt(raw, source, '(top level)');
  const citationsRaw = objectAt(root.citations, source, 'citations');
  const citations: Record<string, PolicyCitation> = {};
  for (const [ruleId, value] of Object.entries(citationsRaw)) {
    const entry = objectAt(value, source, `citations.${ruleId}`);
    const quote = stringAt(entry.quote, source, `citations.${ruleId}.quote`);
    if (quote.length > maximumQuote) {
      throw configProblem(
        source,
        `citations.${ruleId}.quote is ${quote.length} characters; keep quotes under ${maximumQuote}`,
      );
    }
    citations[ruleId] = {
      ruleId,
      document: stringAt(entry.document, source, `citations.${ruleId}.document`),
      section: stringAt(String(entry.section ?? ''), source, `citations.${ruleId}.section`),
      heading: stringAt(entry.heading, source, `citations.${ruleId}.heading`),
      quote,
    };
  }
  const notetaker = objectAt(root.notetaker, source, 'notetaker');
  const dpia = objectAt(root.dpia, source, 'dpia');
  const rules: TrustRules = {
    trustName: stringAt(root.trustName, source, 'trustName'),
    internalDomains: stringListAt(root.internalDomains, source, 'internalDomains').map((domain) =>
      domain.toLowerCase(),
    ),
    citations,
    notetaker: {
      dpiaRuleId: stringAt(notetaker.dpiaRuleId, source, 'notetaker.dpiaRuleId'),
      noticeRuleId: stringAt(notetaker.noticeRuleId, source, 'notetaker.noticeRuleId'),
      objectionRuleId: stringAt(notetaker.objectionRuleId, source, 'notetaker.objectionRuleId'),
      allowedSuppliers:
        notetaker.allowedSuppliers === undefined
          ? undefined
          : stringListAt(notetaker.allowedSuppliers, source, 'notetaker.allowedSuppliers'),
      allowedSuppliersRuleId:
        notetaker.allowedSuppliersRuleId === undefined
          ? undefined
          : stringAt(notetaker.allowedSuppliersRuleId, source, 'notetaker.allowedSuppliersRuleId'),
      externalAttendeeLine: stringAt(
        notetaker.externalAttendeeLine,
        source,
        'notetaker.externalAttendeeLine',
      ),
      defaultRetention: stringAt(notetaker.defaultRetention, source, 'notetaker.defaultRetention'),
    },
    dpia: {
      requiredRuleId: stringAt(dpia.requiredRuleId, source, 'dpia.requiredRuleId'),
      contentsRuleId:
        dpia.contentsRuleId === undefined
          ? undefined
          : stringAt(dpia.contentsRuleId, source, 'dpia.contentsRuleId'),
      routeRuleId: stringAt(dpia.routeRuleId, source, 'dpia.routeRuleId'),
      route: stringAt(dpia.route, source, 'dpia.route'),
      requiredForAnyNewAiWithPersonalData: dpia.requiredForAnyNewAiWithPersonalData === true,
      reviewAfterMonths: numberAt(dpia.reviewAfterMonths ?? 12, source, 'dpia.reviewAfterMonths'),
    },
  };
  const referenced: [string, string | undefined][] = [
    ['notetaker.dpiaRuleId', rules.notetaker.dpiaRuleId],
    ['notetaker.noticeRuleId', rules.notetaker.noticeRuleId],
    ['notetaker.objectionRuleId', rules.notetaker.objectionRuleId],
    ['notetaker.allowedSuppliersRuleId', rules.notetaker.allowedSuppliersRuleId],
    ['dpia.requiredRuleId', rules.dpia.requiredRuleId],
    ['dpia.contentsRuleId', rules.dpia.contentsRuleId],
    ['dpia.routeRuleId', rules.dpia.routeRuleId],
  ];
  for (const [field, ruleId] of referenced) {
    if (ruleId !== undefined && !citations[ruleId]) {
      throw configProblem(source, `${field} names rule "${ruleId}", which is not under citations`);
    }
  }
  if (rules.notetaker.allowedSuppliers && !rules.notetaker.allowedSuppliersRuleId) {
    throw configProblem(
      source,
      'notetaker.allowedSuppliers is set without notetaker.allowedSuppliersRuleId (the policy section to cite)',
    );
  }
  return rules;
}

function configProblem(source: string, problem: string): AppError {
  return new AppError('configuration', `Trust rules file ${source}: ${problem}.`);
}

function objectAt(value: unknown, source: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configProblem(source, `${field} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw configProblem(source, `${field} must be non-empty text`);
  return value.trim();
}

function numberAt(value: unknown, source: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw configProblem(source, `${field} must be a positive whole number`);
  }
  return value;
}

function stringListAt(value: unknown, source: string, field: string): string[] {
  if (!Array.isArray(value)) throw configProblem(source, `${field} must be a list`);
  return value.map((item, index) => stringAt(item, source, `${field}[${index}]`));
}
