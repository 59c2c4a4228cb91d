import { createGraphClient, graphCall, parseRetryAfter } from '../../src/graph/client';
import { PolicyLibraryRefresher, type PolicySyncReport } from '../../src/graph/policy-library-source';
import { RecordingLogger } from '../../src/shared/logger';
import { LocalGraphServer } from '../support/graph-server';
import { clientFor, CountingTokens, dpoChannelId, dpoTeam, RecordedSleeps } from './helpers';

describe('the Graph client', () => {
  let graph: LocalGraphServer;
  let elsewhere: LocalGraphServer;

  beforeAll(async () => {
    graph = await new LocalGraphServer().start();
    elsewhere = await new LocalGraphServer('another-token', graph.tlsCredentials).start();
    for (const server of [graph, elsewhere]) {
      server.channelMembers.set(`${dpoTeam}/${dpoChannelId}`, [{ userId: 'aad-1', displayName: 'One' }]);
    }
  });
  afterAll(async () => {
    await graph.stop();
    await elsewhere.stop();
  });
  beforeEach(() => {
    graph.reset();
    elsewhere.reset();
  });

  it.each<[string | undefined, number | undefined]>([
    ['2', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['Fri, 28 Mar 2025 10:00:30 GMT', 30_000],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %p as %p ms', (value, expected) => {
    expect(parseRetryAfter(value, new Date('2025-03-28T10:00:00Z'))).toBe(expected);
  });

  it('never sends the token to a host other than the configured Graph', async () => {
    const tokens = new CountingTokens(graph.appToken);
    const client = createGraphClient({
      baseUrl: graph.baseUrl,
      tokens,
      agent: graph.agent(),
      sleep: new RecordedSleeps().sleep,
    });
    const path = `/teams/${dpoTeam}/channels/${encodeURIComponent(dpoChannelId)}/members`;
    await graphCall('members', () => client.api(path).get());
    const failure = await graphCall('members', () => client.api(`${elsewhere.baseUrl}${path}`).get()).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      reason: 'unauthorized',
    });
    expect(graph.calls[0].authorization).toBe(`Bearer ${graph.appToken}`);
    expect(elsewhere.calls).toHaveLength(1);
    expect(elsewhere.calls[0].authorization).toBeUndefined();
  });

  it('does not repeat a POST whose answer never came (it may have been done), but does repeat a GET', async () => {
    const site = 'site-1';
    graph.lists.set(`${site}/list-1`, []);
    const sleeps = new RecordedSleeps();
    const client = clientFor(graph, { sleeps, timeoutMs: 150 });
    graph.inject({ match: /\/items$/, delayMs: 1_000 });
    await expect(
      graphCall('breach log', () =>
        client.api(`/sites/${site}/lists/list-1/items`).post({ fields: { Title: 'x' } }),
      ),
    ).rejects.toMatchObject({ reason: 'unavailable', code: 'unavailable' });
    expect(graph.callsTo(/\/items$/)).toHaveLength(1);
    expect(sleeps.waits).toEqual([]);

    graph.inject({ match: /\/members$/, delayMs: 1_000 });
    const page = await graphCall('members', () =>
      client.api(`/teams/${dpoTeam}/channels/${encodeURIComponent(dpoChannelId)}/members`).get(),
    );
    expect((page as { value: unknown[] }).value).toHaveLength(1);
    expect(graph.callsTo(/\/members$/)).toHaveLength(2);
  });
});

describe('the SharePoint policy refresher', () => {
  const report = (changed: string[]): PolicySyncReport => ({
    folder: '/tmp/x',
    changed,
    removed: [],
    unchanged: [],
  });

  it('re-indexes only when something changed, runs one sync at a time, and shows a failure in health', async () => {
    const results: (PolicySyncReport | Error)[] = [report(['a.md']), report([]), new Error('HTTP 403')];
    let syncs = 0;
    let reindexed = 0;
    const refresher = new PolicyLibraryRefresher({
      source: {
        sync: async () => {
          syncs += 1;
          const next = results.shift() as PolicySyncReport | Error;
          if (next instanceof Error) throw next;
          return next;
        },
      },
      intervalMs: 60_000,
      onChanged: async () => {
        reindexed += 1;
      },
      logger: new RecordingLogger(),
    });
    const [first, second] = await Promise.all([refresher.refreshNow(), refresher.refreshNow()]);
    expect(first).toBe(second);
    expect(syncs).toBe(1);
    expect(reindexed).toBe(1);
    await refresher.refreshNow();
    expect(reindexed).toBe(1);
    expect((await refresher.health()).ok).toBe(true);
    await refresher.refreshNow();
    expect(await refresher.health()).toEqual({
      ok: false,
      detail: 'SharePoint sync failed, answering from the last copy: HTTP 403',
    });
  });
});
