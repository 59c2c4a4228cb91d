import { isAppError } from '../../src/shared/errors';
import { parseTrustRules } from '../../src/checklists/trust-rules';
import { exampleRules } from './fixtures';

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
