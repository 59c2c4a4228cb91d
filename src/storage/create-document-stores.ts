import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../shared/errors';
import { Logger } from '../shared/logger';
import { AzureBlobStore } from './azure-blob-store';
import { AzureTableStore } from './azure-table-store';
import { InMemoryStore } from './in-memory-store';
import { LocalDiskStore } from './local-disk-store';
import { DocumentStore } from './types';

export type DocumentStoresOptions =
  | { kind: 'memory' }
  | {
      kind: 'local';
      /** Bot state goes to `<folder>/state`, records to `<folder>/records`. */
      folder: string;
      durable?: boolean;
      logger?: Logger;
    }
  | {
      kind: 'azure';
      /** Either a connection string (Azurite, account key) ... */
      connectionString?: string;
      /** ... or both service URLs and a credential (managed identity). */
      blobServiceUrl?: string;
      tableServiceUrl?: string;
      credential?: TokenCredential;
      /** Blob container for bot state. */
      containerName: string;
      /** Records live in the table `<tablePrefix>records` (letters and digits only). */
      tablePrefix: string;
    };

export interface DocumentStores {
  /** Bot conversation/user state (read and written every turn). */
  state: DocumentStore;
  /** The capabilities' records: incidents, consent records, DPIAs, the tool register, the outbox. */
  records: DocumentStore;
}

export function createDocumentStores(options: DocumentStoresOptions): DocumentStores {
  switch (options.kind) {
    case 'memory':
      return { state: new InMemoryStore(), records: new InMemoryStore() };
    case 'local': {
      const shared = { durable: options.durable, logger: options.logger };
      return {
        state: new LocalDiskStore({ ...shared, folder: path.join(options.folder, 'state') }),
        records: new LocalDiskStore({ ...shared, folder: path.join(options.folder, 'records') }),
      };
    }
    case 'azure': {
      const tableName = `${options.tablePrefix}records`;
      if (options.connectionString) {
        return {
          state: new AzureBlobStore({
            connectionString: options.connectionString,
            containerName: options.containerName,
          }),
          records: new AzureTableStore({ connectionString: options.connectionString, tableName }),
        };
      }
      const { blobServiceUrl, tableServiceUrl, credential } = options;
      if (!blobServiceUrl || !tableServiceUrl || !credential) {
        throw new AppError(
          'configuration',
          'Azure storage needs either a connection string, or a blob service URL, a table service URL and a credential',
        );
      }
      return {
        state: new AzureBlobStore({
          serviceUrl: blobServiceUrl,
          credential,
          containerName: options.containerName,
        }),
        records: new AzureTableStore({ serviceUrl: tableServiceUrl, credential, tableName }),
      };
    }
  }
}
