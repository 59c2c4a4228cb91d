import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/shared/clock';
import { RecordingLogger } from '../../src/shared/logger';
import { LocalDiskStore, StorageLockTimeoutError } from '../../src/storage/local-disk-store';
import { StorageCorruptError } from '../../src/storage/types';

const repositoryRoot = path.resolve(__dirname, '../..');
const worker = path.join(__dirname, 'fixtures', 'disk-counter-worker.ts');

let folder: string;
beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'local-disk-store-'));
});
afterEach(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

function runWorker(times: number, name: string): Promise<{ conflicts: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', worker, folder, String(times), name],
      { cwd: repositoryRoot },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${name} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as { conflicts: number });
      },
    );
  });
}

async function documentFile(collection: string, key: string): Promise<string> {
  const store = new LocalDiskStore({ folder });
  await store.put(collection, key, { placeholder: true });
  const directory = path.join(folder, collection);
  const [name] = (await fs.readdir(directory)).filter((entry) => entry.endsWith('.json'));
  return path.join(directory, name);
}

describe('LocalDiskStore across processes', () => {
  it('loses no update when three processes increment one counter with conditional writes', async () => {
    const perWorker = 40;
    const names = ['alpha', 'beta', 'gamma'];
    const running = Promise.all(names.map((name) => runWorker(perWorker, name)));
    for (;;) {
      const ready = (await fs.readdir(folder)).filter((name) => name.startsWith('ready-'));
      if (ready.length === names.length) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await fs.writeFile(path.join(folder, 'go'), '');
    const results = await running;
    const stored = await new LocalDiskStore({ folder }).get<{ count: number; by: string[] }>(
      'shared',
      'counter',
    );
    expect(stored?.value.count).toBe(3 * perWorker);
    expect(stored?.value.by).toHaveLength(3 * perWorker);
    for (const name of names) {
      expect(stored?.value.by.filter((writer) => writer === name)).toHaveLength(perWorker);
    }
    // The workers did contend: otherwise this test would not be exercising the locks.
    expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
    const leftovers = (await fs.readdir(path.join(folder, 'shared'))).filter(
      (name) => name !== 'counter.json',
    );
    expect(leftovers).toEqual([]);
  });
});

describe('LocalDiskStore locks', () => {
  it('breaks a lock left by a process that has exited', async () => {
    const file = await documentFile('state', 'conversation');
    const exited = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) =>
      exited.on('exit', () => resolve(exited.pid ?? -1)),
    );
    const lock = file.replace(/\.json$/, '.lock');
    await fs.writeFile(
      lock,
      JSON.stringify({ pid: deadPid, host: os.hostname(), token: 'crashed-writer', at: Date.now() }),
    );
    const logger = new RecordingLogger();
    const store = new LocalDiskStore({ folder, logger, lockTimeoutMilliseconds: 5_000 });
    await store.put('state', 'conversation', { resumed: true });
    expect((await store.get('state', 'conversation'))?.value).toEqual({ resumed: true });
    await expect(fs.access(lock)).rejects.toThrow();
    expect(logger.entries.map((entry) => entry.event)).toContain('storage.stale-lock-broken');
  });

  it('waits for a live lock, and breaks it once it is older than the stale limit', async () => {
    await documentFile('state', 'busy');
    const clock = new ManualClock('2025-01-06T09:00:00Z');
    const lock = path.join(folder, 'state', 'busy.lock');
    // A live process (this one) that is not actually writing: as if its writer hung.
    await fs.writeFile(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        token: 'hung-writer',
        at: clock.now().getTime(),
      }),
    );
    const store = new LocalDiskStore({
      folder,
      clock,
      staleLockAfterMilliseconds: 30_000,
      lockTimeoutMilliseconds: 200,
    });
    await expect(store.put('state', 'busy', { attempt: 1 })).rejects.toBeInstanceOf(StorageLockTimeoutError);
    expect((await store.get('state', 'busy'))?.value).toEqual({ placeholder: true });
    clock.advance(31_000);
    await store.put('state', 'busy', { attempt: 2 });
    expect((await store.get('state', 'busy'))?.value).toEqual({ attempt: 2 });
  });

  it('breaks an empty lock (its creator died before writing it) after seconds, not the stale limit', async () => {
    await documentFile('state', 'half-made');
    const lock = path.join(folder, 'state', 'half-made.lock');
    await fs.writeFile(lock, '');
    const fiveSecondsAgo = new Date(Date.now() - 5_000);
    await fs.utimes(lock, fiveSecondsAgo, fiveSecondsAgo);
    const store = new LocalDiskStore({
      folder,
      staleLockAfterMilliseconds: 30_000,
      lockTimeoutMilliseconds: 1_000,
    });
    await store.put('state', 'half-made', { recovered: true });
    expect((await store.get('state', 'half-made'))?.value).toEqual({ recovered: true });
  });

  it('leaves a fresh empty lock alone: its creator may be writing it this instant', async () => {
    await documentFile('state', 'being-made');
    const lock = path.join(folder, 'state', 'being-made.lock');
    await fs.writeFile(lock, '');
    const store = new LocalDiskStore({
      folder,
      staleLockAfterMilliseconds: 30_000,
      lockTimeoutMilliseconds: 200,
    });
    await expect(store.put('state', 'being-made', { attempt: 1 })).rejects.toBeInstanceOf(
      StorageLockTimeoutError,
    );
  });

  it('ignores temporary and lock files when listing', async () => {
    const store = new LocalDiskStore({ folder });
    await store.put('records', 'one', 1);
    const directory = path.join(folder, 'records');
    await fs.writeFile(path.join(directory, '.one.json.123.abc.tmp'), 'half a docu');
    await fs.writeFile(path.join(directory, 'two.lock'), '{}');
    expect((await store.list('records')).map((document) => document.key)).toEqual(['one']);
  });
});

describe('LocalDiskStore file names', () => {
  it('gives keys that differ only by case names that differ by more than case', async () => {
    const store = new LocalDiskStore({ folder });
    for (const key of ['Conversation', 'conversation', 'CONVERSATION', '_43onversation'])
      await store.put('c', key, key);
    const names = (await fs.readdir(path.join(folder, 'c'))).map((name) => name.toLowerCase());
    expect(new Set(names).size).toBe(4);
  });

  it('keeps file names short for very long keys and still lists them by prefix', async () => {
    const store = new LocalDiskStore({ folder });
    const longKeys = ['a', 'b'].map(
      (suffix) => `msteams/${'19:Very-Long-Thread-Id@thread.tacv2;'.repeat(12)}${suffix}`,
    );
    for (const key of longKeys) await store.put('state', key, { key });
    const names = await fs.readdir(path.join(folder, 'state'));
    expect(names.every((name) => Buffer.byteLength(name) <= 200)).toBe(true);
    expect(new Set(names).size).toBe(2);
    expect((await store.list('state', 'msteams/19:')).map((document) => document.key)).toEqual(longKeys);
    expect((await store.get('state', longKeys[1]))?.value).toEqual({ key: longKeys[1] });
  });
});

describe('LocalDiskStore with a damaged file', () => {
  const damage: [string, string][] = [
    ['truncated JSON', '{"format":1,"key":"conversation","etag":"x","value":{"tur'],
    ['valid JSON of the wrong shape', '{"turns": 3}'],
    ['an empty file', ''],
  ];

  it.each(damage)(
    'reports %s clearly on read and list, and leaves the file alone',
    async (_label, content) => {
      const file = await documentFile('state', 'conversation');
      await fs.writeFile(file, content);
      const store = new LocalDiskStore({ folder });
      const error = await store.get('state', 'conversation').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StorageCorruptError);
      expect((error as StorageCorruptError).location).toBe(file);
      expect((error as Error).message).toContain(file);
      await expect(store.list('state')).rejects.toBeInstanceOf(StorageCorruptError);
      await expect(store.put('state', 'conversation', {}, { ifMatch: 'x' })).rejects.toBeInstanceOf(
        StorageCorruptError,
      );
      await expect(store.delete('state', 'conversation', { ifMatch: 'x' })).rejects.toBeInstanceOf(
        StorageCorruptError,
      );
      expect(await fs.readFile(file, 'utf8')).toBe(content);
    },
  );

  it('sets a damaged file aside, never deletes it, when it is overwritten unconditionally', async () => {
    const file = await documentFile('state', 'conversation');
    await fs.writeFile(file, 'not json at all');
    const logger = new RecordingLogger();
    const clock = new ManualClock('2025-03-04T10:20:30.456Z');
    const store = new LocalDiskStore({ folder, logger, clock });
    await store.put('state', 'conversation', { fresh: true });
    expect((await store.get('state', 'conversation'))?.value).toEqual({ fresh: true });
    const aside = `${file}.corrupt-2025-03-04T10-20-30-456Z`;
    expect(await fs.readFile(aside, 'utf8')).toBe('not json at all');
    expect(logger.entries).toEqual([
      {
        level: 'warn',
        event: 'storage.corrupt-document-set-aside',
        fields: { collection: 'state', file: aside },
      },
    ]);
    expect((await store.list('state')).map((document) => document.key)).toEqual(['conversation']);
  });
});
