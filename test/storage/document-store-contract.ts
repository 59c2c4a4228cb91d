import { InvalidKeyError } from '../../src/storage/key-encoding';
import { DocumentStore, StorageConflictError } from '../../src/storage/types';

/** Fresh, empty backing storage (a folder, a container, a table) and a way to open stores over it. */
export interface ContractBacking {
  /** A new store instance over the same data: calling it twice simulates a restart or a second process. */
  open(): DocumentStore;
  dispose?(): Promise<void>;
}

export interface ContractOptions {
  /** InMemoryStore has nothing that outlives the instance, so "restart" means nothing for it. */
  survivesRestart: boolean;
}

const collection = 'contract';

/**
 * One behaviour, every backend: the local and the Azure stores must be interchangeable, so the same
 * tests run against each of them.
 */
export function describeDocumentStoreContract(
  name: string,
  makeBacking: () => Promise<ContractBacking>,
  options: ContractOptions,
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let backing: ContractBacking;
    let store: DocumentStore;

    beforeEach(async () => {
      backing = await makeBacking();
      store = backing.open();
    });
    afterEach(async () => {
      await backing.dispose?.();
    });

    async function expectConflict(
      write: Promise<unknown>,
      reason: StorageConflictError['reason'],
    ): Promise<void> {
      const error = await write.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(StorageConflictError);
      expect((error as StorageConflictError).reason).toBe(reason);
    }

    it('returns undefined for a document that was never written', async () => {
      expect(await store.get(collection, 'missing')).toBeUndefined();
    });

    it('reads back what was written, with the ETag the write returned', async () => {
      const etag = await store.put(collection, 'doc', {
        title: 'Policy',
        clauses: [1, 2],
        nested: { ok: true },
      });
      expect(await store.get(collection, 'doc')).toEqual({
        key: 'doc',
        value: { title: 'Policy', clauses: [1, 2], nested: { ok: true } },
        etag,
      });
    });

    it('stores a copy: changing the object after writing does not change the document', async () => {
      const value = { items: ['a'] };
      await store.put(collection, 'copy', value);
      value.items.push('b');
      const read = await store.get<{ items: string[] }>(collection, 'copy');
      read?.value.items.push('c');
      expect((await store.get(collection, 'copy'))?.value).toEqual({ items: ['a'] });
    });

    it('gives every write a new ETag', async () => {
      const first = await store.put(collection, 'doc', { version: 1 });
      const second = await store.put(collection, 'doc', { version: 1 });
      const third = await store.put(collection, 'doc', { version: 2 });
      expect(new Set([first, second, third]).size).toBe(3);
      expect(await store.get(collection, 'doc')).toEqual({ key: 'doc', value: { version: 2 }, etag: third });
    });

    it('keeps collections apart', async () => {
      await store.put('first', 'same-key', 1);
      await store.put('second', 'same-key', 2);
      expect((await store.get('first', 'same-key'))?.value).toBe(1);
      expect((await store.list('second')).map((document) => document.value)).toEqual([2]);
    });

    it('stores JSON scalars, arrays and null as values', async () => {
      const values: [string, unknown][] = [
        ['number', 42],
        ['text', 'hello'],
        ['boolean', false],
        ['null', null],
        ['array', [1, 'two', { three: 3 }]],
      ];
      for (const [key, value] of values) await store.put(collection, key, value);
      for (const [key, value] of values) expect((await store.get(collection, key))?.value).toEqual(value);
    });

    it('lists a collection sorted by key, optionally by key prefix', async () => {
      for (const key of [
        'incident/002',
        'consent/001',
        'incident/010',
        'incident/001',
        'incidents-archive',
      ]) {
        await store.put(collection, key, { key });
      }
      await store.put('other', 'incident/999', {});
      expect((await store.list(collection)).map((document) => document.key)).toEqual([
        'consent/001',
        'incident/001',
        'incident/002',
        'incident/010',
        'incidents-archive',
      ]);
      const incidents = await store.list<{ key: string }>(collection, 'incident/');
      expect(incidents.map((document) => document.key)).toEqual([
        'incident/001',
        'incident/002',
        'incident/010',
      ]);
      expect(incidents.every((document) => document.value.key === document.key && document.etag)).toBe(true);
      expect(await store.list(collection, 'nothing-here')).toEqual([]);
      expect(await store.list('empty-collection')).toEqual([]);
    });

    it('lists with ETags that a conditional write accepts', async () => {
      await store.put(collection, 'listed', { n: 1 });
      const [listed] = await store.list(collection);
      await store.put(collection, 'listed', { n: 2 }, { ifMatch: listed.etag });
      expect((await store.get(collection, 'listed'))?.value).toEqual({ n: 2 });
    });

    it('deletes documents, and deleting a missing one is not an error', async () => {
      await store.put(collection, 'gone', 1);
      await store.delete(collection, 'gone');
      expect(await store.get(collection, 'gone')).toBeUndefined();
      expect(await store.list(collection)).toEqual([]);
      await expect(store.delete(collection, 'gone')).resolves.toBeUndefined();
      await expect(store.delete(collection, 'never-there', { ifMatch: 'whatever' })).resolves.toBeUndefined();
    });

    it('refuses a delete with a stale ETag and keeps the document', async () => {
      const stale = await store.put(collection, 'guarded', 1);
      const current = await store.put(collection, 'guarded', 2);
      await expectConflict(store.delete(collection, 'guarded', { ifMatch: stale }), 'etag-mismatch');
      expect((await store.get(collection, 'guarded'))?.value).toBe(2);
      await store.delete(collection, 'guarded', { ifMatch: current });
      expect(await store.get(collection, 'guarded')).toBeUndefined();
    });

    it('writes with ifMatch only while the ETag is current', async () => {
      const first = await store.put(collection, 'counter', { count: 1 });
      const second = await store.put(collection, 'counter', { count: 2 }, { ifMatch: first });
      await expectConflict(
        store.put(collection, 'counter', { count: 99 }, { ifMatch: first }),
        'etag-mismatch',
      );
      expect(await store.get(collection, 'counter')).toEqual({
        key: 'counter',
        value: { count: 2 },
        etag: second,
      });
    });

    it('treats an ETag it never issued as stale', async () => {
      await store.put(collection, 'foreign', 1);
      await expectConflict(store.put(collection, 'foreign', 2, { ifMatch: 'not-an-etag' }), 'etag-mismatch');
      await expectConflict(store.put(collection, 'nothing', 2, { ifMatch: 'not-an-etag' }), 'etag-mismatch');
      await expectConflict(store.delete(collection, 'foreign', { ifMatch: 'not-an-etag' }), 'etag-mismatch');
      expect((await store.get(collection, 'foreign'))?.value).toBe(1);
    });

    it('accepts ifMatch "*" for any existing version only', async () => {
      await store.put(collection, 'any', 1);
      await store.put(collection, 'any', 2, { ifMatch: '*' });
      expect((await store.get(collection, 'any'))?.value).toBe(2);
      await expectConflict(store.put(collection, 'absent', 1, { ifMatch: '*' }), 'etag-mismatch');
    });

    it('refuses ifMatch on a document that does not exist (it was deleted after being read)', async () => {
      const etag = await store.put(collection, 'deleted', 1);
      await store.delete(collection, 'deleted');
      await expectConflict(store.put(collection, 'deleted', 2, { ifMatch: etag }), 'etag-mismatch');
      expect(await store.get(collection, 'deleted')).toBeUndefined();
    });

    it('never accepts an old ETag after a delete and re-create', async () => {
      const old = await store.put(collection, 'reborn', 1);
      await store.delete(collection, 'reborn');
      await store.put(collection, 'reborn', 2);
      await expectConflict(store.put(collection, 'reborn', 3, { ifMatch: old }), 'etag-mismatch');
    });

    it('creates once with ifNoneMatch', async () => {
      const created = await store.put(collection, 'once', { by: 'first' }, { ifNoneMatch: '*' });
      await expectConflict(
        store.put(collection, 'once', { by: 'second' }, { ifNoneMatch: '*' }),
        'already-exists',
      );
      expect(await store.get(collection, 'once')).toEqual({
        key: 'once',
        value: { by: 'first' },
        etag: created,
      });
      await store.delete(collection, 'once');
      await store.put(collection, 'once', { by: 'third' }, { ifNoneMatch: '*' });
      expect((await store.get(collection, 'once'))?.value).toEqual({ by: 'third' });
    });

    const oddKeys: [string, string][] = [
      ['slashes and backslashes', 'a/b\\c'],
      ['table-forbidden characters', '#?/\\'],
      ['spaces and punctuation', ' spaced out: "quoted" <tag> |pipe| *star* '],
      ['dots only', '..'],
      ['a single dot', '.'],
      ['a Windows device name', 'con'],
      ['upper case', 'CaseSensitive'],
      ['lower case twin', 'casesensitive'],
      ['percent escapes', '%41%2F'],
      ['the letter the escape stands for', 'A/'],
      ['underscores like the encoding', '_5f_41'],
      ['control characters', 'line\nbreak\ttab\u0001\u007f'],
      ['accents and emoji', 'ünïcødé 😀 中文'],
      [
        'a Teams conversation id',
        'msteams/28:bot-id/conversations/19:abc_DEF@thread.tacv2;messageid=1700000000000',
      ],
      ['a long key', 'long/' + 'Abc-123_ü/'.repeat(15)],
    ];

    it.each(oddKeys)('round-trips a key with %s', async (_label, key) => {
      const etag = await store.put(collection, key, { key });
      expect(await store.get(collection, key)).toEqual({ key, value: { key }, etag });
      expect((await store.list(collection)).map((document) => document.key)).toEqual([key]);
      await store.delete(collection, key);
      expect(await store.get(collection, key)).toBeUndefined();
    });

    it('keeps every odd key distinct from every other in one collection, and lists by odd prefixes', async () => {
      for (const [, key] of oddKeys) await store.put(collection, key, key);
      const listed = await store.list<string>(collection);
      expect(listed.map((document) => document.key)).toEqual(oddKeys.map(([, key]) => key).sort());
      expect(listed.every((document) => document.value === document.key)).toBe(true);
      expect((await store.list(collection, 'a/')).map((document) => document.key)).toEqual(['a/b\\c']);
      expect((await store.list(collection, '%')).map((document) => document.key)).toEqual(['%41%2F']);
      expect((await store.list(collection, 'Case')).map((document) => document.key)).toEqual([
        'CaseSensitive',
      ]);
      expect((await store.list(collection, 'ünï')).map((document) => document.key)).toEqual([
        'ünïcødé 😀 中文',
      ]);
    });

    it('rejects keys that cannot be stored faithfully', async () => {
      await expect(store.put(collection, '', 1)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.put(collection, 'lone \uD800 surrogate', 1)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.get(collection, '')).rejects.toBeInstanceOf(InvalidKeyError);
    });

    it('rejects values that JSON cannot carry instead of storing nothing', async () => {
      await expect(store.put(collection, 'undefined', undefined)).rejects.toThrow(/not JSON-serialisable/);
      expect(await store.get(collection, 'undefined')).toBeUndefined();
    });

    it('stores a 200 KB value intact, including characters outside the BMP', async () => {
      // Emoji every so often put surrogate pairs across any fixed-size split point.
      const unit = 'Clause 4.2: staff must not paste pupil data into public AI tools. 📎';
      const text = unit.repeat(Math.ceil(200_000 / unit.length)).slice(0, 200_000);
      const value = { text, list: Array.from({ length: 500 }, (_unused, index) => `item-${index}`) };
      const etag = await store.put(collection, 'large', value);
      const read = await store.get<typeof value>(collection, 'large');
      expect(read?.etag).toBe(etag);
      expect(read?.value.text.length).toBe(text.length);
      expect(read?.value).toEqual(value);
      expect((await store.list<typeof value>(collection))[0].value.text === text).toBe(true);
    });

    it('lets exactly one of several concurrent conditional writers win', async () => {
      const start = await store.put(collection, 'race', { winner: 'nobody' });
      const writers = Array.from({ length: 8 }, (_unused, index) => `writer-${index}`);
      const outcomes = await Promise.allSettled(
        writers.map((writer) => store.put(collection, 'race', { winner: writer }, { ifMatch: start })),
      );
      const winners = writers.filter((_writer, index) => outcomes[index].status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StorageConflictError);
      }
      expect((await store.get(collection, 'race'))?.value).toEqual({ winner: winners[0] });
    });

    it('lets exactly one of several concurrent creators win, across store instances', async () => {
      const stores = [store, backing.open(), backing.open()];
      const outcomes = await Promise.allSettled(
        Array.from({ length: 9 }, (_unused, index) =>
          stores[index % stores.length].put(collection, 'created-once', { by: index }, { ifNoneMatch: '*' }),
        ),
      );
      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
      expect(winners).toHaveLength(1);
      expect((await store.get(collection, 'created-once'))?.value).toEqual({ by: winners[0] });
    });

    it('keeps a counter exact under concurrent read-modify-write with retries', async () => {
      const stores = [store, backing.open()];
      const increments = 12;
      await store.put(collection, 'counter', { count: 0 });
      await Promise.all(
        Array.from({ length: increments }, async (_unused, index) => {
          const writer = stores[index % stores.length];
          for (;;) {
            const current = await writer.get<{ count: number }>(collection, 'counter');
            if (!current) throw new Error('counter vanished');
            try {
              await writer.put(
                collection,
                'counter',
                { count: current.value.count + 1 },
                { ifMatch: current.etag },
              );
              return;
            } catch (error) {
              if (!(error instanceof StorageConflictError)) throw error;
            }
          }
        }),
      );
      expect((await store.get(collection, 'counter'))?.value).toEqual({ count: increments });
    });

    (options.survivesRestart ? it : it.skip)('keeps documents and ETags across a restart', async () => {
      const etag = await store.put(collection, 'conversation/1', { turns: 3 });
      await store.put(collection, 'conversation/2', { turns: 1 });
      const restarted = backing.open();
      expect(await restarted.get(collection, 'conversation/1')).toEqual({
        key: 'conversation/1',
        value: { turns: 3 },
        etag,
      });
      expect((await restarted.list(collection)).map((document) => document.key)).toEqual([
        'conversation/1',
        'conversation/2',
      ]);
      await restarted.put(collection, 'conversation/1', { turns: 4 }, { ifMatch: etag });
      await expectConflict(
        store.put(collection, 'conversation/1', { turns: 99 }, { ifMatch: etag }),
        'etag-mismatch',
      );
    });
  });
}
