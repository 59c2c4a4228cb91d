/**
 * `npm run --silent export-incidents -- --format csv|json [--data-folder FOLDER] [--out FILE]`
 * Writes the incident register (columns named after the ICO breach report form) to stdout or a file,
 * for the DPO to move into GDPRiS or their own breach log. It reads the storage the bot is
 * configured with (the same environment / .env), or a local data folder given with --data-folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storageOptions } from '../app';
import { ConfigError, loadConfig, type Environment } from '../config';
import { exportRegister, type ExportFormat } from '../incidents/export';
import { consoleLogger } from '../shared/logger';
import { createDocumentStores } from '../storage';

const usage =
  'Usage: npm run --silent export-incidents -- --format csv|json [--data-folder FOLDER] [--out FILE]';

export interface ExportArguments {
  format: ExportFormat;
  dataFolder?: string;
  out?: string;
  help: boolean;
}

export function parseExportArguments(argv: string[]): ExportArguments | { problem: string } {
  const parsed: ExportArguments = { format: 'csv', help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++index]);
    if (flag === '--') continue;
    else if (flag === '--help' || flag === '-h') parsed.help = true;
    else if (flag === '--format') {
      const format = value()?.toLowerCase();
      if (format !== 'csv' && format !== 'json') return { problem: '--format must be csv or json.' };
      parsed.format = format;
    } else if (flag === '--data-folder') {
      const folder = value();
      if (!folder) return { problem: '--data-folder needs a folder.' };
      parsed.dataFolder = folder;
    } else if (flag === '--out') {
      const file = value();
      if (!file) return { problem: '--out needs a file name.' };
      parsed.out = file;
    } else return { problem: `Unknown argument "${flag.slice(0, 40)}".` };
  }
  return parsed;
}

export async function runExport(argv: string[], environment: Environment): Promise<number> {
  const parsed = parseExportArguments(argv);
  if ('problem' in parsed) {
    process.stderr.write(`${parsed.problem}\n${usage}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const settings: Environment = { ...environment };
  if (parsed.dataFolder) {
    // An explicit folder wins over any Azure Storage settings in the environment.
    for (const name of [
      'AZURE_STORAGE_CONNECTION_STRING',
      'AZURE_STORAGE_BLOB_URL',
      'AZURE_STORAGE_TABLE_URL',
    ])
      delete settings[name];
    settings.DATA_FOLDER = path.resolve(parsed.dataFolder);
    if (!fs.existsSync(settings.DATA_FOLDER)) {
      process.stderr.write(`There is no data folder at ${settings.DATA_FOLDER}.\n`);
      return 1;
    }
  }
  const config = loadConfig(settings);
  const { records } = createDocumentStores(storageOptions(config, consoleLogger('warn')));
  const { content, count } = await exportRegister(records, parsed.format);
  if (parsed.out) fs.writeFileSync(parsed.out, content);
  else process.stdout.write(content);
  process.stderr.write(
    `Exported ${count} incident${count === 1 ? '' : 's'} as ${parsed.format.toUpperCase()}${parsed.out ? ` to ${parsed.out}` : ''}.\n`,
  );
  return 0;
}

if (require.main === module) {
  (async () => {
    (await import('dotenv')).config({ quiet: true });
    return runExport(process.argv.slice(2), process.env);
  })()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(
        error instanceof ConfigError
          ? `${error.message}\n`
          : `The export failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
