import { GraphRequestError } from '../../src/graph/client';
import { GraphMeetingCalendar } from '../../src/graph/meeting-calendar';
import { LocalGraphServer } from '../support/graph-server';
import { RecordedSleeps } from './helpers';

const organiserToken = 'delegated-token-of-the-organiser';
const calendarPath = /^\/v1\.0\/me\/calendarView$/;

describe("an organiser's upcoming meetings through Graph (delegated)", () => {
  let server: LocalGraphServer;
  let sleeps: RecordedSleeps;
  let calendar: GraphMeetingCalendar;

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
    server.calendars.set(organiserToken, [
      {
        id: 'AAMkAGI1-governors',
        subject: 'Governors: curriculum committee',
        start: '2025-03-31T16:00:00Z',
        end: '2025-03-31T17:30:00Z',
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
        organizer: { name: 'Alex Head', address: 'alex.head@oak.example.org' },
        attendees: [
          { name: 'Chris Governor', address: 'chris@governors.example.com' },
          { name: 'Pat Clerk', address: 'pat.clerk@oak.example.org', type: 'optional' },
        ],
      },
      {
        id: 'AAMkAGI1-inroom',
        subject: 'Year 6 moderation (in room)',
        start: '2025-03-31T08:00:00Z',
        end: '2025-03-31T09:00:00Z',
        organizer: { name: 'Alex Head', address: 'alex.head@oak.example.org' },
        attendees: [],
      },
      {
        id: 'AAMkAGI1-invited',
        subject: 'Trust heads briefing (invited, organised by the CEO)',
        start: '2025-03-31T10:00:00Z',
        end: '2025-03-31T11:00:00Z',
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_ceo%40thread.v2/0',
        organizer: { name: 'Sam Ceo', address: 'sam.ceo@trust.example.org' },
        attendees: [{ name: 'Alex Head', address: 'alex.head@oak.example.org' }],
        isOrganizer: false,
      },
      {
        id: 'AAMkAGI1-nextmonth',
        subject: 'Outside the window',
        start: '2025-05-01T08:00:00Z',
        end: '2025-05-01T09:00:00Z',
        organizer: { name: 'Alex Head', address: 'alex.head@oak.example.org' },
        attendees: [],
      },
    ]);
  });
  afterAll(() => server.stop());

  beforeEach(() => {
    server.reset();
    sleeps = new RecordedSleeps();
    calendar = new GraphMeetingCalendar({
      baseUrl: server.baseUrl,
      agent: server.agent(),
      sleep: sleeps.sleep,
      random: () => 0.5,
    });
  });

  const from = new Date('2025-03-31T00:00:00Z');
  const to = new Date('2025-04-07T00:00:00Z');

  it('lists the meetings in the window that the person organises, in start order, with join link, organiser and attendees', async () => {
    const meetings = await calendar.upcomingMeetings(organiserToken, from, to);
    expect(meetings).toEqual([
      {
        id: 'AAMkAGI1-inroom',
        subject: 'Year 6 moderation (in room)',
        start: '2025-03-31T08:00:00.000Z',
        end: '2025-03-31T09:00:00.000Z',
        joinUrl: undefined,
        organizer: { name: 'Alex Head', address: 'alex.head@oak.example.org' },
        attendees: [],
      },
      {
        id: 'AAMkAGI1-governors',
        subject: 'Governors: curriculum committee',
        start: '2025-03-31T16:00:00.000Z',
        end: '2025-03-31T17:30:00.000Z',
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
        organizer: { name: 'Alex Head', address: 'alex.head@oak.example.org' },
        attendees: [
          { name: 'Chris Governor', address: 'chris@governors.example.com', type: 'required' },
          { name: 'Pat Clerk', address: 'pat.clerk@oak.example.org', type: 'optional' },
        ],
      },
    ]);
    const [call] = server.callsTo(calendarPath);
    expect(call.authorization).toBe(`Bearer ${organiserToken}`);
    expect(call.query?.$select?.split(',')).toContain('isOrganizer');
    expect(call.query).toMatchObject({
      startDateTime: from.toISOString(),
      endDateTime: to.toISOString(),
      $top: '50',
    });
  });

  it("refuses the bot's own app token: /me needs the signed-in user", async () => {
    const failure = await calendar
      .upcomingMeetings(server.appToken, from, to)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphRequestError);
    expect(failure).toMatchObject({ reason: 'rejected', status: 400 });
  });

  it('fails clearly on an expired user token, with one request and no waiting', async () => {
    server.inject({ match: calendarPath, status: 401 });
    await expect(calendar.upcomingMeetings(organiserToken, from, to)).rejects.toMatchObject({
      reason: 'unauthorized',
      code: 'forbidden',
    });
    expect(server.callsTo(calendarPath)).toHaveLength(1);
    expect(sleeps.waits).toEqual([]);
  });

  it('honours 429 Retry-After and then answers', async () => {
    server.inject({ match: calendarPath, status: 429, retryAfterSeconds: 1 });
    const meetings = await calendar.upcomingMeetings(organiserToken, from, to);
    expect(meetings.map((meeting) => meeting.id)).toEqual(['AAMkAGI1-inroom', 'AAMkAGI1-governors']);
    expect(sleeps.waits).toEqual([1000]);
  });

  it('retries a reply that never comes (a read is safe to repeat)', async () => {
    const slow = new GraphMeetingCalendar({
      baseUrl: server.baseUrl,
      agent: server.agent(),
      sleep: sleeps.sleep,
      random: () => 0.5,
      timeoutMs: 200,
    });
    server.inject({ match: calendarPath, delayMs: 2_000 });
    const meetings = await slow.upcomingMeetings(organiserToken, from, to);
    expect(meetings).toHaveLength(2);
    expect(server.callsTo(calendarPath)).toHaveLength(2);
    expect(sleeps.waits).toHaveLength(1);
  });
});
