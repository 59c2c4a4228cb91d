/**
 * The notetaker-consent checklist (policy: a DPIA before any AI notetaker, every participant told
 * before the meeting starts, objections weighed by the organiser). Steps and rules as data for the
 * engine; objections from participants are a separate operation because they come from other people.
 */
import type { ConversationAddress } from '../shared/messaging';
import { effectiveStatus, type DpiaStatus, type ToolRecord } from '../registers/tool-register';
import {
  touch,
  type Actor,
  type ChecklistDefinition,
  type ChecklistState,
  type StopReason,
  type Transition,
} from './engine';
import { textLimits, type FieldSpec, type FieldValues } from './fields';
import { citationFor, type TrustRules } from './trust-rules';

/** `teams-meeting`: the organiser started the checklist in the meeting chat and Teams gave the details. */
export type MeetingSource = 'typed' | 'join-link' | 'calendar' | 'teams-meeting';

export interface MeetingDetails {
  title: string;
  startUtc: string;
  source: MeetingSource;
  joinUrl?: string;
  /** The meeting chat's conversation id (`19:meeting_…@thread.v2`), when known. */
  chatConversationId?: string;
  calendarEventId?: string;
  /** Email addresses of invitees, lower-case. */
  participants: string[];
  /** Invitees outside the trust's own domains. */
  externalParticipants: string[];
}

export interface ToolOption {
  id: string;
  name: string;
  supplier: string;
}

export interface ChosenTool extends ToolOption {
  dpiaReference?: string;
  conditions: string[];
}

export interface NoticeRecord {
  purpose: string;
  retention: string;
  sentAtUtc: string;
  via: 'meeting-chat' | 'by-hand';
  /** Why it went by hand when the organiser asked for the meeting chat. */
  postFailure?: string;
  activityId?: string;
  /** Sent at or after the meeting start: the policy's "before the meeting starts" was not met. */
  late: boolean;
  participantsNotified: string[];
  externalLineIncluded: boolean;
}

export type Decision = 'continue-with-notetaker' | 'continue-without-ai' | 'reschedule';

export interface Objection {
  id: string;
  participantId: string;
  participantName: string;
  participantAadObjectId?: string;
  atUtc: string;
  reason?: string;
  /** Made after the organiser had closed the checklist; it reopened it. */
  afterCompletion: boolean;
  decision?: { choice: Decision; reason: string; byId: string; byName: string; atUtc: string };
}

export type FinalOutcome = 'continue-with-notetaker' | 'continue-without-ai' | 'rescheduled';

export interface RecordEvent {
  atUtc: string;
  what: string;
}

export interface NotetakerData {
  organiser: Actor;
  /** The organiser's personal chat with the bot, for proactive updates. */
  organiserAddress?: ConversationAddress;
  meeting?: MeetingDetails;
  /** The register's notetaker tools as offered when the tool step was drawn. */
  toolOptions: ToolOption[];
  tool?: ChosenTool;
  notice?: NoticeRecord;
  objections: Objection[];
  outcome?: FinalOutcome;
  stop?: StopReason;
  events: RecordEvent[];
}

/** A meeting from the organiser's calendar, as the calendar source gives it. */
export interface CalendarMeeting {
  id: string;
  subject: string;
  startUtc: string;
  endUtc: string;
  joinUrl?: string;
  organiserEmail?: string;
  attendees: { email: string; name?: string }[];
}

/**
 * Upcoming meetings of the signed-in organiser; the Graph implementation lives in src/graph/. Throws
 * `CalendarSignInNeeded` when the calendar refuses the token, so the organiser is asked to sign in again.
 */
export interface CalendarSource {
  upcomingMeetings(userToken: string, from: Date, to: Date): Promise<CalendarMeeting[]>;
}

/** The organiser's token was refused (expired, revoked, wrong audience): only signing in again helps. */
export class CalendarSignInNeeded extends Error {
  constructor(message = 'The calendar refused the sign-in token') {
    super(message);
    this.name = 'CalendarSignInNeeded';
  }
}

export type NoticeDelivery = { kind: 'posted'; activityId: string } | { kind: 'not-posted'; reason: string };

export interface NotetakerContext {
  now: Date;
  rules: TrustRules;
  /** Every entry of the tool register, read just before the submit. */
  tools: ToolRecord[];
  /** The calendar meeting the organiser picked, looked up by the service. */
  calendarMeeting?: CalendarMeeting;
  /** What happened when the service tried to post the notice. */
  noticeDelivery?: NoticeDelivery;
}

export const otherToolValue = 'other';
const maximumParticipants = 300;

export const decisionTitles: Record<Decision, string> = {
  'continue-with-notetaker': 'Continue with the notetaker',
  'continue-without-ai': 'Continue without AI',
  reschedule: 'Reschedule the meeting',
};

export const outcomeTitles: Record<FinalOutcome, string> = {
  'continue-with-notetaker': 'Meeting goes ahead with the notetaker',
  'continue-without-ai': 'Meeting goes ahead without AI',
  rescheduled: 'Meeting to be rescheduled',
};

const meetingFields: FieldSpec[] = [
  { name: 'title', label: 'Meeting title', type: 'text', required: true, maxLength: textLimits.short },
  {
    name: 'start',
    label: 'Start time (UK time)',
    type: 'uk-date-time',
    required: true,
    hint: 'e.g. 2025-03-14 09:30',
  },
  {
    name: 'joinUrl',
    label: 'Teams join link',
    type: 'text',
    required: false,
    maxLength: 2000,
    hint: 'Paste it so I can post the notice in the meeting chat.',
  },
  {
    name: 'participants',
    label: 'Participants’ email addresses',
    type: 'email-list',
    required: false,
    maxItems: maximumParticipants,
  },
];

export const notetakerChecklist: ChecklistDefinition<NotetakerData, NotetakerContext> = {
  flow: 'notetaker',
  firstStep: 'meeting',
  ownerTitle: 'the meeting organiser',
  steps: {
    meeting: {
      id: 'meeting',
      title: 'Which meeting?',
      actions: ['next', 'calendar'],
      fields: (_data, action) =>
        action === 'calendar'
          ? [{ name: 'eventId', label: 'Meeting', type: 'text', required: true, maxLength: 500 }]
          : meetingFields,
      apply: (data, values, action, context) => applyMeeting(data, values, action, context),
    },
    tool: {
      id: 'tool',
      title: 'Which notetaker?',
      actions: ['next'],
      fields: (data) => [
        {
          name: 'toolId',
          label: 'AI notetaker',
          type: 'choice',
          required: true,
          choices: [
            ...data.toolOptions.map((option) => ({
              value: option.id,
              title: `${option.name} (${option.supplier})`,
            })),
            { value: otherToolValue, title: 'Another tool (not in the register)' },
          ],
        },
        {
          name: 'otherToolName',
          label: 'Name of the other tool',
          type: 'text',
          required: false,
          maxLength: 100,
        },
      ],
      apply: (data, values, _action, context) => applyTool(data, values, context),
    },
    notice: {
      id: 'notice',
      title: 'Tell participants before the meeting',
      actions: ['next'],
      fields: (data) => noticeFields(data),
      apply: (data, values, _action, context) => applyNotice(data, values, context),
    },
    objections: {
      id: 'objections',
      title: 'Objections and decisions',
      actions: ['decide', 'finish'],
      fields: (data, action) => (action === 'decide' ? decisionFields(data) : []),
      apply: (data, values, action, context) => applyObjections(data, values, action, context),
    },
  },
};

export function newNotetakerData(organiser: Actor, organiserAddress?: ConversationAddress): NotetakerData {
  return { organiser, organiserAddress, toolOptions: [], objections: [], events: [] };
}

export function noticeFields(data: NotetakerData): FieldSpec[] {
  return [
    {
      name: 'purpose',
      label: 'What the notes are for',
      type: 'text',
      required: true,
      maxLength: 500,
      placeholder: 'e.g. minutes of the governors’ finance committee',
    },
    {
      name: 'retention',
      label: 'How long the notes are kept',
      type: 'text',
      required: true,
      maxLength: textLimits.short,
    },
    {
      name: 'delivery',
      label: 'How participants are told',
      type: 'choice',
      required: true,
      choices: [
        ...(data.meeting?.chatConversationId
          ? [{ value: 'meeting-chat', title: 'Post the notice in the meeting chat now' }]
          : []),
        { value: 'by-hand', title: 'Give me the text to paste into the invite' },
      ],
    },
  ];
}

export function decisionFields(data: NotetakerData): FieldSpec[] {
  return [
    {
      name: 'objectionId',
      label: 'Objection',
      type: 'choice',
      required: true,
      choices: data.objections.map((objection) => ({
        value: objection.id,
        title: objection.participantName,
      })),
    },
    {
      name: 'decision',
      label: 'Decision',
      type: 'choice',
      required: true,
      choices: Object.entries(decisionTitles).map(([value, title]) => ({ value, title })),
    },
    {
      name: 'reason',
      label: 'Reason for the decision',
      type: 'text',
      required: true,
      maxLength: textLimits.reason,
    },
  ];
}

/**
 * Teams join links carry the meeting chat's thread id, e.g.
 * https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=…
 */
export function meetingChatIdFromJoinUrl(joinUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(joinUrl);
  } catch {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  return /(19:meeting_[A-Za-z0-9_=+-]+@thread\.v2)/.exec(path)?.[1];
}

export function isTeamsJoinUrl(joinUrl: string): boolean {
  try {
    const url = new URL(joinUrl);
    return (
      url.protocol === 'https:' &&
      /(^|\.)teams\.(microsoft\.com|live\.com|cloud\.microsoft)$/.test(url.hostname)
    );
  } catch {
    return false;
  }
}

export function externalsOf(participants: string[], rules: TrustRules): string[] {
  return participants.filter((email) => {
    const domain = email.split('@')[1] ?? '';
    return !rules.internalDomains.some((internal) => domain === internal || domain.endsWith(`.${internal}`));
  });
}

function event(context: NotetakerContext, what: string): RecordEvent {
  return { atUtc: context.now.toISOString(), what };
}

function applyMeeting(
  data: NotetakerData,
  values: FieldValues,
  action: string,
  context: NotetakerContext,
): Transition<NotetakerData> {
  let meeting: MeetingDetails;
  if (action === 'calendar') {
    const picked = context.calendarMeeting;
    if (!picked || picked.id !== values.eventId) {
      return {
        kind: 'refuse',
        message: 'I could not find that meeting in your calendar. Pick it again or type the details.',
      };
    }
    // The event's organiser is in the meeting too, though Graph does not list them among the attendees.
    const participants = [
      ...new Set(
        [
          ...(picked.organiserEmail ? [picked.organiserEmail] : []),
          ...picked.attendees.map((attendee) => attendee.email),
        ].map((email) => email.toLowerCase()),
      ),
    ].slice(0, maximumParticipants);
    meeting = {
      title: picked.subject.slice(0, textLimits.short) || 'Untitled meeting',
      startUtc: new Date(picked.startUtc).toISOString(),
      source: 'calendar',
      joinUrl: picked.joinUrl,
      chatConversationId: picked.joinUrl ? meetingChatIdFromJoinUrl(picked.joinUrl) : undefined,
      calendarEventId: picked.id,
      participants,
      externalParticipants: externalsOf(participants, context.rules),
    };
  } else {
    const joinUrl = values.joinUrl as string | undefined;
    if (joinUrl !== undefined && !isTeamsJoinUrl(joinUrl)) {
      return {
        kind: 'refuse',
        message:
          'That is not a Teams join link. Copy "Join the meeting now" from the invite, or leave it empty.',
        problems: [{ field: 'joinUrl', message: 'Not a Teams join link.' }],
      };
    }
    const participants = (values.participants as string[] | undefined) ?? [];
    meeting = {
      title: values.title as string,
      startUtc: values.start as string,
      source: joinUrl ? 'join-link' : 'typed',
      joinUrl,
      chatConversationId: joinUrl ? meetingChatIdFromJoinUrl(joinUrl) : undefined,
      participants,
      externalParticipants: externalsOf(participants, context.rules),
    };
  }
  const toolOptions = context.tools
    .filter((tool) => tool.meetingNotetaker)
    .map((tool) => ({ id: tool.id, name: tool.name, supplier: tool.supplier }));
  const warnings =
    new Date(meeting.startUtc) <= context.now
      ? ['This meeting has already started, so any notice now will be late and the policy will not be met.']
      : [];
  return {
    kind: 'go',
    to: 'tool',
    data: {
      ...data,
      meeting,
      toolOptions,
      events: [...data.events, event(context, `Meeting named (${meeting.source}).`)],
    },
    warnings,
  };
}

/** What Teams says about a meeting the bot is installed in (TeamsInfo.getMeetingInfo + the chat's members). */
export interface TeamsMeetingInfo {
  title: string;
  startUtc: string;
  joinUrl?: string;
  chatConversationId: string;
  /** Email addresses of the meeting chat's members, lower-case. */
  participants: string[];
}

/**
 * Names the meeting from Teams itself, so a checklist started in the meeting chat begins at the tool
 * step. The same checks as a typed meeting apply (a meeting already under way is warned about).
 */
export function meetingFromTeams(
  state: ChecklistState<NotetakerData>,
  info: TeamsMeetingInfo,
  context: NotetakerContext,
): { state: ChecklistState<NotetakerData>; warnings: string[] } {
  const participants = [...new Set(info.participants.map((email) => email.toLowerCase()))].slice(
    0,
    maximumParticipants,
  );
  const meeting: MeetingDetails = {
    title: info.title.slice(0, textLimits.short) || 'Untitled meeting',
    startUtc: new Date(info.startUtc).toISOString(),
    source: 'teams-meeting',
    joinUrl: info.joinUrl,
    chatConversationId: info.chatConversationId,
    participants,
    externalParticipants: externalsOf(participants, context.rules),
  };
  const toolOptions = context.tools
    .filter((tool) => tool.meetingNotetaker)
    .map((tool) => ({ id: tool.id, name: tool.name, supplier: tool.supplier }));
  const data: NotetakerData = {
    ...state.data,
    meeting,
    toolOptions,
    events: [...state.data.events, event(context, 'Meeting named from the Teams meeting chat.')],
  };
  return {
    state: { ...touch(state, data, context.now), stepId: 'tool' },
    warnings:
      new Date(meeting.startUtc) <= context.now
        ? ['This meeting has already started, so any notice now will be late and the policy will not be met.']
        : [],
  };
}

const statusWords: Record<DpiaStatus, string> = {
  none: 'has no DPIA',
  draft: 'only has a draft DPIA',
  submitted: 'has a DPIA waiting for the DPO’s decision',
  approved: 'has an approved DPIA',
  rejected: 'had its DPIA rejected',
  expired: 'has a DPIA whose approval is past its review date',
};

function applyTool(
  data: NotetakerData,
  values: FieldValues,
  context: NotetakerContext,
): Transition<NotetakerData> {
  const { rules } = context;
  const stop = (reason: StopReason): Transition<NotetakerData> => ({
    kind: 'stop',
    stop: reason,
    data: { ...data, stop: reason, events: [...data.events, event(context, `Stopped: ${reason.code}.`)] },
  });
  if (values.toolId === otherToolValue) {
    const name = values.otherToolName as string | undefined;
    if (!name) {
      return {
        kind: 'refuse',
        message: 'Type the name of the other tool.',
        problems: [{ field: 'otherToolName', message: 'Required for another tool.' }],
      };
    }
    const known = context.tools.find((tool) => tool.name.toLowerCase() === name.toLowerCase());
    if (!known) {
      return stop({
        code: 'not-in-register',
        message: `${name} is not in the trust's AI tool register, so it has no approved DPIA and cannot be used as a notetaker. A DPIA has to be approved first.`,
        citation: citationFor(rules, rules.notetaker.dpiaRuleId),
        offer: { kind: 'start-dpia', toolName: name },
      });
    }
    values = { ...values, toolId: known.id };
  }
  const tool = context.tools.find((candidate) => candidate.id === values.toolId);
  if (!tool) {
    return { kind: 'refuse', message: 'That tool is no longer in the register. Use the latest card.' };
  }
  // The trust's supplier rule comes first: a DPIA cannot make a tool the policy rules out acceptable.
  const allowed = rules.notetaker.allowedSuppliers;
  if (allowed && !allowed.some((supplier) => supplier.toLowerCase() === tool.supplier.toLowerCase())) {
    return stop({
      code: 'tool-not-allowed',
      message: `${tool.name} (${tool.supplier}) cannot be used to minute or transcribe meetings here: the trust only allows ${allowed.join(', ')} tools for that.`,
      citation: citationFor(rules, rules.notetaker.allowedSuppliersRuleId),
    });
  }
  const status = effectiveStatus(tool, context.now);
  if (status !== 'approved') {
    return stop({
      code: 'no-dpia',
      message: `${tool.name} ${statusWords[status]}, so it cannot be used as a notetaker yet.${
        status === 'submitted' ? ' Wait for the DPO’s decision.' : ' A DPIA has to be approved first.'
      }`,
      citation: citationFor(rules, rules.notetaker.dpiaRuleId),
      offer:
        status === 'submitted'
          ? undefined
          : { kind: 'start-dpia', toolName: tool.name, supplier: tool.supplier },
    });
  }
  const chosen: ChosenTool = {
    id: tool.id,
    name: tool.name,
    supplier: tool.supplier,
    dpiaReference: tool.dpia.reference,
    conditions: tool.conditions,
  };
  return {
    kind: 'go',
    to: 'notice',
    data: { ...data, tool: chosen, events: [...data.events, event(context, `Tool chosen: ${tool.name}.`)] },
    warnings: tool.conditions.map((condition) => `Condition of approval: ${condition}`),
  };
}

function applyNotice(
  data: NotetakerData,
  values: FieldValues,
  context: NotetakerContext,
): Transition<NotetakerData> {
  const meeting = data.meeting as MeetingDetails;
  const delivery = context.noticeDelivery;
  const wantedChat = values.delivery === 'meeting-chat';
  if (wantedChat && !delivery) throw new Error('The notice must be posted before the notice step is applied');
  const posted = wantedChat && delivery?.kind === 'posted';
  const late = context.now.getTime() >= new Date(meeting.startUtc).getTime();
  const notice: NoticeRecord = {
    purpose: values.purpose as string,
    retention: values.retention as string,
    sentAtUtc: context.now.toISOString(),
    via: posted ? 'meeting-chat' : 'by-hand',
    postFailure: wantedChat && delivery?.kind === 'not-posted' ? delivery.reason : undefined,
    activityId: posted && delivery?.kind === 'posted' ? delivery.activityId : undefined,
    late,
    participantsNotified: meeting.participants,
    externalLineIncluded: meeting.externalParticipants.length > 0,
  };
  const warnings: string[] = [];
  if (notice.postFailure) {
    warnings.push(
      `I could not post the notice in the meeting chat (${notice.postFailure}). Paste the text below into the meeting invite; it is recorded as sent by hand.`,
    );
  }
  if (late) {
    warnings.push(
      'The notice was given after the meeting start time. The policy requires participants to be told before the meeting starts, so it has not been met; this is recorded as late.',
    );
  }
  return {
    kind: 'go',
    to: 'objections',
    data: {
      ...data,
      notice,
      events: [
        ...data.events,
        event(
          context,
          `Notice ${notice.via === 'meeting-chat' ? 'posted in the meeting chat' : 'given by hand'}${late ? ' (late)' : ''}.`,
        ),
      ],
    },
    warnings,
  };
}

function applyObjections(
  data: NotetakerData,
  values: FieldValues,
  action: string,
  context: NotetakerContext,
): Transition<NotetakerData> {
  if (action === 'decide') {
    const target = data.objections.find((objection) => objection.id === values.objectionId);
    if (!target) return { kind: 'refuse', message: 'That objection is not on this checklist.' };
    const choice = values.decision as Decision;
    const objections = data.objections.map((objection) =>
      objection.id === target.id
        ? {
            ...objection,
            decision: {
              choice,
              reason: values.reason as string,
              byId: data.organiser.id,
              byName: data.organiser.name,
              atUtc: context.now.toISOString(),
            },
          }
        : objection,
    );
    return {
      kind: 'stay',
      data: {
        ...data,
        objections,
        events: [
          ...data.events,
          event(context, `Decision on ${target.participantName}'s objection: ${decisionTitles[choice]}.`),
        ],
      },
    };
  }
  const undecided = data.objections.filter((objection) => !objection.decision);
  if (undecided.length > 0) {
    return {
      kind: 'refuse',
      message: `Record a decision on every objection first (still open: ${undecided.map((objection) => objection.participantName).join(', ')}).`,
    };
  }
  const outcome = finalOutcome(data.objections);
  return {
    kind: 'complete',
    data: {
      ...data,
      outcome,
      events: [...data.events, event(context, `Closed: ${outcomeTitles[outcome]}.`)],
    },
    warnings: data.notice?.late ? ['The notice was late: the record shows the policy was not met.'] : [],
  };
}

export function finalOutcome(objections: Objection[]): FinalOutcome {
  const choices = objections.map((objection) => objection.decision?.choice);
  if (choices.includes('reschedule')) return 'rescheduled';
  if (choices.includes('continue-without-ai')) return 'continue-without-ai';
  return 'continue-with-notetaker';
}

export type ObjectionOutcome =
  | { kind: 'recorded'; state: ChecklistState<NotetakerData>; objection: Objection; reopened: boolean }
  | { kind: 'updated'; state: ChecklistState<NotetakerData>; objection: Objection }
  | { kind: 'already-decided'; message: string }
  | { kind: 'not-open'; message: string }
  | { kind: 'invalid'; message: string };

/**
 * A participant's "I object", tied to their Teams identity. One objection per person: sending again
 * before the organiser has decided replaces the reason. An objection after the organiser closed the
 * checklist reopens it, because the policy asks the organiser to weigh every objection.
 */
export function recordObjection(
  state: ChecklistState<NotetakerData>,
  participant: Actor,
  rawReason: unknown,
  now: Date,
  newId: () => string,
): ObjectionOutcome {
  if (rawReason !== undefined && rawReason !== null && typeof rawReason !== 'string') {
    return { kind: 'invalid', message: 'The reason must be text. Nothing was recorded.' };
  }
  const reason = typeof rawReason === 'string' && rawReason.trim() !== '' ? rawReason.trim() : undefined;
  if (reason && reason.length > textLimits.reason) {
    return {
      kind: 'invalid',
      message: `Your reason is ${reason.length.toLocaleString('en-GB')} characters long; the limit is ${textLimits.reason.toLocaleString('en-GB')}. Please shorten it. Nothing was recorded.`,
    };
  }
  if (!state.data.notice || (state.status !== 'in-progress' && state.status !== 'completed')) {
    return {
      kind: 'not-open',
      message: 'This notetaker notice is no longer open for objections. Speak to the organiser directly.',
    };
  }
  if (participant.id === state.ownerId) {
    return {
      kind: 'invalid',
      message: 'You organise this meeting: record decisions on the checklist instead.',
    };
  }
  const at = now.toISOString();
  const existing = state.data.objections.find((objection) => objection.participantId === participant.id);
  if (existing?.decision) {
    return {
      kind: 'already-decided',
      message: `Your objection was recorded and the organiser has decided: ${decisionTitles[existing.decision.choice]}. Speak to them if you still have concerns.`,
    };
  }
  if (existing) {
    const updated: Objection = { ...existing, reason, atUtc: at };
    const data: NotetakerData = {
      ...state.data,
      objections: state.data.objections.map((objection) =>
        objection.id === existing.id ? updated : objection,
      ),
      events: [...state.data.events, { atUtc: at, what: `${participant.name} updated their objection.` }],
    };
    return { kind: 'updated', state: touch(state, data, now), objection: updated };
  }
  const reopened = state.status === 'completed';
  const objection: Objection = {
    id: newId(),
    participantId: participant.id,
    participantName: participant.name.slice(0, textLimits.short) || 'A participant',
    participantAadObjectId: participant.aadObjectId,
    atUtc: at,
    reason,
    afterCompletion: reopened,
  };
  const data: NotetakerData = {
    ...state.data,
    objections: [...state.data.objections, objection],
    outcome: reopened ? undefined : state.data.outcome,
    events: [
      ...state.data.events,
      {
        atUtc: at,
        what: `${objection.participantName} objected${reopened ? ' after the checklist was closed; reopened' : ''}.`,
      },
    ],
  };
  const next = touch(state, data, now, 'in-progress');
  return {
    kind: 'recorded',
    state: reopened ? { ...next, stepId: 'objections' } : next,
    objection,
    reopened,
  };
}

/** What participants are told; the same content goes into the meeting chat card and the by-hand text. */
export interface ConsentNotice {
  checklistId: string;
  meetingTitle: string;
  meetingStartUtc: string;
  organiserName: string;
  toolName: string;
  supplier: string;
  purpose: string;
  dpiaReference?: string;
  retention: string;
  /** Present when external attendees are invited. */
  externalLine?: string;
}

export function consentNotice(
  state: ChecklistState<NotetakerData>,
  purpose: string,
  retention: string,
  rules: TrustRules,
): ConsentNotice {
  const { meeting, tool, organiser } = state.data;
  if (!meeting || !tool) throw new Error('A notice needs the meeting and the tool');
  return {
    checklistId: state.id,
    meetingTitle: meeting.title,
    meetingStartUtc: meeting.startUtc,
    organiserName: organiser.name,
    toolName: tool.name,
    supplier: tool.supplier,
    purpose,
    dpiaReference: tool.dpiaReference,
    retention,
    externalLine: meeting.externalParticipants.length > 0 ? rules.notetaker.externalAttendeeLine : undefined,
  };
}
