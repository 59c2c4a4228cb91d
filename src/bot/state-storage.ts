import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { type DocumentStore, isStorageConflict, StorageConflictError } from '../storage/types';

/**
 * The eTag `read` puts on state that does not exist yet. It is not an ETag any store issues, and it
 * means "write only if the document still does not exist".
 */
export const newStateETag = 'new-state';

export interface DocumentStoreStateStorageOptions {
  /**
   * Return `{ eTag: newStateETag }` for keys that do not exist (default true), so the first write of a
   * new conversation is a create-once. Without it, two instances taking the first two turns of a new
   * conversation at the same moment would both write without an eTag and the later would win.
   */
  guardFirstWrite?: boolean;
}

/**
 * Thrown when a turn's state write was refused because another turn changed (or created) the state
 * after this turn read it. It is a StorageConflictError, so `isStorageConflict` recognises it; the
 * message contains "eTag conflict" like botbuilder's MemoryStorage, which teams-ai code looks for.
 */
export class StateConflictError extends StorageConflictError {
  constructor(collection: string, key: string, reason: StorageConflictError['reason']) {
    super(collection, key, reason);
    this.message = `Storage: error writing "${key}" due to eTag conflict (${reason}); another turn changed it first`;
    this.name = 'StateConflictError';
  }
}

/**
 * botbuilder's `Storage` over a DocumentStore collection, so teams-ai conversation and user state
 * lives on local disk or in Azure Blob Storage like everything else.
 *
 * What teams-ai 1.7.4 does with eTags (lib/TurnState.js): nothing of its own. `load` calls
 * `storage.read([conversationKey, userKey])` and keeps each returned object as the scope's value
 * (`items[key]`, or a fresh `{}` when the key is missing); `save` passes that same object back to
 * `storage.write` when its JSON changed. So whatever `eTag` property `read` puts on the object
 * travels through the turn and comes back on `write`, unless the bot replaces the whole scope.
 * (botbuilder's own BotState, by contrast, forces `eTag: '*'`, i.e. last writer wins.)
 *
 * This adapter builds optimistic concurrency on that round trip, with nothing remembered between
 * calls (remembering "the eTag I last read for this key" in the instance would be wrong: one instance
 * serves many overlapping turns, and another instance may have written since):
 * - `read` returns each document with its current ETag as `eTag`, and for a missing key (when
 *   `guardFirstWrite` is on) `{ eTag: newStateETag }`, because teams-ai would otherwise invent an
 *   eTag-less `{}`.
 * - `write` of an item whose `eTag` is a store ETag: stored only if the document still has that ETag.
 *   If the document has meanwhile been deleted, it is created again (only if still absent), as
 *   botbuilder's MemoryStorage does; teams-ai's SSO de-duplication relies on that (it writes
 *   `{ eTag: <exchange id> }` to a new key and expects a second identical write to fail).
 * - `eTag: newStateETag`: created only if the document still does not exist.
 * - no `eTag`, or `'*'`: written whatever is there (botbuilder's meaning).
 * - A refused write throws StateConflictError, so the turn fails rather than silently overwriting the
 *   other turn's state; the bot's error handler asks the person to try again.
 * - After a successful write the new ETag is set on the caller's object, so a second `save` in the
 *   same turn is checked against this turn's own write instead of failing against it.
 *
 * Two bot instances sharing one store therefore serve a conversation turn by turn (each turn reads
 * the other's latest write and its ETag), and of two overlapping turns the later writer is refused.
 */
export class DocumentStoreStateStorage implements Storage {
  private readonly guardFirstWrite: boolean;

  constructor(
    private readonly store: DocumentStore,
    private readonly collection = 'bot-state',
    options: DocumentStoreStateStorageOptions = {},
  ) {
    this.guardFirstWrite = options.guardFirstWrite ?? true;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const document = await this.store.get<Record<string, unknown>>(this.collection, key);
        if (document) items[key] = { ...document.value, eTag: document.etag };
        else if (this.guardFirstWrite) items[key] = { eTag: newStateETag };
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) {
      throw new ReferenceError('Changes are required when writing.');
    }
    await Promise.all(
      Object.entries(changes).map(async ([key, item]: [string, StoreItem | undefined]) => {
        const target: StoreItem = item ?? {};
        const { eTag, ...value } = target;
        const etag = await this.writeOne(key, value, typeof eTag === 'string' ? eTag : undefined);
        target.eTag = etag;
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    await Promise.all(keys.map((key) => this.store.delete(this.collection, key)));
  }

  private async writeOne(
    key: string,
    value: Record<string, unknown>,
    eTag: string | undefined,
  ): Promise<string> {
    if (eTag === undefined || eTag === '' || eTag === '*') return this.store.put(this.collection, key, value);
    if (eTag === newStateETag) return this.createOnce(key, value);
    try {
      return await this.store.put(this.collection, key, value, { ifMatch: eTag });
    } catch (error) {
      if (!isStorageConflict(error)) throw error;
      if ((await this.store.get(this.collection, key)) !== undefined) {
        throw new StateConflictError(this.collection, key, 'etag-mismatch');
      }
      return this.createOnce(key, value);
    }
  }

  private async createOnce(key: string, value: Record<string, unknown>): Promise<string> {
    try {
      return await this.store.put(this.collection, key, value, { ifNoneMatch: '*' });
    } catch (error) {
      if (isStorageConflict(error)) throw new StateConflictError(this.collection, key, 'already-exists');
      throw error;
    }
  }
}
