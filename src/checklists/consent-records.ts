/**
 * The notetaker consent record as people read it: the notice text to paste into an invite, one row
 * per checklist for the DPO's export (CSV/JSON). Times are stored in UTC and shown in UK time.
 */
import { formatUkTime } from '../shared/uk-time';
import type { ChecklistState } from './engine';
import { decisionTitles, outcomeTitles, type ConsentNotice, type NotetakerData } from './notetaker';

export function noticeText(notice: ConsentNotice): string {
  return [
    `AI notetaker notice for "${notice.meetingTitle}" (${formatUkTime(new Date(notice.meetingStartUtc))})`,
    `${notice.organiserName} plans to use ${notice.toolName} (${notice.supplier}) to take notes in this meeting.`,
    `Purpose: ${notice.purpose}`,
    `DPIA reference: ${notice.dpiaReference ?? 'not given'}`,
    `The notes are kept for: ${notice.retention}`,
    'If you object to an AI notetaker being used, tell the organiser before the meeting starts, with your reason if you wish to give one.',
    ...(notice.externalLine ? [notice.externalLine] : []),
  ].join('\n');
}

export interface ConsentRecordRow {
  reference: string;
  status: string;
  meeting: string;
  meetingStartUtc: string;
  meetingStartUk: string;
  organiser: string;
  tool: string;
  dpiaReference: string;
  noticeSentUtc: string;
  noticeSentUk: string;
  noticeVia: string;
  noticeLate: string;
  participantsNotified: string;
  objections: string;
  decisions: string;
  finalOutcome: string;
  stoppedBecause: string;
}

export const consentRecordColumns: (keyof ConsentRecordRow)[] = [
  'reference',
  'status',
  'meeting',
  'meetingStartUtc',
  'meetingStartUk',
  'organiser',
  'tool',
  'dpiaReference',
  'noticeSentUtc',
  'noticeSentUk',
  'noticeVia',
  'noticeLate',
  'participantsNotified',
  'objections',
  'decisions',
  'finalOutcome',
  'stoppedBecause',
];

export function consentRecordRow(state: ChecklistState<NotetakerData>): ConsentRecordRow {
  const { meeting, tool, notice, objections, outcome, stop, organiser } = state.data;
  return {
    reference: state.id,
    status: state.status,
    meeting: meeting?.title ?? '',
    meetingStartUtc: meeting?.startUtc ?? '',
    meetingStartUk: meeting ? formatUkTime(new Date(meeting.startUtc)) : '',
    organiser: organiser.email ? `${organiser.name} <${organiser.email}>` : organiser.name,
    tool: tool ? `${tool.name} (${tool.supplier})` : '',
    dpiaReference: tool?.dpiaReference ?? '',
    noticeSentUtc: notice?.sentAtUtc ?? '',
    noticeSentUk: notice ? formatUkTime(new Date(notice.sentAtUtc)) : '',
    noticeVia: notice?.via ?? '',
    noticeLate: notice ? (notice.late ? 'yes' : 'no') : '',
    participantsNotified: notice?.participantsNotified.join('; ') ?? '',
    objections: objections
      .map(
        (objection) =>
          `${objection.participantName} at ${objection.atUtc}${objection.reason ? `: ${objection.reason}` : ''}`,
      )
      .join(' | '),
    decisions: objections
      .filter((objection) => objection.decision)
      .map((objection) => {
        const decision = objection.decision as NonNullable<typeof objection.decision>;
        return `${objection.participantName}: ${decisionTitles[decision.choice]} (${decision.reason})`;
      })
      .join(' | '),
    finalOutcome: outcome ? outcomeTitles[outcome] : '',
    stoppedBecause: stop ? stop.code : '',
  };
}

/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula (=, +, -, @ first) get a leading
 * apostrophe, because the text in them was typed by people.
 */
export function toCsv<T extends object>(columns: (keyof T)[], rows: T[]): string {
  const cell = (value: unknown): string => {
    let text = String(value ?? '');
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return (
    [
      columns.map(String).join(','),
      ...rows.map((row) => columns.map((column) => cell(row[column])).join(',')),
    ].join('\r\n') + '\r\n'
  );
}
