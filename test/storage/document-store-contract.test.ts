import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { AzureBlobStore } from '../../src/storage/azure-blob-store';
import {
  AzureTableStore,
  tableChunkCharacters,
  ValueTooLargeError,
} from '../../src/storage/azure-table-store';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import { LocalDiskStore } from '../../src/storage/local-disk-store';
import { RunningAzurite, startAzurite } from '../support/azurite';
import { describeDocumentStoreContract } from './document-store-contract';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function uniqueName(prefix: string): string {
  return prefix + randomBytes(6).toString('hex');
}

describeDocumentStoreContract(
  'InMemoryStore',
  async () => {
    const store = new InMemoryStore();
    // Every "instance" shares the one map: an in-memory store only lives as long as its process.
    return { open: () => store };
  },
  { survivesRestart: false },
);

describeDocumentStoreContract(
  'LocalDiskStore',
  async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'document-store-'));
    return {
      open: () => new LocalDiskStore({ folder }),
      dispose: () => fs.rm(folder, { recursive: true, force: true }),
    };
  },
  { survivesRestart: true },
);

describeDocumentStoreContract(
  'AzureBlobStore on Azurite',
  async () => {
    const containerName = uniqueName('contract-');
    return { open: () => new AzureBlobStore({ connectionString: azurite.connectionString, containerName }) };
  },
  { survivesRestart: true },
);

describeDocumentStoreContract(
  'AzureTableStore on Azurite',
  async () => {
    const tableName = uniqueName('contract');
    return { open: () => new AzureTableStore({ connectionString: azurite.connectionString, tableName }) };
  },
  { survivesRestart: true },
);

describe('AzureTableStore limits', () => {
  let tableName: string;
  const open = (): AzureTableStore => {
    tableName = uniqueName('limits');
    return new AzureTableStore({ connectionString: azurite.connectionString, tableName });
  };

  it('never splits a surrogate pair across two properties', async () => {
    const store = open();
    // JSON text is '"' + value + '"', so this puts an emoji exactly across the first split point.
    const value = 'x'.repeat(tableChunkCharacters - 2) + '😀' + 'y'.repeat(10);
    await store.put('records', 'emoji-at-boundary', value);
    expect((await store.get('records', 'emoji-at-boundary'))?.value).toBe(value);
    // Azurite round-trips lone surrogates, the service need not: look at the stored parts themselves.
    const table = TableClient.fromConnectionString(azurite.connectionString, tableName, {
      allowInsecureConnection: true,
    });
    const entity = await table.getEntity<{ parts: number; v0: string; v1: string }>(
      'records',
      'emoji-at-boundary',
    );
    expect(entity.parts).toBe(2);
    expect(entity.v0.endsWith('x')).toBe(true);
    expect(entity.v1.startsWith('😀')).toBe(true);
  });

  it('refuses a value too large for one entity before sending it, and stores nothing', async () => {
    const store = open();
    await expect(store.put('records', 'huge', 'z'.repeat(600_000))).rejects.toBeInstanceOf(
      ValueTooLargeError,
    );
    expect(await store.get('records', 'huge')).toBeUndefined();
  });

  it('refuses a table name the service would reject, naming the rule', () => {
    expect(
      () => new AzureTableStore({ connectionString: azurite.connectionString, tableName: 'bad-name' }),
    ).toThrow(/3-63 letters and digits/);
  });
});
