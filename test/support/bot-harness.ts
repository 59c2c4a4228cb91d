import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type Environment } from '../../src/config';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../src/app';
import { startServer, type RunningServer } from '../../src/index';
import { silentLogger } from '../../src/shared/logger';
import { testTenantId } from './teams-activities';

export interface RunningBot {
  url: string;
  runtime: Runtime;
  server: RunningServer;
  /** The folder holding this bot's local storage; reuse it to simulate a restart. */
  dataFolder: string;
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** A fresh data folder per test, removed by `removeTemporaryFolders` (call it in afterAll). */
const temporaryFolders: string[] = [];
export function temporaryFolder(prefix = 'policy-bot-'): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryFolders.push(folder);
  return folder;
}
export function removeTemporaryFolders(): void {
  for (const folder of temporaryFolders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
}

/** Starts the real runtime behind the real restify server on a free loopback port. */
export async function startBot(
  options: { env?: Environment; overrides?: RuntimeOverrides; dataFolder?: string } = {},
): Promise<RunningBot> {
  const dataFolder = options.dataFolder ?? temporaryFolder();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_FOLDER: dataFolder, ...options.env });
  const runtime = await createRuntime(config, { logger: silentLogger, ...options.overrides });
  const server = await startServer(runtime, 0, '127.0.0.1');
  return {
    url: server.url,
    runtime,
    server,
    dataFolder,
    async post(activity, headers = {}) {
      const response = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
      });
      return { status: response.status, body: await response.text() };
    },
    stop: () => server.close(),
  };
}

/** The settings that put the bot in tenant mode, its callers' tokens checked against `metadataUrl`. */
export function tenantModeEnvironment(appId: string, metadataUrl: string): Environment {
  return {
    MICROSOFT_APP_ID: appId,
    MICROSOFT_APP_PASSWORD: 'test-secret-not-used',
    MICROSOFT_APP_TENANT_ID: testTenantId,
    BOT_OPENID_METADATA_URL: metadataUrl,
  };
}
