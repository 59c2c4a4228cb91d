import JSZip from 'jszip';
import {
  overallRisk,
  screen,
  screeningQuestions,
  type Likelihood,
  type Severity,
} from '../../src/checklists/dpia';
import { submitStep, type Actor } from '../../src/checklists/engine';
import { newNotetakerData, notetakerChecklist } from '../../src/checklists/notetaker';
import type { DpiaState } from '../../src/checklists/dpia-service';
import { dpo, exampleRules, organiser as requester, organiserAddress, stranger, world } from './fixtures';

type World = Awaited<ReturnType<typeof world>>;

const defaults = Object.fromEntries(
  screeningQuestions.map((question) => [question.id, question.defaultValue]),
);
const none = Object.fromEntries(screeningQuestions.map((question) => [question.id, false]));

describe('DPIA screening', () => {
  const rules = exampleRules();
  const lenient = { ...rules, dpia: { ...rules.dpia, requiredForAnyNewAiWithPersonalData: false } };
  test.each([
    [
      'school defaults (children, innovative, personal data)',
      defaults,
      rules,
      'required',
      /ICO high-risk list: innovative technology/,
    ],
    ['children’s data is on by default', defaults, rules, 'required', /Meets 2 of the nine EDPB criteria/],
    ['one ICO item on its own', { ...none, icoBiometrics: true }, lenient, 'required', /biometric/],
    [
      'innovative technology alone is not enough',
      { ...none, icoInnovative: true },
      lenient,
      'recommended',
      /good practice|recommended/,
    ],
    [
      'one EDPB criterion',
      { ...none, edpbMonitoring: true, personalData: true },
      lenient,
      'recommended',
      /good practice/,
    ],
    [
      'two EDPB criteria',
      { ...none, edpbMonitoring: true, edpbLargeScale: true },
      lenient,
      'required',
      /Meets 2 of the nine/,
    ],
    [
      'the trust requires one for any AI with personal data',
      { ...none, personalData: true },
      rules,
      'required',
      /trust's policy requires/,
    ],
    ['no personal data expected', none, rules, 'recommended', /often process more than it seems/],
  ])('%s → %s', (_name, answers, trustRules, result, reason) => {
    const screening = screen(answers, trustRules);
    expect(screening.result).toBe(result);
    expect(screening.reasons.join(' ')).toMatch(reason);
    expect(screening.citation).toMatchObject({
      section: '4.2',
      heading: 'Personal Data and DPIAs',
    });
  });

  test('the nine EDPB criteria and "processes children’s data" on by default', () => {
    expect(screeningQuestions.filter((question) => question.source === 'edpb')).toHaveLength(9);
    expect(defaults.edpbVulnerable).toBe(true);
  });
});

describe('DPIA risk matrix', () => {
  test.each([
    ['remote', 'minimal', 'low'],
    ['remote', 'significant', 'low'],
    ['remote', 'severe', 'medium'],
    ['possible', 'minimal', 'low'],
    ['possible', 'significant', 'medium'],
    ['possible', 'severe', 'high'],
    ['probable', 'minimal', 'medium'],
    ['probable', 'significant', 'high'],
    ['probable', 'severe', 'high'],
  ])('%s × %s = %s', (likelihood, severity, overall) => {
    expect(overallRisk(likelihood as Likelihood, severity as Severity)).toBe(overall);
  });
});

async function current(w: World, id: string): Promise<DpiaState> {
  return (await w.dpia.get(id)) as DpiaState;
}

async function step(
  w: World,
  id: string,
  values: Record<string, unknown>,
  action = 'next',
  actor: Actor = requester,
) {
  const state = await current(w, id);
  return w.dpia.submit(actor, {
    checklistId: id,
    stepId: state.stepId,
    version: state.version,
    action,
    ...values,
  });
}

const text = (label: string) => `${label}: a considered answer.`;
const assessment: [string, Record<string, unknown>][] = [
  [
    'tool',
    {
      toolName: 'Notely',
      supplier: 'Notely Ltd',
      purposes: 'meeting notes\n- summaries of meetings',
      users: 'staff',
      meetingNotetaker: 'true',
    },
  ],
  ['screening', Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, String(value)]))],
  ['need', { need: text('need') }],
  [
    'processing',
    { nature: text('nature'), scope: text('scope'), context: text('context'), purposes: text('purposes') },
  ],
  ['consultation', { consultation: text('consultation') }],
  [
    'necessity',
    {
      lawfulBasis: 'public-task',
      alternatives: text('alternatives'),
      minimisation: text('minimisation'),
      retention: text('retention'),
      processors: text('processors'),
      internationalTransfers: text('transfers'),
    },
  ],
  [
    'ai',
    Object.fromEntries(
      [
        'trainingOnInputs',
        'humanReview',
        'automatedDecisions',
        'accuracyAndBias',
        'harms',
        'emotionInference',
        'ageRestrictions',
        'equalityAct',
        'security',
      ].map((name) => [name, text(name)]),
    ),
  ],
];

/** Walks a DPIA to the review step with one risk whose residual risk is `residual`. */
async function toReview(w: World, residual = 'low'): Promise<string> {
  const state = await w.dpia.start(requester, organiserAddress);
  for (const [stepId, values] of assessment) {
    expect((await current(w, state.id)).stepId).toBe(stepId);
    const outcome = await step(w, state.id, values);
    expect(outcome.kind).toBe('advanced');
  }
  await step(
    w,
    state.id,
    { description: 'Recording of a parent’s health details', likelihood: 'possible', severity: 'severe' },
    'add',
  );
  await step(w, state.id, {}, 'next');
  const risk = (await current(w, state.id)).data.risks[0];
  await step(w, state.id, {
    [`measure_${risk.id}`]: 'Notes reviewed and redacted',
    [`effect_${risk.id}`]: 'reduced',
    [`residual_${risk.id}`]: residual,
  });
  expect((await current(w, state.id)).stepId).toBe('review');
  return state.id;
}

async function submitted(w: World, residual = 'low'): Promise<string> {
  const id = await toReview(w, residual);
  expect((await step(w, id, {}, 'submit')).kind).toBe('completed');
  return id;
}

describe('DPIA flow', () => {
  test('screening to submission: the register shows the DPIA as submitted', async () => {
    const w = await world();
    const id = await submitted(w);
    const state = await current(w, id);
    expect(state.data).toMatchObject({ lifecycle: 'submitted', screening: { result: 'required' } });
    expect(state.data.tool).toEqual({
      name: 'Notely',
      supplier: 'Notely Ltd',
      purposes: ['meeting notes', 'summaries of meetings'],
      users: 'staff',
      ageRange: undefined,
      meetingNotetaker: true,
    });
    expect(state.data.risks[0]).toMatchObject({
      likelihood: 'possible',
      severity: 'severe',
      overall: 'high',
    });
    expect(await w.register.get('notely')).toMatchObject({
      dpia: { reference: id, status: 'submitted' },
      meetingNotetaker: true,
    });
  });

  test('drafts are saved at every step and resumed later; nothing typed is lost', async () => {
    const w = await world();
    const state = await w.dpia.start(requester, organiserAddress, 'Notely');
    expect(state.data.answers.tool).toEqual({ toolName: 'Notely' });
    for (const [, values] of assessment.slice(0, 2)) await step(w, state.id, values);
    expect((await step(w, state.id, { need: 'half an answer' }, 'save')).kind).toBe('advanced');
    w.clock.advance(5 * 86_400_000);
    const drafts = await w.dpia.draftsOf(requester);
    expect(drafts.map((draft) => [draft.id, draft.stepId])).toEqual([[state.id, 'need']]);
    expect(drafts[0].data.answers.need).toEqual({ need: 'half an answer' });
    await step(w, state.id, { need: 'changed my mind' }, 'back');
    const back = await current(w, state.id);
    expect(back.stepId).toBe('screening');
    expect(back.data.answers.need).toEqual({ need: 'changed my mind' });
    expect(back.data.answers.tool?.toolName).toBe('Notely');
  });

  test.each([
    ['an empty required answer', 'need', { need: '   ' }, /is required/],
    ['a 100 KB answer', 'need', { need: 'x'.repeat(102400) }, /102,400 characters long; the limit is 4,000/],
    ['an answer of the wrong type', 'need', { need: ['a'] }, /must be text/],
    [
      'a forged lawful basis',
      'necessity',
      { ...assessment[5][1], lawfulBasis: 'because-i-said-so' },
      /one of the options/,
    ],
  ])('%s is refused and the draft is unchanged', async (_name, stepId, values, message) => {
    const w = await world();
    const state = await w.dpia.start(requester);
    for (const [name, answers] of assessment) {
      if (name === stepId) break;
      await step(w, state.id, answers);
    }
    const before = await current(w, state.id);
    const outcome = await step(w, state.id, values);
    expect(outcome).toMatchObject({ kind: 'invalid', message: expect.stringMatching(message) });
    expect(await current(w, state.id)).toEqual(before);
  });

  test('risks: at least one, removable; a stale risk card changes nothing', async () => {
    const w = await world();
    const state = await w.dpia.start(requester);
    for (const [, values] of assessment) await step(w, state.id, values);
    expect(await step(w, state.id, {}, 'next')).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/at least one risk/),
    });
    const atRisks = await current(w, state.id);
    await step(w, state.id, { description: 'One', likelihood: 'remote', severity: 'minimal' }, 'add');
    const replay = await w.dpia.submit(requester, {
      checklistId: state.id,
      stepId: 'risks',
      version: atRisks.version,
      action: 'add',
      description: 'One',
      likelihood: 'remote',
      severity: 'minimal',
    });
    expect(replay.kind).toBe('stale');
    expect((await current(w, state.id)).data.risks).toHaveLength(1);
    const risk = (await current(w, state.id)).data.risks[0];
    await step(w, state.id, { riskId: risk.id }, 'remove');
    expect((await current(w, state.id)).data.risks).toEqual([]);
  });

  test('only the requester can fill in their DPIA', async () => {
    const w = await world();
    const state = await w.dpia.start(requester);
    const outcome = await w.dpia.submit(stranger, {
      checklistId: state.id,
      stepId: 'tool',
      version: 1,
      ...assessment[0][1],
    });
    expect(outcome.kind).toBe('forbidden');
    expect(await current(w, state.id)).toEqual(state);
  });
});

describe('DPO actions', () => {
  const approval = (id: string, version: number, extra: Record<string, unknown> = {}) => ({
    dpiaId: id,
    version,
    decision: 'approved',
    reasons: 'Measures are adequate',
    residualRiskApprovedBy: 'Headteacher',
    conditions: 'Staff meetings only',
    ...extra,
  });

  test('advice, then approval updates the register and the approved tool passes the notetaker DPIA check', async () => {
    const w = await world();
    const id = await submitted(w);
    const advised = await w.dpia.advise(dpo, {
      dpiaId: id,
      version: (await current(w, id)).version,
      advice: 'Check the retention setting.',
    });
    expect(advised.kind).toBe('advised');
    const decided = await w.dpia.decide(dpo, approval(id, (await current(w, id)).version));
    expect(decided).toMatchObject({
      kind: 'decided',
      decision: { decision: 'approved', residualRiskApprovedBy: 'Headteacher' },
      warnings: [],
    });
    expect(await w.register.get('notely')).toMatchObject({
      dpia: { reference: id, status: 'approved' },
      approvalDate: '2025-03-10',
      reviewDate: '2026-03-10',
      approvedPurposes: ['meeting notes', 'summaries of meetings'],
      approvedUsers: { staff: true, pupils: false },
      conditions: ['Staff meetings only'],
      source: 'dpia',
    });
    // The example trust only allows Microsoft for minuting, so a trust without that rule is used here.
    const rules = { ...w.rules, notetaker: { ...w.rules.notetaker, allowedSuppliers: undefined } };
    const start = {
      id: 'NC-x',
      flow: 'notetaker',
      version: 2,
      stepId: 'tool',
      status: 'in-progress' as const,
      ownerId: requester.id,
      createdAtUtc: '',
      updatedAtUtc: '',
      data: {
        ...newNotetakerData(requester),
        toolOptions: [{ id: 'notely', name: 'Notely', supplier: 'Notely Ltd' }],
      },
    };
    const outcome = submitStep(
      notetakerChecklist,
      start,
      { checklistId: 'NC-x', stepId: 'tool', version: 2, action: 'next', values: { toolId: 'notely' } },
      requester,
      { now: w.clock.now(), rules, tools: await w.register.list() },
      w.clock.now(),
    );
    expect(outcome.kind).toBe('advanced');
  });

  test.each([
    [
      'a forged approval by a non-DPO',
      async (w: World, id: string) => w.dpia.decide(stranger, approval(id, (await current(w, id)).version)),
      'forbidden',
    ],
    [
      'the requester approving their own DPIA',
      async (w: World, id: string) => w.dpia.decide(requester, approval(id, (await current(w, id)).version)),
      'forbidden',
    ],
    [
      'an approval from an out-of-date card',
      async (w: World, id: string) => w.dpia.decide(dpo, approval(id, 1)),
      'stale',
    ],
    [
      'approval without naming who approved the residual risks',
      async (w: World, id: string) =>
        w.dpia.decide(dpo, approval(id, (await current(w, id)).version, { residualRiskApprovedBy: '' })),
      'invalid',
    ],
    [
      'rejection without reasons',
      async (w: World, id: string) =>
        w.dpia.decide(
          dpo,
          approval(id, (await current(w, id)).version, { decision: 'rejected', reasons: '' }),
        ),
      'invalid',
    ],
    [
      'a 100 KB reason',
      async (w: World, id: string) =>
        w.dpia.decide(dpo, approval(id, (await current(w, id)).version, { reasons: 'x'.repeat(102400) })),
      'invalid',
    ],
    ['an unknown DPIA', async (w: World) => w.dpia.decide(dpo, approval('DPIA-nope', 1)), 'not-found'],
  ])('%s is refused and nothing is corrupted', async (_name, act, kind) => {
    const w = await world();
    const id = await submitted(w);
    const before = await current(w, id);
    const registerBefore = await w.register.get('notely');
    expect((await act(w, id)).kind).toBe(kind);
    expect(await current(w, id)).toEqual(before);
    expect(await w.register.get('notely')).toEqual(registerBefore);
  });

  test('double approval: the second is told who already decided', async () => {
    const w = await world();
    const id = await submitted(w);
    const version = (await current(w, id)).version;
    expect((await w.dpia.decide(dpo, approval(id, version))).kind).toBe('decided');
    const after = await current(w, id);
    const second = await w.dpia.decide(dpo, approval(id, version));
    expect(second).toMatchObject({
      kind: 'already-decided',
      message: expect.stringMatching(/already approved by Dana DPO/),
    });
    expect(await current(w, id)).toEqual(after);
  });

  test('a DPO action on a withdrawn DPIA is refused; the register loses only its own "submitted"', async () => {
    const w = await world();
    const id = await submitted(w);
    expect((await w.dpia.withdraw(stranger, { dpiaId: id })).kind).toBe('forbidden');
    expect((await w.dpia.withdraw(requester, { dpiaId: id })).kind).toBe('withdrawn-now');
    expect((await w.register.get('notely'))?.dpia.status).toBe('none');
    const after = await current(w, id);
    expect(await w.dpia.decide(dpo, approval(id, after.version))).toMatchObject({
      kind: 'withdrawn',
      message: expect.stringMatching(/withdrawn/),
    });
    expect(await w.dpia.advise(dpo, { dpiaId: id, version: after.version, advice: 'x' })).toMatchObject({
      kind: 'withdrawn',
    });
    expect(await current(w, id)).toEqual(after);
  });

  test('high residual risk: "consult the ICO before processing", and approval needs the ICO consultation', async () => {
    const w = await world();
    const id = await submitted(w, 'high');
    const version = (await current(w, id)).version;
    const refused = await w.dpia.decide(dpo, approval(id, version));
    expect(refused).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/consult the ICO before processing/),
    });
    const approved = await w.dpia.decide(
      dpo,
      approval(id, version, { icoConsultation: 'ICO ref 123: no objection' }),
    );
    expect(approved).toMatchObject({
      kind: 'decided',
      warnings: [expect.stringMatching(/consult the ICO before processing/)],
    });
    expect((await w.register.get('notely'))?.conditions).toContain(
      'ICO prior consultation: ICO ref 123: no objection',
    );
  });

  test('a rejection is written to the register and does not take away an existing approval', async () => {
    const w = await world();
    const id = await submitted(w);
    await w.dpia.decide(
      dpo,
      approval(id, (await current(w, id)).version, { decision: 'rejected', reasons: 'Data leaves the UK' }),
    );
    expect((await w.register.get('notely'))?.dpia).toEqual({ reference: id, status: 'rejected' });
  });
});

describe('DPIA documents', () => {
  test('Markdown, JSON and a .docx that opens as a Word document with the ICO sections', async () => {
    const w = await world();
    const id = await submitted(w);
    await w.dpia.decide(dpo, {
      dpiaId: id,
      version: (await current(w, id)).version,
      decision: 'approved',
      reasons: 'Fine <b>really</b>',
      residualRiskApprovedBy: 'Head',
    });
    const documents = await w.dpia.documents(await current(w, id));
    expect(documents.markdown).toMatch(/^# Data Protection Impact Assessment DPIA-d-1: Notely/);
    for (const heading of [
      'Step 1: Identify the need',
      'Step 2: Describe the processing',
      'Step 6: Identify and assess risks',
      'Step 8: Sign off',
    ]) {
      expect(documents.markdown).toContain(`## ${heading}`);
    }
    expect(documents.markdown).toContain('Fine \\<b\\>really\\</b\\>');
    expect(JSON.parse(documents.json)).toMatchObject({
      format: 'dpia/1',
      reference: id,
      record: { data: { lifecycle: 'approved' } },
    });

    const zip = await JSZip.loadAsync(documents.docx);
    expect(Object.keys(zip.files)).toEqual(
      expect.arrayContaining(['[Content_Types].xml', 'word/document.xml', '_rels/.rels']),
    );
    const xml = await zip.file('word/document.xml')!.async('string');
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain('<w:tbl>');
    const textOf = (xmlText: string) =>
      [...xmlText.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((match) => match[1]).join('');
    const body = textOf(xml);
    expect(body).toContain('Step 7: Identify measures to reduce risk');
    expect(body).toContain('Recording of a parent’s health details');
    expect(body).toContain('Residual risks approved by: Head');
    expect(body).toContain('Fine &lt;b&gt;really&lt;/b&gt;');
    const contentTypes = await zip.file('[Content_Types].xml')!.async('string');
    expect(contentTypes).toContain(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    );
  });
});
