/** Cards for the notetaker-consent checklist, drawn from its state: one step per card. */
import type { StopReason } from '../../checklists/engine';
import {
  decisionFields,
  decisionTitles,
  noticeFields,
  notetakerChecklist,
  outcomeTitles,
  type CalendarMeeting,
  type ConsentNotice,
  type Objection,
} from '../../checklists/notetaker';
import type { NotetakerState } from '../../checklists/notetaker-service';
import type { TrustRules } from '../../checklists/trust-rules';
import { formatUkTime } from '../../shared/uk-time';
import {
  adaptiveCard,
  commandButton,
  facts,
  heading,
  inert,
  paragraph,
  type AdaptiveCard,
  type CardElement,
} from './common';
import { citationBlock, inputsFor, submitButton, type StepEnvelope } from './checklist-inputs';

export const notetakerVerbs = {
  step: 'notetaker.step',
  object: 'notetaker.object',
  /** "Pick from my meetings" (`show: 'calendar'`) or back to typing the details (`show: 'form'`). */
  meeting: 'notetaker.meeting',
} as const;

function envelopeOf(state: NotetakerState): StepEnvelope {
  return { verb: notetakerVerbs.step, checklistId: state.id, stepId: state.stepId, version: state.version };
}

function warningsBlock(warnings: string[]): CardElement[] {
  return warnings.map((warning) => paragraph(`⚠ ${warning}`, { color: 'Attention' }));
}

export function notetakerStepCard(
  state: NotetakerState,
  rules: TrustRules,
  options: {
    warnings?: string[];
    /** The organiser's upcoming online meetings: the meeting step becomes a picker. */
    calendar?: CalendarMeeting[];
    /** Show "Pick from my meetings" (tenant mode with the OAuth connection and Graph). */
    offerCalendar?: boolean;
    problem?: string;
  } = {},
): AdaptiveCard {
  const envelope = envelopeOf(state);
  const step = notetakerChecklist.steps[state.stepId];
  const top: CardElement[] = [
    heading(`Notetaker consent: ${step.title}`),
    ...warningsBlock(options.warnings ?? []),
    ...(options.problem ? [paragraph(options.problem, { color: 'Attention' })] : []),
  ];
  const meeting = state.data.meeting;
  switch (state.stepId) {
    case 'meeting': {
      const calendar = options.calendar;
      if (calendar && calendar.length > 0) return calendarPickerCard(top, calendar, envelope);
      return adaptiveCard(
        [
          ...top,
          paragraph('Which meeting will the AI notetaker be used in? Times are UK time.'),
          ...inputsFor(step.fields(state.data, 'next')),
        ],
        [
          submitButton('Next', envelope, 'next'),
          ...(options.offerCalendar
            ? [meetingViewButton('Pick from my meetings', envelope, 'calendar')]
            : []),
        ],
      );
    }
    case 'tool':
      return adaptiveCard(
        [
          ...top,
          facts([
            ['Meeting', meeting?.title ?? ''],
            ['Starts', meeting ? formatUkTime(new Date(meeting.startUtc)) : ''],
          ]),
          paragraph("Which AI notetaker? The list is the trust's AI tool register."),
          ...inputsFor(step.fields(state.data, 'next')),
        ],
        [submitButton('Check this tool', envelope, 'next')],
      );
    case 'notice':
      return adaptiveCard(
        [
          ...top,
          paragraph(
            `Everyone must be told before the meeting starts (${meeting ? formatUkTime(new Date(meeting.startUtc)) : ''}).`,
          ),
          ...(meeting && meeting.externalParticipants.length > 0
            ? [
                paragraph(
                  `External attendees (${meeting.externalParticipants.length}) will be asked not to use their own AI notetaker.`,
                  { isSubtle: true },
                ),
              ]
            : []),
          ...inputsFor(noticeFields(state.data), {
            retention: rules.notetaker.defaultRetention,
            delivery: meeting?.chatConversationId ? 'meeting-chat' : 'by-hand',
          }),
        ],
        [submitButton('Send the notice', envelope, 'next')],
      );
    default:
      return objectionsCard(state, top, envelope);
  }
}

/** Buttons that redraw the meeting step; they carry the step envelope so a stale card changes nothing. */
function meetingViewButton(title: string, envelope: StepEnvelope, show: 'calendar' | 'form'): CardElement {
  return {
    type: 'Action.Submit',
    title,
    data: { ...envelope, verb: notetakerVerbs.meeting, show },
    associatedInputs: 'none',
  };
}

/**
 * The meeting step as a choice of the organiser's own meetings. A card of its own because the typed
 * form's required inputs would stop Teams sending a pick made with them left empty.
 */
function calendarPickerCard(
  top: CardElement[],
  calendar: CalendarMeeting[],
  envelope: StepEnvelope,
): AdaptiveCard {
  return adaptiveCard(
    [
      ...top,
      paragraph('Your online meetings in the next 14 days (UK time):'),
      {
        type: 'Input.ChoiceSet',
        id: 'eventId',
        label: 'Meeting',
        isRequired: true,
        errorMessage: 'Meeting: pick one.',
        style: calendar.length > 5 ? 'compact' : 'expanded',
        choices: calendar.map((event) => ({
          title: `${event.subject} – ${formatUkTime(new Date(event.startUtc))}`,
          value: event.id,
        })),
      },
    ],
    [
      submitButton('Use the meeting I picked', envelope, 'calendar'),
      meetingViewButton('Paste the link instead', envelope, 'form'),
    ],
  );
}

function objectionLine(objection: Objection): [string, string] {
  const decided = objection.decision
    ? ` → ${decisionTitles[objection.decision.choice]} (${objection.decision.reason})`
    : ' → no decision yet';
  return [
    `${objection.participantName}, ${formatUkTime(new Date(objection.atUtc))}`,
    `${objection.reason ?? 'No reason given'}${decided}`,
  ];
}

function objectionsCard(state: NotetakerState, top: CardElement[], envelope: StepEnvelope): AdaptiveCard {
  const { notice, objections } = state.data;
  const undecided = objections.filter((objection) => !objection.decision);
  return adaptiveCard(
    [
      ...top,
      facts([
        [
          'Notice',
          notice
            ? `${notice.via === 'meeting-chat' ? 'Posted in the meeting chat' : 'Given by hand'}, ${formatUkTime(new Date(notice.sentAtUtc))}${notice.late ? ' (LATE)' : ''}`
            : '',
        ],
        ['Objections', String(objections.length)],
      ]),
      ...(objections.length > 0
        ? [facts(objections.map(objectionLine))]
        : [paragraph('No objections so far.')]),
      ...(undecided.length > 0 ? inputsFor(decisionFields({ ...state.data, objections: undecided })) : []),
    ],
    [
      ...(undecided.length > 0 ? [submitButton('Record decision', envelope, 'decide')] : []),
      submitButton('Close the checklist', envelope, 'finish', { associatedInputs: 'none' }),
    ],
  );
}

export function stoppedCard(stop: StopReason): AdaptiveCard {
  return adaptiveCard(
    [
      heading('The checklist stopped here'),
      paragraph(inert(stop.message)),
      ...(stop.citation ? [citationBlock(stop.citation)] : []),
    ],
    stop.offer
      ? [commandButton(`Start a DPIA for ${stop.offer.toolName}`, `start a dpia for ${stop.offer.toolName}`)]
      : [],
  );
}

export function completedCard(state: NotetakerState): AdaptiveCard {
  const { meeting, tool, notice, objections, outcome } = state.data;
  return adaptiveCard([
    heading('Notetaker consent recorded'),
    facts([
      ['Reference', state.id],
      ['Meeting', meeting?.title ?? ''],
      ['Tool', tool ? `${tool.name} (DPIA ${tool.dpiaReference ?? 'n/a'})` : ''],
      [
        'Notice',
        notice
          ? `${formatUkTime(new Date(notice.sentAtUtc))}${notice.late ? ' – late: policy not met' : ''}`
          : '',
      ],
      ['Objections', String(objections.length)],
      ['Outcome', outcome ? outcomeTitles[outcome] : ''],
    ]),
  ]);
}

/** The card posted into the meeting chat; participants press "I object" from here. */
export function meetingNoticeCard(notice: ConsentNotice): AdaptiveCard {
  return adaptiveCard(
    [
      heading('AI notetaker in this meeting'),
      paragraph(
        `${inert(notice.organiserName)} plans to use an AI notetaker in "${inert(notice.meetingTitle)}" (${formatUkTime(new Date(notice.meetingStartUtc))}).`,
      ),
      facts([
        ['Tool', `${notice.toolName} (${notice.supplier})`],
        ['Purpose', notice.purpose],
        ['DPIA reference', notice.dpiaReference ?? 'not given'],
        ['Notes kept for', notice.retention],
      ]),
      ...(notice.externalLine ? [paragraph(inert(notice.externalLine), { weight: 'Bolder' })] : []),
      {
        type: 'Input.Text',
        id: 'reason',
        label: 'Your reason (optional)',
        isMultiline: true,
        maxLength: 1000,
      },
    ],
    [
      {
        type: 'Action.Submit',
        title: 'I object',
        data: { verb: notetakerVerbs.object, checklistId: notice.checklistId },
      },
    ],
  );
}

export function consentRecordsCard(states: NotetakerState[]): AdaptiveCard {
  if (states.length === 0)
    return adaptiveCard([
      heading('My consent records'),
      paragraph('You have no notetaker consent records yet.'),
    ]);
  return adaptiveCard([
    heading('My consent records'),
    facts(
      states
        .slice(0, 20)
        .map((state) => [
          `${state.id} · ${state.data.meeting?.title ?? 'no meeting yet'}`,
          `${state.status}${state.data.outcome ? `: ${outcomeTitles[state.data.outcome]}` : ''}${state.data.notice?.late ? ' (notice late)' : ''}`,
        ]),
    ),
  ]);
}
