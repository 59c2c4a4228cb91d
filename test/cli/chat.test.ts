import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTemporaryFolders, temporaryFolder } from '../support/bot-harness';

/**
 * `npm run chat` driven as a person would: a child process, one line at a time on stdin, reading
 * what it prints. An organiser runs the whole notetaker-consent flow (with a participant objecting
 * from the meeting chat), then a DPIA from screening to the DPO's approval.
 */

const repoRoot = path.resolve(__dirname, '..', '..');

class ChatSession {
  output = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private exited?: Promise<number | null>;

  constructor(dataFolder: string, toolRegisterPath: string) {
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/chat.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_FOLDER: dataFolder,
        TOOL_REGISTER_PATH: toolRegisterPath,
        LOG_LEVEL: 'warn',
        OUTBOX_INTERVAL_MS: '100',
      },
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  /** Waits until the chat is waiting for input: the person prompt ("Name> ") or a card input ("Label: "). */
  private async idle(since: number, timeoutMs = 20000): Promise<'prompt' | 'question'> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const tail = this.output.slice(since);
      if (/> $/.test(tail)) return 'prompt';
      if (/: $/.test(tail)) return 'question';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(
      `The chat did not wait for input within ${timeoutMs} ms. Output so far:\n${this.output.slice(-3000)}`,
    );
  }

  async started(): Promise<void> {
    await this.idle(0, 60000);
  }

  /** Types a line and answers every card input it asks for; returns what was printed meanwhile. */
  async type(
    line: string,
    answers: (label: string) => string | undefined = () => undefined,
  ): Promise<string> {
    const since = this.output.length;
    let from = since;
    this.child.stdin.write(`${line}\n`);
    for (let asked = 0; asked < 80; asked += 1) {
      if ((await this.idle(from)) === 'prompt') return this.output.slice(since);
      // The chat waits for the answer, so nothing is printed between the question and our reply.
      const question = this.output.slice(from).split('\n').at(-1)?.trim() ?? '';
      from = this.output.length;
      this.child.stdin.write(`${answers(question) ?? defaultAnswer(question)}\n`);
    }
    throw new Error('Too many questions');
  }

  /** The number of the most recent button with this title. */
  button(title: string): string {
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const matches = [...this.output.matchAll(new RegExp(`\\[(\\d+)\\] ${escaped}\\n`, 'g'))];
    const found = matches.at(-1)?.[1];
    if (!found) throw new Error(`No button "${title}" shown yet:\n${this.output.slice(-2000)}`);
    return found;
  }

  async press(title: string, answers?: (label: string) => string | undefined): Promise<string> {
    return this.type(this.button(title), answers);
  }

  async quit(): Promise<number | null> {
    this.child.stdin.write('/quit\n');
    return this.exited ?? null;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Keeps prefilled values, picks the first choice, and writes a sentence for anything else. */
function defaultAnswer(question: string): string {
  if (/\[[^\]]*\]: $/.test(`${question} `) || /\]:$/.test(question)) return '';
  if (/\(y\/n\)/.test(question)) return '';
  if (/\(1=/.test(question)) return '1';
  return `A considered answer to ${question.replace(/:$/, '').slice(0, 60)}`;
}

function inAWeek(): string {
  return `${new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)} 10:00`;
}

describe('npm run chat (child process, stdin)', () => {
  let chat: ChatSession;

  beforeAll(async () => {
    // The chat runs on the real clock, so the example register's review dates are moved a year ahead of today.
    const folder = temporaryFolder('chat-cli-');
    const registerPath = path.join(folder, 'tool-register.yaml');
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    fs.writeFileSync(
      registerPath,
      fs
        .readFileSync(path.join(repoRoot, 'config', 'tool-register.example.yaml'), 'utf8')
        .replace(/reviewDate: \d{4}-\d{2}-\d{2}/g, `reviewDate: ${nextYear}`),
    );
    chat = new ChatSession(path.join(folder, 'data'), registerPath);
    await chat.started();
  }, 90_000);

  afterAll(async () => {
    chat?.kill();
    removeTemporaryFolders();
  });

  it('an organiser runs the whole notetaker flow; a participant objects from the meeting chat', async () => {
    const joinUrl = /join link: (\S+)/.exec(chat.output)?.[1] ?? '';
    expect(joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(await chat.type('notetaker consent')).toMatch(/Notetaker consent: Which meeting\?/);
    const toolStep = await chat.press('Next', (label) => {
      if (label.startsWith('Meeting title')) return 'Governors’ finance committee';
      if (label.startsWith('Start time')) return inAWeek();
      if (label.startsWith('Teams join link')) return joinUrl;
      if (label.startsWith('Participants')) return 'pat@brookvale.example, auditor@elsewhere.example';
      return undefined;
    });
    expect(toolStep).toMatch(/Which notetaker\?/);
    const noticeStep = await chat.press('Check this tool', (label) =>
      label.startsWith('AI notetaker')
        ? 'microsoft-teams-transcription'
        : label.startsWith('Name')
          ? ''
          : undefined,
    );
    expect(noticeStep).toMatch(/Tell participants before the meeting/);
    const sent = await chat.press('Send the notice', (label) =>
      label.startsWith('What the notes are for') ? 'Minutes of the committee' : undefined,
    );
    expect(sent).toMatch(/bot → the demo meeting chat\n[\s\S]*AI notetaker in this meeting/);
    expect(sent).toMatch(/DPIA reference: DPIA-2024-004/);
    expect(sent).toMatch(/External attendees: please do not use your own AI notetaker/);
    expect(sent).toMatch(/Objections and decisions/);

    await chat.type('/as participant');
    const objected = await chat.press('I object', () => 'I would rather not be recorded');
    expect(objected).toMatch(/Pat Participant, your objection is recorded and the organiser has been told/);
    expect(objected).toMatch(
      /bot → Sam Teacher\nPat Participant objected to the AI notetaker: "I would rather not be recorded"/,
    );

    await chat.type('/as staff');
    const decided = await chat.press('Record decision', (label) =>
      label.startsWith('Decision')
        ? 'continue-without-ai'
        : label.startsWith('Reason')
          ? 'Notes by hand instead'
          : undefined,
    );
    expect(decided).toMatch(/Continue without AI \(Notes by hand instead\)/);
    const closed = await chat.press('Close the checklist');
    expect(closed).toMatch(/Notetaker consent recorded/);
    expect(closed).toMatch(/Outcome: Meeting goes ahead without AI/);
    expect(await chat.type('my consent records')).toMatch(
      /Governors’ finance committee: completed: Meeting goes ahead without AI/,
    );
  }, 60_000);

  it('a DPIA from screening to the DPO’s approval; the register then answers for the tool', async () => {
    const tool = 'Microsoft Teams Premium intelligent recap';
    expect(await chat.type(`start a dpia for ${tool}`)).toMatch(/DPIA DPIA-\S+: The tool/);
    const answers = (label: string): string | undefined => {
      if (label.startsWith('Supplier')) return 'Microsoft';
      if (label.startsWith('What it will be used for')) return 'meeting notes and transcription in Teams';
      if (label.startsWith('It takes notes')) return 'y';
      if (label.startsWith('Pupil age range')) return '';
      if (label.startsWith('Risk to people')) return 'A recap misquotes a parent';
      if (label.startsWith('Likelihood')) return 'possible';
      if (label.startsWith('Severity')) return 'severe';
      if (/^Risk 1: effect/.test(label)) return 'reduced';
      if (/^Risk 1: residual/.test(label)) return 'low';
      return undefined;
    };
    let printed = '';
    for (let step = 0; step < 12 && !/Submit to the DPO/.test(printed); step += 1) {
      if (/No risks yet/.test(printed)) printed = await chat.press('Add this risk', answers);
      else if (/Add this risk/.test(printed)) printed = await chat.press('Next: measures', () => '');
      else printed = await chat.press('Next', answers);
      expect(printed).not.toMatch(/Nothing was changed/);
    }
    expect(printed).toMatch(/Screening|Highest residual risk: low/);
    const submitted = await chat.press('Submit to the DPO');
    expect(submitted).toMatch(/submitted/);
    expect(submitted).toMatch(/bot → Dana Protection \(DPO\)\n[\s\S]*for the DPO/);

    await chat.type('/as dpo');
    const approved = await chat.press('Record decision', (label) => {
      if (label.startsWith('Decision')) return 'approved';
      if (label.startsWith('Reasons')) return 'Measures are adequate';
      if (label.startsWith('Residual risks approved by')) return 'Helen Head, Headteacher';
      return '';
    });
    expect(approved).toMatch(/Approved\*\* by Dana Protection \(DPO\)/);
    expect(approved).toMatch(/Residual risks approved by Helen Head, Headteacher/);
    expect(approved).toMatch(/bot → Sam Teacher\nThe DPO approved DPIA/);

    await chat.type('/as staff');
    expect(await chat.type(`can I use ${tool} for meeting notes?`)).toMatch(
      new RegExp(`Yes: ${tool} is approved for meeting notes`),
    );
    expect(await chat.quit()).toBe(0);
  }, 60_000);
});
