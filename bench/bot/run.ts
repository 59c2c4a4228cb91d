import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalBotConnector } from '../../src/devtools/local-connector';

/**
 * Turn latency and throughput: the bot runs offline in its own process (as in production), this
 * process plays Teams (posting activities) and the Bot Connector (receiving replies), with many
 * conversations at once. Latency = activity posted → answer received at the connector.
 */

const concurrency = Number(process.env.BENCH_CONVERSATIONS ?? 50);
const turnsPerConversation = Number(process.env.BENCH_TURNS ?? 40);
const questions = [
  'Can I use ChatGPT to write reports?',
  'Who do I tell about a data breach?',
  'Is an AI notetaker allowed in meetings?',
  'Do we need a DPIA for a new AI tool?',
  'Can pupils use AI for homework?',
  'What about timetables?',
];

async function main(): Promise<void> {
  const connector = await new LocalBotConnector().start();
  const dataFolder = fs.mkdtempSync(
    path.join(process.env.BENCH_DATA_ROOT ?? os.tmpdir(), 'policy-bot-bench-'),
  );
  const port = await freePort();
  const bot = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '-r',
      'ts-node/register/transpile-only',
      'src/index.ts',
    ],
    {
      cwd: path.resolve(__dirname, '..', '..'),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_FOLDER: dataFolder,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitForHealth(port, bot);
    const url = `http://127.0.0.1:${port}/api/messages`;
    const latencies: number[] = [];
    const post = async (conversation: number, turn: number) => {
      const id = randomUUID();
      const conversationId = `a:bench-${conversation}`;
      const started = performance.now();
      const replied = connector.waitFor(
        (recorded) =>
          recorded.activityId === id &&
          recorded.activity.type === 'message' &&
          !recorded.activity.attachments,
        30000,
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          type: 'message',
          channelId: 'msteams',
          serviceUrl: connector.serviceUrl,
          text: questions[(conversation + turn) % questions.length],
          from: { id: `29:bench-${conversation}`, name: 'Bench', aadObjectId: `bench-${conversation}` },
          recipient: { id: '28:bench-bot', name: 'AI Policy Assistant' },
          conversation: { id: conversationId, conversationType: 'personal', tenantId: 'bench' },
          channelData: { tenant: { id: 'bench' } },
        }),
      });
      if (response.status !== 200) throw new Error(`bot answered ${response.status}`);
      await replied;
      return performance.now() - started;
    };

    // Warm-up: one turn per conversation (welcome card, first state write, JIT).
    await Promise.all(Array.from({ length: concurrency }, (_, conversation) => post(conversation, 0)));
    connector.activities.length = 0;

    const started = performance.now();
    const driverCpuBefore = process.cpuUsage();
    const botCpuBefore = processCpuSeconds(bot.pid);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, conversation) => {
        for (let turn = 1; turn <= turnsPerConversation; turn += 1)
          latencies.push(await post(conversation, turn));
        connector.activities.length = 0;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const driverCpu = process.cpuUsage(driverCpuBefore);
    const botCpu = processCpuSeconds(bot.pid) - botCpuBefore;
    latencies.sort((a, b) => a - b);
    const percentile = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    const rows = [
      ['cores', String(os.cpus().length)],
      ['concurrent conversations', String(concurrency)],
      ['turns', String(latencies.length)],
      ['p50 turn latency (ms)', percentile(50).toFixed(1)],
      ['p95 turn latency (ms)', percentile(95).toFixed(1)],
      ['turns per second', (latencies.length / seconds).toFixed(0)],
      ['bot CPU per turn (ms)', ((botCpu * 1000) / latencies.length).toFixed(2)],
      [
        'driver CPU per turn (ms)',
        ((driverCpu.user + driverCpu.system) / 1000 / latencies.length).toFixed(2),
      ],
    ];
    process.stdout.write('\nBot turns over HTTP (offline mode, local disk storage)\n');
    for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(28)} ${value}\n`);
    process.stdout.write('  targets: p95 ≤ 100 ms at 50 conversations, ≥ 300 turns/s\n');
  } finally {
    bot.kill('SIGTERM');
    await connector.stop();
    fs.rmSync(dataFolder, { recursive: true, force: true });
  }
}

/** User + system CPU seconds of another process, from /proc (Linux). */
function processCpuSeconds(pid: number | undefined): number {
  if (!pid || !fs.existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(port: number, bot: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (bot.exitCode !== null) throw new Error('the bot exited during start-up');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bot did not become healthy within 30 s');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
