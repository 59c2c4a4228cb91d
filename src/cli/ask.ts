/**
 * `npm run --silent ask -- --policies PATH [--json] [QUESTION]`
 * With a question: answers it (JSON with --json, readable text without).
 * Without: reads one question per line from stdin and writes one JSON object per line, nothing else.
 */
import * as readline from 'readline';
import { performance } from 'perf_hooks';
import { systemClock } from '../shared/clock';
import { createPolicyLibrary, type PolicyLibrary } from '../qa/library';
import { formatForPerson, toAskResult, type AskResult } from '../qa/cli-format';
import { parseCliArguments } from './args';
import { runCommand } from './run-command';

const usage = 'Usage: npm run --silent ask -- --policies PATH [--json] [QUESTION]';

// Answered before the first real question so that its `ms` does not include compiling the
// analyzer's patterns: text-speak and a misspelling each take their own path on first use.
const warmUpQuestions = [
  'Can staff use AI tools to help with marking and lesson planning?',
  'What is the capital of France?',
  'cn i use it 4 reprots wen marking?',
];

function ask(library: PolicyLibrary, question: string): AskResult {
  const started = performance.now();
  const answer = library.answerer.answerSync(question);
  return toAskResult(question, answer, performance.now() - started);
}

async function main(): Promise<number> {
  const options = parseCliArguments(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (options.policies.length === 0) {
    process.stderr.write(
      `${usage}\n--policies is required (a policy file or a folder of .txt/.md/.docx/.pdf).\n`,
    );
    return 2;
  }
  const library = await createPolicyLibrary({ paths: options.policies, clock: systemClock });
  if (library.documents.length === 0) {
    process.stderr.write(`No policy files found in ${options.policies.join(', ')}.\n`);
    return 2;
  }
  if (library.passages.length === 0) {
    const reasons = library.documents.map(
      (document) => `${document.meta.source}: ${document.warnings[0] ?? ''}`,
    );
    process.stderr.write(`No policy text to answer from.\n${reasons.join('\n')}\n`);
    return 2;
  }
  // Compile the hot paths before the first timed question, so `ms` measures answering, not the
  // JavaScript engine's warm-up (nothing is printed for these).
  for (const warmUp of warmUpQuestions) library.answerer.answerSync(warmUp);
  const question = options.words.join(' ').trim();
  if (question.length > 0) {
    const result = ask(library, question);
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatForPerson(result)}\n`);
    return 0;
  }
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const text = line.trim();
    if (text.length === 0) continue;
    process.stdout.write(`${JSON.stringify(ask(library, text))}\n`);
  }
  return 0;
}

runCommand(main);
