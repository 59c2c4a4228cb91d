import { GraphRequestError } from '../../src/graph/client';
import {
  breachLogColumns,
  GraphIncidentNotifier,
  incidentActivityType,
} from '../../src/graph/incident-notifier';
import type { Incident } from '../../src/incidents/types';
import { RecordingLogger } from '../../src/shared/logger';
import { formatUkTime } from '../../src/shared/uk-time';
import { LocalGraphServer } from '../support/graph-server';
import { clientFor, dpoChannelId, dpoTeam, RecordedSleeps, sampleIncident } from './helpers';

const site =
  'contoso.sharepoint.com,11111111-aaaa-bbbb-cccc-000000000001,22222222-aaaa-bbbb-cccc-000000000002';
const list = '33333333-aaaa-bbbb-cccc-000000000003';
const notificationPath = /\/sendActivityNotification$/;
const listPath = /\/lists\/.+\/items$/;

describe('incident notifications and the breach log through Graph', () => {
  let server: LocalGraphServer;

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
  });
  afterAll(() => server.stop());

  beforeEach(() => {
    server.reset();
    server.teams.add(dpoTeam);
    server.lists.set(`${site}/${list}`, []);
  });

  const notifierWith = (
    options: { breachLog?: boolean; sleeps?: RecordedSleeps; logger?: RecordingLogger } = {},
  ) =>
    new GraphIncidentNotifier({
      client: clientFor(server, { sleeps: options.sleeps }),
      channel: async () => ({ teamId: dpoTeam, channelId: dpoChannelId }),
      breachLog: options.breachLog === false ? undefined : { siteId: site, listId: list },
      logger: options.logger ?? new RecordingLogger(),
    });

  /** Runs every step as the incident service does, collecting failures instead of stopping. */
  async function runAll(notifier: GraphIncidentNotifier, incident: Incident): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const step of notifier.steps)
      await notifier.run(step, incident).catch((error: unknown) => failures.push(error));
    return failures;
  }

  it('has a breach-log step only when the list is configured', () => {
    expect(notifierWith({ breachLog: false }).steps).toEqual(['feed']);
    expect(notifierWith().steps).toEqual(['feed', 'breach-log']);
  });

  it('sends an activity-feed notice to the DPO channel members, declared type and template parameters', async () => {
    expect(await runAll(notifierWith({ breachLog: false }), sampleIncident())).toEqual([]);
    expect(server.notifications).toHaveLength(1);
    const { teamId, body } = server.notifications[0];
    // 10:00 UTC on 31 March is 11:00 in the UK: British Summer Time began on the 30th.
    const deadline = formatUkTime(new Date('2025-03-31T10:00:00Z'));
    expect(deadline).toMatch(/31 Mar 2025, 11:00 BST$/);
    expect(teamId).toBe(dpoTeam);
    expect(body).toEqual({
      topic: { source: 'entityUrl', value: `https://graph.microsoft.com/v1.0/teams/${dpoTeam}` },
      activityType: incidentActivityType,
      previewText: {
        content: `Personal data breach reported (INC-2025-0007). ICO deadline ${deadline}.`,
      },
      recipient: {
        '@odata.type': 'microsoft.graph.channelMembersNotificationRecipient',
        teamId: dpoTeam,
        channelId: dpoChannelId,
      },
      templateParameters: [
        { name: 'reference', value: 'INC-2025-0007' },
        { name: 'deadline', value: deadline },
      ],
    });
    // Nothing the reporter typed goes into the feed preview.
    expect(JSON.stringify(body)).not.toContain('SEN notes');
    expect(server.callsTo(listPath)).toHaveLength(0);
  });

  it('writes one breach-log row with every column when the list is configured', async () => {
    expect(await runAll(notifierWith(), sampleIncident())).toEqual([]);
    const items = server.lists.get(`${site}/${list}`) ?? [];
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0].fields).sort()).toEqual([...breachLogColumns].sort());
    expect(items[0].fields).toMatchObject({
      Title: 'INC-2025-0007',
      IncidentType: 'Personal data breach',
      School: 'Oak Primary',
      Discovered: '2025-03-28T10:00:00.000Z',
      IcoDeadline: '2025-03-31T10:00:00.000Z',
      SpecialCategory: true,
      ChildrenInvolved: true,
      Reportable: 'Not decided yet',
    });
    expect(server.callsTo(listPath)[0].authorization).toBe(`Bearer ${server.appToken}`);
  });

  it('never sends anything to Graph for a safeguarding concern', async () => {
    const logger = new RecordingLogger();
    const concern = sampleIncident();
    (concern.report as { type: string }).type = 'safeguarding';
    concern.report.whatHappened = 'A pupil disclosed something to a teacher';
    expect(await runAll(notifierWith({ logger }), concern as Incident)).toEqual([]);
    expect(server.calls).toHaveLength(0);
    expect(server.notifications).toHaveLength(0);
    expect(server.lists.get(`${site}/${list}`)).toHaveLength(0);
    expect(new Set(logger.entries.map((entry) => entry.event))).toEqual(
      new Set(['graph.incident.safeguarding-skipped']),
    );
    expect(JSON.stringify(logger.entries)).not.toContain('disclosed');
  });

  it('honours 429 Retry-After on the notification and 503s on the list, delivering each once', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ match: notificationPath, status: 429, retryAfterSeconds: 2 });
    server.inject({ match: listPath, status: 503, times: 2 });
    expect(await runAll(notifierWith({ sleeps }), sampleIncident())).toEqual([]);
    expect(server.notifications).toHaveLength(1);
    expect(server.lists.get(`${site}/${list}`)).toHaveLength(1);
    expect(server.callsTo(notificationPath).map((call) => call.status)).toEqual([429, 204]);
    expect(server.callsTo(listPath).map((call) => call.status)).toEqual([503, 503, 201]);
    expect(sleeps.waits).toContain(2000);
  });

  it('still writes the breach log when the feed notice is refused, and calls the refusal permanent', async () => {
    server.inject({ match: notificationPath, status: 403 });
    const notifier = notifierWith();
    const [failure, ...others] = await runAll(notifier, sampleIncident());
    expect(others).toEqual([]);
    expect(failure).toBeInstanceOf(GraphRequestError);
    expect(failure).toMatchObject({ reason: 'forbidden', status: 403 });
    expect(notifier.isPermanent(failure)).toBe(true);
    expect(server.lists.get(`${site}/${list}`)).toHaveLength(1);
    expect(server.callsTo(notificationPath)).toHaveLength(1);
  });

  it('fails on 401 at once without a retry storm', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ status: 401, times: 2 });
    const notifier = notifierWith({ sleeps });
    const failures = await runAll(notifier, sampleIncident());
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({ reason: 'unauthorized' });
      expect(notifier.isPermanent(failure)).toBe(true);
    }
    expect(server.calls).toHaveLength(2);
    expect(sleeps.waits).toEqual([]);
  });

  it('calls a Graph that stays unavailable a failure worth retrying later', async () => {
    server.inject({ match: listPath, status: 503, times: 10 });
    const notifier = notifierWith({ sleeps: new RecordedSleeps() });
    const failure = await notifier.run('breach-log', sampleIncident()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'unavailable' });
    expect(notifier.isPermanent(failure)).toBe(false);
  });

  it('skips the feed notice (and says so) while the DPO channel is not known', async () => {
    const logger = new RecordingLogger();
    const notifier = new GraphIncidentNotifier({
      client: clientFor(server),
      channel: async () => undefined,
      breachLog: { siteId: site, listId: list },
      logger,
    });
    expect(await runAll(notifier, sampleIncident())).toEqual([]);
    expect(server.callsTo(notificationPath)).toHaveLength(0);
    expect(server.lists.get(`${site}/${list}`)).toHaveLength(1);
    expect(logger.entries.map((entry) => entry.event)).toContain('graph.incident.feed-skipped');
  });
});
