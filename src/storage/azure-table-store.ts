import type { TokenCredential } from '@azure/identity';
import { odata, TableClient, TableEntity, TableEntityResult } from '@azure/data-tables';
import { httpStatusOf } from './azure-errors';
import { assertValidKey, decodeKey, encodeKey, InvalidKeyError } from './key-encoding';
import { compareKeys, serializeValue } from './serialization';
import {
  DocumentStore,
  StorageConflictError,
  StorageCorruptError,
  StoredDocument,
  WriteCondition,
} from './types';

/** Either a connection string (Azurite, keys) or the account's table endpoint and a managed identity. */
export type AzureTableStoreOptions = { tableName: string } & (
  { connectionString: string } | { serviceUrl: string; credential: TokenCredential }
);

/**
 * A string property holds at most 64 KiB (32K UTF-16 characters) and an entity at most 1 MiB, so a
 * value's JSON is split across properties `v0`, `v1`, … of at most 32,000 characters, and values
 * whose JSON needs more than 15 of them are refused before they reach the service.
 */
export const tableChunkCharacters = 32_000;
export const tableMaximumChunks = 15;
const maximumEncodedKeyLength = 512;

export class ValueTooLargeError extends Error {
  readonly code = 'storage-value-too-large' as const;
  constructor(
    readonly collection: string,
    readonly key: string,
    readonly characters: number,
  ) {
    super(
      `Cannot store ${collection}/${key} in Azure Table storage: its JSON has ${characters} characters, ` +
        `more than ${tableChunkCharacters * tableMaximumChunks}`,
    );
    this.name = 'ValueTooLargeError';
  }
}

type DocumentEntity = TableEntity<Record<string, string | number>>;

/**
 * One entity per document: PartitionKey = encoded collection, RowKey = encoded key (Table keys forbid
 * / \ # ? and control characters; the encoding keeps letters, digits and '-' and escapes the rest).
 * Listing by prefix is a RowKey range query inside the partition.
 */
export class AzureTableStore implements DocumentStore {
  private readonly client: TableClient;
  private ready: Promise<void> | undefined;

  constructor(options: AzureTableStoreOptions) {
    if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(options.tableName)) {
      throw new TypeError(
        `Invalid Azure table name ${JSON.stringify(options.tableName)}: 3-63 letters and digits, starting with a letter`,
      );
    }
    this.client =
      'connectionString' in options
        ? TableClient.fromConnectionString(options.connectionString, options.tableName, {
            // Azurite speaks plain HTTP on loopback; real accounts are HTTPS and unaffected.
            allowInsecureConnection: options.connectionString.includes('http://'),
          })
        : new TableClient(options.serviceUrl, options.tableName, options.credential);
  }

  async get<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    const { partitionKey, rowKey } = entityKeys(collection, key);
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<Record<string, string | number>>(partitionKey, rowKey);
      return this.toDocument<T>(collection, entity);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list<T>(collection: string, keyPrefix = ''): Promise<StoredDocument<T>[]> {
    assertValidKey(collection, 'collection');
    await this.ensureTable();
    const partitionKey = encode(collection);
    const low = encode(keyPrefix);
    // Encoded keys are ASCII, so "just above the prefix" is the prefix with its last character bumped.
    const filter = low
      ? odata`PartitionKey eq ${partitionKey} and RowKey ge ${low} and RowKey lt ${bumpLastCharacter(low)}`
      : odata`PartitionKey eq ${partitionKey}`;
    const documents: StoredDocument<T>[] = [];
    for await (const entity of this.client.listEntities<Record<string, string | number>>({
      queryOptions: { filter },
    })) {
      const document = this.toDocument<T>(collection, entity);
      if (document.key.startsWith(keyPrefix)) documents.push(document);
    }
    return documents.sort(compareKeys);
  }

  async put<T>(collection: string, key: string, value: T, condition: WriteCondition = {}): Promise<string> {
    const { partitionKey, rowKey } = entityKeys(collection, key);
    const text = serializeValue(collection, key, value);
    const entity: DocumentEntity = {
      partitionKey,
      rowKey,
      format: 1,
      ...splitIntoChunks(collection, key, text),
    };
    await this.ensureTable();
    try {
      let response: { etag?: string };
      if (condition.ifNoneMatch === '*') response = await this.client.createEntity(entity);
      else if (condition.ifMatch !== undefined) {
        response = await this.client.updateEntity(entity, 'Replace', { etag: condition.ifMatch });
      } else response = await this.client.upsertEntity(entity, 'Replace');
      if (!response.etag) throw new Error('Azure Table Storage answered without an ETag');
      return response.etag;
    } catch (error) {
      const status = httpStatusOf(error);
      if (condition.ifNoneMatch === '*' && status === 409) {
        throw new StorageConflictError(collection, key, 'already-exists');
      }
      // Updating an entity that is gone is a 404: the version the caller read no longer exists.
      if (condition.ifMatch !== undefined && (status === 412 || status === 404)) {
        throw new StorageConflictError(collection, key, 'etag-mismatch');
      }
      if (
        condition.ifMatch !== undefined &&
        (await this.isMalformedEtagRefusal(status, collection, key, condition.ifMatch))
      ) {
        throw new StorageConflictError(collection, key, 'etag-mismatch');
      }
      throw error;
    }
  }

  async delete(
    collection: string,
    key: string,
    condition: Pick<WriteCondition, 'ifMatch'> = {},
  ): Promise<void> {
    const { partitionKey, rowKey } = entityKeys(collection, key);
    await this.ensureTable();
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag: condition.ifMatch ?? '*' });
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404) return;
      if (status === 412 || (await this.isMalformedEtagRefusal(status, collection, key, condition.ifMatch))) {
        // The caller's version is not the stored one; if nothing is stored there is nothing to delete.
        if ((await this.get(collection, key)) === undefined) return;
        throw new StorageConflictError(collection, key, 'etag-mismatch');
      }
      throw error;
    }
  }

  /**
   * The service answers 400 (not 412) to an If-Match value that is not shaped like one of its ETags,
   * such as an ETag from another store. Such a value can never match what is stored.
   */
  private async isMalformedEtagRefusal(
    status: number | undefined,
    collection: string,
    key: string,
    ifMatch: string | undefined,
  ): Promise<boolean> {
    if (status !== 400 || ifMatch === undefined || ifMatch === '*') return false;
    const current = await this.get(collection, key);
    return current?.etag !== ifMatch;
  }

  private toDocument<T>(
    collection: string,
    entity: TableEntityResult<Record<string, string | number>>,
  ): StoredDocument<T> {
    const rowKey = entity.rowKey ?? '';
    const key = decodeKey(rowKey);
    const location = `${this.client.tableName}(${entity.partitionKey}, ${rowKey})`;
    const parts = typeof entity.parts === 'number' ? entity.parts : NaN;
    if (!Number.isInteger(parts) || parts < 1) {
      throw new StorageCorruptError(collection, key, location, 'missing the "parts" count');
    }
    let text = '';
    for (let index = 0; index < parts; index++) {
      const chunk = entity[`v${index}`];
      if (typeof chunk !== 'string')
        throw new StorageCorruptError(collection, key, location, `missing part v${index}`);
      text += chunk;
    }
    if (!entity.etag) throw new Error('Azure Table Storage answered without an ETag');
    try {
      return { key, value: JSON.parse(text) as T, etag: entity.etag };
    } catch (error) {
      throw new StorageCorruptError(collection, key, location, `invalid JSON: ${(error as Error).message}`);
    }
  }

  private ensureTable(): Promise<void> {
    // createTable ignores "already exists", so racing bot instances are fine.
    this.ready ??= this.client.createTable().then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }
}

function encode(text: string): string {
  return encodeKey(text, { escapeUpperCase: false });
}

function entityKeys(collection: string, key: string): { partitionKey: string; rowKey: string } {
  assertValidKey(collection, 'collection');
  assertValidKey(key);
  const partitionKey = encode(collection);
  const rowKey = encode(key);
  if (rowKey.length > maximumEncodedKeyLength || partitionKey.length > maximumEncodedKeyLength) {
    throw new InvalidKeyError(
      key,
      `too long for an Azure Table key (more than ${maximumEncodedKeyLength} encoded)`,
    );
  }
  return { partitionKey, rowKey };
}

function bumpLastCharacter(text: string): string {
  return text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1);
}

/** Cuts never fall between the two halves of a surrogate pair, which the service would reject. */
function splitIntoChunks(collection: string, key: string, text: string): Record<string, string | number> {
  const chunks: Record<string, string | number> = {};
  let parts = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + tableChunkCharacters, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks[`v${parts++}`] = text.slice(start, end);
    start = end;
  }
  if (parts > tableMaximumChunks) throw new ValueTooLargeError(collection, key, text.length);
  chunks.parts = parts;
  return chunks;
}
