import { describeDeadline } from '../../incidents/deadline';
import type { IncidentMessages } from '../../incidents/incident-service';
import { dataSubjectGroups, incidentTypes, incidentTypeTitles, type Incident } from '../../incidents/types';
import { fieldLimits } from '../../incidents/validation';
import { formatUkTime } from '../../shared/uk-time';
import {
  adaptiveCard,
  facts,
  heading,
  inert,
  paragraph,
  type AdaptiveCard,
  type CardElement,
} from './common';

export const incidentVerbs = {
  report: 'incident.report',
  acknowledge: 'incident.acknowledge',
  assign: 'incident.assign',
  decide: 'incident.decide',
  markReported: 'incident.mark-reported',
  close: 'incident.close',
  refresh: 'incident.refresh',
} as const;

export interface ReportCardOptions {
  /** Prefilled "what happened", e.g. a link to the Teams message the report is about. */
  whatHappened?: string;
  /** Prefilled "when discovered", in UK local time ("2025-03-14 09:30"). */
  whenDiscovered?: string;
}

const text = (id: string, label: string, options: Record<string, unknown> = {}): CardElement => ({
  type: 'Input.Text',
  id,
  label,
  ...(id in fieldLimits ? { maxLength: fieldLimits[id as keyof typeof fieldLimits] } : {}),
  ...options,
});

const toggle = (id: string, label: string, title: string): CardElement => ({
  type: 'Input.Toggle',
  id,
  label,
  title,
  value: 'false',
  valueOn: 'true',
  valueOff: 'false',
});

const subjectTitles: Record<(typeof dataSubjectGroups)[number], string> = {
  pupils: 'Pupils',
  staff: 'Staff',
  parents: 'Parents or carers',
  other: 'Other people',
};

/** The report form (Action.Submit); it works the same in a chat and in the message action's dialog. */
export function reportCard(options: ReportCardOptions = {}): AdaptiveCard {
  return adaptiveCard(
    [
      heading('Report an incident to the DPO'),
      paragraph(
        '**Safeguarding concern?** Do not write it here. Press "It is a safeguarding concern" below and I will tell you how to reach the Designated Safeguarding Lead now.',
        { color: 'Attention' },
      ),
      {
        type: 'Input.ChoiceSet',
        id: 'type',
        label: 'Type of incident',
        isRequired: true,
        errorMessage: 'Choose the type of incident.',
        style: 'compact',
        choices: incidentTypes
          .filter((type) => type !== 'safeguarding')
          .map((type) => ({ title: incidentTypeTitles[type], value: type })),
      },
      text('whatHappened', 'What happened', {
        isMultiline: true,
        isRequired: true,
        errorMessage: 'Say briefly what happened.',
        ...(options.whatHappened ? { value: options.whatHappened } : {}),
      }),
      text('tool', 'Which AI tool (if any)'),
      text('whenHappened', 'When it happened (roughly is fine)'),
      text('whenDiscovered', 'When it was discovered (UK time, e.g. 14/03/2025 09:30)', {
        isRequired: true,
        errorMessage: 'Say when it was discovered.',
        ...(options.whenDiscovered ? { value: options.whenDiscovered } : {}),
      }),
      {
        type: 'Input.ChoiceSet',
        id: 'dataSubjects',
        label: 'Whose data was involved',
        isMultiSelect: true,
        style: 'expanded',
        choices: dataSubjectGroups.map((group) => ({ title: subjectTitles[group], value: group })),
      },
      text('howMany', 'Roughly how many people and records'),
      toggle('specialCategory', 'Special category data', 'Health, SEN, ethnicity, religion or similar'),
      toggle('childrenInvolved', 'Children', "Children's data or children affected"),
      text('actionsTaken', 'What has been done so far', { isMultiline: true }),
      text('school', 'School'),
      toggle('withholdName', 'Your name', 'Do not show my name in the DPO channel post'),
    ],
    [
      { type: 'Action.Submit', title: 'Send to the DPO', data: { verb: incidentVerbs.report } },
      {
        type: 'Action.Submit',
        title: 'It is a safeguarding concern',
        // No inputs travel with this button: nothing about the concern leaves the person's device.
        associatedInputs: 'none',
        data: { verb: incidentVerbs.report, type: 'safeguarding' },
      },
    ],
  );
}

const statusTitles: Record<Incident['status'], string> = {
  new: 'New, not yet acknowledged',
  acknowledged: 'Acknowledged',
  assigned: 'Assigned',
  decided: 'Decision recorded',
  reported: 'Reported to the ICO',
  closed: 'Closed',
};

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

function execute(title: string, verb: string, incident: Incident): CardElement {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data: { reference: incident.reference, version: incident.version },
  };
}

function form(title: string, body: CardElement[], submit: CardElement): CardElement {
  return { type: 'Action.ShowCard', title, card: adaptiveCard(body, [submit]) };
}

function dpoActions(incident: Incident): CardElement[] {
  const assign = form(
    incident.assignee ? 'Reassign…' : 'Assign to…',
    [text('assignee', 'Assign to (name)', { isRequired: true, maxLength: 200 })],
    execute('Assign', incidentVerbs.assign, incident),
  );
  const decide = form(
    'Reportable to the ICO?',
    [
      {
        type: 'Input.ChoiceSet',
        id: 'reportable',
        label: 'Is this reportable to the ICO?',
        isRequired: true,
        style: 'expanded',
        choices: [
          { title: 'Yes, report it to the ICO', value: 'yes' },
          { title: 'No, log it only', value: 'no' },
        ],
      },
      text('reason', 'Reason (logged either way)', { isRequired: true, isMultiline: true, maxLength: 2000 }),
    ],
    execute('Record decision', incidentVerbs.decide, incident),
  );
  const markReported = form(
    'Mark reported',
    [text('icoCaseReference', 'ICO case reference', { isRequired: true, maxLength: 100 })],
    execute('Mark reported', incidentVerbs.markReported, incident),
  );
  const close = form(
    'Close',
    [text('closeNote', 'Closing note (optional)', { isMultiline: true, maxLength: 2000 })],
    execute('Close incident', incidentVerbs.close, incident),
  );
  switch (incident.status) {
    case 'new':
      return [execute('Acknowledge', incidentVerbs.acknowledge, incident), assign];
    case 'acknowledged':
    case 'assigned':
      return [assign, decide];
    case 'decided':
      return incident.decision?.reportable ? [markReported] : [close];
    case 'reported':
      return [close];
    case 'closed':
      return [];
  }
}

/**
 * The card in the DPO channel. Everything a person typed goes through `inert`. It refreshes
 * itself (Universal Actions) and is also replaced in place through the outbox after every action,
 * so everyone in the channel sees the current state.
 */
export function incidentChannelCard(incident: Incident, now: Date, notice?: string): AdaptiveCard {
  const report = incident.report;
  const deadline = describeDeadline(new Date(incident.icoDeadline), now);
  const body: CardElement[] = [
    heading(`${incident.reference}: ${incidentTypeTitles[report.type]}`),
    ...(notice ? [paragraph(inert(notice), { color: 'Attention' })] : []),
    facts([
      ['Status', statusTitles[incident.status]],
      ['School', report.school ?? 'Not given'],
      [
        'Reported by',
        report.withholdName ? 'Name withheld at the reporter’s request' : incident.reporter.name,
      ],
      ['Reported', formatUkTime(new Date(incident.reportedAt))],
      ['Happened', report.whenHappened ?? 'Not given'],
      ['Discovered', formatUkTime(new Date(report.discoveredAt))],
      ['ICO deadline', incident.status === 'closed' ? deadline.shownUk : deadline.summary],
      ['AI tool', report.tool ?? 'Not given'],
      ['Whose data', report.dataSubjects.length > 0 ? report.dataSubjects.join(', ') : 'Not given'],
      ['How many', report.howMany ?? 'Not given'],
      ['Special category', yesNo(report.specialCategory)],
      ['Children', yesNo(report.childrenInvolved)],
      ...(incident.assignee ? ([['Assigned to', incident.assignee]] as [string, string][]) : []),
      ...(incident.decision
        ? ([['Reportable to ICO', `${yesNo(incident.decision.reportable)}: ${incident.decision.reason}`]] as [
            string,
            string,
          ][])
        : []),
      ...(incident.icoCaseReference
        ? ([['ICO case reference', incident.icoCaseReference]] as [string, string][])
        : []),
    ]),
    paragraph('**What happened**'),
    paragraph(inert(report.whatHappened)),
    paragraph('**What has been done so far**'),
    paragraph(inert(report.actionsTaken ?? 'Nothing reported yet.')),
    paragraph(
      incident.events
        .slice(-4)
        .map(
          (event) =>
            `${formatUkTime(new Date(event.at))}: ${event.action} by ${
              event.action === 'reported' && report.withholdName ? 'the reporter' : inert(event.by.name)
            }`,
        )
        .join('\n\n'),
      { isSubtle: true, size: 'Small' },
    ),
  ];
  return {
    ...adaptiveCard(body, dpoActions(incident)),
    refresh: {
      action: {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: incidentVerbs.refresh,
        data: { reference: incident.reference },
      },
    },
  };
}

export function incidentStatusText(incident: Incident, now: Date): string {
  const deadline = describeDeadline(new Date(incident.icoDeadline), now);
  return [
    `${incident.reference} (${incidentTypeTitles[incident.report.type]}): ${statusTitles[incident.status]}.`,
    `Reported ${formatUkTime(new Date(incident.reportedAt))}.`,
    ...(incident.assignee ? [`Assigned to ${inert(incident.assignee)}.`] : []),
    ...(incident.decision
      ? [`Reportable to the ICO: ${incident.decision.reportable ? 'yes' : 'no'}.`]
      : incident.status !== 'closed'
        ? [`ICO deadline if it is a notifiable breach: ${deadline.summary}.`]
        : []),
    ...(incident.deliveryStuck
      ? ['It could not be posted to the DPO channel: please tell the DPO directly.']
      : []),
  ].join(' ');
}

export const incidentCardMessages: IncidentMessages = {
  channelCard: (incident, now) => ({
    card: incidentChannelCard(incident, now),
    summary: `${incident.reference}: ${incidentTypeTitles[incident.report.type]}`,
  }),
  stuckNotice: (incident) => ({
    text: `Your report ${incident.reference} is safely recorded, but I could not post it to the DPO channel after several tries. Please tell the DPO directly and quote ${incident.reference}.`,
  }),
  dslAlert: (reporterName) => ({
    text: `A safeguarding concern was raised by ${inert(reporterName)}. Please contact them.`,
  }),
  examsOfficerAlert: (incident) => ({
    text: `An exam or assessment malpractice report (${incident.reference}) was made${
      incident.report.school ? ` at ${inert(incident.report.school)}` : ''
    }. The DPO team has the details; they may contact you.`,
  }),
};
