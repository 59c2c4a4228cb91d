/**
 * `node -r ts-node/register/transpile-only src/cli/export-consent-records.ts [--format csv|json] [--rows-only]`
 * Writes every notetaker consent record (the DPO's export) to stdout, read from the same storage
 * the bot uses (DATA_FOLDER locally, Azure Storage in tenant mode). Whoever can run this already
 * holds the storage credentials, so there is no DPO check here; in Teams the DPO types
 * "export consent records as csv".
 */
import { loadConfig } from '../config';
import { storageOptions } from '../app';
import { createDocumentStores } from '../storage';
import { consoleLogger } from '../shared/logger';
import { systemClock } from '../shared/clock';
import {
  consentCollection,
  exportConsentRecords,
  type NotetakerState,
} from '../checklists/notetaker-service';

const usage = 'Usage: export-consent-records [--format csv|json] [--rows-only]';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const formatIndex = argv.indexOf('--format');
  const format = formatIndex >= 0 ? argv[formatIndex + 1] : 'csv';
  if (format !== 'csv' && format !== 'json') {
    process.stderr.write(`${usage}\n--format must be csv or json.\n`);
    return 2;
  }
  (await import('dotenv')).config({ quiet: true });
  const config = loadConfig(process.env);
  const logger = consoleLogger('warn');
  const stores = createDocumentStores(storageOptions(config, logger));
  const states = (await stores.records.list<NotetakerState>(consentCollection)).map(
    (document) => document.value,
  );
  const exported = exportConsentRecords(states, format, systemClock.now(), {
    includeFullRecords: !argv.includes('--rows-only'),
  });
  process.stdout.write(exported.content.endsWith('\n') ? exported.content : `${exported.content}\n`);
  process.stderr.write(`${exported.count} record(s) exported as ${exported.fileName}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
