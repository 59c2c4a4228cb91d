import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AzureBlobStore } from '../../src/storage/azure-blob-store';
import { AzureTableStore } from '../../src/storage/azure-table-store';
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
