import * as restify from 'restify';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config';
import { createRuntime, type Runtime } from './app';
import { maximumActivityBytes } from './bot/incoming';

/**
 * The HTTP edge, and the only file that knows restify: it parses the body, hands the activity to
 * the runtime and writes the status the runtime decided. No capability logic lives here.
 */

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(
  runtime: Runtime,
  port = runtime.config.port,
  host = runtime.config.host,
): Promise<RunningServer> {
  const server = restify.createServer({ name: 'ai-policy-assistant', handleUncaughtExceptions: false });
  server.use(
    restify.plugins.bodyParser({ maxBodySize: maximumActivityBytes, mapParams: false, rejectUnknown: true }),
  );

  server.post('/api/messages', async (request: restify.Request, response: restify.Response) => {
    const authorization = String(request.headers.authorization ?? '');
    const outcome = await runtime.handleActivity(request.body, authorization);
    if (outcome.kind === 'rejected') {
      response.status(outcome.status);
      response.json({ error: outcome.reason });
      return;
    }
    response.status(outcome.status);
    if (outcome.body !== undefined) response.json(outcome.body);
    else response.end();
  });

  server.get('/healthz', async (_request: restify.Request, response: restify.Response) => {
    const report = await runtime.health();
    response.status(report.status === 'ok' ? 200 : 503);
    response.json(report);
  });

  // restify's own errors (bad JSON, too large, unknown route) carry no stack in the body; keep it that way.
  server.on(
    'restifyError',
    (
      _request: restify.Request,
      _response: restify.Response,
      error: Error & { toJSON?: () => unknown },
      next: () => void,
    ) => {
      error.toJSON = () => ({ error: error.message.split('\n')[0].slice(0, 200) });
      next();
    },
  );

  await runtime.start();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.stop();
    },
  };
}

async function main(): Promise<void> {
  // A local `.env` is a convenience for developers; in Azure the App Service settings are the environment.
  (await import('dotenv')).config({ quiet: true });
  let runtime: Runtime;
  try {
    runtime = await createRuntime(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startServer(runtime);
  process.stdout.write(
    `AI Policy Assistant (${runtime.config.mode} mode) listening on ${running.url}/api/messages — health at ${running.url}/healthz\n`,
  );
  const shutdown = () => {
    running.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `The bot could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
