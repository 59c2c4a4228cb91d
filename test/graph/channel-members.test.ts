import { GraphChannelMembers } from '../../src/graph/channel-members';
import { GraphRequestError } from '../../src/graph/client';
import { ConfiguredChannelMembers } from '../../src/incidents/types';
import { ManualClock } from '../../src/shared/clock';
import { LocalGraphServer } from '../support/graph-server';
import { clientFor, CountingTokens, dpoChannelId, dpoTeam, RecordedSleeps } from './helpers';

const dpo = { id: 'x', aadObjectId: 'AAAA1111-0000-0000-0000-000000000001' };
const deputy = { id: 'y', aadObjectId: 'aaaa1111-0000-0000-0000-000000000002' };
const outsider = { id: 'z', aadObjectId: 'bbbb2222-0000-0000-0000-000000000009' };
const membersPath = /\/channels\/.+\/members$/;

describe('DPO channel members through Graph', () => {
  let server: LocalGraphServer;

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
  });
  afterAll(() => server.stop());

  beforeEach(() => {
    server.reset();
    server.memberPageSize = 100;
    server.channelMembers.set(`${dpoTeam}/${dpoChannelId}`, [
      { userId: 'aaaa1111-0000-0000-0000-000000000001', displayName: 'Dee Protection', roles: ['owner'] },
      { userId: 'aaaa1111-0000-0000-0000-000000000002', displayName: 'Dep Uty' },
    ]);
  });

  const membersWith = (
    options: { clock?: ManualClock; sleeps?: RecordedSleeps; tokens?: CountingTokens } = {},
  ) =>
    new GraphChannelMembers({
      client: clientFor(server, {
        sleeps: options.sleeps,
        ...(options.tokens ? { tokens: options.tokens } : {}),
      }),
      channel: async () => ({ teamId: dpoTeam, channelId: dpoChannelId }),
      clock: options.clock ?? new ManualClock('2025-03-28T10:00:00Z'),
    });

  it.each<[string, { id: string; aadObjectId?: string }, boolean]>([
    ['the DPO (object id in another case)', dpo, true],
    ['a second channel member', deputy, true],
    ['someone not in the channel', outsider, false],
    ['someone without an Entra object id', { id: '29:teams-only' }, false],
  ])('answers for %s over HTTPS with the bearer token', async (_case, person, expected) => {
    expect(await membersWith().isMember(person)).toBe(expected);
    const calls = server.callsTo(membersPath);
    expect(calls).toHaveLength(person.aadObjectId ? 1 : 0);
    for (const call of calls) {
      expect(call.authorization).toBe(`Bearer ${server.appToken}`);
      expect(call.path).toBe(`/v1.0/teams/${dpoTeam}/channels/${dpoChannelId}/members`);
    }
  });

  it('follows @odata.nextLink through every page', async () => {
    server.memberPageSize = 1;
    expect(await membersWith().isMember(deputy)).toBe(true);
    expect(server.callsTo(membersPath)).toHaveLength(2);
  });

  it('keeps the list for a minute, then asks Graph again', async () => {
    const clock = new ManualClock('2025-03-28T10:00:00Z');
    const members = membersWith({ clock });
    await members.isMember(dpo);
    clock.advance(59_000);
    await members.isMember(deputy);
    expect(server.callsTo(membersPath)).toHaveLength(1);
    clock.advance(2_000);
    server.channelMembers.get(`${dpoTeam}/${dpoChannelId}`)?.pop();
    expect(await members.isMember(deputy)).toBe(false);
    expect(server.callsTo(membersPath)).toHaveLength(2);
  });

  it('fails clearly on 401: one request, no retries, the token is dropped for next time', async () => {
    const sleeps = new RecordedSleeps();
    const tokens = new CountingTokens(server.appToken);
    server.inject({ match: membersPath, status: 401 });
    const failure = await membersWith({ sleeps, tokens })
      .isMember(dpo)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphRequestError);
    expect(failure).toMatchObject({
      reason: 'unauthorized',
      code: 'forbidden',
      status: 401,
      graphCode: 'InvalidAuthenticationToken',
    });
    expect(server.callsTo(membersPath)).toHaveLength(1);
    expect(sleeps.waits).toEqual([]);
    expect(tokens.invalidated).toBe(1);
  });

  it('a wrong token is refused by the server the same way', async () => {
    const failure = await membersWith({ tokens: new CountingTokens('stolen-or-expired') })
      .isMember(dpo)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'unauthorized', status: 401 });
    expect(server.callsTo(membersPath)).toHaveLength(1);
  });

  it('waits as long as 429 Retry-After says, then succeeds', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ match: membersPath, status: 429, retryAfterSeconds: 3 });
    expect(await membersWith({ sleeps }).isMember(dpo)).toBe(true);
    expect(sleeps.waits).toEqual([3000]);
    expect(server.callsTo(membersPath).map((call) => call.status)).toEqual([429, 200]);
  });

  it('rides out a burst of 503s with growing back-off', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ match: membersPath, status: 503, times: 3 });
    expect(await membersWith({ sleeps }).isMember(dpo)).toBe(true);
    expect(server.callsTo(membersPath).map((call) => call.status)).toEqual([503, 503, 503, 200]);
    // random() = 0.5 gives 75% of 500 ms doubling each time.
    expect(sleeps.waits).toEqual([375, 750, 1500]);
  });

  it('gives up after the retries with a typed "unavailable" error, not a false "not a member"', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ match: membersPath, status: 503, times: 10 });
    const failure = await membersWith({ sleeps })
      .isMember(dpo)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'unavailable', code: 'unavailable', status: 503 });
    expect(server.callsTo(membersPath)).toHaveLength(4);
  });

  it('does not wait longer than its budget when Retry-After is too long for a Teams turn', async () => {
    const sleeps = new RecordedSleeps();
    server.inject({ match: membersPath, status: 429, retryAfterSeconds: 120 });
    const failure = await membersWith({ sleeps })
      .isMember(dpo)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'throttled', status: 429, retryAfterMs: 120_000 });
    expect(sleeps.waits).toEqual([]);
    expect(server.callsTo(membersPath)).toHaveLength(1);
  });

  it('reports an unknown channel as not found', async () => {
    const members = new GraphChannelMembers({
      client: clientFor(server),
      channel: async () => ({ teamId: dpoTeam, channelId: '19:nope@thread.tacv2' }),
      clock: new ManualClock('2025-03-28T10:00:00Z'),
    });
    await expect(members.isMember(dpo)).rejects.toMatchObject({ reason: 'not-found', code: 'not-found' });
  });

  it('uses the configured members while the DPO channel is not known, without calling Graph', async () => {
    const members = new GraphChannelMembers({
      client: clientFor(server),
      channel: async () => undefined,
      clock: new ManualClock('2025-03-28T10:00:00Z'),
      fallback: new ConfiguredChannelMembers([outsider.aadObjectId]),
    });
    expect(await members.isMember(outsider)).toBe(true);
    expect(await members.isMember(dpo)).toBe(false);
    expect(server.calls).toHaveLength(0);
  });
});
