import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A real Azurite (blob + table; queue too, it cannot be switched off) in a child process, in memory,
 * on free loopback ports. Azurite accepts port 0 and prints the port it got, so there is no race
 * between picking a port and binding it.
 *
 *   let azurite: RunningAzurite;
 *   beforeAll(async () => (azurite = await startAzurite()));
 *   afterAll(() => azurite.stop());
 */
export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

// Azurite's published development account; not a secret.
const accountName = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const azuriteMain = path.resolve(__dirname, '../../node_modules/azurite/dist/src/azurite.js');

export async function startAzurite(options: { timeoutMilliseconds?: number } = {}): Promise<RunningAzurite> {
  const child = spawn(
    process.execPath,
    [
      azuriteMain,
      '--inMemoryPersistence',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      '0',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      '0',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--disableTelemetry',
      '--disableProductStyleUrl',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const { blob, table } = await waitForEndpoints(child, options.timeoutMilliseconds ?? 20_000);
    const blobEndpoint = `${blob}/${accountName}`;
    const tableEndpoint = `${table}/${accountName}`;
    return {
      blobEndpoint,
      tableEndpoint,
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=${accountName};AccountKey=${accountKey};` +
        `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`,
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function waitForEndpoints(child: ChildProcess, timeout: number): Promise<{ blob: string; table: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const found: { blob?: string; table?: string } = {};
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${timeout} ms:\n${output}`)),
      timeout,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const match of output.matchAll(
        /Azurite (Blob|Table) service is successfully listening at (\S+)/g,
      )) {
        if (match[1] === 'Blob') found.blob = match[2];
        else found.table = match[2];
      }
      if (found.blob && found.table) {
        cleanUp();
        resolve({ blob: found.blob, table: found.table });
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`Azurite exited (${code}) before listening:\n${output}`));
    function fail(error: Error): void {
      cleanUp();
      reject(error);
    }
    function cleanUp(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty Azurite never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
