import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/**
 * The bot as a real separate process (`src/index.ts`, transpiled like ts-node does but cached on disk), so
 * tests can kill it with SIGKILL mid-work and start it again on the same storage.
 *
 *   const bot = await startBotProcess({ DATA_FOLDER: folder, ... });
 *   await bot.post(activity); bot.kill('SIGKILL'); await bot.exited;
 */
export interface BotProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (its logs). */
  output(): string;
  post(activity: unknown): Promise<{ status: number; body: string }>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it does not exit within a few seconds. */
  stop(): Promise<void>;
}

const repositoryRoot = path.resolve(__dirname, '..', '..');

export async function startBotProcess(
  environment: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<BotProcess> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(__dirname, 'cached-ts-register.js'), path.join('src', 'index.ts')],
    {
      cwd: repositoryRoot,
      // Only what the bot needs: nothing from the test runner's own environment leaks in.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        ...environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The bot process did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The bot process exited (${code ?? signal}) before listening:\n${output}`));
    });
  });

  return {
    url,
    child,
    output: () => output,
    exited,
    async post(activity) {
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      return { status: response.status, body: await response.text() };
    },
    kill: (signal) => child.kill(signal),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
  };
}
