import { validateFields, type FieldSpec } from '../../src/checklists/fields';
import { londonOffsetMinutes, parseUkLocalDateTime } from '../../src/shared/uk-time';

const specs: FieldSpec[] = [
  { name: 'reason', label: 'Reason', type: 'text', required: true, maxLength: 1000 },
  {
    name: 'choice',
    label: 'Decision',
    type: 'choice',
    required: true,
    choices: [{ value: 'a', title: 'A' }],
  },
  { name: 'flag', label: 'Flag', type: 'yes-no', required: true, defaultValue: false },
  { name: 'when', label: 'When', type: 'uk-date-time', required: false },
  { name: 'emails', label: 'Emails', type: 'email-list', required: false, maxItems: 2 },
];
const good = { reason: 'because', choice: 'a', flag: 'true' };

describe('field validation', () => {
  test.each([
    ['missing required text', { ...good, reason: undefined }, /"Reason" is required/],
    ['blank text', { ...good, reason: '   ' }, /"Reason" is required/],
    ['number instead of text', { ...good, reason: 42 }, /"Reason" must be text/],
    ['object instead of text', { ...good, reason: { $gt: '' } }, /"Reason" must be text/],
    [
      '100 KB reason',
      { ...good, reason: 'x'.repeat(100 * 1024) },
      /102,400 characters long; the limit is 1,000/,
    ],
    ['unknown choice', { ...good, choice: 'b' }, /one of the options/],
    ['toggle that is not yes/no', { ...good, flag: 'maybe' }, /yes or no/],
    ['impossible date', { ...good, when: '2025-02-30 10:00' }, /date and time/],
    ['bad address', { ...good, emails: 'not-an-address' }, /cannot read/],
    ['too many addresses', { ...good, emails: 'a@x.org b@x.org c@x.org' }, /limit is 2/],
  ])('%s is refused with a clear message', (_name, values, message) => {
    const result = validateFields(specs, values);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid')
      expect(result.problems.map((problem) => problem.message).join(' ')).toMatch(message);
  });

  test('a submit without values at all is refused', () => {
    expect(validateFields(specs, null)).toMatchObject({ kind: 'invalid' });
    expect(validateFields(specs, ['x'])).toMatchObject({ kind: 'invalid' });
  });

  test('good values are normalised: trimmed text, booleans, UTC instants, lower-case unique emails', () => {
    const result = validateFields(specs, {
      reason: '  because ',
      choice: 'a',
      flag: 'false',
      when: '2025-07-01 09:30',
      emails: 'A@X.org; a@x.org',
    });
    expect(result).toEqual({
      kind: 'valid',
      values: {
        reason: 'because',
        choice: 'a',
        flag: false,
        when: '2025-07-01T08:30:00.000Z',
        emails: ['a@x.org'],
      },
    });
  });

  test('a draft may leave required fields empty but not break the limits', () => {
    expect(validateFields(specs, {}, { requireAll: false })).toEqual({ kind: 'valid', values: {} });
    expect(validateFields(specs, { reason: 'x'.repeat(1001) }, { requireAll: false }).kind).toBe('invalid');
  });
});

describe('UK local time', () => {
  test.each([
    ['2025-01-15 09:30', '2025-01-15T09:30:00.000Z'],
    ['2025-07-15T09:30', '2025-07-15T08:30:00.000Z'],
    ['15/07/2025 09:30', '2025-07-15T08:30:00.000Z'],
    ['2025-03-30 00:30', '2025-03-30T00:30:00.000Z'],
    ['2025-03-30 02:30', '2025-03-30T01:30:00.000Z'],
    ['2025-10-26 01:30', '2025-10-26T00:30:00.000Z'],
    ['2025-07-15T09:30:00Z', '2025-07-15T09:30:00.000Z'],
    ['2025-07-15T09:30:00+02:00', '2025-07-15T07:30:00.000Z'],
  ])('%s is %s', (text, utc) => {
    expect(parseUkLocalDateTime(text)?.toISOString()).toBe(utc);
  });

  test.each(['2025-03-30 01:30', '2025-13-01 10:00', '31/04/2025 10:00', 'tomorrow', '2025-07-15 24:00'])(
    '%s is not a UK time',
    (text) => {
      expect(parseUkLocalDateTime(text)).toBeUndefined();
    },
  );

  test('the offset follows British Summer Time', () => {
    expect(londonOffsetMinutes(new Date('2025-01-01T12:00:00Z'))).toBe(0);
    expect(londonOffsetMinutes(new Date('2025-06-01T12:00:00Z'))).toBe(60);
  });
});
