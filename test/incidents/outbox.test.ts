import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutboxProcessor, type OutboxItem } from '../../src/incidents/outbox';
import { ManualClock } from '../../src/shared/clock';
import { RecordingLogger } from '../../src/shared/logger';
import type { DeliveryFailure } from '../../src/shared/messaging';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import { LocalDiskStore } from '../../src/storage/local-disk-store';
import type { DocumentStore } from '../../src/storage/types';
import { FaultyMessenger, type Fault } from './faulty-messenger';
import { breachInput, dpoChannel, incidentWorld, reporter } from './fixtures';

const reporterChat = {
  ...dpoChannel,
  conversationId: 'a:reporter-chat',
  teamId: undefined,
  teamsChannelId: undefined,
};

async function reportOne(world: Awaited<ReturnType<typeof incidentWorld>>, activityId = 'activity-1') {
  const outcome = await world.service.report(
    breachInput(),
    { ...reporter, address: reporterChat },
    activityId,
  );
  if (outcome.kind !== 'recorded') throw new Error(`expected a recorded incident, got ${outcome.kind}`);
  return outcome.incident;
}

const cardItem = (reference = 'INC-2025-0001') => `incident-card:${reference}`;

describe('delivering the DPO card under faults', () => {
  const throttled: DeliveryFailure = {
    kind: 'retryable',
    status: 429,
    retryAfterMs: 30_000,
    detail: 'Too Many Requests',
  };
  const unavailable: DeliveryFailure = { kind: 'retryable', status: 503, detail: 'Service Unavailable' };

  it('waits exactly as long as Retry-After asks before trying again', async () => {
    const messenger = new FaultyMessenger().failNext(throttled);
    const world = await incidentWorld({ messenger });
    await reportOne(world);
    expect(await world.processor.runOnce()).toMatchObject({ retrying: 1, delivered: 0 });
    const item = (await world.outbox.get(cardItem())) as OutboxItem;
    expect(Date.parse(item.nextAttemptAt) - world.clock.now().getTime()).toBe(30_000);
    world.clock.advance(29_999);
    await world.processor.runOnce();
    expect(messenger.calls).toHaveLength(1);
    world.clock.advance(1);
    expect(await world.processor.runOnce()).toMatchObject({ delivered: 1 });
    expect(messenger.calls.map((call) => call.outcome)).toEqual(['retryable', 'ok']);
    expect(messenger.delivered).toHaveLength(1);
  });

  it.each<[string, Fault[]]>([
    ['a burst of 503s', [unavailable, unavailable, unavailable]],
    ['connection resets', [{ kind: 'reset' }, { kind: 'reset' }]],
    ['a mix of 429, 503 and a reset', [throttled, unavailable, { kind: 'reset' }, unavailable]],
  ])('gets through %s and posts the card once', async (_name, faults) => {
    const messenger = new FaultyMessenger().failNext(...faults);
    const world = await incidentWorld({ messenger });
    await reportOne(world);
    for (let pass = 0; pass < faults.length + 1; pass += 1) {
      await world.processor.runOnce();
      world.clock.advance(5 * 60_000);
    }
    await world.processor.runOnce();
    expect(messenger.calls).toHaveLength(faults.length + 1);
    expect(messenger.delivered.map((delivered) => delivered.conversationId)).toEqual([
      dpoChannel.conversationId,
    ]);
    const incident = await world.service.get('INC-2025-0001');
    expect(incident?.channelCardActivityId).toBe('activity-1');
    expect(incident?.deliveryStuck).toBeUndefined();
    expect(await world.processor.health()).toMatchObject({ ok: true });
  });

  it.each([
    // attempt, random → delay: exponential ceiling 1 s, 2 s, 4 s … capped at 5 min; jitter in the upper half.
    [1, 0, 500],
    [1, 0.999, 1000],
    [3, 0, 2000],
    [3, 0.5, 3000],
    [12, 0, 150_000],
    [12, 0.999, 299_850],
  ])(
    'backs off exponentially with jitter: attempt %i, random %d → %i ms',
    async (attempts, random, expected) => {
      const world = await incidentWorld();
      const processor = new OutboxProcessor({
        store: world.store,
        messenger: world.messenger,
        directory: world.directory,
        clock: world.clock,
        random: () => random,
        logger: world.logger,
        instanceId: 'x',
      });
      expect(processor.retryDelay(attempts, unavailable)).toBe(expected);
      expect(processor.retryDelay(attempts, { ...unavailable, retryAfterMs: 7000 })).toBe(7000);
    },
  );

  it('gives up to "stuck" after the last attempt, reports it to health and tells the reporter', async () => {
    const messenger = new FaultyMessenger().failNext(...Array.from({ length: 5 }, () => unavailable));
    const world = await incidentWorld({ messenger });
    await reportOne(world);
    for (let pass = 0; pass < 5; pass += 1) {
      await world.processor.runOnce();
      world.clock.advance(5 * 60_000);
    }
    expect((await world.outbox.get(cardItem()))?.state).toBe('stuck');
    const health = await world.processor.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain(cardItem());
    expect((await world.service.get('INC-2025-0001'))?.deliveryStuck).toBe(true);
    await world.processor.runOnce();
    expect(
      messenger.delivered.map((delivered) => [delivered.conversationId, delivered.message.text]),
    ).toEqual([
      ['a:reporter-chat', expect.stringMatching(/INC-2025-0001 is safely recorded.*tell the DPO directly/)],
    ]);
    // Nothing more is attempted for the stuck card, and the reporter is told only once.
    world.clock.advance(3_600_000);
    await world.processor.runOnce();
    expect(messenger.calls).toHaveLength(6);
    expect(await world.service.reconcile()).toBe(0);
  });

  it('gives up at once on a permanent failure (bot removed from the team)', async () => {
    const messenger = new FaultyMessenger().failNext({ kind: 'permanent', status: 403, detail: 'Forbidden' });
    const world = await incidentWorld({ messenger });
    await reportOne(world);
    expect(await world.processor.runOnce()).toMatchObject({ stuck: 1 });
    expect((await world.service.get('INC-2025-0001'))?.deliveryStuck).toBe(true);
  });

  it('keeps the card waiting until the DPO channel is known, then posts it', async () => {
    const world = await incidentWorld({ withDpoChannel: false });
    await reportOne(world);
    expect(await world.processor.runOnce()).toMatchObject({ retrying: 1 });
    expect((await world.outbox.get(cardItem()))?.lastError).toMatch(
      /dpo-channel conversation is not known yet/,
    );
    await world.directory.rememberPlace('dpo-channel', dpoChannel);
    world.clock.advance(60_000);
    expect(await world.processor.runOnce()).toMatchObject({ delivered: 1 });
  });

  it('sends only the latest card when the DPO acts twice before an update goes out', async () => {
    const world = await incidentWorld();
    await reportOne(world);
    await world.processor.runOnce();
    await world.service.act({ id: 'aad-dpo-1', name: 'Dee Protection' }, 'INC-2025-0001', 1, {
      kind: 'acknowledge',
    });
    await world.service.act({ id: 'aad-dpo-1', name: 'Dee Protection' }, 'INC-2025-0001', 2, {
      kind: 'assign',
      assignee: 'Pat Deputy',
    });
    await world.processor.runOnce();
    expect(world.messenger.updates.map((update) => update.message.text)).toEqual([
      expect.stringMatching(/assigned/),
    ]);
  });
});

describe('a restart in the middle of delivery', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(path.join(tmpdir(), 'outbox-restart-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('the new process takes the card over once the dead one’s lease expires, and it arrives once', async () => {
    const clock = new ManualClock('2025-03-28T12:00:00Z');
    const dying = new FaultyMessenger().failNext({ kind: 'hang' });
    const before = await incidentWorld({ store: new LocalDiskStore({ folder }), clock, messenger: dying });
    await reportOne(before);
    // The first process claims the item and dies while the request is in flight.
    void before.processor.runOnce();
    await waitUntil(async () => dying.calls.length === 1);

    const teams = new FaultyMessenger();
    const after = await incidentWorld({
      store: new LocalDiskStore({ folder }),
      clock,
      messenger: teams,
      instanceId: 'instance-b',
    });
    expect(await after.processor.runOnce()).toMatchObject({ delivered: 0 });
    expect(teams.calls).toHaveLength(0);
    clock.advance(60_000);
    expect(await after.processor.runOnce()).toMatchObject({ delivered: 1 });
    await after.processor.runOnce();
    expect(teams.delivered).toHaveLength(1);
    expect((await after.service.get('INC-2025-0001'))?.channelCardActivityId).toBe('activity-1');
    expect(await after.service.list()).toHaveLength(1);
  });

  it('a card queued just before the crash is delivered by the next process, once', async () => {
    const clock = new ManualClock('2025-03-28T12:00:00Z');
    const before = await incidentWorld({ store: new LocalDiskStore({ folder }), clock });
    await reportOne(before);
    const teams = new FaultyMessenger();
    const after = await incidentWorld({ store: new LocalDiskStore({ folder }), clock, messenger: teams });
    await after.service.reconcile();
    await after.processor.runOnce();
    await after.processor.runOnce();
    expect(teams.delivered).toHaveLength(1);
    expect(before.messenger.sent).toHaveLength(0);
  });
});

describe('start() and stop()', () => {
  it('delivers on its own timer and stops cleanly', async () => {
    const world = await incidentWorld();
    const processor = new OutboxProcessor({
      store: world.store,
      messenger: world.messenger,
      directory: world.directory,
      clock: world.clock,
      random: () => 0.5,
      logger: world.logger,
      instanceId: 'timer',
      intervalMs: 5,
    }).on('incident.channel-card', world.service.followUpHandlers());
    processor.start();
    await reportOne(world);
    await waitUntil(async () => world.messenger.sent.length === 1);
    await processor.stop();
    await world.service.report(breachInput(), reporter, 'activity-2');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(world.messenger.sent).toHaveLength(1);
  });
});

/** Several instances on one storage account racing for the same outbox. */
export async function raceTwoProcessors(store: DocumentStore, incidents: number) {
  const clock = new ManualClock('2025-03-28T12:00:00Z');
  // One Teams channel both instances post into, a little slow so that their passes overlap.
  const teams = new FaultyMessenger(3).failNext(
    { kind: 'retryable', status: 503, detail: 'burst' },
    { kind: 'reset' },
  );
  const a = await incidentWorld({ store, clock, messenger: teams, instanceId: 'instance-a' });
  const b = await incidentWorld({ store, clock, messenger: teams, instanceId: 'instance-b' });
  for (let index = 0; index < incidents; index += 1) {
    await (index % 2 ? a : b).service.report(breachInput(), reporter, `race-${index}`);
  }
  for (let round = 0; round < 4; round += 1) {
    await Promise.all([a.processor.runOnce(), b.processor.runOnce(), a.processor.runOnce()]);
    clock.advance(5 * 60_000);
  }
  const cards = teams.delivered.filter((delivered) => delivered.conversationId === dpoChannel.conversationId);
  const texts = cards.map((card) => card.message.text?.split(' ')[0]);
  return { texts, incidents: await a.service.list(), items: await a.outbox.items() };
}

describe('two instances racing for one outbox (in memory)', () => {
  it('delivers each card exactly once and records each activity id once', async () => {
    const { texts, incidents, items } = await raceTwoProcessors(new InMemoryStore(), 10);
    expect(texts.sort()).toEqual(incidents.map((incident) => incident.reference).sort());
    expect(new Set(texts).size).toBe(10);
    expect(items.every((item) => item.state === 'delivered')).toBe(true);
    expect(incidents.every((incident) => incident.channelCardActivityId)).toBe(true);
  });
});

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// Keeps the unused-import check honest when the logger type is only used in fixtures.
void RecordingLogger;
