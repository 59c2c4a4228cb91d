import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makePagedPdf } from '../support/make-pdf';

const repoRoot = path.resolve(__dirname, '..', '..');
const examplePolicy = path.join(repoRoot, 'policies', 'example');
const askArguments = ['-r', 'ts-node/register/transpile-only', 'src/cli/ask.ts', '--policies', examplePolicy];

function runWithStdin(input: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, askArguments, { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}

interface AskLine {
  question: string;
  answered: boolean;
  answer: string;
  citations: { source: string; document: string; section: string; heading: string; quote: string }[];
  ms: number;
}

describe('ask CLI contract', () => {
  it('reads one question per line from stdin and writes one JSON object per line, in order, nothing else', async () => {
    const questions = [
      'Can I use an AI notetaker in a meeting?',
      'What is the capital of France?',
      'Who do I tell about a data breach?',
    ];
    const { stdout, code } = await runWithStdin(`${questions[0]}\n${questions[1]}\n\n${questions[2]}\n`);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(3);
    const parsed = lines.map((line) => JSON.parse(line) as AskLine);
    expect(parsed.map((line) => line.question)).toEqual(questions);
    for (const line of parsed) {
      expect(Object.keys(line)).toEqual(['question', 'answered', 'answer', 'citations', 'ms']);
      expect(typeof line.ms).toBe('number');
    }
    expect(parsed.map((line) => line.answered)).toEqual([true, false, true]);
    const [notetaker, outOfScope, breach] = parsed;
    expect(notetaker.citations[0]).toMatchObject({
      source: 'brookvale-ai-policy.txt',
      document: 'Artificial Intelligence Policy',
      heading: 'AI Notetakers in Meetings',
    });
    expect(notetaker.answer).toMatch(/\[1\]/);
    for (const citation of [...notetaker.citations, ...breach.citations]) {
      expect(Object.keys(citation)).toEqual(['source', 'document', 'section', 'heading', 'quote']);
      expect(citation.quote.length).toBeLessThanOrEqual(1200);
    }
    expect(outOfScope.citations).toEqual([]);
    expect(outOfScope.answer).toContain('Director of Operations');
  });

  it('answers a single question as JSON with --json and as readable text without', () => {
    const json = spawnSync(
      process.execPath,
      [...askArguments, '--json', 'Do we need a DPIA before using a new AI tool?'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout.trim()) as AskLine;
    expect(result).toMatchObject({
      question: 'Do we need a DPIA before using a new AI tool?',
      answered: true,
    });
    expect(result.citations[0].section).toBe('4.2');

    const text = spawnSync(
      process.execPath,
      [...askArguments, 'Do we need a DPIA before using a new AI tool?'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Sources:');
    expect(text.stdout).toContain('[1] Artificial Intelligence Policy, section 4.2');
  });

  it('fails with usage on stderr and nothing on stdout without --policies', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/ask.ts', 'hello'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--policies');
  });

  it('says why, on stderr, when a policy has no text to answer from (a scanned PDF)', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ask-scanned-'));
    const file = path.join(directory, 'scanned.pdf');
    fs.writeFileSync(file, makePagedPdf([[], []]));
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/ask.ts', '--policies', file, 'Can I use ChatGPT?'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    fs.rmSync(directory, { recursive: true, force: true });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('scanned.pdf: No text found');
  });

  it('answers from the readable policies of a folder with a damaged PDF, keeping stdout to the answers', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ask-damaged-'));
    fs.writeFileSync(path.join(directory, 'damaged.pdf'), '%PDF-1.4 truncated');
    fs.copyFileSync(path.join(examplePolicy, 'brookvale-ai-policy.txt'), path.join(directory, 'policy.txt'));
    const run = spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'src/cli/ask.ts',
        '--policies',
        directory,
        '--json',
        'Can I use an AI notetaker in a meeting?',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    fs.rmSync(directory, { recursive: true, force: true });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]) as AskLine).toMatchObject({
      answered: true,
      citations: [{ source: 'policy.txt' }],
    });
  });
});
