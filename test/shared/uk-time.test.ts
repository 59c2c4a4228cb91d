import { formatUkLocalInput, formatUkTime, parseUkLocalDateTime } from '../../src/shared/uk-time';

describe('UK local time for inputs', () => {
  it.each([
    ['2025-01-14T09:30:00Z', '14/01/2025 09:30'], // GMT
    ['2025-07-14T08:30:00Z', '14/07/2025 09:30'], // BST
    ['2025-03-30T00:59:00Z', '30/03/2025 00:59'], // the minute before the spring change
    ['2025-03-30T01:00:00Z', '30/03/2025 02:00'], // clocks go forward
    ['2025-10-25T23:00:00Z', '26/10/2025 00:00'], // midnight in BST
  ])('prefills %s as "%s", which reads back as the same instant', (instant, shown) => {
    expect(formatUkLocalInput(new Date(instant))).toBe(shown);
    expect(parseUkLocalDateTime(shown)?.toISOString()).toBe(new Date(instant).toISOString());
  });

  it('shows instants with the zone in force', () => {
    expect(formatUkTime(new Date('2025-10-26T01:30:00Z'))).toBe('Sun, 26 Oct 2025, 01:30 GMT');
  });
});
