import { LocalBotConnector } from '../support/bot-connector';
import { LocalBotFrameworkTokens, primeOutgoingBotToken } from '../support/bot-framework-tokens';
import {
  removeTemporaryFolders,
  startBot,
  tenantModeEnvironment,
  type RunningBot,
} from '../support/bot-harness';
import { LocalGraphServer } from '../support/graph-server';
import { button, cardText, submission, waitForCard } from '../support/card-driver';
import {
  installActivity,
  invokeActivity,
  messageActivity,
  cardSubmitActivity,
  type Person,
} from '../support/teams-activities';
import { ManualClock } from '../../src/shared/clock';
import { SequentialIds } from '../../src/shared/ids';
import { RecordingLogger } from '../../src/shared/logger';
import type { NotetakerState } from '../../src/checklists/notetaker-service';
import type { CardJson } from '../../src/devtools/card-text';
import type { RecordedActivity } from '../../src/devtools/local-connector';

/**
 * Step 1 of the notetaker checklist in tenant mode: the organiser picks the meeting from their own
 * calendar. The real bot (Bot Framework tokens checked) signs the organiser in through the user token
 * service (emulated by the local Bot Connector), reads their calendar from the local Graph server
 * with that delegated token, and names the meeting exactly as a pasted join link would.
 */

const appId = '00000000-0000-0000-0000-0000000000c4';
const connectionName = 'graph-calendar';
const organiser: Person = {
  id: '29:organiser-cal',
  name: 'Olivia Organiser',
  aadObjectId: 'aad-organiser-cal',
};
const organiserChat = `a:personal-${organiser.aadObjectId}`;
const organiserToken = 'delegated-calendar-token-of-olivia';
const oauthCardType = 'application/vnd.microsoft.card.oauth';
// The bot's clock: 10 March 2026, 09:00 UTC; the picker looks 14 days ahead.
const now = '2026-03-10T09:00:00Z';
const joinUrl =
  'https://teams.microsoft.com/l/meetup-join/19%3ameeting_Q2FsZW5kYXI%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d';
const calendarPath = /^\/v1\.0\/me\/calendarView$/;

function choicesOf(card: CardJson, inputId: string): { title: string; value: string }[] | undefined {
  const input = (card.body as { id?: string; choices?: { title: string; value: string }[] }[]).find(
    (element) => element.id === inputId,
  );
  return input?.choices;
}

describe('notetaker consent: picking the meeting from the organiser’s calendar (tenant mode)', () => {
  let connector: LocalBotConnector;
  let tokens: LocalBotFrameworkTokens;
  let graph: LocalGraphServer;
  let bot: RunningBot;
  const logger = new RecordingLogger();
  const graphWaits: number[] = [];
  const clock = new ManualClock(now);

  const auth = () => ({ authorization: `Bearer ${tokens.tokenFor(appId, connector.serviceUrl)}` });
  const where = () => ({ serviceUrl: connector.serviceUrl, conversationId: organiserChat, from: organiser });
  const mark = () => connector.activities.length;
  const sentSince = (before: number): RecordedActivity[] =>
    connector.activities.slice(before).filter((recorded) => recorded.conversationId === organiserChat);
  const oauthCardsSince = (before: number) =>
    sentSince(before).filter((recorded) =>
      (recorded.activity.attachments ?? []).some(
        (attachment: { contentType?: string }) => attachment.contentType === oauthCardType,
      ),
    );
  const record = async (id: string) =>
    (await bot.runtime.records.get<NotetakerState>('notetaker-consent', id))?.value;
  const press = async (value: Record<string, unknown>) => {
    const response = await bot.post(cardSubmitActivity(value, where()), auth());
    expect(response.status).toBe(200);
  };

  /** "notetaker consent" in the organiser's chat: the meeting step card. */
  async function start(): Promise<CardJson> {
    const before = mark();
    expect((await bot.post(messageActivity('notetaker consent', where()), auth())).status).toBe(200);
    return waitForCard(connector, organiserChat, /Which meeting\?/, before);
  }

  async function pressPick(card: CardJson): Promise<number> {
    const before = mark();
    await press(submission(card, 'Pick from my meetings', {}, { fillRequired: false }));
    return before;
  }

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    tokens = await new LocalBotFrameworkTokens().start();
    graph = await new LocalGraphServer().start();
    graph.calendars.set(organiserToken, [
      {
        id: 'AAMkAGI1-finance',
        subject: 'Governors’ finance committee',
        start: '2026-03-12T10:00:00Z',
        end: '2026-03-12T11:00:00Z',
        joinUrl,
        organizer: { name: 'Olivia Organiser', address: 'Olivia@Brookvale.example' },
        attendees: [
          { name: 'Pat Participant', address: 'pat@brookvale.example' },
          { name: 'Gus Auditor', address: 'gus@auditors.example', type: 'optional' },
          { name: 'Room 4', address: 'room4@brookvale.example', type: 'resource' },
        ],
      },
      {
        id: 'AAMkAGI1-inroom',
        subject: 'Year 6 moderation (in the hall)',
        start: '2026-03-11T08:00:00Z',
        end: '2026-03-11T09:00:00Z',
        organizer: { name: 'Olivia Organiser', address: 'olivia@brookvale.example' },
        attendees: [],
      },
      {
        id: 'AAMkAGI1-later',
        subject: 'Beyond the fortnight',
        start: '2026-04-20T08:00:00Z',
        end: '2026-04-20T09:00:00Z',
        joinUrl,
        organizer: { name: 'Olivia Organiser', address: 'olivia@brookvale.example' },
        attendees: [],
      },
    ]);
    primeOutgoingBotToken(appId);
    bot = await startBot({
      env: {
        ...tenantModeEnvironment(appId, tokens.metadataUrl),
        BOT_OAUTH_URL: connector.serviceUrl,
        OAUTH_CONNECTION_NAME: connectionName,
        GRAPH_BASE_URL: graph.baseUrl,
        OUTBOX_INTERVAL_MS: '100',
      },
      overrides: {
        logger,
        clock,
        ids: new SequentialIds('cal'),
        graph: {
          tokens: { token: async () => graph.appToken },
          agent: graph.agent(),
          sleep: async (milliseconds) => {
            graphWaits.push(milliseconds);
          },
        },
      },
    });
    expect((await bot.post(installActivity(where()), auth())).status).toBe(200);
  });

  afterAll(async () => {
    await bot?.stop();
    await graph?.stop();
    await tokens?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  let checklistId: string;
  let picker: CardJson;

  it('asks an organiser who has not signed in to sign in, through an OAuth card for the connection', async () => {
    const card = await start();
    checklistId = String(submission(card, 'Next', {}, { fillRequired: false }).checklistId);
    // The paste-the-link form is still the card itself; the calendar is one button on it.
    expect(cardText(card)).toMatch(/Teams join link/);
    const before = await pressPick(card);

    const [signInMessage] = oauthCardsSince(before);
    expect(signInMessage).toBeDefined();
    const oauthCard = signInMessage.activity.attachments[0].content as {
      connectionName: string;
      buttons: { type: string; value: string }[];
      tokenExchangeResource?: { id: string };
    };
    expect(oauthCard.connectionName).toBe(connectionName);
    expect(oauthCard.buttons[0]).toMatchObject({
      type: 'signin',
      value: expect.stringContaining('/signin?state='),
    });
    expect(oauthCard.tokenExchangeResource?.id).toMatch(/^exchange-/);
    expect(connector.signInResources.at(-1)?.state).toMatchObject({
      connectionName,
      msAppId: appId,
      conversation: expect.objectContaining({ user: expect.objectContaining({ id: organiser.id }) }),
    });
    // The token service was asked for this person's token on this connection and had none.
    const asked = connector.requests.filter((request) => request.path === '/api/usertoken/GetToken');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((request) => request.authorization === 'Bearer local-outgoing-token')).toBe(true);
    expect(graph.callsTo(calendarPath)).toHaveLength(0);
  });

  it('after sign-in (signin/verifyState) lists the online meetings of the next 14 days as a choice', async () => {
    connector.magicCodes.set('482913', { userId: organiser.id, connectionName, token: organiserToken });
    const before = mark();
    const response = await bot.post(
      invokeActivity('signin/verifyState', { state: '482913' }, where()),
      auth(),
    );
    expect(response.status).toBe(200);
    picker = await waitForCard(connector, organiserChat, /online meetings in the next 14 days/, before);
    // Only the online meeting inside the window: not the in-room one, not the one next month.
    expect(choicesOf(picker, 'eventId')).toEqual([
      { title: 'Governors’ finance committee – Thu, 12 Mar 2026, 10:00 GMT', value: 'AAMkAGI1-finance' },
    ]);
    expect(button(picker, 'Paste the link instead')).toBeDefined();

    // Graph was read with the organiser's own delegated token, for the bot's 14-day window.
    const [call] = graph.callsTo(calendarPath);
    expect(call.authorization).toBe(`Bearer ${organiserToken}`);
    expect(call.query).toMatchObject({
      startDateTime: '2026-03-10T09:00:00.000Z',
      endDateTime: '2026-03-24T09:00:00.000Z',
    });
  });

  it('picking a meeting fills it in as a pasted join link would, and moves on to the tool', async () => {
    const before = mark();
    await press(submission(picker, 'Use the meeting I picked', { eventId: 'AAMkAGI1-finance' }));
    const toolCard = await waitForCard(connector, organiserChat, /Which notetaker\?/, before);
    expect(cardText(toolCard)).toMatch(/Governors’ finance committee/);
    expect(cardText(toolCard)).toMatch(/Thu, 12 Mar 2026, 10:00 GMT/);

    const state = await record(checklistId);
    expect(state).toMatchObject({ stepId: 'tool', version: 2 });
    expect(state?.data.meeting).toEqual({
      title: 'Governors’ finance committee',
      startUtc: '2026-03-12T10:00:00.000Z',
      source: 'calendar',
      joinUrl,
      chatConversationId: '19:meeting_Q2FsZW5kYXI@thread.v2',
      calendarEventId: 'AAMkAGI1-finance',
      participants: ['olivia@brookvale.example', 'pat@brookvale.example', 'gus@auditors.example'],
      externalParticipants: ['gus@auditors.example'],
    });
    // The notice step offers the meeting chat, as for a pasted link.
    expect(state?.data.toolOptions.length).toBeGreaterThan(0);
  });

  it('a replayed pick on the moved-on checklist changes nothing', async () => {
    const before = await record(checklistId);
    const sent = mark();
    await press(submission(picker, 'Use the meeting I picked', { eventId: 'AAMkAGI1-finance' }));
    expect(
      sentSince(sent)
        .map((recorded) => String(recorded.activity.text ?? ''))
        .join('\n'),
    ).toMatch(/This step has moved on/);
    expect(await record(checklistId)).toEqual(before);
  });

  it('waits out a 429 with Retry-After and then lists the meetings', async () => {
    graph.inject({ match: calendarPath, status: 429, retryAfterSeconds: 2 });
    const waitsBefore = graphWaits.length;
    const card = await start();
    const before = await pressPick(card);
    await waitForCard(connector, organiserChat, /online meetings in the next 14 days/, before);
    expect(graphWaits.slice(waitsBefore)).toEqual([2000]);
    expect(oauthCardsSince(before)).toHaveLength(0);
  });

  it('keeps the paste-the-link path when Graph stays unavailable', async () => {
    graph.inject({ match: calendarPath, status: 503, times: 10 });
    const card = await start();
    const before = await pressPick(card);
    const form = await waitForCard(connector, organiserChat, /could not read your calendar/, before);
    expect(cardText(form)).toMatch(/Teams join link/);
    expect(button(form, 'Next')).toBeDefined();
    graph.reset();
  });

  it('asks the organiser to sign in again when Graph refuses their token (401)', async () => {
    const card = await start();
    const id = String(submission(card, 'Next', {}, { fillRequired: false }).checklistId);
    const stateBefore = await record(id);
    graph.inject({ match: calendarPath, status: 401 });
    const before = await pressPick(card);
    const [signInMessage] = oauthCardsSince(before);
    expect(String(signInMessage?.activity.text)).toMatch(/sign in again/i);
    // The refused token is forgotten at the token service, so signing in again fetches a new one.
    expect(connector.userTokens.has(`${organiser.id}|${connectionName}`)).toBe(false);
    expect(await record(id)).toEqual(stateBefore);

    // Signing in again carries on to the picker for the same checklist.
    connector.magicCodes.set('771204', { userId: organiser.id, connectionName, token: organiserToken });
    const again = mark();
    await bot.post(invokeActivity('signin/verifyState', { state: '771204' }, where()), auth());
    const pickerAgain = await waitForCard(
      connector,
      organiserChat,
      /online meetings in the next 14 days/,
      again,
    );
    expect(submission(pickerAgain, 'Use the meeting I picked').checklistId).toBe(id);
  });

  it('signs in through Teams single sign-on (signin/tokenExchange) too, and refuses a bad exchange with 412', async () => {
    connector.userTokens.clear();
    const card = await start();
    const before = await pressPick(card);
    expect(oauthCardsSince(before)).toHaveLength(1);

    const refused = await bot.post(
      invokeActivity('signin/tokenExchange', { id: 'x', connectionName, token: 'not-exchangeable' }, where()),
      auth(),
    );
    expect(refused.status).toBe(412);

    connector.exchangeableTokens.set('teams-sso-token', {
      userId: organiser.id,
      connectionName,
      token: organiserToken,
    });
    const after = mark();
    const exchanged = await bot.post(
      invokeActivity('signin/tokenExchange', { id: 'x', connectionName, token: 'teams-sso-token' }, where()),
      auth(),
    );
    expect(exchanged.status).toBe(200);
    await waitForCard(connector, organiserChat, /online meetings in the next 14 days/, after);
  });

  it('a pick made after the sign-in has gone asks to sign in first, and changes nothing', async () => {
    const card = await start();
    const id = String(submission(card, 'Next', {}, { fillRequired: false }).checklistId);
    const list = await pressPick(card);
    const pickerNow = await waitForCard(
      connector,
      organiserChat,
      /online meetings in the next 14 days/,
      list,
    );
    const stateBefore = await record(id);
    connector.userTokens.clear();
    const before = mark();
    await press(submission(pickerNow, 'Use the meeting I picked', { eventId: 'AAMkAGI1-finance' }));
    expect(oauthCardsSince(before)).toHaveLength(1);
    expect(await record(id)).toEqual(stateBefore);
  });

  it('never writes a token into the log', () => {
    // The bot's own log: it recorded the 401 above, but no token.
    expect(logger.entries.map((entry) => entry.event)).toContain('notetaker.calendar-sign-in-needed');
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toContain(organiserToken);
    expect(logged).not.toContain('teams-sso-token');
    expect(logged).not.toContain('local-outgoing-token');
  });
});
