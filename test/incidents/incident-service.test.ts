import { describeDeadline, icoDeadline } from '../../src/incidents/deadline';
import { toCsv, toJson, icoColumns } from '../../src/incidents/export';
import type { IncidentNotifier } from '../../src/incidents/incident-service';
import type { DpoAction, Incident } from '../../src/incidents/types';
import { validateReport, fieldLimits } from '../../src/incidents/validation';
import { ManualClock } from '../../src/shared/clock';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import type { DocumentStore, WriteCondition } from '../../src/storage/types';
import { breachInput, dpo, dpoChannel, incidentWorld, outsider, reporter } from './fixtures';

const now = new Date('2025-03-28T12:00:00Z');

describe('validating a report', () => {
  it.each([
    ['no type', { type: '' }, /Choose the type/],
    ['an unknown type', { type: 'alien-invasion' }, /not a type of incident/],
    ['nothing about what happened', { whatHappened: '   ' }, /what happened/],
    [
      'an oversized description',
      { whatHappened: 'x'.repeat(fieldLimits.whatHappened + 1) },
      /What happened is 4,001 characters/,
    ],
    ['an oversized school', { school: 'y'.repeat(201) }, /School is 201 characters/],
    ['no discovery time', { whenDiscovered: '' }, /when it was discovered/],
    ['an unreadable discovery time', { whenDiscovered: 'yesterday-ish' }, /not a date and time I can read/],
    [
      'a discovery time that does not exist in UK time',
      { whenDiscovered: '2025-03-30 01:30' },
      /not a date and time/,
    ],
    ['a discovery time in the future', { whenDiscovered: '2025-03-29 10:00' }, /in the future/],
    ['an unknown group of people', { dataSubjects: 'pupils,aliens' }, /"aliens" is not a choice/],
  ])('refuses %s with a clear message', (_name, override, message) => {
    const result = validateReport(breachInput(override), now);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.problems.join(' ')).toMatch(message);
  });

  it('reads a complete report, UK local discovery time stored as UTC', () => {
    const result = validateReport(
      breachInput({ whenDiscovered: '2025-03-28 10:00', dataSubjects: 'pupils,staff' }),
      now,
    );
    expect(result).toMatchObject({
      kind: 'valid',
      report: {
        discoveredAt: '2025-03-28T10:00:00.000Z',
        dataSubjects: ['pupils', 'staff'],
        specialCategory: true,
      },
    });
  });

  it('reads nothing but the type from a safeguarding concern', () => {
    expect(validateReport(breachInput({ type: 'safeguarding', whatHappened: '' }), now)).toEqual({
      kind: 'safeguarding',
    });
  });
});

describe('the ICO 72-hour deadline', () => {
  it.each([
    // Discovered in GMT, deadline falls after the spring change: the UK clock shows an hour later.
    ['2025-03-28 10:00', '2025-03-31T10:00:00.000Z', 'Mon 31 Mar 2025, 11:00 BST'],
    // Discovered in BST, deadline after the autumn change: the UK clock shows an hour earlier.
    ['2025-10-24 12:00', '2025-10-27T11:00:00.000Z', 'Mon 27 Oct 2025, 11:00 GMT'],
    // Discovered in the repeated autumn hour (first, BST, reading).
    ['2025-10-26 01:30', '2025-10-29T00:30:00.000Z', 'Wed 29 Oct 2025, 00:30 GMT'],
    ['2025-07-01 09:00', '2025-07-04T08:00:00.000Z', 'Fri 4 Jul 2025, 09:00 BST'],
  ])('discovered %s (UK) → due %s, shown %s', (discovered, dueUtc, shown) => {
    const result = validateReport(
      breachInput({ whenDiscovered: discovered }),
      new Date('2026-01-01T00:00:00Z'),
    );
    if (result.kind !== 'valid') throw new Error('expected a valid report');
    const deadline = icoDeadline(new Date(result.report.discoveredAt));
    expect(deadline.toISOString()).toBe(dueUtc);
    expect(
      describeDeadline(deadline, new Date(result.report.discoveredAt))
        .shownUk.replace(/\u202f/g, ' ')
        .replace(/^(\w{3}),/, '$1'),
    ).toBe(shown);
  });

  it('counts whole hours remaining and says when it has passed', () => {
    const deadline = new Date('2025-03-31T10:00:00Z');
    expect(describeDeadline(deadline, new Date('2025-03-29T17:30:00Z'))).toMatchObject({
      hoursRemaining: 40,
      overdue: false,
    });
    expect(describeDeadline(deadline, new Date('2025-03-31T12:10:00Z'))).toMatchObject({
      hoursRemaining: -3,
      overdue: true,
    });
    expect(describeDeadline(deadline, new Date('2025-03-31T12:10:00Z')).summary).toMatch(
      /passed 3 hours ago/,
    );
  });
});

/** Wraps a store and remembers everything ever written, to prove what was never stored. */
class WriteRecordingStore implements DocumentStore {
  readonly written: string[] = [];
  constructor(private readonly inner: DocumentStore) {}
  get: DocumentStore['get'] = (collection, key) => this.inner.get(collection, key);
  list: DocumentStore['list'] = (collection, prefix) => this.inner.list(collection, prefix);
  delete: DocumentStore['delete'] = (collection, key, condition) =>
    this.inner.delete(collection, key, condition);
  put<T>(collection: string, key: string, value: T, condition?: WriteCondition): Promise<string> {
    this.written.push(JSON.stringify({ collection, key, value }));
    return this.inner.put(collection, key, value, condition);
  }
}

describe('recording an incident', () => {
  it('gives a reference at once, writes the register, then queues the DPO card', async () => {
    const world = await incidentWorld();
    const outcome = await world.service.report(breachInput(), reporter, 'activity-1');
    expect(outcome).toMatchObject({
      kind: 'recorded',
      incident: { reference: 'INC-2025-0001', status: 'new' },
    });
    expect(await world.service.get('INC-2025-0001')).toBeDefined();
    expect((await world.outbox.items()).map((item) => item.id)).toEqual(['incident-card:INC-2025-0001']);
    expect(world.messenger.sent).toHaveLength(0);
    await world.processor.runOnce();
    expect(world.messenger.sent.map((sent) => sent.address)).toEqual([dpoChannel]);
    expect((await world.service.get('INC-2025-0001'))?.channelCardActivityId).toBe('local-1');
  });

  it('does not create a second incident when Bot Framework retries the same activity', async () => {
    const world = await incidentWorld();
    const first = await world.service.report(breachInput(), reporter, 'activity-1');
    const again = await world.service.report(breachInput(), reporter, 'activity-1');
    expect(again.kind).toBe('duplicate');
    if (first.kind === 'recorded' && again.kind === 'duplicate')
      expect(again.incident.reference).toBe(first.incident.reference);
    expect(await world.service.list()).toHaveLength(1);
    await world.processor.runOnce();
    expect(world.messenger.sent).toHaveLength(1);
  });

  it('keeps references unique when two instances record at the same moment', async () => {
    const store = new InMemoryStore();
    const [a, b] = [await incidentWorld({ store }), await incidentWorld({ store })];
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 ? a : b).service.report(breachInput(), reporter, `activity-${index}`),
      ),
    );
    const references = outcomes.map((outcome) =>
      outcome.kind === 'recorded' ? outcome.incident.reference : outcome.kind,
    );
    expect(new Set(references).size).toBe(12);
    expect(references.every((reference) => /^INC-2025-\d{4}$/.test(reference))).toBe(true);
  });

  it('creates one incident when two instances handle the same activity at once', async () => {
    const store = new InMemoryStore();
    const [a, b] = [await incidentWorld({ store }), await incidentWorld({ store })];
    const outcomes = await Promise.all([
      a.service.report(breachInput(), reporter, 'activity-same'),
      b.service.report(breachInput(), reporter, 'activity-same'),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['duplicate', 'recorded']);
    expect(await a.service.list()).toHaveLength(1);
  });

  it('refuses an invalid report and records nothing', async () => {
    const world = await incidentWorld();
    const outcome = await world.service.report(breachInput({ whatHappened: '' }), reporter, 'activity-1');
    expect(outcome.kind).toBe('invalid');
    expect(await world.service.list()).toHaveLength(0);
    expect(await world.outbox.items()).toHaveLength(0);
  });

  it('queues the card again at start-up if the process died between the register write and the enqueue', async () => {
    const world = await incidentWorld();
    await world.service.report(breachInput(), reporter, 'activity-1');
    await world.store.delete('outbox', 'incident-card:INC-2025-0001');
    expect(await world.service.reconcile()).toBe(1);
    expect(await world.service.reconcile()).toBe(0);
    await world.processor.runOnce();
    await world.processor.runOnce();
    expect(world.messenger.sent).toHaveLength(1);
    expect(await world.service.reconcile()).toBe(0);
  });
});

/** A notifier whose steps fail as scripted and that records every call. */
class ScriptedNotifier implements IncidentNotifier {
  readonly steps = ['feed', 'breach-log'] as const;
  readonly calls: string[] = [];
  constructor(private readonly failures: Record<string, ('transient' | 'permanent')[]> = {}) {}
  async run(step: string, incident: Incident): Promise<void> {
    this.calls.push(`${step}:${incident.reference}`);
    const failure = this.failures[step]?.shift();
    if (failure) throw new ScriptedFailure(failure);
  }
  isPermanent(error: unknown): boolean {
    return error instanceof ScriptedFailure && error.kind === 'permanent';
  }
}
class ScriptedFailure extends Error {
  constructor(readonly kind: 'transient' | 'permanent') {
    super(`${kind} failure`);
  }
}

describe('notifying beyond the channel card (feed notice, breach log)', () => {
  it("runs after the card is delivered, not in the reporter's turn", async () => {
    const notifier = new ScriptedNotifier();
    const world = await incidentWorld({ notifier });
    await world.service.report(breachInput(), reporter, 'activity-1');
    expect(notifier.calls).toEqual([]);
    await world.processor.runOnce();
    expect(notifier.calls).toEqual(['feed:INC-2025-0001', 'breach-log:INC-2025-0001']);
    expect(Object.keys((await world.service.get('INC-2025-0001'))?.notifications ?? {})).toEqual([
      'feed',
      'breach-log',
    ]);
    await world.processor.runOnce();
    expect(notifier.calls).toHaveLength(2);
  });

  it("retries only the step that failed for now, on the outbox's next pass", async () => {
    const notifier = new ScriptedNotifier({ 'breach-log': ['transient'] });
    const world = await incidentWorld({ notifier });
    await world.service.report(breachInput(), reporter, 'activity-1');
    await world.processor.runOnce();
    expect((await world.service.get('INC-2025-0001'))?.notifications?.['breach-log']).toBeUndefined();
    await world.processor.runOnce();
    expect(notifier.calls).toEqual([
      'feed:INC-2025-0001',
      'breach-log:INC-2025-0001',
      'breach-log:INC-2025-0001',
    ]);
    expect((await world.service.get('INC-2025-0001'))?.notifications?.['breach-log']?.outcome).toBe('done');
    expect(world.messenger.sent).toHaveLength(1);
  });

  it('records a failure that retrying cannot mend, and does not try again', async () => {
    const notifier = new ScriptedNotifier({ feed: ['permanent'] });
    const world = await incidentWorld({ notifier });
    await world.service.report(breachInput(), reporter, 'activity-1');
    await world.processor.runOnce();
    await world.processor.runOnce();
    const incident = await world.service.get('INC-2025-0001');
    expect(incident?.notifications?.feed).toMatchObject({ outcome: 'failed', detail: 'permanent failure' });
    expect(incident?.notifications?.['breach-log']?.outcome).toBe('done');
    expect(notifier.calls.filter((call) => call.startsWith('feed'))).toHaveLength(1);
    // Notifier bookkeeping is not a DPO-visible change: open cards stay current.
    expect(incident?.version).toBe(1);
  });

  it('still writes the breach log when the DPO card gives up', async () => {
    const notifier = new ScriptedNotifier();
    const world = await incidentWorld({ notifier, withDpoChannel: false });
    await world.service.report(breachInput(), reporter, 'activity-1');
    for (let pass = 0; pass < 8; pass += 1) {
      await world.processor.runOnce();
      world.clock.advance(60 * 60_000);
    }
    const incident = await world.service.get('INC-2025-0001');
    expect(incident?.deliveryStuck).toBe(true);
    expect(incident?.notifications?.['breach-log']?.outcome).toBe('done');
  });
});

describe('the DPO walking an incident to closed', () => {
  const walk: [string, DpoAction, string][] = [
    ['acknowledge', { kind: 'acknowledge' }, 'acknowledged'],
    ['assign', { kind: 'assign', assignee: 'Pat Deputy' }, 'assigned'],
    ['decide', { kind: 'decide', reportable: true, reason: 'Special category data of children' }, 'decided'],
    ['mark reported', { kind: 'mark-reported', icoCaseReference: 'IC-123456-A1B2' }, 'reported'],
    ['close', { kind: 'close', note: 'Parents informed.' }, 'closed'],
  ];

  it('logs who did what and when at every step, and updates the posted card in place', async () => {
    const world = await incidentWorld();
    await world.service.report(breachInput(), reporter, 'activity-1');
    await world.processor.runOnce();
    let version = 1;
    for (const [, action, status] of walk) {
      world.clock.advance(3_600_000);
      const outcome = await world.service.act(dpo, 'INC-2025-0001', version, action);
      expect(outcome).toMatchObject({ kind: 'updated', incident: { status } });
      version += 1;
    }
    const incident = await world.service.get('INC-2025-0001');
    expect(incident?.events.map((event) => [event.action, event.by.name, event.at])).toEqual([
      ['reported', 'Sam Teacher', '2025-03-28T12:00:00.000Z'],
      ['acknowledged', 'Dee Protection', '2025-03-28T13:00:00.000Z'],
      ['assigned', 'Dee Protection', '2025-03-28T14:00:00.000Z'],
      ['decided', 'Dee Protection', '2025-03-28T15:00:00.000Z'],
      ['reported-to-ico', 'Dee Protection', '2025-03-28T16:00:00.000Z'],
      ['closed', 'Dee Protection', '2025-03-28T17:00:00.000Z'],
    ]);
    expect(incident?.decision).toMatchObject({
      reportable: true,
      reason: 'Special category data of children',
    });
    await world.processor.runOnce();
    expect(world.messenger.updates.map((update) => update.activityId)).toEqual(['local-1']);
    expect(world.messenger.updates[0].message.text).toMatch(/closed/);
  });

  it('logs a "not reportable" decision with its reason and allows closing straight after', async () => {
    const world = await incidentWorld();
    await world.service.report(breachInput(), reporter, 'activity-1');
    await world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'acknowledge' });
    await world.service.act(dpo, 'INC-2025-0001', 2, {
      kind: 'decide',
      reportable: false,
      reason: 'Encrypted, no risk',
    });
    expect(
      await world.service.act(dpo, 'INC-2025-0001', 3, { kind: 'mark-reported', icoCaseReference: 'X' }),
    ).toMatchObject({
      kind: 'invalid',
    });
    expect(await world.service.act(dpo, 'INC-2025-0001', 3, { kind: 'close' })).toMatchObject({
      kind: 'updated',
    });
  });

  const refusals: [string, (world: Awaited<ReturnType<typeof incidentWorld>>) => Promise<unknown>, string][] =
    [
      [
        'a person outside the DPO channel',
        (world) => world.service.act(outsider, 'INC-2025-0001', 1, { kind: 'acknowledge' }),
        'forbidden',
      ],
      [
        'a replayed action from an old card',
        async (world) => {
          await world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'acknowledge' });
          return world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'acknowledge' });
        },
        'stale',
      ],
      [
        'an action out of order',
        (world) => world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'close' }),
        'invalid',
      ],
      [
        'a reportable incident closed without an ICO reference',
        async (world) => {
          await world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'acknowledge' });
          await world.service.act(dpo, 'INC-2025-0001', 2, {
            kind: 'decide',
            reportable: true,
            reason: 'Risk',
          });
          return world.service.act(dpo, 'INC-2025-0001', 3, { kind: 'close' });
        },
        'invalid',
      ],
      [
        'a decision without a reason',
        (world) => world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'assign', assignee: ' ' }),
        'invalid',
      ],
      [
        'an unknown reference',
        (world) => world.service.act(dpo, 'INC-2025-9999', 1, { kind: 'acknowledge' }),
        'not-found',
      ],
    ];

  it.each(refusals)('refuses %s and leaves the register unchanged', async (_name, attempt, kind) => {
    const world = await incidentWorld();
    await world.service.report(breachInput(), reporter, 'activity-1');
    const before = JSON.stringify(await world.store.list('incidents'));
    const outcome = (await attempt(world)) as { kind: string };
    expect(outcome.kind).toBe(kind);
    if (kind !== 'stale' && !_name.includes('closed without')) {
      expect(JSON.stringify(await world.store.list('incidents'))).toBe(before);
    }
  });

  it('shows the status to the reporter and the DPO, and to nobody else', async () => {
    const world = await incidentWorld();
    await world.service.report(breachInput(), reporter, 'activity-1');
    expect((await world.service.status('inc-2025-0001', reporter)).kind).toBe('found');
    expect((await world.service.status('INC-2025-0001', dpo)).kind).toBe('found');
    expect((await world.service.status('INC-2025-0001', outsider)).kind).toBe('forbidden');
    expect((await world.service.status('INC-2025-0002', reporter)).kind).toBe('not-found');
  });
});

describe('a safeguarding concern', () => {
  const secret = 'Pupil Jamie disclosed something worrying at lunch';

  it('is never stored, logged or sent to the DPO; the reporter is told to go to the DSL and the DSL gets a minimal alert', async () => {
    const store = new WriteRecordingStore(new InMemoryStore());
    const world = await incidentWorld({
      store,
      contacts: {
        dslAadObjectId: 'aad-dsl',
        cpomsInstruction: 'Log it on CPOMS yourself; do not use AI to draft it.',
      },
    });
    await world.directory.rememberPerson('aad-dsl', { ...dpoChannel, conversationId: 'a:dsl-chat' });
    const outcome = await world.service.report(
      breachInput({ type: 'safeguarding', whatHappened: secret, actionsTaken: secret }),
      reporter,
      'activity-sg',
    );
    expect(outcome.kind).toBe('safeguarding');
    if (outcome.kind === 'safeguarding') {
      expect(outcome.guidance).toMatch(/speak to Mrs Safe now: room 4, ext 204/);
      expect(outcome.guidance).toMatch(/CPOMS yourself/);
    }
    await world.processor.runOnce();
    expect(world.messenger.sent.map((sent) => [sent.address.conversationId, sent.message.text])).toEqual([
      ['a:dsl-chat', 'A safeguarding concern was raised by Sam Teacher. Please contact them.'],
    ]);
    expect(await world.service.list()).toHaveLength(0);
    expect(store.written.join('\n')).not.toContain('Jamie');
    expect(world.logger.text()).not.toContain('Jamie');
    // A retry of the same activity does not alert the DSL twice.
    await world.service.report(breachInput({ type: 'safeguarding' }), reporter, 'activity-sg');
    await world.processor.runOnce();
    expect(world.messenger.sent).toHaveLength(1);
  });
});

describe('exam malpractice', () => {
  it('also alerts the exams officer when one is configured', async () => {
    const world = await incidentWorld({
      contacts: { examsOfficerName: 'Mr Exams', examsOfficerAadObjectId: 'aad-exams' },
    });
    await world.directory.rememberPerson('aad-exams', { ...dpoChannel, conversationId: 'a:exams-chat' });
    await world.service.report(breachInput({ type: 'exam-malpractice' }), reporter, 'activity-1');
    await world.processor.runOnce();
    expect(world.messenger.sent.map((sent) => sent.address.conversationId).sort()).toEqual([
      '19:dpo@thread.tacv2',
      'a:exams-chat',
    ]);
  });

  it('alerts nobody else when no exams officer is configured', async () => {
    const world = await incidentWorld();
    await world.service.report(breachInput({ type: 'exam-malpractice' }), reporter, 'activity-1');
    expect((await world.outbox.items()).map((item) => item.id)).toEqual(['incident-card:INC-2025-0001']);
  });
});

describe('exporting the register', () => {
  it('writes CSV and JSON with the ICO form questions as columns, quoting safely', async () => {
    const world = await incidentWorld({ clock: new ManualClock('2025-03-28T12:00:00Z') });
    await world.service.report(
      breachInput({ whatHappened: '=HYPERLINK("http://evil") said "hi", then left', withholdName: 'true' }),
      reporter,
      'activity-1',
    );
    await world.service.act(dpo, 'INC-2025-0001', 1, { kind: 'acknowledge' });
    await world.service.act(dpo, 'INC-2025-0001', 2, {
      kind: 'decide',
      reportable: true,
      reason: 'Risk to children',
    });
    world.clock.advance(3_600_000);
    await world.service.act(dpo, 'INC-2025-0001', 3, { kind: 'mark-reported', icoCaseReference: 'IC-1' });
    const incidents = await world.service.list();
    const csv = toCsv(incidents);
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header.split(',')[3]).toBe('What has happened?');
    expect(header).toContain(
      ',Approximately how many data subjects and personal data records are concerned?,',
    );
    expect(row).toContain(`"'=HYPERLINK(""http://evil"") said ""hi"", then left"`);
    expect(row).toContain('IC-1');
    const json = JSON.parse(toJson(incidents)) as Record<string, unknown>[];
    expect(Object.keys(json[0]).slice(0, icoColumns.length)).toEqual([...icoColumns]);
    expect(json[0]).toMatchObject({
      'Reported within 72 hours?': 'Yes',
      'Is the breach reportable to the ICO?': 'Yes',
      'Reported by': '(withheld at the reporter’s request)',
      'Does the breach involve children?': 'Yes',
    });
    expect((json[0]['Action log'] as unknown[]).length).toBe(4);
  });
});
