import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalBotConnector } from '../../src/devtools/local-connector';

/**
 * Turn latency and throughput: the bot runs offline in its own process (as in production), this
 * process plays Teams (posting activities) and the Bot Connector (receiving replies), with many
 * conversations at once. Latency = activity posted → answer received at the connector.
 *
 * Two measurements, because one closed loop cannot show both targets:
 * - saturation: every conversation sends its next question the moment the answer arrives. This gives
 *   the most turns per second the bot sustains (target ≥ 300). Its latency is queueing: by Little's law
 *   mean latency = conversations / throughput (50 / 300 per s ≈ 167 ms), so it is printed but not
 *   judged against the latency target.
 * - paced: the same 50 conversations, each asking on a schedule so that together they offer
 *   BENCH_RATE turns per second (default 300, the throughput target). Latency here is what a person
 *   waits while the bot carries that load (target p95 ≤ 100 ms). Latency runs from the scheduled send
 *   time, so a bot that falls behind is charged for the wait (no coordinated omission).
 *
 * Other work on the machine (tests, editors) skews every figure: the load average is printed, the
 * measurement is repeated BENCH_ROUNDS times and the median round is judged. Bot CPU per turn is the
 * steadiest figure for comparing versions.
 *
 * Environment: BENCH_CONVERSATIONS (50), BENCH_TURNS per conversation per round (40), BENCH_ROUNDS (3),
 * BENCH_RATE (300), BENCH_PROFILE=1 (write a CPU profile of the bot to /tmp/prof), BENCH_LOG=1 (show the
 * bot's log), BENCH_DATA_ROOT (where the bot's data folder is made; default the OS temp folder).
 */

const concurrency = Number(process.env.BENCH_CONVERSATIONS ?? 50);
const turnsPerConversation = Number(process.env.BENCH_TURNS ?? 40);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const pacedRate = Number(process.env.BENCH_RATE ?? 300);
const targets = { p95Ms: 100, turnsPerSecond: 300, conversations: 50 };
const questions = [
  'Can I use ChatGPT to write reports?',
  'Who do I tell about a data breach?',
  'Is an AI notetaker allowed in meetings?',
  'Do we need a DPIA for a new AI tool?',
  'Can pupils use AI for homework?',
  'What about timetables?',
];

interface RoundResult {
  turns: number;
  seconds: number;
  p50: number;
  p95: number;
  botCpuMsPerTurn: number;
  driverCpuMsPerTurn: number;
}

async function main(): Promise<void> {
  const cores = os.availableParallelism();
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
      stdio: ['ignore', process.env.BENCH_LOG ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  try {
    await waitForHealth(port, bot);
    const url = `http://127.0.0.1:${port}/api/messages`;

    /** One turn; resolves when the answer reaches the connector. */
    const post = async (conversation: number, turn: number, text?: string): Promise<void> => {
      const id = randomUUID();
      // The first message the bot sends in reply is the answer: the warm-up has already had the
      // welcome card sent, and typing indicators are not messages.
      const replied = connector.waitFor(
        (recorded) => recorded.activityId === id && recorded.activity.type === 'message',
        30000,
      );
      const status = await postJson(url, {
        id,
        type: 'message',
        channelId: 'msteams',
        serviceUrl: connector.serviceUrl,
        text: text ?? questions[(conversation + turn) % questions.length],
        from: { id: `29:bench-${conversation}`, name: 'Bench', aadObjectId: `bench-${conversation}` },
        recipient: { id: '28:bench-bot', name: 'AI Policy Assistant' },
        conversation: { id: `a:bench-${conversation}`, conversationType: 'personal', tenantId: 'bench' },
        channelData: { tenant: { id: 'bench' } },
      });
      if (status !== 200) throw new Error(`bot answered ${status}`);
      await replied;
    };

    const everyConversation = (work: (conversation: number) => Promise<void>) =>
      Promise.all(Array.from({ length: concurrency }, (_, conversation) => work(conversation)));

    // Warm-up: 'hello' in every conversation (welcome card, first state write), then a few questions
    // each so the JIT has seen every route.
    await everyConversation((conversation) => post(conversation, 0, 'hello'));
    await everyConversation(async (conversation) => {
      for (let turn = 0; turn < questions.length; turn += 1) await post(conversation, turn);
    });
    connector.activities.length = 0;
    connector.requests.length = 0;

    const measure = async (
      drive: (conversation: number, latencies: number[]) => Promise<void>,
    ): Promise<RoundResult> => {
      const latencies: number[] = [];
      const started = performance.now();
      const driverCpuBefore = process.cpuUsage();
      const botCpuBefore = processCpuSeconds(bot.pid);
      await everyConversation((conversation) => drive(conversation, latencies));
      const seconds = (performance.now() - started) / 1000;
      const driverCpu = process.cpuUsage(driverCpuBefore);
      const botCpu = processCpuSeconds(bot.pid) - botCpuBefore;
      connector.activities.length = 0;
      connector.requests.length = 0;
      latencies.sort((a, b) => a - b);
      const percentile = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
      return {
        turns: latencies.length,
        seconds,
        p50: percentile(50),
        p95: percentile(95),
        botCpuMsPerTurn: (botCpu * 1000) / latencies.length,
        driverCpuMsPerTurn: (driverCpu.user + driverCpu.system) / 1000 / latencies.length,
      };
    };

    const saturation = async (conversation: number, latencies: number[]) => {
      for (let turn = 1; turn <= turnsPerConversation; turn += 1) {
        const started = performance.now();
        await post(conversation, turn);
        latencies.push(performance.now() - started);
      }
    };

    // Each conversation asks every `interval` ms, starting at a random offset so the conversations do
    // not ask in lock-step; a question waits for the previous answer (a person reads it first).
    const interval = (concurrency / pacedRate) * 1000;
    const paced = async (conversation: number, latencies: number[]) => {
      const start = performance.now() + Math.random() * interval;
      for (let turn = 1; turn <= turnsPerConversation; turn += 1) {
        const scheduled = start + (turn - 1) * interval;
        const wait = scheduled - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await post(conversation, turn);
        latencies.push(performance.now() - scheduled);
      }
    };

    const loadBefore = os.loadavg()[0];
    const saturationRounds: RoundResult[] = [];
    const pacedRounds: RoundResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      saturationRounds.push(await measure(saturation));
      freshConnections();
      pacedRounds.push(await measure(paced));
      freshConnections();
    }
    const loadAfter = os.loadavg()[0];

    const write = (line = '') => process.stdout.write(line + '\n');
    const fixed = (value: number, digits = 1) => value.toFixed(digits).padStart(8);
    const table = (title: string, results: RoundResult[]) => {
      write(title);
      write('  round    turns  turns/s  p50 ms  p95 ms  bot CPU ms/turn  driver CPU ms/turn');
      results.forEach((result, index) =>
        write(
          `  ${String(index + 1).padEnd(5)} ${String(result.turns).padStart(7)} ${fixed(result.turns / result.seconds, 0)}` +
            `${fixed(result.p50)}${fixed(result.p95)} ${fixed(result.botCpuMsPerTurn, 2).padStart(16)}` +
            ` ${fixed(result.driverCpuMsPerTurn, 2).padStart(19)}`,
        ),
      );
    };

    write();
    write('Bot turns over HTTP (offline mode, local disk storage, durable writes)');
    write(
      `  machine: ${cores} cores (os.availableParallelism), Node ${process.version}, ` +
        `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    );
    write(`  ${concurrency} concurrent conversations, ${turnsPerConversation} turns each per round`);
    if (cores !== 2) write(`  note: the targets are set for a 2-core machine; this one has ${cores}`);
    write();
    table('Saturation (each conversation asks again as soon as it is answered)', saturationRounds);
    write();
    table(`Paced (together ${pacedRate} turns/s offered)`, pacedRounds);
    write();

    const medianBy = (results: RoundResult[], score: (result: RoundResult) => number) =>
      [...results].sort((a, b) => score(a) - score(b))[Math.floor(results.length / 2)];
    const throughput = medianBy(saturationRounds, (result) => result.turns / result.seconds);
    const turnsPerSecond = throughput.turns / throughput.seconds;
    const pacedLatency = medianBy(pacedRounds, (result) => result.p95);
    const enoughConversations = concurrency >= targets.conversations;
    const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
    write('Against the targets (median round):');
    write(
      `  ${verdict(turnsPerSecond >= targets.turnsPerSecond && enoughConversations)}  throughput ` +
        `${turnsPerSecond.toFixed(0)} turns/s (target ≥ ${targets.turnsPerSecond})`,
    );
    write(
      `  ${verdict(pacedLatency.p95 <= targets.p95Ms && enoughConversations && pacedRate >= targets.turnsPerSecond)}` +
        `  p95 ${pacedLatency.p95.toFixed(1)} ms with ${concurrency} conversations at ${pacedRate} turns/s ` +
        `(target ≤ ${targets.p95Ms} ms)`,
    );
    const saturatedLatency = medianBy(saturationRounds, (result) => result.p95);
    write(
      `  info  p95 ${saturatedLatency.p95.toFixed(1)} ms at saturation (queueing: ${concurrency} conversations ` +
        `/ ${turnsPerSecond.toFixed(0)} turns/s ≈ ${((concurrency / turnsPerSecond) * 1000).toFixed(0)} ms mean)`,
    );
    if (loadBefore > cores / 2) {
      write(
        `  note: the machine was busy before the run (load ${loadBefore.toFixed(2)}); figures are pessimistic`,
      );
    }
  } finally {
    agent.destroy();
    bot.kill('SIGTERM');
    await connector.stop();
    fs.rmSync(dataFolder, { recursive: true, force: true });
  }
}

// The driver shares the machine with the bot, so it should cost as little as it can: node:http with
// kept-alive connections costs about half the CPU per request of fetch (undici).
let agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

/**
 * Between measurements some kept-alive sockets sit idle past the server's keep-alive timeout; the
 * server closes them and a request that races that close fails with ECONNRESET. Start each
 * measurement on new connections instead.
 */
function freshConnections(): void {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
}

function postJson(url: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** User + system CPU seconds of another process, from /proc (Linux). */
function processCpuSeconds(pid: number | undefined): number {
  if (!pid || !fs.existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime + stime in clock ticks; Linux reports them at 100 ticks per second (USER_HZ).
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
