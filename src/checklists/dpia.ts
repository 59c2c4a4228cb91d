/**
 * The DPIA checklist: screening (the ICO's "likely high risk" list and the nine EDPB criteria), then
 * the assessment in the order of the ICO's DPIA template, then DPO advice and decision. Questions are
 * data; the same pure engine as the notetaker checklist validates every submit.
 */
import type { ConversationAddress } from '../shared/messaging';
import {
  touch,
  type Actor,
  type ChecklistDefinition,
  type ChecklistState,
  type PolicyCitation,
  type StepDefinition,
  type Transition,
} from './engine';
import {
  describeProblems,
  textLimits,
  validateFields,
  type FieldProblem,
  type FieldSpec,
  type FieldValues,
} from './fields';
import type { RecordEvent } from './notetaker';
import { citationFor, type TrustRules } from './trust-rules';

export type Likelihood = 'remote' | 'possible' | 'probable';
export type Severity = 'minimal' | 'significant' | 'severe';
export type RiskLevel = 'low' | 'medium' | 'high';
export type MeasureEffect = 'eliminated' | 'reduced' | 'accepted';

export interface Risk {
  id: string;
  description: string;
  likelihood: Likelihood;
  severity: Severity;
  overall: RiskLevel;
}

export interface Measure {
  riskId: string;
  measure: string;
  effect: MeasureEffect;
  residual: RiskLevel;
}

export type DpiaLifecycle = 'draft' | 'submitted' | 'approved' | 'rejected' | 'withdrawn';

export interface ScreeningResult {
  result: 'required' | 'recommended';
  reasons: string[];
  citation?: PolicyCitation;
}

export interface DpoAdvice {
  byId: string;
  byName: string;
  atUtc: string;
  text: string;
}

export interface DpoDecision {
  decision: 'approved' | 'rejected';
  reasons: string;
  byId: string;
  byName: string;
  atUtc: string;
  /** Who accepted the residual risks (ICO template: "residual risks approved by"). */
  residualRiskApprovedBy?: string;
  /** Required to approve while a residual risk is high (UK GDPR Article 36 prior consultation). */
  icoConsultation?: string;
  conditions: string[];
}

export interface DpiaTool {
  name: string;
  supplier: string;
  purposes: string[];
  users: 'staff' | 'pupils' | 'staff-and-pupils';
  ageRange?: string;
  meetingNotetaker: boolean;
}

export interface DpiaData {
  reference: string;
  requester: Actor;
  requesterAddress?: ConversationAddress;
  tool?: DpiaTool;
  /** Everything typed, per step, including part-filled drafts: nothing typed is lost. */
  answers: Record<string, Record<string, string | boolean>>;
  screening?: ScreeningResult;
  risks: Risk[];
  measures: Measure[];
  lifecycle: DpiaLifecycle;
  submittedAtUtc?: string;
  advice: DpoAdvice[];
  decision?: DpoDecision;
  /** The card posted in the DPO channel, once the outbox has delivered it; later changes update it in place. */
  dpoCardActivityId?: string;
  events: RecordEvent[];
}

export interface DpiaContext {
  now: Date;
  rules: TrustRules;
  newId: () => string;
}

export interface ScreeningQuestion {
  id: string;
  source: 'ico' | 'edpb' | 'scope';
  text: string;
  defaultValue: boolean;
}

/** The ICO's list of processing likely to result in high risk, and the EDPB's nine criteria, in our words. */
export const screeningQuestions: ScreeningQuestion[] = [
  {
    id: 'personalData',
    source: 'scope',
    text: 'Will the tool see any personal data (names, emails, anything typed about a person)?',
    defaultValue: true,
  },
  {
    id: 'icoInnovative',
    source: 'ico',
    text: 'Innovative technology, or existing technology used in a new way (AI counts)',
    defaultValue: true,
  },
  {
    id: 'icoDenialOfService',
    source: 'ico',
    text: 'Decides whether someone gets a service, opportunity or benefit',
    defaultValue: false,
  },
  {
    id: 'icoLargeScaleProfiling',
    source: 'ico',
    text: 'Profiles people on a large scale',
    defaultValue: false,
  },
  {
    id: 'icoBiometrics',
    source: 'ico',
    text: 'Uses biometric data (face, voice, fingerprint) to identify people',
    defaultValue: false,
  },
  { id: 'icoGenetic', source: 'ico', text: 'Uses genetic data', defaultValue: false },
  {
    id: 'icoDataMatching',
    source: 'ico',
    text: 'Combines, compares or matches data from several sources',
    defaultValue: false,
  },
  {
    id: 'icoInvisible',
    source: 'ico',
    text: 'Collects personal data from somewhere other than the person, without telling them',
    defaultValue: false,
  },
  { id: 'icoTracking', source: 'ico', text: "Tracks people's location or behaviour", defaultValue: false },
  {
    id: 'icoChildrenTargeting',
    source: 'ico',
    text: "Uses children's data for profiling, automated decisions or marketing, or offers an online service directly to children",
    defaultValue: false,
  },
  {
    id: 'icoRiskOfHarm',
    source: 'ico',
    text: "A breach could put someone's physical health or safety at risk",
    defaultValue: false,
  },
  {
    id: 'edpbEvaluation',
    source: 'edpb',
    text: 'Evaluates or scores people (including profiling and predicting)',
    defaultValue: false,
  },
  {
    id: 'edpbAutomatedDecision',
    source: 'edpb',
    text: 'Makes automated decisions with legal or similarly significant effects',
    defaultValue: false,
  },
  { id: 'edpbMonitoring', source: 'edpb', text: 'Systematically monitors people', defaultValue: false },
  {
    id: 'edpbSensitive',
    source: 'edpb',
    text: 'Sensitive or highly personal data (special category, safeguarding, SEND, health)',
    defaultValue: false,
  },
  { id: 'edpbLargeScale', source: 'edpb', text: 'Processes data on a large scale', defaultValue: false },
  { id: 'edpbMatching', source: 'edpb', text: 'Matches or combines datasets', defaultValue: false },
  {
    id: 'edpbVulnerable',
    source: 'edpb',
    text: "Processes children's data (or other vulnerable people's)",
    defaultValue: true,
  },
  {
    id: 'edpbInnovative',
    source: 'edpb',
    text: 'Innovative use of technology (AI counts)',
    defaultValue: true,
  },
  {
    id: 'edpbPreventsRights',
    source: 'edpb',
    text: 'Stops people using a service or exercising a right',
    defaultValue: false,
  },
];

/**
 * Required when any ICO list item applies (innovative technology only together with an EDPB
 * criterion, as the ICO's list says), when two or more EDPB criteria apply, or when the trust's own
 * policy requires a DPIA for every new AI tool that touches personal data. Otherwise recommended:
 * the policy warns staff not to presume no personal data is processed.
 */
export function screen(answers: Record<string, boolean>, rules: TrustRules): ScreeningResult {
  const yes = (id: string) => answers[id] === true;
  const edpb = screeningQuestions.filter((question) => question.source === 'edpb' && yes(question.id));
  const reasons: string[] = [];
  for (const question of screeningQuestions.filter((item) => item.source === 'ico' && yes(item.id))) {
    if (question.id === 'icoInnovative') {
      if (edpb.length > 0)
        reasons.push(
          `ICO high-risk list: innovative technology together with an EDPB criterion (${edpb[0].text.toLowerCase()}).`,
        );
    } else {
      reasons.push(`ICO high-risk list: ${question.text.toLowerCase()}.`);
    }
  }
  if (edpb.length >= 2) {
    reasons.push(
      `Meets ${edpb.length} of the nine EDPB criteria; two or more usually means a DPIA is needed.`,
    );
  }
  if (rules.dpia.requiredForAnyNewAiWithPersonalData && yes('personalData')) {
    reasons.push(
      "The trust's policy requires a DPIA before any new AI tool that processes personal data is used.",
    );
  }
  const citation = citationFor(rules, rules.dpia.requiredRuleId);
  if (reasons.length > 0) return { result: 'required', reasons, citation };
  return {
    result: 'recommended',
    reasons: [
      yes('personalData')
        ? 'None of the high-risk signs apply, but personal data is involved: a DPIA is still good practice.'
        : 'You expect no personal data, but AI tools often process more than it seems: a DPIA is recommended.',
    ],
    citation,
  };
}

const levels: Record<Likelihood | Severity, number> = {
  remote: 1,
  possible: 2,
  probable: 3,
  minimal: 1,
  significant: 2,
  severe: 3,
};

/** The ICO template's matrix: likelihood × severity, 1–2 low, 3–4 medium, 6–9 high. */
export function overallRisk(likelihood: Likelihood, severity: Severity): RiskLevel {
  const score = levels[likelihood] * levels[severity];
  return score >= 6 ? 'high' : score >= 3 ? 'medium' : 'low';
}

const likelihoodChoices = ['remote', 'possible', 'probable'].map((value) => ({
  value,
  title: capitalise(value),
}));
const severityChoices = ['minimal', 'significant', 'severe'].map((value) => ({
  value,
  title: capitalise(value),
}));
const levelChoices = ['low', 'medium', 'high'].map((value) => ({ value, title: capitalise(value) }));
const effectChoices = [
  { value: 'eliminated', title: 'Eliminated' },
  { value: 'reduced', title: 'Reduced' },
  { value: 'accepted', title: 'Accepted' },
];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function answer(name: string, label: string, required = true, hint?: string): FieldSpec {
  return { name, label, type: 'text', required, maxLength: textLimits.answer, multiline: true, hint };
}

/** The written steps of the ICO template, in its order, with the trust policy's AI questions. */
export const assessmentSteps: { id: string; title: string; fields: FieldSpec[] }[] = [
  {
    id: 'need',
    title: 'Step 1: Identify the need for a DPIA',
    fields: [
      answer(
        'need',
        'What the project aims to achieve, what processing it involves, and why a DPIA is needed',
      ),
    ],
  },
  {
    id: 'processing',
    title: 'Step 2: Describe the processing',
    fields: [
      answer(
        'nature',
        'Nature: how data is collected, used, stored and deleted; its source; who it is shared with',
      ),
      answer(
        'scope',
        'Scope: what data (any special category?), how much, how often, kept how long, how many people',
      ),
      answer(
        'context',
        'Context: your relationship with the people, their expectations, children or vulnerable groups',
      ),
      answer('purposes', 'Purposes: what you want to achieve, the effect on people, the benefits'),
    ],
  },
  {
    id: 'consultation',
    title: 'Step 3: Consultation',
    fields: [
      answer(
        'consultation',
        'Who you have asked or will ask (staff, parents, pupils, the supplier, IT, security) and how',
      ),
    ],
  },
  {
    id: 'necessity',
    title: 'Step 4: Necessity and proportionality',
    fields: [
      {
        name: 'lawfulBasis',
        label: 'Lawful basis',
        type: 'choice',
        required: true,
        choices: [
          { value: 'public-task', title: 'Public task' },
          { value: 'legal-obligation', title: 'Legal obligation' },
          { value: 'legitimate-interests', title: 'Legitimate interests' },
          { value: 'contract', title: 'Contract' },
          { value: 'consent', title: 'Consent' },
          { value: 'vital-interests', title: 'Vital interests' },
        ],
      },
      answer('alternatives', 'Alternatives considered, and why this tool'),
      answer('minimisation', 'Data minimisation: what you leave out'),
      answer('retention', 'Retention: how long data is kept and how it is deleted'),
      answer('processors', 'Processors: the supplier and any sub-processors, and the contract terms'),
      answer('internationalTransfers', 'International transfers: where the data goes and the safeguards'),
    ],
  },
  {
    id: 'ai',
    title: 'Step 5: AI-specific questions from the trust policy',
    fields: [
      answer(
        'trainingOnInputs',
        'Does the supplier train its models on what we put in? Can it be switched off?',
      ),
      answer('humanReview', 'Human review: who checks the output before it is relied on'),
      answer('automatedDecisions', 'Effects of any automated decisions on people'),
      answer('accuracyAndBias', 'Accuracy, bias and margins of error, and how you will check them'),
      answer('humanVsAlgorithmic', 'If it replaces a person: human vs algorithmic accuracy', false),
      answer('harms', 'Allocative and representational harms (unfair outcomes, stereotypes)'),
      answer(
        'emotionInference',
        'Does it infer emotions or special category data (health, ethnicity, beliefs)?',
      ),
      answer('ageRestrictions', "Age restrictions in the supplier's terms and how you meet them"),
      answer('equalityAct', 'Rights under the Equality Act 2010: how no group is disadvantaged'),
      answer(
        'security',
        'Security: the tool’s security features, terms of service and data protection policy',
      ),
    ],
  },
];

const stepOrder = [
  'tool',
  'screening',
  ...assessmentSteps.map((step) => step.id),
  'risks',
  'measures',
  'review',
];

export const dpiaStepTitles: Record<string, string> = {
  tool: 'The tool',
  screening: 'Screening: is a DPIA needed?',
  ...Object.fromEntries(assessmentSteps.map((step) => [step.id, step.title])),
  risks: 'Step 6: Identify and assess risks',
  measures: 'Step 7: Measures to reduce risk',
  review: 'Check and submit to the DPO',
};

const toolFields: FieldSpec[] = [
  { name: 'toolName', label: 'Name of the AI tool', type: 'text', required: true, maxLength: 100 },
  { name: 'supplier', label: 'Supplier', type: 'text', required: true, maxLength: textLimits.short },
  {
    name: 'purposes',
    label: 'What it will be used for (one purpose per line)',
    type: 'text',
    required: true,
    maxLength: textLimits.reason,
    multiline: true,
  },
  {
    name: 'users',
    label: 'Who will use it',
    type: 'choice',
    required: true,
    choices: [
      { value: 'staff', title: 'Staff only' },
      { value: 'pupils', title: 'Pupils only' },
      { value: 'staff-and-pupils', title: 'Staff and pupils' },
    ],
  },
  {
    name: 'ageRange',
    label: 'Pupil age range, if pupils use it',
    type: 'text',
    required: false,
    maxLength: 100,
  },
  {
    name: 'meetingNotetaker',
    label: 'It takes notes or transcribes meetings',
    type: 'yes-no',
    required: true,
    defaultValue: false,
  },
];

const screeningFields: FieldSpec[] = screeningQuestions.map((question) => ({
  name: question.id,
  label: question.text,
  type: 'yes-no',
  required: true,
  defaultValue: question.defaultValue,
}));

function riskFields(data: DpiaData, action: string): FieldSpec[] {
  if (action === 'add') {
    return [
      {
        name: 'description',
        label: 'Risk to people (source of harm and its effect)',
        type: 'text',
        required: true,
        maxLength: textLimits.reason,
        multiline: true,
      },
      {
        name: 'likelihood',
        label: 'Likelihood of harm',
        type: 'choice',
        required: true,
        choices: likelihoodChoices,
      },
      {
        name: 'severity',
        label: 'Severity of harm',
        type: 'choice',
        required: true,
        choices: severityChoices,
      },
    ];
  }
  if (action === 'remove') {
    return [
      {
        name: 'riskId',
        label: 'Risk to remove',
        type: 'choice',
        required: true,
        choices: data.risks.map((risk) => ({ value: risk.id, title: risk.description.slice(0, 60) })),
      },
    ];
  }
  return [];
}

export function measureFields(data: DpiaData): FieldSpec[] {
  return data.risks.flatMap((risk, index) => [
    {
      name: `measure_${risk.id}`,
      label: `Risk ${index + 1}: measures to reduce or eliminate it`,
      type: 'text',
      required: true,
      maxLength: textLimits.reason,
      multiline: true,
    } as FieldSpec,
    {
      name: `effect_${risk.id}`,
      label: `Risk ${index + 1}: effect on the risk`,
      type: 'choice',
      required: true,
      choices: effectChoices,
    } as FieldSpec,
    {
      name: `residual_${risk.id}`,
      label: `Risk ${index + 1}: residual risk`,
      type: 'choice',
      required: true,
      choices: levelChoices,
    } as FieldSpec,
  ]);
}

function event(context: DpiaContext, what: string): RecordEvent {
  return { atUtc: context.now.toISOString(), what };
}

/** Keeps what was typed on a step; drafts merge so a partly filled card is never thrown away. */
function withAnswers(data: DpiaData, stepId: string, values: FieldValues): DpiaData {
  const kept: Record<string, string | boolean> = { ...(data.answers[stepId] ?? {}) };
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' || typeof value === 'boolean') kept[name] = value;
  }
  return { ...data, answers: { ...data.answers, [stepId]: kept } };
}

function neighbour(stepId: string, offset: 1 | -1): string {
  return stepOrder[Math.min(stepOrder.length - 1, Math.max(0, stepOrder.indexOf(stepId) + offset))];
}

/** `save` keeps the answers on this step; `back` keeps them and goes back; `next` requires everything. */
function navigate(
  data: DpiaData,
  stepId: string,
  values: FieldValues,
  action: string,
  context: DpiaContext,
): Transition<DpiaData> | undefined {
  if (action === 'save')
    return {
      kind: 'stay',
      data: {
        ...withAnswers(data, stepId, values),
        events: [...data.events, event(context, `Draft saved (${stepId}).`)],
      },
    };
  if (action === 'back')
    return { kind: 'go', to: neighbour(stepId, -1), data: withAnswers(data, stepId, values) };
  return undefined;
}

function textStep(id: string, title: string, fields: FieldSpec[]): StepDefinition<DpiaData, DpiaContext> {
  return {
    id,
    title,
    actions: ['next', 'save', 'back'],
    draftActions: ['save', 'back'],
    fields: () => fields,
    apply: (data, values, action, context) =>
      navigate(data, id, values, action, context) ?? {
        kind: 'go',
        to: neighbour(id, 1),
        data: withAnswers(data, id, values),
      },
  };
}

export const dpiaChecklist: ChecklistDefinition<DpiaData, DpiaContext> = {
  flow: 'dpia',
  firstStep: 'tool',
  ownerTitle: 'the person who started this DPIA',
  steps: {
    tool: {
      id: 'tool',
      title: dpiaStepTitles.tool,
      actions: ['next', 'save'],
      draftActions: ['save'],
      fields: () => toolFields,
      apply: (data, values, action, context) => {
        const draft = navigate(data, 'tool', values, action, context);
        if (draft) return draft;
        const purposes = (values.purposes as string)
          .split(/\r?\n|;/)
          .map((purpose) => purpose.replace(/^[-•·*\s]+/, '').trim())
          .filter(Boolean)
          .slice(0, 20);
        const tool: DpiaTool = {
          name: values.toolName as string,
          supplier: values.supplier as string,
          purposes,
          users: values.users as DpiaTool['users'],
          ageRange: values.ageRange as string | undefined,
          meetingNotetaker: values.meetingNotetaker === true,
        };
        return { kind: 'go', to: 'screening', data: { ...withAnswers(data, 'tool', values), tool } };
      },
    },
    screening: {
      id: 'screening',
      title: dpiaStepTitles.screening,
      actions: ['next', 'save', 'back'],
      draftActions: ['save', 'back'],
      fields: () => screeningFields,
      apply: (data, values, action, context) => {
        const draft = navigate(data, 'screening', values, action, context);
        if (draft) return draft;
        const booleans = Object.fromEntries(
          Object.entries(values).map(([name, value]) => [name, value === true]),
        );
        const screening = screen(booleans, context.rules);
        return {
          kind: 'go',
          to: 'need',
          data: {
            ...withAnswers(data, 'screening', values),
            screening,
            events: [...data.events, event(context, `Screening: DPIA ${screening.result}.`)],
          },
        };
      },
    },
    ...Object.fromEntries(
      assessmentSteps.map((step) => [step.id, textStep(step.id, step.title, step.fields)]),
    ),
    risks: {
      id: 'risks',
      title: dpiaStepTitles.risks,
      actions: ['add', 'remove', 'next', 'back'],
      draftActions: ['back'],
      fields: riskFields,
      apply: (data, values, action, context) => {
        if (action === 'back') return { kind: 'go', to: neighbour('risks', -1), data };
        if (action === 'add') {
          if (data.risks.length >= 30)
            return { kind: 'refuse', message: 'A DPIA can list at most 30 risks; combine related ones.' };
          const likelihood = values.likelihood as Likelihood;
          const severity = values.severity as Severity;
          const risk: Risk = {
            id: `R${context.newId()}`,
            description: values.description as string,
            likelihood,
            severity,
            overall: overallRisk(likelihood, severity),
          };
          return { kind: 'stay', data: { ...data, risks: [...data.risks, risk] } };
        }
        if (action === 'remove') {
          return {
            kind: 'stay',
            data: {
              ...data,
              risks: data.risks.filter((risk) => risk.id !== values.riskId),
              measures: data.measures.filter((measure) => measure.riskId !== values.riskId),
            },
          };
        }
        if (data.risks.length === 0) {
          return {
            kind: 'refuse',
            message:
              'Add at least one risk before going on: every tool that touches personal data carries some.',
          };
        }
        return { kind: 'go', to: 'measures', data };
      },
    },
    measures: {
      id: 'measures',
      title: dpiaStepTitles.measures,
      actions: ['next', 'save', 'back'],
      draftActions: ['save', 'back'],
      fields: (data) => measureFields(data),
      apply: (data, values, action, context) => {
        const draft = navigate(data, 'measures', values, action, context);
        if (draft) return draft;
        const measures: Measure[] = data.risks.map((risk) => ({
          riskId: risk.id,
          measure: values[`measure_${risk.id}`] as string,
          effect: values[`effect_${risk.id}`] as MeasureEffect,
          residual: values[`residual_${risk.id}`] as RiskLevel,
        }));
        return { kind: 'go', to: 'review', data: { ...withAnswers(data, 'measures', values), measures } };
      },
    },
    review: {
      id: 'review',
      title: dpiaStepTitles.review,
      actions: ['submit', 'back'],
      draftActions: ['back'],
      fields: () => [],
      apply: (data, _values, action, context) => {
        if (action === 'back') return { kind: 'go', to: 'measures', data };
        const missing = missingAnswers(data);
        if (missing.length > 0) {
          return {
            kind: 'refuse',
            message: `Some answers are missing: ${missing.join('; ')}. Go back and fill them in.`,
          };
        }
        return {
          kind: 'complete',
          data: {
            ...data,
            lifecycle: 'submitted',
            submittedAtUtc: context.now.toISOString(),
            events: [...data.events, event(context, 'Submitted to the DPO.')],
          },
        };
      },
    },
  },
};

/** Anything a required field still lacks, e.g. after a risk was added once measures were written. */
export function missingAnswers(data: DpiaData): string[] {
  const missing: string[] = [];
  if (!data.tool) missing.push(dpiaStepTitles.tool);
  if (!data.screening) missing.push(dpiaStepTitles.screening);
  for (const step of assessmentSteps) {
    const result = validateFields(step.fields, data.answers[step.id] ?? {});
    if (result.kind === 'invalid') missing.push(step.title);
  }
  if (data.risks.length === 0) missing.push(dpiaStepTitles.risks);
  if (data.risks.some((risk) => !data.measures.some((measure) => measure.riskId === risk.id)))
    missing.push(dpiaStepTitles.measures);
  return missing;
}

export function newDpiaData(
  reference: string,
  requester: Actor,
  requesterAddress?: ConversationAddress,
  toolName?: string,
): DpiaData {
  return {
    reference,
    requester,
    requesterAddress,
    answers: toolName ? { tool: { toolName: toolName.slice(0, 100) } } : {},
    risks: [],
    measures: [],
    lifecycle: 'draft',
    advice: [],
    events: [],
  };
}

export function highestResidual(data: DpiaData): RiskLevel | undefined {
  const order: RiskLevel[] = ['low', 'medium', 'high'];
  return data.measures.reduce<RiskLevel | undefined>(
    (highest, measure) =>
      highest === undefined || order.indexOf(measure.residual) > order.indexOf(highest)
        ? measure.residual
        : highest,
    undefined,
  );
}

export const icoConsultationWarning =
  'A residual risk is still high: consult the ICO before processing (UK GDPR Article 36 prior consultation).';

export type DpoActionOutcome =
  | { kind: 'advised'; state: ChecklistState<DpiaData>; advice: DpoAdvice }
  | { kind: 'decided'; state: ChecklistState<DpiaData>; decision: DpoDecision; warnings: string[] }
  | { kind: 'withdrawn-now'; state: ChecklistState<DpiaData> }
  | { kind: 'forbidden'; message: string }
  | { kind: 'already-decided'; message: string }
  | { kind: 'withdrawn'; message: string }
  | { kind: 'not-submitted'; message: string }
  | { kind: 'stale'; message: string; current: ChecklistState<DpiaData> }
  | { kind: 'invalid'; message: string; problems: FieldProblem[] };

export const adviceFields: FieldSpec[] = [
  {
    name: 'advice',
    label: 'DPO advice',
    type: 'text',
    required: true,
    maxLength: textLimits.answer,
    multiline: true,
  },
];

export function decisionFields(data: DpiaData): FieldSpec[] {
  return [
    {
      name: 'decision',
      label: 'Decision',
      type: 'choice',
      required: true,
      choices: [
        { value: 'approved', title: 'Approve' },
        { value: 'rejected', title: 'Reject' },
      ],
    },
    {
      name: 'reasons',
      label: 'Reasons',
      type: 'text',
      required: true,
      maxLength: textLimits.reason,
      multiline: true,
    },
    {
      name: 'residualRiskApprovedBy',
      label: 'Residual risks approved by (name and role)',
      type: 'text',
      required: false,
      maxLength: textLimits.short,
    },
    {
      name: 'conditions',
      label: 'Conditions of approval (one per line)',
      type: 'text',
      required: false,
      maxLength: textLimits.reason,
      multiline: true,
    },
    ...(highestResidual(data) === 'high'
      ? [
          {
            name: 'icoConsultation',
            label: 'ICO prior consultation: reference and outcome',
            type: 'text',
            required: false,
            maxLength: textLimits.reason,
          } as FieldSpec,
        ]
      : []),
  ];
}

/** Checks common to every DPO action, in the order that gives the most useful refusal. */
function checkDpoAction(
  state: ChecklistState<DpiaData>,
  isDpo: boolean,
  version: unknown,
): Exclude<DpoActionOutcome, { state: unknown }> | undefined {
  if (!isDpo)
    return {
      kind: 'forbidden',
      message: 'Only the Data Protection Officer can act on a DPIA. Nothing was changed.',
    };
  const data = state.data;
  if (data.lifecycle === 'withdrawn')
    return {
      kind: 'withdrawn',
      message: `DPIA ${data.reference} was withdrawn by ${data.requester.name}; nothing was changed.`,
    };
  if (data.decision) {
    return {
      kind: 'already-decided',
      message: `DPIA ${data.reference} was already ${data.decision.decision} by ${data.decision.byName}; nothing was changed.`,
    };
  }
  if (data.lifecycle !== 'submitted')
    return { kind: 'not-submitted', message: `DPIA ${data.reference} has not been submitted yet.` };
  const versionNumber = typeof version === 'string' && /^\d{1,9}$/.test(version) ? Number(version) : version;
  if (versionNumber !== state.version) {
    return {
      kind: 'stale',
      message: 'This DPIA has changed since this card was sent. Use the latest card.',
      current: state,
    };
  }
  return undefined;
}

export function recordAdvice(
  state: ChecklistState<DpiaData>,
  actor: Actor,
  isDpo: boolean,
  raw: Record<string, unknown>,
  now: Date,
): DpoActionOutcome {
  const refused = checkDpoAction(state, isDpo, raw.version);
  if (refused) return refused;
  const validation = validateFields(adviceFields, raw);
  if (validation.kind === 'invalid')
    return { kind: 'invalid', message: describeProblems(validation.problems), problems: validation.problems };
  const advice: DpoAdvice = {
    byId: actor.id,
    byName: actor.name,
    atUtc: now.toISOString(),
    text: validation.values.advice as string,
  };
  const data: DpiaData = {
    ...state.data,
    advice: [...state.data.advice, advice],
    events: [...state.data.events, { atUtc: advice.atUtc, what: `Advice recorded by ${actor.name}.` }],
  };
  return { kind: 'advised', state: touch(state, data, now), advice };
}

export function decideDpia(
  state: ChecklistState<DpiaData>,
  actor: Actor,
  isDpo: boolean,
  raw: Record<string, unknown>,
  now: Date,
): DpoActionOutcome {
  const refused = checkDpoAction(state, isDpo, raw.version);
  if (refused) return refused;
  const validation = validateFields(decisionFields(state.data), raw);
  if (validation.kind === 'invalid')
    return { kind: 'invalid', message: describeProblems(validation.problems), problems: validation.problems };
  const values = validation.values;
  const approving = values.decision === 'approved';
  const problems: FieldProblem[] = [];
  if (approving && !values.residualRiskApprovedBy) {
    problems.push({
      field: 'residualRiskApprovedBy',
      message: 'Name who approved the residual risks before approving.',
    });
  }
  const high = highestResidual(state.data) === 'high';
  if (approving && high && !values.icoConsultation) {
    problems.push({
      field: 'icoConsultation',
      message: `${icoConsultationWarning} Record the ICO's reference before approving.`,
    });
  }
  if (problems.length > 0) return { kind: 'invalid', message: describeProblems(problems), problems };
  const decision: DpoDecision = {
    decision: approving ? 'approved' : 'rejected',
    reasons: values.reasons as string,
    byId: actor.id,
    byName: actor.name,
    atUtc: now.toISOString(),
    residualRiskApprovedBy: values.residualRiskApprovedBy as string | undefined,
    icoConsultation: values.icoConsultation as string | undefined,
    conditions: ((values.conditions as string | undefined) ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  };
  const data: DpiaData = {
    ...state.data,
    decision,
    lifecycle: decision.decision,
    events: [
      ...state.data.events,
      { atUtc: decision.atUtc, what: `${capitalise(decision.decision)} by ${actor.name}.` },
    ],
  };
  return {
    kind: 'decided',
    state: touch(state, data, now),
    decision,
    warnings: high ? [icoConsultationWarning] : [],
  };
}

/** The requester may withdraw a draft or a submitted DPIA, not one the DPO has decided. */
export function withdrawDpia(state: ChecklistState<DpiaData>, actor: Actor, now: Date): DpoActionOutcome {
  if (actor.id !== state.ownerId)
    return { kind: 'forbidden', message: 'Only the person who started this DPIA can withdraw it.' };
  if (state.data.lifecycle === 'withdrawn')
    return { kind: 'withdrawn', message: 'This DPIA was already withdrawn.' };
  if (state.data.decision)
    return {
      kind: 'already-decided',
      message: `This DPIA was already ${state.data.decision.decision}; it cannot be withdrawn.`,
    };
  const data: DpiaData = {
    ...state.data,
    lifecycle: 'withdrawn',
    events: [...state.data.events, { atUtc: now.toISOString(), what: `Withdrawn by ${actor.name}.` }],
  };
  return { kind: 'withdrawn-now', state: touch(state, data, now, 'withdrawn') };
}
