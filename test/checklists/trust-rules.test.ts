import * as path from 'node:path';
import { isAppError } from '../../src/shared/errors';
import { ManualClock } from '../../src/shared/clock';
import { loadPolicyDocuments, type PolicyDocument } from '../../src/policies';
import { parseTrustRules } from '../../src/checklists/trust-rules';
import { exampleRules, repoRoot } from './fixtures';

const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe('the example trust rules cite the bundled example policy', () => {
  let policy: PolicyDocument;
  beforeAll(async () => {
    const documents = await loadPolicyDocuments({
      paths: [path.join(repoRoot, 'policies', 'example')],
      clock: new ManualClock('2025-04-01T09:00:00Z'),
    });
    expect(documents).toHaveLength(1);
    policy = documents[0];
  });

  test.each(Object.keys(exampleRules().citations))(
    'citation "%s" names a real section, its heading and a word-for-word quote',
    (ruleId) => {
      const citation = exampleRules().citations[ruleId];
      expect(citation.document).toBe(policy.meta.title);
      const section = policy.sections.find((candidate) => candidate.id === citation.section);
      expect(section?.id).toBe(citation.section);
      expect(section?.heading).toBe(citation.heading);
      expect(squash(section?.units.join(' ') ?? '')).toContain(squash(citation.quote));
    },
  );

  test('the rules are the bundled trust’s own: name and DPO route', () => {
    const rules = exampleRules();
    expect(rules.trustName).toBe(policy.meta.trustName);
    expect(rules.dpia.route).toContain('dpo@brookvale.example');
  });
});

describe('trust rules', () => {
  test('the example trust cites its own policy sections for every rule the checklists use', () => {
    const rules = exampleRules();
    for (const ruleId of [
      rules.notetaker.dpiaRuleId,
      rules.notetaker.allowedSuppliersRuleId,
      rules.dpia.requiredRuleId,
      rules.dpia.routeRuleId,
    ]) {
      expect(rules.citations[ruleId as string]).toMatchObject({
        section: expect.any(String),
        heading: expect.any(String),
        quote: expect.any(String),
      });
    }
    expect(rules.notetaker.allowedSuppliers).toEqual(['Microsoft']);
  });

  const valid = `
trustName: T
internalDomains: [t.org]
citations:
  a: { document: D, section: '1', heading: H, quote: Q }
notetaker: { dpiaRuleId: a, noticeRuleId: a, objectionRuleId: a, externalAttendeeLine: L, defaultRetention: R }
dpia: { requiredRuleId: a, routeRuleId: a, route: ask }
`;
  test('a minimal file loads with defaults', () => {
    expect(parseTrustRules(valid, 'rules.yaml').dpia.reviewAfterMonths).toBe(12);
  });

  test.each([
    [
      'a rule id with no citation',
      valid.replace('requiredRuleId: a', 'requiredRuleId: b'),
      /dpia.requiredRuleId names rule "b"/,
    ],
    [
      'suppliers without a citation',
      valid.replace('dpiaRuleId: a,', 'dpiaRuleId: a, allowedSuppliers: [Microsoft],'),
      /allowedSuppliersRuleId/,
    ],
    [
      'a quote that is a whole policy',
      valid.replace('quote: Q', `quote: ${'q'.repeat(700)}`),
      /keep quotes under 600/,
    ],
    ['no trust name', valid.replace('trustName: T', ''), /trustName must be non-empty/],
  ])('%s is a configuration error', (_name, text, message) => {
    let caught: unknown;
    try {
      parseTrustRules(text, 'rules.yaml');
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'configuration')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
