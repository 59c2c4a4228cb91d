const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "14/03/2025 09:30" in UK local time: the form `parseUkLocalDateTime` reads back, for prefilling inputs. */
export function formatUkLocalInput(when: Date): string {
  const parts = Object.fromEntries(partsFormatter.formatToParts(when).map((part) => [part.type, part.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${String(Number(parts.hour) % 24).padStart(2, '0')}:${parts.minute}`;
}
