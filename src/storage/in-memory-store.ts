import { assertValidKey } from './key-encoding';
import { compareKeys, matches, serializeValue } from './serialization';
import { DocumentStore, StorageConflictError, StoredDocument, WriteCondition } from './types';

interface MemoryEntry {
  text: string;
  etag: string;
}

/**
 * Documents in a Map, for tests and benches. Values are kept as JSON text so that it behaves like the
 * real stores: what you get back is a copy, and values that do not survive JSON do not survive here.
 */
export class InMemoryStore implements DocumentStore {
  private readonly collections = new Map<string, Map<string, MemoryEntry>>();
  // One counter for the whole store: a document deleted and created again never reuses an ETag.
  private version = 0;

  async get<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    assertValidKey(collection, 'collection');
    assertValidKey(key);
    const entry = this.collections.get(collection)?.get(key);
    return entry && { key, value: JSON.parse(entry.text) as T, etag: entry.etag };
  }

  async list<T>(collection: string, keyPrefix = ''): Promise<StoredDocument<T>[]> {
    assertValidKey(collection, 'collection');
    const documents: StoredDocument<T>[] = [];
    for (const [key, entry] of this.collections.get(collection) ?? []) {
      if (key.startsWith(keyPrefix))
        documents.push({ key, value: JSON.parse(entry.text) as T, etag: entry.etag });
    }
    return documents.sort(compareKeys);
  }

  async put<T>(collection: string, key: string, value: T, condition: WriteCondition = {}): Promise<string> {
    assertValidKey(collection, 'collection');
    assertValidKey(key);
    const text = serializeValue(collection, key, value);
    const documents = this.collectionFor(collection);
    const existing = documents.get(key);
    if (condition.ifNoneMatch === '*' && existing) {
      throw new StorageConflictError(collection, key, 'already-exists');
    }
    if (!matches(existing, condition.ifMatch))
      throw new StorageConflictError(collection, key, 'etag-mismatch');
    const etag = `"${++this.version}"`;
    documents.set(key, { text, etag });
    return etag;
  }

  async delete(
    collection: string,
    key: string,
    condition: Pick<WriteCondition, 'ifMatch'> = {},
  ): Promise<void> {
    assertValidKey(collection, 'collection');
    assertValidKey(key);
    const documents = this.collections.get(collection);
    const existing = documents?.get(key);
    if (!existing) return;
    if (!matches(existing, condition.ifMatch))
      throw new StorageConflictError(collection, key, 'etag-mismatch');
    documents?.delete(key);
  }

  private collectionFor(collection: string): Map<string, MemoryEntry> {
    let documents = this.collections.get(collection);
    if (!documents) {
      documents = new Map();
      this.collections.set(collection, documents);
    }
    return documents;
  }
}
