import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
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

/** Either a connection string (Azurite, keys) or the account URL and a managed identity. */
export type AzureBlobStoreOptions = { containerName: string } & (
  { connectionString: string } | { serviceUrl: string; credential: TokenCredential }
);

const maximumBlobNameLength = 1024;
const listBatchSize = 16;

/**
 * One blob per document, named `<encoded collection>/<encoded key>`, holding the value as JSON.
 * ETags are the service's own; conditions travel as If-Match / If-None-Match, so the service decides
 * who wins a race between bot instances.
 */
export class AzureBlobStore implements DocumentStore {
  private readonly container: ContainerClient;
  private ready: Promise<void> | undefined;

  constructor(options: AzureBlobStoreOptions) {
    const service =
      'connectionString' in options
        ? BlobServiceClient.fromConnectionString(options.connectionString)
        : new BlobServiceClient(options.serviceUrl, options.credential);
    this.container = service.getContainerClient(options.containerName);
  }

  async get<T>(collection: string, key: string): Promise<StoredDocument<T> | undefined> {
    const name = blobName(collection, key);
    await this.ensureContainer();
    try {
      const response = await this.container.getBlobClient(name).download();
      const text = await readStream(response.readableStreamBody);
      return { key, value: this.parse<T>(collection, key, name, text), etag: requireEtag(response.etag) };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list<T>(collection: string, keyPrefix = ''): Promise<StoredDocument<T>[]> {
    assertValidKey(collection, 'collection');
    await this.ensureContainer();
    const collectionPrefix = encodeKey(collection, { escapeUpperCase: false }) + '/';
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: collectionPrefix + encode(keyPrefix) })) {
      names.push(blob.name);
    }
    const documents: StoredDocument<T>[] = [];
    for (let start = 0; start < names.length; start += listBatchSize) {
      const batch = names.slice(start, start + listBatchSize);
      const found = await Promise.all(
        batch.map((name) => this.get<T>(collection, decodeKey(name.slice(collectionPrefix.length)))),
      );
      for (const document of found)
        if (document && document.key.startsWith(keyPrefix)) documents.push(document);
    }
    return documents.sort(compareKeys);
  }

  async put<T>(collection: string, key: string, value: T, condition: WriteCondition = {}): Promise<string> {
    const name = blobName(collection, key);
    const text = serializeValue(collection, key, value);
    await this.ensureContainer();
    if (condition.ifMatch === '*') return this.putOverAnyVersion(collection, key, text);
    try {
      const response = await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        conditions: { ifMatch: condition.ifMatch, ifNoneMatch: condition.ifNoneMatch },
      });
      return requireEtag(response.etag);
    } catch (error) {
      throw conflictOr(error, collection, key, condition);
    }
  }

  async delete(
    collection: string,
    key: string,
    condition: Pick<WriteCondition, 'ifMatch'> = {},
  ): Promise<void> {
    const name = blobName(collection, key);
    await this.ensureContainer();
    try {
      await this.container.getBlobClient(name).deleteIfExists({ conditions: { ifMatch: condition.ifMatch } });
    } catch (error) {
      // If-Match on a blob that does not exist fails too; nothing stored means nothing to delete.
      if (httpStatusOf(error) === 412 && (await this.get(collection, key)) === undefined) return;
      throw conflictOr(error, collection, key, condition);
    }
  }

  /**
   * Azurite accepts `If-Match: *` on a blob that does not exist, unlike the service; pinning the
   * version just read keeps "only if it exists" true on both.
   */
  private async putOverAnyVersion(collection: string, key: string, text: string): Promise<string> {
    for (;;) {
      const current = await this.get(collection, key);
      if (!current) throw new StorageConflictError(collection, key, 'etag-mismatch');
      try {
        return await this.put(collection, key, JSON.parse(text) as unknown, { ifMatch: current.etag });
      } catch (error) {
        if (!(error instanceof StorageConflictError)) throw error;
      }
    }
  }

  private parse<T>(collection: string, key: string, name: string, text: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const location = `${this.container.containerName}/${name}`;
      throw new StorageCorruptError(collection, key, location, `invalid JSON: ${(error as Error).message}`);
    }
  }

  private ensureContainer(): Promise<void> {
    this.ready ??= this.container.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined; // Try again on the next call rather than failing forever.
        throw error;
      },
    );
    return this.ready;
  }
}

function encode(text: string): string {
  return encodeKey(text, { escapeUpperCase: false });
}

function blobName(collection: string, key: string): string {
  assertValidKey(collection, 'collection');
  assertValidKey(key);
  const name = `${encode(collection)}/${encode(key)}`;
  if (name.length > maximumBlobNameLength) {
    throw new InvalidKeyError(
      key,
      `too long for a blob name (${name.length} > ${maximumBlobNameLength} encoded)`,
    );
  }
  return name;
}

function conflictOr(error: unknown, collection: string, key: string, condition: WriteCondition): unknown {
  const status = httpStatusOf(error);
  if (condition.ifNoneMatch === '*' && (status === 409 || status === 412)) {
    return new StorageConflictError(collection, key, 'already-exists');
  }
  // If-Match against a blob that is gone answers 404 or 412 depending on the operation.
  if (condition.ifMatch !== undefined && (status === 412 || status === 404)) {
    return new StorageConflictError(collection, key, 'etag-mismatch');
  }
  return error;
}

function requireEtag(etag: string | undefined): string {
  if (!etag) throw new Error('Azure Blob Storage answered without an ETag');
  return etag;
}

async function readStream(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
