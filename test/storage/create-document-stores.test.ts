import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { isAppError } from '../../src/shared/errors';
import {
  AzureBlobStore,
  AzureTableStore,
  createDocumentStores,
  InMemoryStore,
  LocalDiskStore,
} from '../../src/storage';
import { RunningAzurite, startAzurite } from '../support/azurite';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('createDocumentStores', () => {
  it('puts local state and records in separate folders under the data folder', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'stores-'));
    try {
      const stores = createDocumentStores({ kind: 'local', folder });
      expect(stores.state).toBeInstanceOf(LocalDiskStore);
      expect(stores.records).toBeInstanceOf(LocalDiskStore);
      await stores.state.put('bot-state', 'conversation', { turn: 1 });
      await stores.records.put('incidents', 'INC-1', { severity: 'high' });
      expect(await fs.readdir(path.join(folder, 'state'))).toEqual(['bot-state']);
      expect(await fs.readdir(path.join(folder, 'records'))).toEqual(['incidents']);
      expect(await stores.records.get('bot-state', 'conversation')).toBeUndefined();
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps in-memory state and records apart', async () => {
    const stores = createDocumentStores({ kind: 'memory' });
    expect(stores.state).toBeInstanceOf(InMemoryStore);
    await stores.state.put('shared-name', 'key', 1);
    expect(await stores.records.get('shared-name', 'key')).toBeUndefined();
  });

  it('puts Azure state in the blob container and records in the prefixed table', async () => {
    const containerName = 'bot-' + randomBytes(4).toString('hex');
    const tablePrefix = 'trust' + randomBytes(4).toString('hex');
    const stores = createDocumentStores({
      kind: 'azure',
      connectionString: azurite.connectionString,
      containerName,
      tablePrefix,
    });
    expect(stores.state).toBeInstanceOf(AzureBlobStore);
    expect(stores.records).toBeInstanceOf(AzureTableStore);
    await stores.state.put('bot-state', 'msteams/conversation', { turn: 1 });
    await stores.records.put('incidents', 'INC-1', { severity: 'high' });

    const blobs: string[] = [];
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      containerName,
    );
    for await (const blob of container.listBlobsFlat()) blobs.push(blob.name);
    expect(blobs).toEqual(['bot-state/msteams_2fconversation']);

    const table = TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}records`, {
      allowInsecureConnection: true,
    });
    const entity = await table.getEntity<{ parts: number; v0: string }>('incidents', 'INC-1');
    expect(JSON.parse(entity.v0)).toEqual({ severity: 'high' });
  });

  it('stops with a configuration error when Azure has neither a connection string nor URLs and a credential', () => {
    let thrown: unknown;
    try {
      createDocumentStores({
        kind: 'azure',
        blobServiceUrl: 'https://account.blob.core.windows.net',
        containerName: 'bot-state',
        tablePrefix: 'trust',
      });
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown, 'configuration')).toBe(true);
  });
});
