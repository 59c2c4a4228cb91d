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

/** e.g. "Sun, 26 Oct 2025, 01:30 GMT" */
export function formatUkTime(when: Date): string {
  return ukFormatter.format(when);
}

/**
 * People type meeting times in UK local time; we store UTC. Converting needs the offset in force in
 * Europe/London at that moment (GMT or BST), which Intl knows whatever the server's own zone is.
 */
const offsetFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

function londonParts(at: Date): Record<string, string> {
  return Object.fromEntries(offsetFormatter.formatToParts(at).map((part) => [part.type, part.value]));
}

/** Minutes that Europe/London is ahead of UTC at the given instant (0 or 60). */
export function londonOffsetMinutes(at: Date): number {
  const parts = londonParts(at);
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour) % 24,
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const localIso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})$/;
const localBritish = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ ,]+(\d{1,2}):(\d{2})$/;

/**
 * Reads "2025-03-14 09:30", "2025-03-14T09:30" or "14/03/2025 09:30" as UK local time, or an ISO
 * instant with its own offset. Returns undefined for anything else, including times that do not exist.
 * In the autumn hour that happens twice the earlier (BST) reading is taken.
 */
export function parseUkLocalDateTime(text: string): Date | undefined {
  const trimmed = text.trim();
  if (isoWithZone.test(trimmed)) {
    const when = new Date(trimmed);
    return Number.isNaN(when.getTime()) ? undefined : when;
  }
  let parts: number[] | undefined;
  const iso = localIso.exec(trimmed);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4]), Number(iso[5])];
  const british = localBritish.exec(trimmed);
  if (british)
    parts = [
      Number(british[3]),
      Number(british[2]),
      Number(british[1]),
      Number(british[4]),
      Number(british[5]),
    ];
  if (!parts) return undefined;
  const [year, month, day, hour, minute] = parts;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const wallClock = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wallClock);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  // Try the BST reading first, then GMT; keep the one that reads back as the same wall-clock time.
  for (const offset of [60, 0]) {
    const candidate = new Date(wallClock - offset * 60000);
    if (londonOffsetMinutes(candidate) === offset) return candidate;
  }
  // The spring-forward gap (01:00–01:59 on the last Sunday of March) does not exist in UK time.
  return undefined;
}

/** "14/03/2025 09:30" in UK local time: the form `parseUkLocalDateTime` reads back, for prefilling inputs. */
export function formatUkLocalInput(when: Date): string {
  const parts = londonParts(when);
  return `${parts.day}/${parts.month}/${parts.year} ${String(Number(parts.hour) % 24).padStart(2, '0')}:${parts.minute}`;
}
