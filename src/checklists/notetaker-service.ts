/**
 * Runs the notetaker-consent checklist for the bot: loads and saves the record (ETag-guarded), reads
 * the tool register and the calendar, posts the notice, and hands each submit to the pure engine.
 * Plain inputs and outcomes only; the Teams glue in src/bot/ turns outcomes into cards.
 */
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/logger';
import {
  DeliveryError,
  type ConversationAddress,
  type Messenger,
  type OutgoingMessage,
} from '../shared/messaging';
import { isStorageConflict, type DocumentStore } from '../storage/types';
import type { ToolRegister } from '../registers/tool-register';
import { consentRecordColumns, consentRecordRow, noticeText, toCsv } from './consent-records';
import {
  checkSubmit,
  readStepSubmit,
  staleMessage,
  startChecklist,
  submitStep,
  type Actor,
  type ChecklistState,
  type SubmitOutcome,
} from './engine';
import {
  consentNotice,
  meetingFromTeams,
  newNotetakerData,
  notetakerChecklist,
  recordObjection,
  CalendarSignInNeeded,
  type CalendarMeeting,
  type CalendarSource,
  type ConsentNotice,
  type NoticeDelivery,
  type NotetakerContext,
  type NotetakerData,
  type ObjectionOutcome,
  type TeamsMeetingInfo,
} from './notetaker';
import type { DpoDirectory } from './people';
import type { TrustRules } from './trust-rules';

export const consentCollection = 'notetaker-consent';

export type NotetakerState = ChecklistState<NotetakerData>;

/** Posts the notice into a meeting chat; the bot implementation draws the card. */
export interface NoticePoster {
  post(meetingChat: ConversationAddress, notice: ConsentNotice): Promise<NoticeDelivery>;
}

/** Posts through a Messenger; any delivery failure becomes "not posted" so the organiser can paste it instead. */
export class MessengerNoticePoster implements NoticePoster {
  constructor(
    private readonly messenger: Messenger,
    private readonly render: (notice: ConsentNotice) => OutgoingMessage,
  ) {}
  async post(meetingChat: ConversationAddress, notice: ConsentNotice): Promise<NoticeDelivery> {
    try {
      const { activityId } = await this.messenger.send(meetingChat, this.render(notice));
      return { kind: 'posted', activityId };
    } catch (error) {
      if (error instanceof DeliveryError) {
        const status = error.failure.status;
        return {
          kind: 'not-posted',
          reason:
            status === 403 || status === 404
              ? 'the bot is not installed in that meeting'
              : `Teams did not accept the message${status ? ` (${status})` : ''}`,
        };
      }
      throw error;
    }
  }
}

export interface NotetakerServiceOptions {
  store: DocumentStore;
  register: ToolRegister;
  rules: TrustRules;
  clock: Clock;
  ids: IdGenerator;
  noticePoster: NoticePoster;
  dpoDirectory: DpoDirectory;
  /** Absent offline: the organiser types the details or pastes the join link. */
  calendar?: CalendarSource;
  logger?: Logger;
}

export type NotetakerSubmitOutcome =
  /** `noticeText` is set when the organiser has to paste the notice into the invite themselves. */
  | (SubmitOutcome<NotetakerData> & { noticeText?: string })
  | { kind: 'not-found'; message: string }
  /** The calendar refused the organiser's token; nothing changed. */
  | { kind: 'sign-in-needed'; message: string };

export type CalendarOutcome =
  | { kind: 'meetings'; meetings: CalendarMeeting[] }
  | { kind: 'calendar-unavailable'; message: string }
  | { kind: 'sign-in-needed'; message: string };

const signInAgainMessage =
  'Microsoft 365 did not accept your sign-in for your calendar (it may have expired). Please sign in again, or paste the join link instead.';

export type ExportOutcome =
  | { kind: 'export'; fileName: string; contentType: string; content: string; count: number }
  | { kind: 'forbidden'; message: string };

/** How far ahead the meeting picker looks. */
const calendarWindowDays = 14;

export class NotetakerService {
  constructor(private readonly options: NotetakerServiceOptions) {}

  async start(organiser: Actor, organiserAddress?: ConversationAddress): Promise<NotetakerState> {
    const state = startChecklist(notetakerChecklist, {
      id: `NC-${this.options.ids.next()}`,
      owner: organiser,
      now: this.options.clock.now(),
      data: newNotetakerData(organiser, organiserAddress),
    });
    await this.options.store.put(consentCollection, state.id, state, { ifNoneMatch: '*' });
    return state;
  }

  /** Started by the organiser in the meeting chat: the meeting is already named, so it begins at the tool step. */
  async startFromTeamsMeeting(
    organiser: Actor,
    organiserAddress: ConversationAddress | undefined,
    info: TeamsMeetingInfo,
  ): Promise<{ state: NotetakerState; warnings: string[] }> {
    const now = this.options.clock.now();
    const started = startChecklist(notetakerChecklist, {
      id: `NC-${this.options.ids.next()}`,
      owner: organiser,
      now,
      data: newNotetakerData(organiser, organiserAddress),
    });
    const named = meetingFromTeams(started, info, {
      now,
      rules: this.options.rules,
      tools: await this.options.register.list(),
    });
    await this.options.store.put(consentCollection, named.state.id, named.state, { ifNoneMatch: '*' });
    return named;
  }

  async get(id: string): Promise<NotetakerState | undefined> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return undefined;
    return (await this.options.store.get<NotetakerState>(consentCollection, id))?.value;
  }

  /** The organiser's upcoming meetings for the picker; any calendar failure means "type it instead". */
  async upcomingMeetings(userToken: string | undefined): Promise<CalendarOutcome> {
    if (!this.options.calendar || !userToken) {
      return {
        kind: 'calendar-unavailable',
        message: 'I cannot see your calendar here: paste the join link or type the details.',
      };
    }
    const from = this.options.clock.now();
    const to = new Date(from.getTime() + calendarWindowDays * 86_400_000);
    try {
      const meetings = await this.options.calendar.upcomingMeetings(userToken, from, to);
      // Only online meetings: the notice goes into the meeting chat the join link names.
      return { kind: 'meetings', meetings: meetings.filter((meeting) => meeting.joinUrl) };
    } catch (error) {
      if (error instanceof CalendarSignInNeeded) {
        this.options.logger?.log('info', 'notetaker.calendar-sign-in-needed', {});
        return { kind: 'sign-in-needed', message: signInAgainMessage };
      }
      this.options.logger?.log('warn', 'notetaker.calendar-failed', {
        error: error instanceof Error ? error.message.slice(0, 200) : 'unknown',
      });
      return {
        kind: 'calendar-unavailable',
        message: 'I could not read your calendar just now: paste the join link or type the details instead.',
      };
    }
  }

  /**
   * The checklist still waiting at its meeting step, for a button that only redraws that step (the
   * calendar picker, or back to the typed form). Checked like a submit; nothing is changed.
   */
  async meetingStep(
    actor: Actor,
    raw: unknown,
  ): Promise<
    { kind: 'ok'; state: NotetakerState } | { kind: 'refused'; message: string; current?: NotetakerState }
  > {
    const envelope = readStepSubmit(raw);
    if (envelope.kind === 'invalid') return { kind: 'refused', message: envelope.message };
    const { submit } = envelope;
    const state = await this.get(submit.checklistId);
    if (!state)
      return {
        kind: 'refused',
        message: 'I cannot find that checklist. Start a new one with "notetaker consent".',
      };
    if (actor.id !== state.ownerId)
      return {
        kind: 'refused',
        message: 'Only the meeting organiser can name the meeting. Nothing was changed.',
      };
    if (
      state.status !== 'in-progress' ||
      submit.stepId !== 'meeting' ||
      state.stepId !== 'meeting' ||
      submit.version !== state.version
    )
      return { kind: 'refused', message: staleMessage, current: state };
    return { kind: 'ok', state };
  }

  /** One card submit from the organiser. `userToken` is needed only when a calendar meeting is picked. */
  async submit(actor: Actor, raw: unknown, userToken?: string): Promise<NotetakerSubmitOutcome> {
    const envelope = readStepSubmit(raw);
    if (envelope.kind === 'invalid') return { kind: 'invalid', message: envelope.message, problems: [] };
    const submit = envelope.submit;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const stored = await this.options.store.get<NotetakerState>(consentCollection, submit.checklistId);
      if (!stored)
        return {
          kind: 'not-found',
          message: 'I cannot find that checklist. Start a new one with "notetaker consent".',
        };
      const state = stored.value;
      const context: NotetakerContext = {
        now: this.options.clock.now(),
        rules: this.options.rules,
        tools: await this.options.register.list(),
      };
      // Side effects (calendar look-up, posting the notice) happen only for a submit the engine would accept.
      const checked = checkSubmit(notetakerChecklist, state, submit, actor);
      if (checked.kind !== 'ok') return checked;
      let noticeTextForOrganiser: string | undefined;
      if (state.stepId === 'meeting' && submit.action === 'calendar') {
        const meetings = await this.upcomingMeetings(userToken);
        if (meetings.kind === 'sign-in-needed') return meetings;
        if (meetings.kind === 'calendar-unavailable')
          return { kind: 'invalid', message: meetings.message, problems: [] };
        context.calendarMeeting = meetings.meetings.find((meeting) => meeting.id === checked.values.eventId);
      }
      if (state.stepId === 'notice') {
        const notice = consentNotice(
          state,
          checked.values.purpose as string,
          checked.values.retention as string,
          this.options.rules,
        );
        if (checked.values.delivery === 'meeting-chat') {
          const chat = this.meetingChatAddress(state);
          context.noticeDelivery = chat
            ? await this.options.noticePoster.post(chat, notice)
            : { kind: 'not-posted', reason: 'I do not know how to reach that meeting chat from here' };
        }
        if (checked.values.delivery !== 'meeting-chat' || context.noticeDelivery?.kind === 'not-posted') {
          noticeTextForOrganiser = noticeText(notice);
        }
      }
      const outcome = submitStep(notetakerChecklist, state, submit, actor, context, context.now);
      if (!('state' in outcome)) return outcome;
      try {
        await this.options.store.put(consentCollection, state.id, outcome.state, { ifMatch: stored.etag });
      } catch (error) {
        // Someone else changed the record in between (an objection arrived): run the submit again on the new state.
        if (isStorageConflict(error)) continue;
        throw error;
      }
      this.options.logger?.log('info', 'notetaker.step', {
        checklist: state.id,
        step: state.stepId,
        outcome: outcome.kind,
      });
      if (outcome.kind === 'advanced') return { ...outcome, noticeText: noticeTextForOrganiser };
      return outcome;
    }
    return {
      kind: 'invalid',
      message: 'The checklist kept changing while you submitted. Use the latest card.',
      problems: [],
    };
  }

  /** A participant's "I object" from the meeting chat card. */
  async object(
    participant: Actor,
    raw: unknown,
  ): Promise<ObjectionOutcome | { kind: 'not-found'; message: string }> {
    const data = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof data.checklistId !== 'string')
      return { kind: 'invalid', message: 'This objection does not say which meeting it is for.' };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await this.options.store.get<NotetakerState>(
        consentCollection,
        data.checklistId.slice(0, 100),
      );
      if (!stored)
        return {
          kind: 'not-found',
          message: 'I cannot find that meeting notice any more. Speak to the organiser directly.',
        };
      const outcome = recordObjection(stored.value, participant, data.reason, this.options.clock.now(), () =>
        this.options.ids.next(),
      );
      if (outcome.kind !== 'recorded' && outcome.kind !== 'updated') return outcome;
      try {
        await this.options.store.put(consentCollection, stored.key, outcome.state, { ifMatch: stored.etag });
        return outcome;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    return { kind: 'invalid', message: 'Too many changes at once; please press "I object" again.' };
  }

  /** "my consent records": the organiser's own checklists, newest first. */
  async recordsOf(organiser: Actor): Promise<NotetakerState[]> {
    const all = await this.options.store.list<NotetakerState>(consentCollection);
    return all
      .map((document) => document.value)
      .filter((state) => state.ownerId === organiser.id)
      .sort((a, b) => b.createdAtUtc.localeCompare(a.createdAtUtc));
  }

  /** Every record, for the DPO only. */
  async exportRecords(
    actor: Actor,
    format: 'csv' | 'json',
    options: { includeFullRecords?: boolean } = {},
  ): Promise<ExportOutcome> {
    if (!(await this.options.dpoDirectory.isDpo(actor))) {
      return { kind: 'forbidden', message: 'Only the Data Protection Officer can export consent records.' };
    }
    const states = (await this.options.store.list<NotetakerState>(consentCollection)).map(
      (document) => document.value,
    );
    return exportConsentRecords(states, format, this.options.clock.now(), options);
  }

  /** The meeting chat is reached on the organiser's own service URL and tenant. */
  private meetingChatAddress(state: NotetakerState): ConversationAddress | undefined {
    const chatId = state.data.meeting?.chatConversationId;
    const organiser = state.data.organiserAddress;
    if (!chatId || !organiser) return undefined;
    return {
      serviceUrl: organiser.serviceUrl,
      channelId: organiser.channelId,
      tenantId: organiser.tenantId,
      conversationId: chatId,
    };
  }
}

/** Every record as a CSV or JSON file; the caller decides who may have it. */
export function exportConsentRecords(
  states: NotetakerState[],
  format: 'csv' | 'json',
  now: Date,
  options: { includeFullRecords?: boolean } = {},
): Extract<ExportOutcome, { kind: 'export' }> {
  const sorted = [...states].sort((a, b) => a.createdAtUtc.localeCompare(b.createdAtUtc));
  const stamp = now.toISOString().slice(0, 10);
  if (format === 'json') {
    return {
      kind: 'export',
      fileName: `notetaker-consent-${stamp}.json`,
      contentType: 'application/json',
      content: JSON.stringify(
        sorted.map((state) =>
          options.includeFullRecords === false
            ? consentRecordRow(state)
            : { ...consentRecordRow(state), record: state },
        ),
        null,
        2,
      ),
      count: sorted.length,
    };
  }
  return {
    kind: 'export',
    fileName: `notetaker-consent-${stamp}.csv`,
    contentType: 'text/csv',
    content: toCsv(consentRecordColumns, sorted.map(consentRecordRow)),
    count: sorted.length,
  };
}
