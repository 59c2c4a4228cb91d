import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManualClock } from '../../src/shared/clock';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import type { Answer, PolicyAnswerer } from '../../src/qa/types';
import { isAppError } from '../../src/shared/errors';
import { parseToolRegisterSeed, ToolRegister } from '../../src/registers/tool-register';
import {
  looksLikeToolName,
  parseToolQuestion,
  ToolQuestionService,
} from '../../src/registers/tool-questions';
import { parseTrustRules } from '../../src/checklists/trust-rules';

const repoRoot = path.resolve(__dirname, '..', '..');
const seedFile = path.join(repoRoot, 'config', 'tool-register.example.yaml');
const rulesFile = path.join(repoRoot, 'config', 'trust-rules.example.yaml');

/** Records every question and answers with one citation, like the real answerer would. */
class RecordingAnswerer implements PolicyAnswerer {
  readonly questions: string[] = [];
  constructor(private readonly reply: Answer) {}
  async answer(question: string): Promise<Answer> {
    this.questions.push(question);
    return this.reply;
  }
}

const policyAnswer: Answer = {
  kind: 'answered',
  text: 'Only authorised tools may be used [1].',
  citations: [
    {
      source: 'policy.md',
      document: 'Example AI Policy',
      section: '4.1',
      heading: 'Authorised tools',
      quote: 'Only tools on the register.',
    },
  ],
  generatedBy: 'extractive',
};

async function setUp(now = '2025-03-10T09:00:00Z', reply: Answer = policyAnswer) {
  const clock = new ManualClock(now);
  const store = new InMemoryStore();
  const register = new ToolRegister(store, clock);
  await register.seed(parseToolRegisterSeed(fs.readFileSync(seedFile, 'utf8'), seedFile, clock.now()));
  const rules = parseTrustRules(fs.readFileSync(rulesFile, 'utf8'), rulesFile);
  const answerer = new RecordingAnswerer(reply);
  const questions = new ToolQuestionService({
    register,
    answerer,
    clock,
    route: rules.dpia.route,
    routeCitation: rules.citations[rules.dpia.routeRuleId],
    dpiaCitation: rules.citations[rules.dpia.requiredRuleId],
  });
  return { clock, store, register, answerer, questions };
}

describe('seed file', () => {
  test('the example register loads with every field', async () => {
    const { register } = await setUp();
    const copilot = await register.findByName('m365 copilot');
    expect(copilot).toMatchObject({
      id: 'microsoft-365-copilot',
      supplier: 'Microsoft',
      approvedUsers: { staff: true, pupils: false },
      dpia: { reference: 'DPIA-2024-003', status: 'approved' },
      approvalDate: '2026-09-01',
      reviewDate: '2027-09-01',
      source: 'seed',
    });
    expect((await register.list()).length).toBe(7);
  });

  test('seeding again keeps what the DPIA flow changed', async () => {
    const { register, clock } = await setUp();
    await register.recordDpia({
      toolName: 'Otter.ai',
      supplier: 'Otter.ai Inc.',
      purposes: ['x'],
      approvedUsers: { staff: true, pupils: false },
      dpiaReference: 'DPIA-9',
      status: 'approved',
      approvalDate: '2025-03-10',
      reviewDate: '2026-03-10',
      conditions: [],
    });
    const again = await register.seed(
      parseToolRegisterSeed(fs.readFileSync(seedFile, 'utf8'), seedFile, clock.now()),
    );
    expect(again.created).toEqual([]);
    expect((await register.get('otter-ai'))?.dpia).toEqual({ reference: 'DPIA-9', status: 'approved' });
  });

  test.each([
    ['not YAML', 'tools: [', /not valid YAML/],
    ['no list', 'tools: 3', /list under "tools"/],
    ['a tool without a name', 'tools:\n  - supplier: X', /tools\[0\]\.name/],
    [
      'an unknown status',
      'tools:\n  - {name: A, supplier: B, dpia: {status: maybe}}',
      /tools\[0\]\.dpia\.status/,
    ],
    ['a bad date', 'tools:\n  - {name: A, supplier: B, reviewDate: next year}', /tools\[0\]\.reviewDate/],
    [
      'a repeated tool',
      'tools:\n  - {name: A, supplier: B}\n  - {name: a, supplier: C}',
      /tools\[1\] repeats/,
    ],
  ])('%s is a configuration error naming the field', (_name, text, message) => {
    let caught: unknown;
    try {
      parseToolRegisterSeed(text, 'register.yaml', new Date());
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'configuration')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain('register.yaml');
  });
});

describe('"can I use <tool> for <purpose>?"', () => {
  // Decides whether an unknown name is answered from the register ("not authorised") or left to the policy answerer.
  test.each([
    ['Gemini', true],
    ['Google Gemini', true],
    ['otter.ai', true],
    ['AI tools', false],
    ['AI', false],
    ['generative AI', false],
    ['a chatbot', false],
    ['my phone', false],
  ])('"%s" looks like a product name: %s', (name, expected) => {
    expect(looksLikeToolName(name)).toBe(expected);
  });

  test.each([
    ['Can I use Copilot for drafting reports?', { toolName: 'Copilot', purpose: 'drafting reports' }],
    ['can we use ChatGPT to write letters', { toolName: 'ChatGPT', purpose: 'write letters' }],
    ['Am I allowed to use Otter?', { toolName: 'Otter', purpose: undefined }],
    [
      'May staff use the Teams transcription in meetings?',
      { toolName: 'Teams transcription', purpose: 'meetings' },
    ],
    ['What does the policy say about homework?', undefined],
    ['Can I use a very long list of words that is clearly not a tool name at all for x?', undefined],
  ])('%s', (text, parsed) => {
    expect(parseToolQuestion(text)).toEqual(parsed);
  });

  test.each([
    [
      'Copilot',
      'summarising documents',
      'approved',
      'yes',
      /^Yes: Microsoft 365 Copilot is approved for summarising documents\./,
    ],
    ['M365 Copilot', 'marking pupils’ essays', 'approved', 'no', /approved, but not for marking/],
    [
      'Copilot',
      undefined,
      'approved',
      'not-asked',
      /Approved for: staff\..*Conditions: Signed in with a trust account only/,
    ],
    ['Otter', 'meeting notes', 'not-approved', undefined, /has no DPIA/],
    ['Fireflies', undefined, 'not-approved', undefined, /rejected/],
    ['Teachermatic', 'lesson planning', 'not-approved', undefined, /past its review date/],
    [
      'Gemini',
      'lesson planning',
      'unknown-tool',
      undefined,
      /Gemini is not in the trust's AI tool register, so it is not authorised as an AI tool.*ask the Data Protection Officer/,
    ],
  ])('%s for %s → %s', async (toolName, purpose, kind, purposeMatch, text) => {
    const { questions } = await setUp('2026-01-10T09:00:00Z');
    const answer = await questions.answer({ toolName, purpose });
    expect(answer.kind).toBe(kind);
    expect(answer.text).toMatch(text);
    if (answer.kind === 'approved') expect(answer.purposeMatch).toBe(purposeMatch);
    expect(answer.citations.map((citation) => citation.section)).toContain('4.1');
    if (answer.kind === 'unknown-tool') {
      expect(answer.offerDpia).toBe(true);
      expect(answer.citations.map((citation) => citation.section)).toEqual(['2.2', '4.2', '4.1']);
    }
  });

  test('the policy answerer is asked about the tool and purpose; a not-covered answer still gives the register', async () => {
    const { questions, answerer } = await setUp('2025-03-10T09:00:00Z', {
      kind: 'not-covered',
      text: 'n',
      askInstead: 'the DPO',
    });
    const answer = await questions.answer({ toolName: 'Copilot', purpose: 'summarising documents' });
    expect(answerer.questions).toEqual([
      'Can staff use Copilot for summarising documents? Which AI tools are approved?',
    ]);
    expect(answer).toMatchObject({ kind: 'approved', citations: [] });
  });
});
