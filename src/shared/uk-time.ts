/** Everything is stored in UTC and shown to people in UK local time, whatever the server's zone. */
const ukFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
  timeZoneName: 'short',
});

/** e.g. "Sun 26 Oct 2025, 01:30 GMT" */
export function formatUkTime(when: Date): string {
  return ukFormatter.format(when);
}
