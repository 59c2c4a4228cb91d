/**
 * One small document store serves every capability: bot conversation state, incident register,
 * outbox, consent records, DPIAs, the tool register. Each document has an ETag; conditional writes
 * are how two bot instances sharing one storage account avoid overwriting each other.
 */
export interface StoredDocument<T> {
  key: string;
  value: T;
  etag: string;
}

export interface WriteCondition {
  /** Write only if the stored document still has this ETag. */
  ifMatch?: string;
  /** Write only if no document with this key exists yet (create-once). */
  ifNoneMatch?: '*';
}

export interface DocumentStore {
  get<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined>;
  /** Every document in a collection whose key starts with `keyPrefix` (all when omitted), sorted by key. */
  list<T>(collection: string, keyPrefix?: string): Promise<StoredDocument<T>[]>;
  /** Returns the new ETag. Throws `StorageConflictError` when a condition fails. */
  put<T>(collection: string, key: string, value: T, condition?: WriteCondition): Promise<string>;
  /** Deleting a missing document is not an error. Throws `StorageConflictError` when `ifMatch` fails. */
  delete(collection: string, key: string, condition?: Pick<WriteCondition, 'ifMatch'>): Promise<void>;
}

export class StorageConflictError extends Error {
  readonly code = 'storage-conflict' as const;
  constructor(
    readonly collection: string,
    readonly key: string,
    readonly reason: 'etag-mismatch' | 'already-exists',
  ) {
    super(`Storage write to ${collection}/${key} refused: ${reason}`);
    this.name = 'StorageConflictError';
  }
}

export function isStorageConflict(error: unknown): error is StorageConflictError {
  return error instanceof StorageConflictError;
}

/**
 * A stored document exists but cannot be read back (hand-edited, damaged on disk). The document is
 * left where it is, never dropped; the message says where it is so a person can repair or remove it.
 */
export class StorageCorruptError extends Error {
  readonly code = 'storage-corrupt' as const;
  constructor(
    readonly collection: string,
    readonly key: string,
    /** Where the damaged document lives (a file path, a blob or entity name). */
    readonly location: string,
    readonly detail: string,
  ) {
    super(
      `Stored document ${collection}/${key} at ${location} cannot be read (${detail}). ` +
        'Repair the JSON or move the file away; it has not been changed.',
    );
    this.name = 'StorageCorruptError';
  }
}
