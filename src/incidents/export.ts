import { formatUkTime } from '../shared/uk-time';
import type { DocumentStore } from '../storage/types';
import { incidentCollections } from './incident-service';
import { icoWindowHours } from './deadline';
import { incidentTypeTitles, type Incident } from './types';

/**
 * The register as the DPO moves it into GDPRiS or their own breach log. Column names follow the
 * questions of the ICO's "Report a personal data breach" form, so each column has an obvious home.
 */
export const icoColumns = [
  'Our reference',
  'Type of incident',
  'Organisation (school)',
  'What has happened?',
  'AI tool involved',
  'When did the breach happen?',
  'When did you discover the breach?',
  'Categories of data subjects affected',
  'Approximately how many data subjects and personal data records are concerned?',
  'Does the breach involve special category data?',
  'Does the breach involve children?',
  'What actions have you taken to contain the breach?',
  'Is the breach reportable to the ICO?',
  'Reason for the decision',
  'Date reported to the ICO',
  'ICO case reference',
  'Reported within 72 hours?',
  'ICO deadline (72 hours from discovery)',
  'Status',
  'Reported by',
  'Date reported internally',
] as const;

export type IcoColumn = (typeof icoColumns)[number];
export type IcoRow = Record<IcoColumn, string>;

const yesNo = (value: boolean | undefined) => (value === undefined ? '' : value ? 'Yes' : 'No');

export function toIcoRow(incident: Incident): IcoRow {
  const report = incident.report;
  const reportedToIco = incident.events.find((event) => event.action === 'reported-to-ico');
  const discovered = new Date(report.discoveredAt);
  return {
    'Our reference': incident.reference,
    'Type of incident': incidentTypeTitles[report.type],
    'Organisation (school)': report.school ?? '',
    'What has happened?': report.whatHappened,
    'AI tool involved': report.tool ?? '',
    'When did the breach happen?': report.whenHappened ?? '',
    'When did you discover the breach?': formatUkTime(discovered),
    'Categories of data subjects affected': report.dataSubjects.join(', '),
    'Approximately how many data subjects and personal data records are concerned?': report.howMany ?? '',
    'Does the breach involve special category data?': yesNo(report.specialCategory),
    'Does the breach involve children?': yesNo(report.childrenInvolved),
    'What actions have you taken to contain the breach?': report.actionsTaken ?? '',
    'Is the breach reportable to the ICO?': yesNo(incident.decision?.reportable),
    'Reason for the decision': incident.decision?.reason ?? '',
    'Date reported to the ICO': reportedToIco ? formatUkTime(new Date(reportedToIco.at)) : '',
    'ICO case reference': incident.icoCaseReference ?? '',
    'Reported within 72 hours?': reportedToIco
      ? yesNo(Date.parse(reportedToIco.at) - discovered.getTime() <= icoWindowHours * 3_600_000)
      : '',
    'ICO deadline (72 hours from discovery)': formatUkTime(new Date(incident.icoDeadline)),
    Status: incident.status,
    'Reported by': report.withholdName ? '(withheld at the reporter’s request)' : incident.reporter.name,
    'Date reported internally': formatUkTime(new Date(incident.reportedAt)),
  };
}

/** RFC 4180 CSV. Cells that a spreadsheet would run as a formula are prefixed with ' to keep them text. */
export function toCsv(incidents: Incident[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [icoColumns.map(cell).join(',')];
  for (const incident of incidents) {
    const row = toIcoRow(incident);
    lines.push(icoColumns.map((column) => cell(row[column])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** JSON with the same field names as the CSV, plus the full action log for the audit trail. */
export function toJson(incidents: Incident[]): string {
  return JSON.stringify(
    incidents.map((incident) => ({
      ...toIcoRow(incident),
      // The export may be read where the channel post is (the DPO channel): withhold the name there too.
      'Action log': incident.events.map((event) =>
        event.action === 'reported' && incident.report.withholdName
          ? { ...event, by: { id: '', name: '(withheld at the reporter’s request)' } }
          : event,
      ),
    })),
    null,
    2,
  );
}

export type ExportFormat = 'csv' | 'json';

/** The whole register, oldest reference first. */
export async function listRegister(store: DocumentStore): Promise<Incident[]> {
  return (await store.list<Incident>(incidentCollections.incidents))
    .map((document) => document.value)
    .sort((first, second) => first.reference.localeCompare(second.reference, 'en-GB', { numeric: true }));
}

export function formatRegister(incidents: Incident[], format: ExportFormat): string {
  return format === 'json' ? toJson(incidents) : toCsv(incidents);
}

/** The whole register, oldest reference first, in one of the two export formats. */
export async function exportRegister(
  store: DocumentStore,
  format: ExportFormat,
): Promise<{ content: string; count: number }> {
  const incidents = await listRegister(store);
  return { content: formatRegister(incidents, format), count: incidents.length };
}
