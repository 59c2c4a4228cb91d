import { parseUkLocalDateTime } from '../shared/uk-time';
import {
  dataSubjectGroups,
  incidentTypes,
  type DataSubjectGroup,
  type IncidentReport,
  type IncidentType,
} from './types';

/** Longest text accepted per field; a report is a summary for the DPO, not a document. */
export const fieldLimits = {
  whatHappened: 4000,
  tool: 200,
  whenHappened: 200,
  whenDiscovered: 40,
  howMany: 200,
  actionsTaken: 2000,
  school: 200,
} as const;

export const fieldTitles: Record<keyof typeof fieldLimits, string> = {
  whatHappened: 'What happened',
  tool: 'Which AI tool',
  whenHappened: 'When it happened',
  whenDiscovered: 'When it was discovered',
  howMany: 'How many people and records',
  actionsTaken: 'What has been done so far',
  school: 'School',
};

export type ReportValidation =
  | { kind: 'valid'; report: IncidentReport }
  /**
   * Nothing else is read from a safeguarding submission: its text must not be stored, logged,
   * forwarded to the DPO channel or given to AI, so it is dropped here, before anything else sees it.
   */
  | { kind: 'safeguarding' }
  | { kind: 'invalid'; problems: string[] };

const truthy = new Set(['true', 'yes', 'on', '1']);

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function flag(value: unknown): boolean {
  return value === true || truthy.has(text(value).toLowerCase());
}

export function isIncidentType(value: string): value is IncidentType {
  return (incidentTypes as readonly string[]).includes(value);
}

/**
 * Reads a report as submitted from the card (strings, toggles as "true"/"false", a multi-select
 * as a comma list). `whenDiscovered` is UK local time ("2025-03-14 09:30") or an ISO instant.
 */
export function validateReport(input: Record<string, unknown>, now: Date): ReportValidation {
  const type = text(input.type);
  if (type === 'safeguarding') return { kind: 'safeguarding' };
  const problems: string[] = [];
  if (!type) problems.push('Choose the type of incident.');
  else if (!isIncidentType(type)) problems.push(`"${type.slice(0, 40)}" is not a type of incident I know.`);

  const fields = {} as Record<keyof typeof fieldLimits, string>;
  for (const name of Object.keys(fieldLimits) as (keyof typeof fieldLimits)[]) {
    const value = text(input[name]);
    if (value.length > fieldLimits[name]) {
      problems.push(
        `${fieldTitles[name]} is ${value.length.toLocaleString('en-GB')} characters long; please keep it under ${fieldLimits[name].toLocaleString('en-GB')}.`,
      );
    }
    fields[name] = value;
  }
  if (!fields.whatHappened) problems.push('Say briefly what happened.');

  let discoveredAt: Date | undefined;
  if (!fields.whenDiscovered) {
    problems.push('Say when it was discovered (date and time), e.g. 14/03/2025 09:30.');
  } else if (fields.whenDiscovered.length <= fieldLimits.whenDiscovered) {
    discoveredAt = parseUkLocalDateTime(fields.whenDiscovered);
    if (!discoveredAt) {
      problems.push(
        `"${fields.whenDiscovered}" is not a date and time I can read for when it was discovered; use e.g. 14/03/2025 09:30.`,
      );
    } else if (discoveredAt.getTime() > now.getTime() + 5 * 60_000) {
      problems.push('When it was discovered is in the future; please check the date and time.');
    }
  }

  const subjects = text(input.dataSubjects)
    .split(',')
    .map((group) => group.trim().toLowerCase())
    .filter(Boolean);
  const unknownSubjects = subjects.filter(
    (group) => !(dataSubjectGroups as readonly string[]).includes(group),
  );
  if (unknownSubjects.length > 0)
    problems.push(`Whose data: "${unknownSubjects[0].slice(0, 40)}" is not a choice.`);

  if (problems.length > 0 || !discoveredAt) return { kind: 'invalid', problems };
  const optional = (value: string) => (value ? value : undefined);
  return {
    kind: 'valid',
    report: {
      type: type as IncidentReport['type'],
      whatHappened: fields.whatHappened,
      tool: optional(fields.tool),
      whenHappened: optional(fields.whenHappened),
      discoveredAt: discoveredAt.toISOString(),
      dataSubjects: [...new Set(subjects)] as DataSubjectGroup[],
      howMany: optional(fields.howMany),
      specialCategory: flag(input.specialCategory),
      childrenInvolved: flag(input.childrenInvolved),
      actionsTaken: optional(fields.actionsTaken),
      school: optional(fields.school),
      withholdName: flag(input.withholdName),
    },
  };
}
