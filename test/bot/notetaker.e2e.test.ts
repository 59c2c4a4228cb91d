import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, temporaryFolder, type RunningBot } from '../support/bot-harness';
import {
  cardSubmitActivity,
  installActivity,
  messageActivity,
  type Person,
} from '../support/teams-activities';
import {
  button,
  cardText,
  conversationText,
  lastCard,
  submission,
  waitForCard,
  waitForText,
} from '../support/card-driver';
import { ManualClock } from '../../src/shared/clock';
import { SequentialIds } from '../../src/shared/ids';
import type { NotetakerState } from '../../src/checklists/notetaker-service';
import type { CardJson } from '../../src/devtools/card-text';

/**
 * The notetaker-consent checklist end to end over HTTP: the organiser's personal chat and the
 * meeting chat are two conversations on the local Bot Connector; the meeting's details come from
 * TeamsInfo.getMeetingInfo (the connector's meetings map); participants press "I object" in the
 * meeting chat; every record is read back from the bot's own storage.
 */

const organiser: Person = { id: '29:organiser', name: 'Olivia Organiser', aadObjectId: 'aad-organiser' };
const pat: Person = { id: '29:pat', name: 'Pat Participant', aadObjectId: 'aad-pat' };
const dpo: Person = { id: '29:dpo', name: 'Dana DPO', aadObjectId: 'aad-dpo' };
const organiserChat = `a:personal-${organiser.aadObjectId}`;
const patChat = `a:personal-${pat.aadObjectId}`;
const dpoChat = `a:personal-${dpo.aadObjectId}`;
const meetingId = 'MCMxOTptZWV0aW5n';
const meetingChat = '19:meeting_NzQ1Yjk2@thread.v2';
const joinUrl =
  'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ1Yjk2%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d';
// The bot's clock: 10 March 2026, 09:00 UTC (= UK time); the meeting is two days later.
const now = '2026-03-10T09:00:00Z';
const meetingStart = '2026-03-12T10:00:00Z';

describe('notetaker consent end to end (organiser chat + meeting chat)', () => {
  let connector: LocalBotConnector;
  let bot: RunningBot;
  let dataFolder: string;
  const clock = new ManualClock(now);
  const env = { DPO_MEMBERS: dpo.aadObjectId, OUTBOX_INTERVAL_MS: '100' };

  const inPersonal = (person: Person) => ({
    serviceUrl: connector.serviceUrl,
    conversationId: `a:personal-${person.aadObjectId}`,
    from: person,
  });
  const inMeetingChat = (person: Person) => ({
    serviceUrl: connector.serviceUrl,
    conversationId: meetingChat,
    kind: 'groupChat' as const,
    meetingId,
    from: person,
  });
  const record = async (id: string) =>
    (await bot.runtime.records.get<NotetakerState>('notetaker-consent', id))?.value;
  const say = (text: string, person = organiser) => bot.post(messageActivity(text, inPersonal(person)));
  const press = (value: Record<string, unknown>, person = organiser, where = inPersonal(person)) =>
    bot.post(cardSubmitActivity(value, where));
  const mark = () => connector.activities.length;
  const checklistIdOf = (card: CardJson) => String(submission(card, /.+/).checklistId);

  /** The organiser types "notetaker consent" in the meeting chat; the checklist arrives in their own chat. */
  async function startInMeetingChat(): Promise<CardJson> {
    const before = mark();
    await bot.post(messageActivity('notetaker consent', inMeetingChat(organiser)));
    await waitForText(connector, meetingChat, /sent you the notetaker consent checklist/, before);
    return waitForCard(connector, organiserChat, /Which notetaker\?/, before);
  }

  async function startTyped(title: string, start: string, extra: Record<string, unknown> = {}) {
    await say('notetaker consent');
    const card = lastCard(connector, organiserChat);
    expect(cardText(card)).toMatch(/Which meeting\?/);
    await press(submission(card, 'Next', { title, start, ...extra }));
    return lastCard(connector, organiserChat);
  }

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    dataFolder = temporaryFolder();
    bot = await startBot({ env, dataFolder, overrides: { clock, ids: new SequentialIds('t') } });
    connector.meetings.set(meetingId, {
      id: meetingId,
      organizerId: organiser.id,
      organizerAadObjectId: organiser.aadObjectId,
      joinUrl,
      title: 'Governors’ finance committee',
      scheduledStartTime: meetingStart,
      scheduledEndTime: '2026-03-12T11:00:00Z',
      chatConversationId: meetingChat,
      tenantId: '11111111-2222-3333-4444-555555555555',
    });
    connector.members.set(meetingChat, [
      { ...organiser, email: 'olivia@brookvale.example' },
      { ...pat, email: 'pat@brookvale.example' },
      { id: '29:guest', name: 'Gus Guest', email: 'gus@auditors.example', userRole: 'guest' },
    ]);
    // Everyone has a personal chat with the bot, and the bot is installed in the meeting chat.
    for (const person of [organiser, pat, dpo]) await bot.post(installActivity(inPersonal(person)));
    await bot.post(installActivity(inMeetingChat(organiser)));
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  it('only the organiser can start it in the meeting chat', async () => {
    const before = mark();
    await bot.post(messageActivity('notetaker consent', inMeetingChat(pat)));
    expect(conversationText(connector, meetingChat)).toMatch(/Only the meeting organiser/);
    expect(connector.activities.slice(before).some((sent) => sent.conversationId === patChat)).toBe(false);
  });

  it('a tool outside the trust’s rule stops the checklist, citing the trust’s own policy section', async () => {
    const card = await startInMeetingChat();
    // The meeting was named from Teams: title and UK start time are on the card.
    expect(cardText(card)).toMatch(/Governors’ finance committee/);
    expect(cardText(card)).toMatch(/Thu, 12 Mar 2026, 10:00 GMT/);
    const otter = submission(card, 'Check this tool').checklistId as string;
    await press(submission(card, 'Check this tool', { toolId: 'otter-ai' }));
    const stop = cardText(lastCard(connector, organiserChat));
    expect(stop).toMatch(/The checklist stopped here/);
    expect(stop).toMatch(/only allows Microsoft tools/);
    expect(stop).toMatch(/Artificial Intelligence Policy, section Appendix 1: Approved Tools/);
    expect((await record(otter))?.status).toBe('stopped');
  });

  it('a tool without an approved DPIA stops it with why, and offers to start a DPIA', async () => {
    const card = await startInMeetingChat();
    await press(submission(card, 'Check this tool', { toolId: 'microsoft-teams-premium-intelligent-recap' }));
    const stopped = lastCard(connector, organiserChat);
    expect(cardText(stopped)).toMatch(/has no DPIA, so it cannot be used as a notetaker yet/);
    expect(cardText(stopped)).toMatch(/section 4\.2: Personal Data and DPIAs/);
    const offer = button(stopped, 'Start a DPIA for Microsoft Teams Premium intelligent recap');
    expect(offer).toMatchObject({
      kind: 'imBack',
      text: 'start a dpia for Microsoft Teams Premium intelligent recap',
    });
    await say('start a dpia for Microsoft Teams Premium intelligent recap');
    expect(cardText(lastCard(connector, organiserChat))).toMatch(/DPIA DPIA-t-\d+: The tool/);
  });

  let approvedId = '';
  let objectionsCard: CardJson;

  it('an approved tool: the notice goes into the meeting chat before the start, with the I object button', async () => {
    const card = await startInMeetingChat();
    approvedId = checklistIdOf(card);
    await press(submission(card, 'Check this tool', { toolId: 'microsoft-teams-transcription' }));
    const noticeStep = lastCard(connector, organiserChat);
    expect(cardText(noticeStep)).toMatch(/Tell participants before the meeting/);
    expect(cardText(noticeStep)).toMatch(/External attendees \(1\)/);
    const before = mark();
    await press(
      submission(noticeStep, 'Send the notice', {
        purpose: 'Minutes of the finance committee',
        delivery: 'meeting-chat',
      }),
    );
    const notice = await waitForCard(connector, meetingChat, /AI notetaker in this meeting/, before);
    const text = cardText(notice);
    expect(text).toMatch(/Tool: Microsoft Teams transcription \(Microsoft\)/);
    expect(text).toMatch(/Purpose: Minutes of the finance committee/);
    expect(text).toMatch(/DPIA reference: DPIA-2024-004/);
    expect(text).toMatch(/Notes kept for: Until the minutes are approved/);
    expect(text).toMatch(/External attendees: please do not use your own AI notetaker/);
    expect(submission(notice, 'I object')).toMatchObject({
      verb: 'notetaker.object',
      checklistId: approvedId,
    });
    objectionsCard = lastCard(connector, organiserChat);
    expect(cardText(objectionsCard)).toMatch(/Posted in the meeting chat, Tue, 10 Mar 2026, 09:00 GMT/);
    const stored = await record(approvedId);
    expect(stored?.data.notice).toMatchObject({
      via: 'meeting-chat',
      late: false,
      sentAtUtc: '2026-03-10T09:00:00.000Z',
      participantsNotified: ['olivia@brookvale.example', 'pat@brookvale.example', 'gus@auditors.example'],
      externalLineIncluded: true,
    });
  });

  it('a participant’s objection is tied to their identity and reaches the organiser', async () => {
    const notice = lastCard(connector, meetingChat);
    const before = mark();
    await press(
      submission(notice, 'I object', { reason: 'I would rather not be recorded.' }),
      pat,
      inMeetingChat(pat),
    );
    expect(conversationText(connector, meetingChat)).toMatch(
      /Pat Participant, your objection is recorded and the organiser has been told/,
    );
    const told = await waitForText(connector, organiserChat, /Pat Participant objected/, before);
    expect(told.activity.text).toMatch(/"I would rather not be recorded\."/);
    objectionsCard = lastCard(connector, organiserChat);
    expect(cardText(objectionsCard)).toMatch(/Record decision/);
    const stored = await record(approvedId);
    expect(stored?.data.objections).toEqual([
      expect.objectContaining({
        participantId: pat.aadObjectId,
        participantName: 'Pat Participant',
        participantAadObjectId: pat.aadObjectId,
        reason: 'I would rather not be recorded.',
        atUtc: '2026-03-10T09:00:00.000Z',
      }),
    ]);
  });

  it.each([
    ['an objection with a 100 KB reason', () => [{ reason: 'x'.repeat(102400) }, pat], /the limit is 1,000/],
    ['the organiser objecting to their own meeting', () => [{}, organiser], /You organise this meeting/],
  ])('%s is refused and changes nothing', async (_name, input, message) => {
    const [extra, person] = input() as [Record<string, unknown>, Person];
    const before = await record(approvedId);
    const notice = lastCard(connector, meetingChat);
    const sent = mark();
    await press(submission(notice, 'I object', extra), person, inMeetingChat(person));
    expect(
      connector.activities
        .slice(sent)
        .map((activity) => activity.activity.text)
        .join('\n'),
    ).toMatch(message);
    expect(await record(approvedId)).toEqual(before);
  });

  it.each([
    ['missing fields', () => ({}), /required/i],
    ['a wrong type', () => ({ reason: ['continue'] }), /must be text/],
    ['a 100 KB reason', () => ({ reason: 'x'.repeat(102400) }), /102,400 characters long/],
    ['a forged decision', () => ({ decision: 'ignore-them', reason: 'Because' }), /one of the options/],
  ])('a decision with %s gets a clear message and changes nothing', async (_name, values, message) => {
    const before = await record(approvedId);
    const sent = mark();
    const answers = values();
    const fill = Object.keys(answers).length > 0;
    await press(submission(objectionsCard, 'Record decision', answers, { fillRequired: fill }));
    const reply = connector.activities
      .slice(sent)
      .map((activity) => activity.activity.text)
      .join('\n');
    expect(reply).toMatch(message);
    expect(reply).toMatch(/Nothing was changed/);
    expect(await record(approvedId)).toEqual(before);
  });

  it('someone else cannot record the organiser’s decision', async () => {
    const before = await record(approvedId);
    const sent = mark();
    await press(
      submission(objectionsCard, 'Record decision', {
        decision: 'continue-with-notetaker',
        reason: 'Forged',
      }),
      pat,
    );
    expect(
      connector.activities
        .slice(sent)
        .map((activity) => activity.activity.text)
        .join('\n'),
    ).toMatch(/Only the meeting organiser/);
    expect(await record(approvedId)).toEqual(before);
  });

  it('the organiser decides each objection with a reason, then closes the checklist', async () => {
    await press(
      submission(objectionsCard, 'Record decision', {
        decision: 'continue-without-ai',
        reason: 'Pat’s concern cannot be overcome; I will take notes by hand.',
      }),
    );
    const afterDecision = lastCard(connector, organiserChat);
    expect(cardText(afterDecision)).toMatch(/Continue without AI \(Pat’s concern/);
    await press(submission(afterDecision, 'Close the checklist'));
    const done = cardText(lastCard(connector, organiserChat));
    expect(done).toMatch(/Notetaker consent recorded/);
    expect(done).toMatch(/Outcome: Meeting goes ahead without AI/);
    const stored = await record(approvedId);
    expect(stored).toMatchObject({ status: 'completed', data: { outcome: 'continue-without-ai' } });
    expect(stored?.data.objections[0].decision).toMatchObject({
      choice: 'continue-without-ai',
      byId: organiser.aadObjectId,
    });
  });

  it('a card from a closed checklist pressed again changes nothing', async () => {
    const before = await record(approvedId);
    const sent = mark();
    await press(submission(objectionsCard, 'Record decision', { decision: 'reschedule', reason: 'Replay' }));
    expect(
      connector.activities
        .slice(sent)
        .map((activity) => activity.activity.text)
        .join('\n'),
    ).toMatch(/already complete; nothing was changed/);
    expect(await record(approvedId)).toEqual(before);
  });

  let byHandId = '';
  let byHandNoticeStep: CardJson;

  it('where the bot cannot post in the meeting chat, the organiser gets paste-able text, recorded as sent by hand', async () => {
    const toolStep = await startTyped('Parents’ evening planning', '2026-03-11 16:00', {
      joinUrl,
      participants: 'pat@brookvale.example, parent@gmail.example',
    });
    byHandId = checklistIdOf(toolStep);
    await press(submission(toolStep, 'Check this tool', { toolId: 'microsoft-365-copilot' }));
    const noticeStep = lastCard(connector, organiserChat);
    byHandNoticeStep = noticeStep;
    connector.inject({
      match: (method, path) => method === 'POST' && decodeURIComponent(path).includes(meetingChat),
      status: 403,
    });
    const sent = mark();
    await press(
      submission(noticeStep, 'Send the notice', { purpose: 'Planning notes', delivery: 'meeting-chat' }),
    );
    const replies = connector.activities
      .slice(sent)
      .filter((activity) => activity.conversationId === organiserChat);
    const pasted = replies.map((activity) => activity.activity.text ?? '').join('\n');
    expect(pasted).toMatch(/Paste this into the meeting invite/);
    expect(pasted).toMatch(/Microsoft 365 Copilot \(Microsoft\)/);
    expect(pasted).toMatch(/External attendees: please do not use your own AI notetaker/);
    expect(cardText(lastCard(connector, organiserChat))).toMatch(
      /could not post the notice in the meeting chat/,
    );
    expect((await record(byHandId))?.data.notice).toMatchObject({
      via: 'by-hand',
      postFailure: 'the bot is not installed in that meeting',
      late: false,
    });
  });

  it('a stale card (an earlier step pressed again) gets "this step has moved on" and the record is unchanged', async () => {
    const before = await record(byHandId);
    const sent = mark();
    await press(
      submission(byHandNoticeStep, 'Send the notice', { purpose: 'Replayed', delivery: 'by-hand' }),
    );
    const replies = connector.activities.slice(sent);
    expect(replies.map((activity) => activity.activity.text).join('\n')).toMatch(/This step has moved on/);
    // The organiser gets the current card back; nothing went to the meeting chat.
    expect(cardText(lastCard(connector, organiserChat))).toMatch(/Objections and decisions/);
    expect(replies.some((activity) => activity.conversationId === meetingChat)).toBe(false);
    expect(await record(byHandId)).toEqual(before);
  });

  let lateId = '';

  it('a notice after the start time is recorded as late and the organiser is told the policy was not met', async () => {
    const toolStep = await startTyped('Already running', '2026-03-10 08:30');
    lateId = checklistIdOf(toolStep);
    expect(cardText(toolStep)).toMatch(/already started/);
    await press(submission(toolStep, 'Check this tool', { toolId: 'microsoft-teams-transcription' }));
    await press(submission(lastCard(connector, organiserChat), 'Send the notice', { purpose: 'Notes' }));
    const card = cardText(lastCard(connector, organiserChat));
    expect(card).toMatch(/after the meeting start time.*has not been met; this is recorded as late/);
    expect(card).toMatch(/\(LATE\)/);
    expect((await record(lateId))?.data.notice).toMatchObject({ late: true, via: 'by-hand' });
  });

  it('the records survive a restart and "my consent records" lists them', async () => {
    const before = await record(approvedId);
    await bot.stop();
    bot = await startBot({ env, dataFolder, overrides: { clock, ids: new SequentialIds('r') } });
    expect(await record(approvedId)).toEqual(before);
    await say('my consent records');
    const list = cardText(lastCard(connector, organiserChat));
    expect(list).toMatch(
      new RegExp(`${approvedId} · Governors’ finance committee: completed: Meeting goes ahead without AI`),
    );
    expect(list).toMatch(new RegExp(`${lateId} · Already running: in-progress \\(notice late\\)`));
    expect(list).toMatch(new RegExp(`${byHandId} · Parents’ evening planning`));
    await say('my consent records', pat);
    expect(cardText(lastCard(connector, patChat))).toMatch(/no notetaker consent records yet/);
  });

  it('the DPO exports every consent record as CSV or JSON; nobody else can', async () => {
    await say('export consent records', organiser);
    expect(connector.sentTo(organiserChat).at(-1)?.activity.text).toMatch(/Only the Data Protection Officer/);
    await say('export consent records as csv', dpo);
    const csv = String(connector.sentTo(dpoChat).at(-1)?.activity.text);
    const rows = /```\n([\s\S]*)```/.exec(csv)?.[1].trim().split('\r\n') ?? [];
    expect(rows[0]).toBe(
      'reference,status,meeting,meetingStartUtc,meetingStartUk,organiser,tool,dpiaReference,noticeSentUtc,noticeSentUk,noticeVia,noticeLate,participantsNotified,objections,decisions,finalOutcome,stoppedBecause',
    );
    expect(rows.find((row) => row.startsWith(`${approvedId},completed,`))).toMatch(
      /Pat Participant: Continue without AI/,
    );
    await say('export consent records as json', dpo);
    const json = String(connector.sentTo(dpoChat).at(-1)?.activity.text);
    const exported = JSON.parse(/```\n([\s\S]*)```/.exec(json)?.[1] ?? '[]') as {
      reference: string;
      noticeLate: string;
      stoppedBecause: string;
    }[];
    expect(exported.find((row) => row.reference === lateId)?.noticeLate).toBe('yes');
    expect(exported.map((row) => row.stoppedBecause).sort()).toEqual(
      expect.arrayContaining(['no-dpia', 'tool-not-allowed']),
    );
  });
});
