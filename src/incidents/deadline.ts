import { formatUkTime } from '../shared/uk-time';

/** UK GDPR Art. 33: a notifiable breach goes to the ICO within 72 hours of becoming aware of it. */
export const icoWindowHours = 72;

/** Elapsed hours, not wall-clock: across a clock change the UK time shown moves by an hour. */
export function icoDeadline(discoveredAt: Date): Date {
  return new Date(discoveredAt.getTime() + icoWindowHours * 3_600_000);
}

export interface DeadlineView {
  deadlineUtc: string;
  /** e.g. "Mon 31 Mar 2025, 11:00 BST" */
  shownUk: string;
  /** Whole hours left, rounded down; negative once passed. */
  hoursRemaining: number;
  overdue: boolean;
  /** One line for cards: "Mon 31 Mar 2025, 11:00 BST (40 hours left)". */
  summary: string;
}

export function describeDeadline(deadline: Date, now: Date): DeadlineView {
  const millisecondsLeft = deadline.getTime() - now.getTime();
  const hoursRemaining =
    millisecondsLeft >= 0
      ? Math.floor(millisecondsLeft / 3_600_000)
      : -Math.ceil(-millisecondsLeft / 3_600_000);
  const overdue = millisecondsLeft < 0;
  const shownUk = formatUkTime(deadline);
  const left = overdue
    ? `passed ${-hoursRemaining} hour${hoursRemaining === -1 ? '' : 's'} ago`
    : `${hoursRemaining} hour${hoursRemaining === 1 ? '' : 's'} left`;
  return {
    deadlineUtc: deadline.toISOString(),
    shownUk,
    hoursRemaining,
    overdue,
    summary: `${shownUk} (${left})`,
  };
}
