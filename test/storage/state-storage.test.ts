import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Application, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { DocumentStoreStateStorage, newStateETag, StateConflictError } from '../../src/bot/state-storage';
import { AzureBlobStore } from '../../src/storage/azure-blob-store';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import { LocalDiskStore } from '../../src/storage/local-disk-store';
import { isStorageConflict, type DocumentStore } from '../../src/storage/types';
import { RunningAzurite, startAzurite } from '../support/azurite';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** What these tests keep in conversation state; `eTag` is the adapter's, visible to the bot. */
interface TestConversationState {
  count?: number;
  servedBy?: string[];
  note?: string;
  startedBy?: string;
  eTag?: string;
}
type TestTurnState = TurnState<TestConversationState>;

function conversationActivity(conversationId: string, text = 'hello'): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    channelId: 'msteams',
    id: randomBytes(4).toString('hex'),
    text,
    recipient: { id: '28:policy-bot', name: 'Policy bot' },
    from: { id: '29:teacher', name: 'A Teacher' },
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    serviceUrl: 'http://127.0.0.1:1',
  };
}

/** One turn as teams-ai runs it: TurnState.load, a change, TurnState.save. */
async function loadTurn(
  storage: DocumentStoreStateStorage,
  conversationId: string,
): Promise<{
  state: TestTurnState;
  context: TurnContext;
}> {
  const context = new TurnContext(new TestAdapter(), conversationActivity(conversationId));
  const state: TestTurnState = new TurnState<TestConversationState>();
  await state.load(context, storage);
  return { state, context };
}

async function countingTurn(
  storage: DocumentStoreStateStorage,
  conversationId: string,
  by: string,
): Promise<number> {
  const { state, context } = await loadTurn(storage, conversationId);
  const seen = state.conversation.count ?? 0;
  state.conversation.count = seen + 1;
  state.conversation.servedBy = [...(state.conversation.servedBy ?? []), by];
  await state.save(context, storage);
  return seen;
}

const conversationKey = (conversationId: string): string =>
  `msteams/28:policy-bot/conversations/${conversationId}`;

describe('DocumentStoreStateStorage: botbuilder Storage semantics', () => {
  let store: InMemoryStore;
  let storage: DocumentStoreStateStorage;
  beforeEach(() => {
    store = new InMemoryStore();
    storage = new DocumentStoreStateStorage(store, 'bot-state');
  });

  it('reads documents with their ETag as eTag, and a missing key as new state', async () => {
    const etag = await store.put('bot-state', 'present', { topic: 'dpia' });
    expect(await storage.read(['present', 'absent'])).toEqual({
      present: { topic: 'dpia', eTag: etag },
      absent: { eTag: newStateETag },
    });
    const unguarded = new DocumentStoreStateStorage(store, 'bot-state', { guardFirstWrite: false });
    expect(await unguarded.read(['present', 'absent'])).toEqual({ present: { topic: 'dpia', eTag: etag } });
  });

  it('stores the value without the eTag property and hands the new eTag back on the item', async () => {
    const item = { step: 2, eTag: '*' };
    await storage.write({ key: item });
    const stored = await store.get('bot-state', 'key');
    expect(stored?.value).toEqual({ step: 2 });
    expect(item.eTag).toBe(stored?.etag);
  });

  const cases: [string, 'written' | 'refused', (current: string) => string | undefined][] = [
    ['no eTag (last writer wins)', 'written', () => undefined],
    ["eTag '*' (last writer wins)", 'written', () => '*'],
    ['the current eTag', 'written', (current) => current],
    ['a stale eTag', 'refused', () => 'stale-etag'],
    ['the new-state eTag for a key that exists', 'refused', () => newStateETag],
  ];
  it.each(cases)('over an existing document, a write with %s is %s', async (_label, outcome, eTagFor) => {
    const current = await store.put('bot-state', 'key', { version: 1 });
    const write = storage.write({ key: { version: 2, eTag: eTagFor(current) } });
    if (outcome === 'written') {
      await write;
      expect((await store.get('bot-state', 'key'))?.value).toEqual({ version: 2 });
    } else {
      const error = await write.catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StateConflictError);
      expect(isStorageConflict(error)).toBe(true);
      expect((error as Error).message).toContain('eTag conflict');
      expect(await store.get('bot-state', 'key')).toEqual({
        key: 'key',
        value: { version: 1 },
        etag: current,
      });
    }
  });

  it('creates a missing document for the new-state eTag, and for any eTag, as MemoryStorage does', async () => {
    await storage.write({
      fresh: { n: 1, eTag: newStateETag },
      recreated: { n: 2, eTag: 'from-before-a-delete' },
    });
    expect((await store.get('bot-state', 'fresh'))?.value).toEqual({ n: 1 });
    expect((await store.get('bot-state', 'recreated'))?.value).toEqual({ n: 2 });
  });

  it("supports teams-ai's SSO de-duplication: the same exchange id written twice fails the second time", async () => {
    await storage.write({ 'sso/exchange': { eTag: 'exchange-42' } });
    await expect(storage.write({ 'sso/exchange': { eTag: 'exchange-42' } })).rejects.toThrow('eTag conflict');
  });

  it('lets a second save in the same turn through, because the first write updated the eTag', async () => {
    const [read] = Object.values(await storage.read(['turn'])) as Record<string, unknown>[];
    read.step = 1;
    await storage.write({ turn: read });
    read.step = 2;
    await storage.write({ turn: read });
    expect((await store.get('bot-state', 'turn'))?.value).toEqual({ step: 2 });
  });

  it('deletes, and a delete of a missing key is fine', async () => {
    await store.put('bot-state', 'gone', {});
    await storage.delete(['gone', 'never']);
    expect(await store.get('bot-state', 'gone')).toBeUndefined();
  });
});

describe('DocumentStoreStateStorage under teams-ai TurnState', () => {
  it('keeps conversation state across a restart over the same local folder', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'state-storage-'));
    try {
      const before = new DocumentStoreStateStorage(new LocalDiskStore({ folder }));
      expect(await countingTurn(before, 'a:conversation-1', 'first-process')).toBe(0);
      expect(await countingTurn(before, 'a:conversation-1', 'first-process')).toBe(1);
      const after = new DocumentStoreStateStorage(new LocalDiskStore({ folder }));
      expect(await countingTurn(after, 'a:conversation-1', 'restarted')).toBe(2);
      const { state } = await loadTurn(after, 'a:conversation-1');
      expect(state.conversation.servedBy).toEqual(['first-process', 'first-process', 'restarted']);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('writes the eTag teams-ai carried from load back on save (stored value has none)', async () => {
    const store = new InMemoryStore();
    const storage = new DocumentStoreStateStorage(store);
    await countingTurn(storage, 'a:etag', 'one');
    const { state } = await loadTurn(storage, 'a:etag');
    const stored = await store.get('bot-state', conversationKey('a:etag'));
    expect(state.conversation.eTag).toBe(stored?.etag);
    expect(stored?.value).toEqual({ count: 1, servedBy: ['one'] });
  });

  describe('two bot instances sharing one Azure Storage account (Azurite)', () => {
    let containerName: string;
    let instanceA: DocumentStoreStateStorage;
    let instanceB: DocumentStoreStateStorage;
    const blobStore = (): DocumentStore =>
      new AzureBlobStore({ connectionString: azurite.connectionString, containerName });
    beforeEach(() => {
      containerName = 'state-' + randomBytes(6).toString('hex');
      instanceA = new DocumentStoreStateStorage(blobStore());
      instanceB = new DocumentStoreStateStorage(blobStore());
    });

    it('serve one conversation turn by turn, each reading the other’s writes', async () => {
      const seen: number[] = [];
      for (let turn = 0; turn < 6; turn++) {
        const instance = turn % 2 === 0 ? instanceA : instanceB;
        seen.push(await countingTurn(instance, '19:meeting_abc@thread.v2', turn % 2 === 0 ? 'A' : 'B'));
      }
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
      const { state } = await loadTurn(instanceA, '19:meeting_abc@thread.v2');
      expect(state.conversation.servedBy).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
    });

    it('refuse the later of two overlapping turns instead of overwriting the first', async () => {
      await countingTurn(instanceA, 'a:overlap', 'A');
      const turnA = await loadTurn(instanceA, 'a:overlap');
      const turnB = await loadTurn(instanceB, 'a:overlap');
      turnA.state.conversation.note = 'from A';
      turnB.state.conversation.note = 'from B';
      await turnA.state.save(turnA.context, instanceA);
      await expect(turnB.state.save(turnB.context, instanceB)).rejects.toBeInstanceOf(StateConflictError);
      const { state } = await loadTurn(instanceB, 'a:overlap');
      expect(state.conversation.note).toBe('from A');
    });

    it('refuse the later of two overlapping first turns of a new conversation', async () => {
      const turnA = await loadTurn(instanceA, 'a:brand-new');
      const turnB = await loadTurn(instanceB, 'a:brand-new');
      turnA.state.conversation.startedBy = 'A';
      turnB.state.conversation.startedBy = 'B';
      const outcomes = await Promise.allSettled([
        turnA.state.save(turnA.context, instanceA),
        turnB.state.save(turnB.context, instanceB),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = outcomes[0].status === 'fulfilled' ? 'A' : 'B';
      const { state } = await loadTurn(instanceA, 'a:brand-new');
      expect(state.conversation.startedBy).toBe(winner);
    });

    it('run a real teams-ai Application on each instance, alternating turns of one conversation', async () => {
      const makeApplication = (
        name: string,
        storage: DocumentStoreStateStorage,
      ): Application<TestTurnState> => {
        const application = new Application<TestTurnState>({
          storage,
          startTypingTimer: false,
          turnStateFactory: () => new TurnState<TestConversationState>(),
        });
        application.message(/.*/, async (context, state) => {
          const count = (state.conversation.count ?? 0) + 1;
          state.conversation.count = count;
          await context.sendActivity(`${name} answered turn ${count}`);
        });
        return application;
      };
      const applications = [makeApplication('A', instanceA), makeApplication('B', instanceB)];
      const replies: string[] = [];
      for (let turn = 0; turn < 4; turn++) {
        const adapter = new TestAdapter();
        const context = new TurnContext(adapter, conversationActivity('a:application', `question ${turn}`));
        context.onSendActivities(async (_context, activities, next) => {
          replies.push(...activities.map((activity) => activity.text ?? ''));
          return next();
        });
        await applications[turn % 2].run(context);
      }
      expect(replies).toEqual([
        'A answered turn 1',
        'B answered turn 2',
        'A answered turn 3',
        'B answered turn 4',
      ]);
    });
  });
});
