import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { removeTemporaryFolders, startBot, type RunningBot } from '../support/bot-harness';

/**
 * As a person would use it: the Microsoft 365 Agents Playground (the offline Teams-like chat) in
 * headless Chromium, talking to the running bot. Needs Debian's chromium (`.ci/run` installs it).
 */
const chromiumPath = '/usr/bin/chromium';
const describeWithBrowser = fs.existsSync(chromiumPath) ? describe : describe.skip;
if (!fs.existsSync(chromiumPath)) {
  process.stderr.write(
    `playground browser test skipped: ${chromiumPath} not found (apt-get install chromium)\n`,
  );
}

describeWithBrowser('the Agents Playground in a browser', () => {
  let bot: RunningBot;
  let playground: ChildProcess;
  let browser: Browser;
  let playgroundPort: number;

  beforeAll(async () => {
    bot = await startBot();
    playgroundPort = await freePort();
    const cli = path.resolve(__dirname, '../../node_modules/@microsoft/m365agentsplayground/cli.js');
    playground = spawn(
      process.execPath,
      [
        cli,
        'start',
        '-e',
        `${bot.url}/api/messages`,
        '-c',
        'msteams',
        '-p',
        String(playgroundPort),
        '--disable-telemetry',
      ],
      { env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' }, stdio: 'ignore' },
    );
    await waitForPort(playgroundPort);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    playground?.kill('SIGTERM');
    await bot?.stop();
    removeTemporaryFolders();
  });

  it('shows the welcome card, and the answer to a typed question', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${playgroundPort}`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Report an incident' }).first().waitFor({ timeout: 30000 });

    const messageBox = page.getByRole('textbox').first();
    await messageBox.click();
    await page.keyboard.type('help');
    await page.keyboard.press('Enter');
    await page.getByText('Here is what I can do', { exact: false }).first().waitFor({ timeout: 30000 });
  }, 90000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the playground did not listen on ${port} within 60 s`);
}
