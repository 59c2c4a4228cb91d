import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportMessages } from '../../src/bot/incident-capability';
import { runExport } from '../../src/cli/export-incidents';
import { icoColumns, listRegister, toCsv, toJson } from '../../src/incidents/export';
import type { Incident } from '../../src/incidents/types';
import { createDocumentStores } from '../../src/storage';
import { breachInput, dpoChannel, incidentWorld, reporter } from './fixtures';

async function recordedIncidents(count: number, overrides: Record<string, unknown> = {}) {
  const world = await incidentWorld();
  const incidents: Incident[] = [];
  for (let index = 0; index < count; index += 1) {
    const outcome = await world.service.report(breachInput(overrides), reporter, `activity-${index}`);
    if (outcome.kind !== 'recorded') throw new Error(`expected a recorded incident, got ${outcome.kind}`);
    incidents.push(outcome.incident);
  }
  return { world, incidents };
}

describe('retrying stuck deliveries once the DPO channel is known', () => {
  it('puts only the matching stuck items back in the queue, and the delivered card is no longer stuck', async () => {
    const world = await incidentWorld({ withDpoChannel: false });
    const outcome = await world.service.report(breachInput(), reporter, 'activity-1');
    if (outcome.kind !== 'recorded') throw new Error('expected a recorded incident');
    const reference = outcome.incident.reference;
    for (let pass = 0; pass < 5; pass += 1) {
      await world.processor.runOnce();
      world.clock.advance(10 * 60_000);
    }
    expect((await world.outbox.get(`incident-card:${reference}`))?.state).toBe('stuck');
    expect((await world.service.get(reference))?.deliveryStuck).toBe(true);

    expect(await world.outbox.retryStuck((item) => item.target.kind === 'person')).toBe(0);
    await world.directory.rememberPlace('dpo-channel', dpoChannel);
    expect(
      await world.outbox.retryStuck(
        (item) => item.target.kind === 'place' && item.target.place === 'dpo-channel',
      ),
    ).toBe(1);
    expect(await world.processor.runOnce()).toMatchObject({ delivered: 1 });
    const incident = await world.service.get(reference);
    expect(incident?.deliveryStuck).toBeUndefined();
    expect(incident?.channelCardActivityId).toBe(world.messenger.sent.at(-1)?.activityId);
    expect((await world.processor.health()).ok).toBe(true);
  });
});

describe('the register export', () => {
  it('withholds the reporter’s name in the JSON action log when they asked', async () => {
    const { incidents } = await recordedIncidents(1, { withholdName: 'true' });
    const exported = toJson(incidents);
    expect(exported).not.toContain(reporter.name);
    expect(toCsv(incidents)).not.toContain(reporter.name);
    const [row] = JSON.parse(exported) as Record<string, unknown>[];
    expect(Object.keys(row)).toEqual([...icoColumns, 'Action log']);
  });

  it.each(['csv', 'json'] as const)(
    'splits a long %s register into chat messages that are each complete and under the size limit',
    async (format) => {
      const { incidents } = await recordedIncidents(12, { whatHappened: 'w'.repeat(3500) });
      const messages = exportMessages(format, incidents);
      expect(messages.length).toBeGreaterThan(1);
      const parts = messages.map((message) => {
        expect(message.length).toBeLessThan(25_000);
        return /```\n([\s\S]*)\n```/.exec(message)?.[1] ?? '';
      });
      if (format === 'json') {
        const rows = parts.flatMap((part) => JSON.parse(part) as Record<string, string>[]);
        expect(rows.map((row) => row['Our reference'])).toEqual(
          incidents.map((incident) => incident.reference),
        );
      } else {
        for (const part of parts) expect(part.split('\r\n')[0]).toBe(toCsv([]).trimEnd());
        const rows = parts.flatMap((part) => part.split('\r\n').slice(1));
        expect(rows.map((row) => row.split(',')[0])).toEqual(incidents.map((incident) => incident.reference));
      }
    },
  );

  it('keeps a run of backticks in someone’s text from closing the code block', async () => {
    const { incidents } = await recordedIncidents(1, { whatHappened: 'before\n```\nafter' });
    const [message] = exportMessages('csv', incidents);
    // Only the block's own opening and closing fences remain.
    expect(message.match(/^```$/gm)).toHaveLength(2);
    expect(message.trimEnd().endsWith('\n```')).toBe(true);
    expect(message).toContain('`\u200b`\u200b`');
  });
});

describe('npm run export-incidents', () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((folder) => fs.rmSync(folder, { recursive: true, force: true })));

  it.each(['csv', 'json'] as const)('writes the register of a data folder as %s', async (format) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-export-'));
    folders.push(folder);
    const { world } = await recordedIncidents(3);
    const { records } = createDocumentStores({ kind: 'local', folder });
    for (const incident of await listRegister(world.store)) {
      await records.put('incidents', incident.reference, incident);
    }
    const out = path.join(folder, `register.${format}`);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runExport(['--format', format, '--data-folder', folder, '--out', out], {})).toBe(0);
    } finally {
      stderr.mockRestore();
    }
    const written = fs.readFileSync(out, 'utf8');
    expect(written).toBe(
      format === 'json' ? toJson(await listRegister(world.store)) : toCsv(await listRegister(world.store)),
    );
  });

  it.each([
    [['--format', 'xml'], /--format must be csv or json/],
    [['--data-folder', '/nowhere/at/all'], /There is no data folder/],
    [['--bogus'], /Unknown argument "--bogus"/],
  ])('refuses %j with a clear message', async (argv, message) => {
    let written = '';
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    try {
      expect(await runExport(argv, {})).not.toBe(0);
    } finally {
      stderr.mockRestore();
    }
    expect(written).toMatch(message);
  });
});
