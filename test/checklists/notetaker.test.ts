import { consentRecordColumns, toCsv } from '../../src/checklists/consent-records';
import type { Actor } from '../../src/checklists/engine';
import { meetingChatIdFromJoinUrl, type CalendarMeeting } from '../../src/checklists/notetaker';
import type { NotetakerState } from '../../src/checklists/notetaker-service';
import {
  dpo,
  joinUrl,
  organiser,
  organiserAddress,
  participant,
  secondParticipant,
  stranger,
  world,
} from './fixtures';

type World = Awaited<ReturnType<typeof world>>;

async function current(w: World, id: string): Promise<NotetakerState> {
  return (await w.notetaker.get(id)) as NotetakerState;
}

/** Submits on the checklist's current step and version, as the latest card would. */
async function answer(
  w: World,
  id: string,
  values: Record<string, unknown>,
  action = 'next',
  actor: Actor = organiser,
) {
  const state = await current(w, id);
  return w.notetaker.submit(actor, {
    checklistId: id,
    stepId: state.stepId,
    version: state.version,
    action,
    ...values,
  });
}

const meetingAt = '2025-03-12 14:00';
const meeting = {
  title: 'Governors finance committee',
  start: meetingAt,
  joinUrl,
  participants: 'a@brookvale.example, guest@partner.org',
};
const notice = { purpose: 'Minutes of the committee', retention: '30 days', delivery: 'meeting-chat' };

async function toNotice(w: World, tool = 'microsoft-365-copilot') {
  const state = await w.notetaker.start(organiser, organiserAddress);
  expect((await answer(w, state.id, meeting)).kind).toBe('advanced');
  expect((await answer(w, state.id, { toolId: tool })).kind).toBe('advanced');
  return state.id;
}

describe('notetaker consent checklist: the tool step', () => {
  test.each([
    [
      'an approved Microsoft tool goes on to the notice',
      { toolId: 'microsoft-365-copilot' },
      'advanced',
      undefined,
      undefined,
    ],
    [
      'a non-Microsoft tool stops, citing the minuting rule',
      { toolId: 'otter-ai' },
      'stopped',
      'tool-not-allowed',
      'Appendix 1',
    ],
    [
      'a rejected non-Microsoft tool stops on the rule first',
      { toolId: 'fireflies-ai' },
      'stopped',
      'tool-not-allowed',
      'Appendix 1',
    ],
    [
      'a tool not in the register stops with a DPIA offer',
      { toolId: 'other', otherToolName: 'Read.ai' },
      'stopped',
      'not-in-register',
      '4.2',
    ],
  ])('%s', async (_name, values, kind, code, section) => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    await answer(w, state.id, meeting);
    const outcome = await answer(w, state.id, values);
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'stopped') {
      expect(outcome.stop.code).toBe(code);
      expect(outcome.stop.citation?.section).toBe(section);
      expect(outcome.stop.citation?.quote.length).toBeGreaterThan(20);
      expect((await current(w, state.id)).status).toBe('stopped');
    }
    if (code === 'not-in-register') {
      expect(outcome.kind === 'stopped' && outcome.stop.offer).toEqual({
        kind: 'start-dpia',
        toolName: 'Read.ai',
      });
    }
  });

  test.each([
    ['no DPIA', { status: 'none' }, 'has no DPIA', true],
    ['a DPIA waiting for the DPO', { status: 'submitted', reference: 'DPIA-X' }, 'waiting', false],
    [
      'an approval past its review date',
      { status: 'approved', reference: 'DPIA-Y' },
      'past its review date',
      true,
    ],
  ])(
    'a Microsoft tool with %s stops with why and the policy section',
    async (_name, dpia, why, offersDpia) => {
      const w = await world();
      const tool = (await w.register.get('microsoft-teams-transcription'))!;
      await w.store.put('ai-tool-register', tool.id, { ...tool, dpia, reviewDate: '2025-01-01' });
      const state = await w.notetaker.start(organiser, organiserAddress);
      await answer(w, state.id, meeting);
      const outcome = await answer(w, state.id, { toolId: tool.id });
      expect(outcome.kind).toBe('stopped');
      if (outcome.kind !== 'stopped') return;
      expect(outcome.stop.code).toBe('no-dpia');
      expect(outcome.stop.message).toContain(why);
      expect(outcome.stop.citation?.heading).toBe('Personal Data and DPIAs');
      expect(outcome.stop.offer !== undefined).toBe(offersDpia);
    },
  );

  test('the tool step offers the register’s notetakers only', async () => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    await answer(w, state.id, meeting);
    expect((await current(w, state.id)).data.toolOptions.map((option) => option.id)).toEqual([
      'fireflies-ai',
      'microsoft-365-copilot',
      'microsoft-teams-premium-intelligent-recap',
      'microsoft-teams-transcription',
      'otter-ai',
    ]);
  });
});

describe('notetaker consent checklist: the meeting step', () => {
  test('typed details and a join link give the meeting chat and the externals; times are stored in UTC', async () => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    await answer(w, state.id, meeting);
    expect((await current(w, state.id)).data.meeting).toEqual({
      title: 'Governors finance committee',
      startUtc: '2025-03-12T14:00:00.000Z',
      source: 'join-link',
      joinUrl,
      chatConversationId: '19:meeting_NzQ1Yjk2@thread.v2',
      participants: ['a@brookvale.example', 'guest@partner.org'],
      externalParticipants: ['guest@partner.org'],
    });
  });

  test.each([
    [
      'a link that is not Teams',
      { ...meeting, joinUrl: 'https://evil.example/l/meetup-join/x' },
      /not a Teams join link/,
    ],
    ['no start time', { ...meeting, start: undefined }, /"Start time \(UK time\)" is required/],
    ['a start time in words', { ...meeting, start: 'next Tuesday' }, /must be a date and time/],
    ['a 100 KB title', { ...meeting, title: 'x'.repeat(102400) }, /102,400 characters long/],
  ])('%s is refused and nothing changes', async (_name, values, message) => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    const outcome = await answer(w, state.id, values);
    expect(outcome.kind).toBe('invalid');
    expect('message' in outcome && outcome.message).toMatch(message);
    expect(await current(w, state.id)).toEqual(state);
  });

  test('a meeting picked from the calendar is looked up with the organiser’s token', async () => {
    const calls: unknown[] = [];
    const picked: CalendarMeeting = {
      id: 'event-1',
      subject: 'SEND review',
      startUtc: '2025-03-11T10:00:00Z',
      endUtc: '2025-03-11T11:00:00Z',
      joinUrl,
      attendees: [{ email: 'Parent@Home.example' }, { email: 'senco@brookvale.example' }],
    };
    const w = await world({
      calendar: {
        async upcomingMeetings(token, from, to) {
          calls.push({ token, from: from.toISOString(), to: to.toISOString() });
          return [picked];
        },
      },
    });
    const state = await w.notetaker.start(organiser, organiserAddress);
    expect(await w.notetaker.upcomingMeetings('user-token')).toEqual({
      kind: 'meetings',
      meetings: [picked],
    });
    const outcome = await w.notetaker.submit(
      organiser,
      { checklistId: state.id, stepId: 'meeting', version: 1, action: 'calendar', eventId: 'event-1' },
      'user-token',
    );
    expect(outcome.kind).toBe('advanced');
    expect(calls[1]).toEqual({
      token: 'user-token',
      from: '2025-03-10T09:00:00.000Z',
      to: '2025-03-24T09:00:00.000Z',
    });
    const stored = await current(w, state.id);
    expect(stored.data.meeting).toMatchObject({
      source: 'calendar',
      calendarEventId: 'event-1',
      externalParticipants: ['parent@home.example'],
    });
  });

  test('a calendar failure (401, 429 …) means "type it instead", and nothing changes', async () => {
    const w = await world({
      calendar: {
        async upcomingMeetings() {
          throw new Error('Graph 429 Too Many Requests');
        },
      },
    });
    const state = await w.notetaker.start(organiser, organiserAddress);
    expect((await w.notetaker.upcomingMeetings('token')).kind).toBe('calendar-unavailable');
    const outcome = await w.notetaker.submit(
      organiser,
      { checklistId: state.id, stepId: 'meeting', version: 1, action: 'calendar', eventId: 'e' },
      'token',
    );
    expect(outcome).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/paste the join link or type/),
    });
    expect(await current(w, state.id)).toEqual(state);
  });
});

describe('notetaker consent checklist: notice, objections and decisions', () => {
  test('the notice is posted in the meeting chat before the start and recorded as on time', async () => {
    const w = await world();
    const id = await toNotice(w);
    const outcome = await answer(w, id, notice);
    expect(outcome).toMatchObject({ kind: 'advanced', warnings: [], noticeText: undefined });
    expect(w.messenger.sent).toHaveLength(1);
    expect(w.messenger.sent[0].address).toEqual({
      ...organiserAddress,
      conversationId: '19:meeting_NzQ1Yjk2@thread.v2',
    });
    expect((await current(w, id)).data.notice).toMatchObject({
      via: 'meeting-chat',
      late: false,
      activityId: 'local-1',
      sentAtUtc: '2025-03-10T09:00:00.000Z',
      externalLineIncluded: true,
      participantsNotified: ['a@brookvale.example', 'guest@partner.org'],
    });
  });

  test('a notice after the start time is recorded as late and the organiser is told the policy was not met', async () => {
    const w = await world();
    const id = await toNotice(w);
    w.clock.set('2025-03-12T14:05:00Z');
    const outcome = await answer(w, id, notice);
    expect(outcome.kind).toBe('advanced');
    expect(outcome.kind === 'advanced' && outcome.warnings.join(' ')).toMatch(
      /after the meeting start time.*has not been met/,
    );
    expect((await current(w, id)).data.notice?.late).toBe(true);
  });

  test('where the bot cannot post, the organiser gets the text and it is recorded as sent by hand', async () => {
    const w = await world({ failPosts: true });
    const id = await toNotice(w);
    const outcome = await answer(w, id, notice);
    expect(outcome.kind).toBe('advanced');
    if (outcome.kind !== 'advanced') return;
    expect(outcome.warnings[0]).toMatch(/not installed in that meeting/);
    expect(outcome.noticeText).toContain('Microsoft 365 Copilot (Microsoft)');
    expect(outcome.noticeText).toContain('DPIA reference: DPIA-2024-003');
    expect(outcome.noticeText).toContain('please do not use your own AI notetaker');
    expect(outcome.noticeText).toContain('Wed, 12 Mar 2025, 14:00 GMT');
    expect((await current(w, id)).data.notice).toMatchObject({
      via: 'by-hand',
      postFailure: 'the bot is not installed in that meeting',
    });
  });

  test('objections are tied to the participant; only the organiser decides; all must be decided to finish', async () => {
    const w = await world();
    const id = await toNotice(w);
    await answer(w, id, notice);
    const first = await w.notetaker.object(participant, {
      checklistId: id,
      reason: 'I do not want my voice recorded',
    });
    expect(first).toMatchObject({
      kind: 'recorded',
      objection: { participantId: 'aad-pat', participantName: 'Pat Participant' },
    });
    const again = await w.notetaker.object(participant, { checklistId: id, reason: 'Changed my reason' });
    expect(again).toMatchObject({ kind: 'updated', objection: { reason: 'Changed my reason' } });
    await w.notetaker.object(secondParticipant, { checklistId: id });
    const objections = (await current(w, id)).data.objections;
    expect(objections.map((objection) => objection.participantName)).toEqual([
      'Pat Participant',
      'Sam Second',
    ]);

    const before = await current(w, id);
    const forged = await answer(
      w,
      id,
      { objectionId: objections[0].id, decision: 'continue-without-ai', reason: 'x' },
      'decide',
      participant,
    );
    expect(forged).toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/Only the meeting organiser/),
    });
    const huge = await answer(
      w,
      id,
      { objectionId: objections[0].id, decision: 'continue-without-ai', reason: 'x'.repeat(102400) },
      'decide',
    );
    expect(huge).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/limit is 1,000/) });
    const finishEarly = await answer(w, id, {}, 'finish');
    expect(finishEarly).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/still open: Pat Participant, Sam Second/),
    });
    expect(await current(w, id)).toEqual(before);

    await answer(
      w,
      id,
      {
        objectionId: objections[0].id,
        decision: 'continue-without-ai',
        reason: 'Concern cannot be overcome',
      },
      'decide',
    );
    await answer(
      w,
      id,
      { objectionId: objections[1].id, decision: 'continue-with-notetaker', reason: 'Explained retention' },
      'decide',
    );
    const done = await answer(w, id, {}, 'finish');
    expect(done.kind).toBe('completed');
    const record = await current(w, id);
    expect(record.data.outcome).toBe('continue-without-ai');
    expect(record.data.objections[0].decision).toMatchObject({
      choice: 'continue-without-ai',
      byId: organiser.id,
    });
    expect(await w.notetaker.object(participant, { checklistId: id, reason: 'again' })).toMatchObject({
      kind: 'already-decided',
    });
  });

  test.each([
    [[], 'continue-with-notetaker'],
    [['continue-with-notetaker'], 'continue-with-notetaker'],
    [['continue-with-notetaker', 'continue-without-ai'], 'continue-without-ai'],
    [['continue-without-ai', 'reschedule'], 'rescheduled'],
  ])('decisions %j give the final outcome %s', async (decisions, outcome) => {
    const w = await world();
    const id = await toNotice(w);
    await answer(w, id, notice);
    const people = [participant, secondParticipant];
    for (const [index, decision] of decisions.entries()) {
      const recorded = await w.notetaker.object(people[index], { checklistId: id });
      if (recorded.kind !== 'recorded') throw new Error(recorded.kind);
      await answer(w, id, { objectionId: recorded.objection.id, decision, reason: 'weighed' }, 'decide');
    }
    expect((await answer(w, id, {}, 'finish')).kind).toBe('completed');
    expect((await current(w, id)).data.outcome).toBe(outcome);
  });

  test('an objection after the organiser closed the checklist reopens it for a decision', async () => {
    const w = await world();
    const id = await toNotice(w);
    await answer(w, id, notice);
    await answer(w, id, {}, 'finish');
    const late = await w.notetaker.object(participant, { checklistId: id, reason: 'Only just saw this' });
    expect(late).toMatchObject({ kind: 'recorded', reopened: true, objection: { afterCompletion: true } });
    const state = await current(w, id);
    expect(state).toMatchObject({ status: 'in-progress', stepId: 'objections' });
    expect(state.data.outcome).toBeUndefined();
  });

  test.each([
    ['before the notice went out', false, {}, 'not-open'],
    ['with a reason that is not text', true, { reason: 12 }, 'invalid'],
    ['with a 100 KB reason', true, { reason: 'x'.repeat(102400) }, 'invalid'],
  ])('an objection %s is refused and nothing changes', async (_name, noticeSent, extra, kind) => {
    const w = await world();
    const id = await toNotice(w);
    if (noticeSent) await answer(w, id, notice);
    const before = await current(w, id);
    expect(await w.notetaker.object(participant, { checklistId: id, ...extra })).toMatchObject({ kind });
    expect(await current(w, id)).toEqual(before);
  });
});

describe('notetaker consent checklist: stale, replayed and forged submits', () => {
  test.each([
    ['a replayed meeting card', () => ({ stepId: 'meeting', version: 1 }), 'stale'],
    [
      'a card for a step not reached yet',
      (state: NotetakerState) => ({ stepId: 'objections', version: state.version }),
      'stale',
    ],
    [
      'the right step with an old version',
      (state: NotetakerState) => ({ stepId: state.stepId, version: state.version - 1 }),
      'stale',
    ],
    [
      'a version in the future',
      (state: NotetakerState) => ({ stepId: state.stepId, version: state.version + 5 }),
      'stale',
    ],
    [
      'no version at all',
      (state: NotetakerState) => ({ stepId: state.stepId, version: undefined }),
      'invalid',
    ],
    [
      'a version that is an object',
      (state: NotetakerState) => ({ stepId: state.stepId, version: { $ne: 1 } }),
      'invalid',
    ],
    [
      'a button the step does not have',
      (state: NotetakerState) => ({ stepId: state.stepId, version: state.version, action: 'finish' }),
      'invalid',
    ],
  ])('%s changes nothing', async (_name, envelope, kind) => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    await answer(w, state.id, meeting);
    const before = await current(w, state.id);
    const outcome = await w.notetaker.submit(organiser, {
      checklistId: state.id,
      toolId: 'microsoft-365-copilot',
      ...envelope(before),
    });
    expect(outcome.kind).toBe(kind);
    if (kind === 'stale') expect('message' in outcome && outcome.message).toMatch(/This step has moved on/);
    expect(await current(w, state.id)).toEqual(before);
  });

  test('a stale notice card does not post a second notice', async () => {
    const w = await world();
    const id = await toNotice(w);
    const state = await current(w, id);
    const submit = { checklistId: id, stepId: 'notice', version: state.version, ...notice };
    expect((await w.notetaker.submit(organiser, submit)).kind).toBe('advanced');
    expect((await w.notetaker.submit(organiser, submit)).kind).toBe('stale');
    expect(w.messenger.sent).toHaveLength(1);
  });

  test('someone else’s checklist, a missing one and a stopped one', async () => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    expect(
      (
        await w.notetaker.submit(stranger, {
          checklistId: state.id,
          stepId: 'meeting',
          version: 1,
          ...meeting,
        })
      ).kind,
    ).toBe('forbidden');
    expect(
      (await w.notetaker.submit(organiser, { checklistId: 'NC-nope', stepId: 'meeting', version: 1 })).kind,
    ).toBe('not-found');
    await answer(w, state.id, meeting);
    await answer(w, state.id, { toolId: 'otter-ai' });
    const stopped = await current(w, state.id);
    const outcome = await w.notetaker.submit(organiser, {
      checklistId: state.id,
      stepId: 'tool',
      version: stopped.version,
      toolId: 'microsoft-365-copilot',
    });
    expect(outcome.kind).toBe('closed');
    expect(await current(w, state.id)).toEqual(stopped);
  });
});

describe('consent records', () => {
  test('survive in the store, are listed for their organiser and exported for the DPO only', async () => {
    const w = await world();
    const id = await toNotice(w);
    await answer(w, id, notice);
    await w.notetaker.object(participant, { checklistId: id, reason: '=HYPERLINK("http://x")' });
    expect((await w.notetaker.recordsOf(organiser)).map((state) => state.id)).toEqual([id]);
    expect(await w.notetaker.recordsOf(participant)).toEqual([]);
    expect(await w.notetaker.exportRecords(organiser, 'csv')).toMatchObject({ kind: 'forbidden' });

    const csv = await w.notetaker.exportRecords(dpo, 'csv');
    if (csv.kind !== 'export') throw new Error(csv.kind);
    const lines = csv.content.trim().split('\r\n');
    expect(lines[0]).toBe(consentRecordColumns.join(','));
    expect(lines[1]).toContain('Governors finance committee');
    expect(lines[1]).toContain('2025-03-12T14:00:00.000Z');
    expect(lines[1]).toContain('"Wed, 12 Mar 2025, 14:00 GMT"');
    expect(lines[1]).toContain('DPIA-2024-003');
    expect(lines[1]).not.toMatch(/,=HYPERLINK/);
    const json = await w.notetaker.exportRecords(dpo, 'json');
    if (json.kind !== 'export') throw new Error(json.kind);
    const parsed = JSON.parse(json.content) as {
      reference: string;
      noticeVia: string;
      record: NotetakerState;
    }[];
    expect(parsed[0]).toMatchObject({ reference: id, noticeVia: 'meeting-chat' });
    expect(parsed[0].record.data.objections).toHaveLength(1);
    // What fits in a chat message: the rows without the full records.
    const rows = await w.notetaker.exportRecords(dpo, 'json', { includeFullRecords: false });
    if (rows.kind !== 'export') throw new Error(rows.kind);
    expect(JSON.parse(rows.content)).toEqual([expect.not.objectContaining({ record: expect.anything() })]);
  });
});

describe('started in the Teams meeting chat', () => {
  const info = {
    title: 'Governors finance committee',
    startUtc: '2025-03-12T14:00:00Z',
    joinUrl,
    chatConversationId: '19:meeting_NzQ1Yjk2@thread.v2',
    participants: ['Olivia@Brookvale.example', 'pat@brookvale.example', 'gus@auditors.example'],
  };

  test('the meeting is named from Teams, so the checklist begins at the tool step', async () => {
    const w = await world();
    const { state, warnings } = await w.notetaker.startFromTeamsMeeting(organiser, organiserAddress, info);
    expect(warnings).toEqual([]);
    expect(state).toMatchObject({ stepId: 'tool', version: 2, status: 'in-progress', ownerId: organiser.id });
    expect(state.data.meeting).toEqual({
      title: 'Governors finance committee',
      startUtc: '2025-03-12T14:00:00.000Z',
      source: 'teams-meeting',
      joinUrl,
      chatConversationId: '19:meeting_NzQ1Yjk2@thread.v2',
      participants: ['olivia@brookvale.example', 'pat@brookvale.example', 'gus@auditors.example'],
      externalParticipants: ['gus@auditors.example'],
    });
    expect(state.data.toolOptions.map((option) => option.id)).toContain('microsoft-teams-transcription');
    expect(await w.notetaker.get(state.id)).toEqual(state);
  });

  test('a meeting already under way is warned about', async () => {
    const w = await world({ now: '2025-03-12T14:05:00Z' });
    const { warnings } = await w.notetaker.startFromTeamsMeeting(organiser, organiserAddress, info);
    expect(warnings).toEqual([expect.stringMatching(/already started/)]);
  });
});

describe('join links', () => {
  test.each([
    [joinUrl, '19:meeting_NzQ1Yjk2@thread.v2'],
    ['https://teams.microsoft.com/meet/123456?p=abc', undefined],
    ['not a url', undefined],
    ['https://teams.microsoft.com/l/meetup-join/%E0%A4%A', undefined],
  ])('%s gives chat %s', (url, chat) => {
    expect(meetingChatIdFromJoinUrl(url)).toBe(chat);
  });
});

describe('CSV export cells', () => {
  test.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+44 1234', "'+44 1234"],
    ['@cmd', "'@cmd"],
    ['say "hi", then go', '"say ""hi"", then go"'],
    ['two\nlines', '"two\nlines"'],
    ['plain', 'plain'],
  ])('%j is written as %j', (value, cell) => {
    expect(toCsv<{ value: string }>(['value'], [{ value }])).toBe(`value\r\n${cell}\r\n`);
  });
});
