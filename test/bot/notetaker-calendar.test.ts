import { GraphCalendarSource, toCalendarMeeting } from '../../src/bot/meeting-calendar-source';
import { notetakerStepCard } from '../../src/bot/cards/checklist-notetaker';
import { CalendarSignInNeeded, type CalendarMeeting } from '../../src/checklists/notetaker';
import { loadConfig } from '../../src/config';
import { GraphRequestError, type MeetingCalendar, type UpcomingMeeting } from '../../src/graph';
import { renderCard, type CardJson } from '../../src/devtools/card-text';
import { joinUrl, organiser, organiserAddress, world } from '../checklists/fixtures';

/** The pieces behind "Pick from my meetings": the Graph adapter, the service's outcomes, the cards, the settings. */

const upcoming: UpcomingMeeting = {
  id: 'event-1',
  subject: 'SEND review',
  start: '2025-03-11T10:00:00.000Z',
  end: '2025-03-11T11:00:00.000Z',
  joinUrl,
  organizer: { name: 'Olivia Organiser', address: 'olivia@brookvale.example' },
  attendees: [
    { name: 'Parent', address: 'parent@home.example', type: 'required' },
    { name: 'Room 4', address: 'room4@brookvale.example', type: 'resource' },
  ],
};

function calendarThat(run: () => Promise<UpcomingMeeting[]>): MeetingCalendar {
  return { upcomingMeetings: run };
}

describe('the Graph calendar as the checklist’s calendar source', () => {
  test('keeps people and the organiser, leaves out booked rooms', () => {
    expect(toCalendarMeeting(upcoming)).toEqual({
      id: 'event-1',
      subject: 'SEND review',
      startUtc: '2025-03-11T10:00:00.000Z',
      endUtc: '2025-03-11T11:00:00.000Z',
      joinUrl,
      organiserEmail: 'olivia@brookvale.example',
      attendees: [{ email: 'parent@home.example', name: 'Parent' }],
    });
  });

  test.each([
    ['a refused token (401)', 'unauthorized', 401, CalendarSignInNeeded],
    ['missing consent (403)', 'forbidden', 403, GraphRequestError],
    ['throttling that outlasted the retries', 'throttled', 429, GraphRequestError],
  ] as const)('%s', async (_case, reason, status, expected) => {
    const source = new GraphCalendarSource(
      calendarThat(async () => {
        throw new GraphRequestError(reason, status, undefined, `read the organiser calendar: HTTP ${status}`);
      }),
    );
    await expect(source.upcomingMeetings('token', new Date(), new Date())).rejects.toBeInstanceOf(expected);
  });
});

describe('the notetaker service with a calendar', () => {
  const online: CalendarMeeting = toCalendarMeeting(upcoming);
  const inRoom: CalendarMeeting = { ...online, id: 'event-2', joinUrl: undefined };

  test('offers online meetings only', async () => {
    const w = await world({ calendar: { upcomingMeetings: async () => [inRoom, online] } });
    expect(await w.notetaker.upcomingMeetings('token')).toEqual({ kind: 'meetings', meetings: [online] });
  });

  test('a refused token asks for sign-in again, in the list and in a pick, and changes nothing', async () => {
    const w = await world({
      calendar: {
        upcomingMeetings: async () => {
          throw new CalendarSignInNeeded();
        },
      },
    });
    const state = await w.notetaker.start(organiser, organiserAddress);
    expect((await w.notetaker.upcomingMeetings('token')).kind).toBe('sign-in-needed');
    const outcome = await w.notetaker.submit(
      organiser,
      { checklistId: state.id, stepId: 'meeting', version: 1, action: 'calendar', eventId: 'event-1' },
      'token',
    );
    expect(outcome).toMatchObject({
      kind: 'sign-in-needed',
      message: expect.stringMatching(/sign in again/),
    });
    expect((await w.store.get('notetaker-consent', state.id))?.value).toEqual(state);
  });

  test('the picked meeting’s organiser counts as a participant', async () => {
    const w = await world({ calendar: { upcomingMeetings: async () => [online] } });
    const state = await w.notetaker.start(organiser, organiserAddress);
    await w.notetaker.submit(
      organiser,
      { checklistId: state.id, stepId: 'meeting', version: 1, action: 'calendar', eventId: 'event-1' },
      'token',
    );
    const stored = await w.notetaker.get(state.id);
    expect(stored?.data.meeting?.participants).toEqual(['olivia@brookvale.example', 'parent@home.example']);
    expect(stored?.data.meeting?.externalParticipants).toEqual(['parent@home.example']);
  });

  test.each([
    ['a current meeting-step card', { stepId: 'meeting', version: 1 }, 'ok'],
    ['an old version', { stepId: 'meeting', version: 0 }, 'refused'],
    ['another step', { stepId: 'tool', version: 1 }, 'refused'],
  ])('redrawing the meeting step from %s', async (_case, envelope, expected) => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    const found = await w.notetaker.meetingStep(organiser, { checklistId: state.id, ...envelope });
    expect(found.kind).toBe(expected);
  });

  test('only the organiser may redraw it', async () => {
    const w = await world();
    const state = await w.notetaker.start(organiser, organiserAddress);
    const found = await w.notetaker.meetingStep(
      { id: 'someone-else', name: 'Someone' },
      { checklistId: state.id, stepId: 'meeting', version: 1 },
    );
    expect(found).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/Only the meeting organiser/),
    });
  });
});

describe('the meeting step card', () => {
  async function meetingState() {
    const w = await world();
    return { state: await w.notetaker.start(organiser, organiserAddress), rules: w.rules };
  }
  const titles = (card: CardJson) => renderCard(card).buttons.map((button) => button.title);

  test('offers "Pick from my meetings" only when asked to (tenant mode with the OAuth connection)', async () => {
    const { state, rules } = await meetingState();
    expect(titles(notetakerStepCard(state, rules))).toEqual(['Next']);
    const card = notetakerStepCard(state, rules, { offerCalendar: true });
    expect(titles(card)).toEqual(['Next', 'Pick from my meetings']);
    expect(renderCard(card).buttons[1].data).toMatchObject({
      verb: 'notetaker.meeting',
      show: 'calendar',
      checklistId: state.id,
      stepId: 'meeting',
      version: 1,
    });
    expect((card.actions as { associatedInputs?: string }[])[1].associatedInputs).toBe('none');
  });

  test('with meetings it is a picker with no typed inputs, so Teams sends the pick alone', async () => {
    const { state, rules } = await meetingState();
    const card = notetakerStepCard(state, rules, {
      offerCalendar: true,
      calendar: [toCalendarMeeting(upcoming)],
    });
    const rendered = renderCard(card);
    expect(rendered.buttons.map((button) => button.title)).toEqual([
      'Use the meeting I picked',
      'Paste the link instead',
    ]);
    expect(rendered.buttons[0].inputs.map((input) => [input.id, input.isRequired])).toEqual([
      ['eventId', true],
    ]);
    expect(rendered.buttons[0].data).toMatchObject({ verb: 'notetaker.step', action: 'calendar' });
    expect(rendered.buttons[1].data).toMatchObject({ verb: 'notetaker.meeting', show: 'form' });
  });
});

describe('settings for the meeting picker', () => {
  const tenant = {
    MICROSOFT_APP_ID: '00000000-0000-0000-0000-0000000000c4',
    MICROSOFT_APP_PASSWORD: 'secret',
    MICROSOFT_APP_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  };

  test('OAUTH_CONNECTION_NAME is optional in tenant mode', () => {
    expect(loadConfig(tenant).bot?.oauthConnectionName).toBeUndefined();
    expect(loadConfig({ ...tenant, OAUTH_CONNECTION_NAME: 'graph-calendar' }).bot?.oauthConnectionName).toBe(
      'graph-calendar',
    );
  });

  test('BOT_OAUTH_URL must be a URL', () => {
    expect(loadConfig({ ...tenant, BOT_OAUTH_URL: 'http://127.0.0.1:9/' }).bot?.oauthUrl).toBe(
      'http://127.0.0.1:9',
    );
    expect(() => loadConfig({ ...tenant, BOT_OAUTH_URL: 'token-service' })).toThrow(/BOT_OAUTH_URL/);
  });
});
