/**
 * The checklist engine shared by the notetaker-consent and DPIA checklists: steps and rules are data,
 * and `submitStep` is a pure function from (state, submit, who, context) to an outcome. Nothing here
 * stores, sends or reads the clock; services around it do that, and cards are drawn from the state.
 *
 * Every submit names the step and the version of the state it was made against. A card that was
 * answered already, replayed, or forged for a step the checklist is not on gets `stale` and changes
 * nothing, so no step can be skipped.
 */
import {
  describeProblems,
  type FieldProblem,
  type FieldSpec,
  type FieldValues,
  validateFields,
} from './fields';

export interface Actor {
  /** Teams user id (`29:…`), or a local id in offline mode. */
  id: string;
  name: string;
  /** Microsoft Entra object id, when Teams gives one. */
  aadObjectId?: string;
  email?: string;
}

export type ChecklistStatus = 'in-progress' | 'stopped' | 'completed' | 'withdrawn';

export interface ChecklistState<TData> {
  id: string;
  flow: string;
  /** Bumped by every change; cards carry it back so stale submits can be told apart. */
  version: number;
  stepId: string;
  status: ChecklistStatus;
  /** The only person who may submit steps (the organiser, the DPIA requester). */
  ownerId: string;
  createdAtUtc: string;
  updatedAtUtc: string;
  data: TData;
}

/** What a card sends back. */
export interface StepSubmit {
  checklistId: string;
  stepId: string;
  version: number;
  /** Which button: `next` unless the step offers others (`back`, `save`, `add`, …). */
  action: string;
  values: Record<string, unknown>;
}

/** A policy passage cited at a stop, taken from the trust's configuration. */
export interface PolicyCitation {
  ruleId: string;
  document: string;
  section: string;
  heading: string;
  quote: string;
}

export interface StopReason {
  code: string;
  /** Our explanation for the person, in plain words. */
  message: string;
  citation?: PolicyCitation;
  /** What we can offer next, e.g. starting a DPIA for this tool. */
  offer?: { kind: 'start-dpia'; toolName: string; supplier?: string };
}

export type Transition<TData> =
  | { kind: 'go'; to: string; data: TData; warnings?: string[] }
  | { kind: 'stay'; data: TData; warnings?: string[] }
  | { kind: 'stop'; data: TData; stop: StopReason }
  | { kind: 'complete'; data: TData; warnings?: string[] }
  /** The values were well-formed but the step cannot accept them in this state; nothing changes. */
  | { kind: 'refuse'; message: string; problems?: FieldProblem[] };

export interface StepDefinition<TData, TContext> {
  id: string;
  title: string;
  /** Buttons this step accepts. The first is the main one. */
  actions: readonly string[];
  /** Actions that save what was typed without requiring every field (e.g. `save`, `back`). */
  draftActions?: readonly string[];
  fields(data: TData, action: string): FieldSpec[];
  apply(data: TData, values: FieldValues, action: string, context: TContext): Transition<TData>;
}

export interface ChecklistDefinition<TData, TContext> {
  flow: string;
  firstStep: string;
  steps: Record<string, StepDefinition<TData, TContext>>;
  /** Who the owner is, in words, for refusals ("the organiser"). */
  ownerTitle: string;
}

export type SubmitOutcome<TData> =
  | { kind: 'advanced'; state: ChecklistState<TData>; warnings: string[] }
  | { kind: 'stopped'; state: ChecklistState<TData>; stop: StopReason }
  | { kind: 'completed'; state: ChecklistState<TData>; warnings: string[] }
  | { kind: 'stale'; message: string; current: ChecklistState<TData> }
  | { kind: 'closed'; message: string; current: ChecklistState<TData> }
  | { kind: 'invalid'; message: string; problems: FieldProblem[] }
  | { kind: 'forbidden'; message: string };

export const staleMessage = 'This step has moved on: the card you used is out of date. Use the latest card.';

export function startChecklist<TData>(
  definition: { flow: string; firstStep: string },
  options: { id: string; owner: Actor; now: Date; data: TData },
): ChecklistState<TData> {
  const at = options.now.toISOString();
  return {
    id: options.id,
    flow: definition.flow,
    version: 1,
    stepId: definition.firstStep,
    status: 'in-progress',
    ownerId: options.owner.id,
    createdAtUtc: at,
    updatedAtUtc: at,
    data: options.data,
  };
}

/** Checks the envelope of a card submit; the values themselves are checked against the step. */
export function readStepSubmit(
  raw: unknown,
): { kind: 'ok'; submit: StepSubmit } | { kind: 'invalid'; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'invalid', message: 'This card submit was empty. Use the buttons on the latest card.' };
  }
  const data = raw as Record<string, unknown>;
  const { checklistId, stepId, version, action } = data;
  if (typeof checklistId !== 'string' || checklistId.length === 0 || checklistId.length > 100) {
    return { kind: 'invalid', message: 'This card submit does not say which checklist it is for.' };
  }
  if (typeof stepId !== 'string' || stepId.length === 0 || stepId.length > 60) {
    return { kind: 'invalid', message: 'This card submit does not say which step it answers.' };
  }
  const versionNumber = typeof version === 'string' && /^\d{1,9}$/.test(version) ? Number(version) : version;
  if (typeof versionNumber !== 'number' || !Number.isInteger(versionNumber) || versionNumber < 1) {
    return { kind: 'invalid', message: 'This card submit has no valid version; use the latest card.' };
  }
  if (action !== undefined && (typeof action !== 'string' || action.length > 40)) {
    return { kind: 'invalid', message: 'This card submit names an unknown button.' };
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!['checklistId', 'stepId', 'version', 'action', 'verb', 'msteams'].includes(key)) values[key] = value;
  }
  return {
    kind: 'ok',
    submit: {
      checklistId,
      stepId,
      version: versionNumber,
      action: (action as string | undefined) ?? 'next',
      values,
    },
  };
}

/**
 * The checks every submit passes before a step sees it, in order: the right checklist, still open,
 * the right person, the current step and version, a button this step has, well-formed values.
 */
export function checkSubmit<TData, TContext>(
  definition: ChecklistDefinition<TData, TContext>,
  state: ChecklistState<TData>,
  submit: StepSubmit,
  actor: Actor,
):
  | { kind: 'ok'; values: FieldValues; step: StepDefinition<TData, TContext> }
  | Exclude<SubmitOutcome<TData>, { state: unknown }> {
  if (submit.checklistId !== state.id) {
    return { kind: 'invalid', message: 'This card belongs to a different checklist.', problems: [] };
  }
  if (actor.id !== state.ownerId) {
    return {
      kind: 'forbidden',
      message: `Only ${definition.ownerTitle} can answer this step or record decisions. Nothing was changed.`,
    };
  }
  if (state.status !== 'in-progress') {
    return { kind: 'closed', message: closedMessage(state.status), current: state };
  }
  if (submit.stepId !== state.stepId || submit.version !== state.version) {
    return { kind: 'stale', message: staleMessage, current: state };
  }
  const step = definition.steps[state.stepId];
  if (!step) throw new Error(`Checklist ${definition.flow} has no step "${state.stepId}"`);
  if (!step.actions.includes(submit.action)) {
    return {
      kind: 'invalid',
      message: 'That button does not belong to this step. Use the latest card.',
      problems: [],
    };
  }
  const isDraft = step.draftActions?.includes(submit.action) ?? false;
  const validation = validateFields(step.fields(state.data, submit.action), submit.values, {
    requireAll: !isDraft,
  });
  if (validation.kind === 'invalid') {
    return { kind: 'invalid', message: describeProblems(validation.problems), problems: validation.problems };
  }
  return { kind: 'ok', values: validation.values, step };
}

export function submitStep<TData, TContext>(
  definition: ChecklistDefinition<TData, TContext>,
  state: ChecklistState<TData>,
  submit: StepSubmit,
  actor: Actor,
  context: TContext,
  now: Date,
): SubmitOutcome<TData> {
  const checked = checkSubmit(definition, state, submit, actor);
  if (checked.kind !== 'ok') return checked;
  const transition = checked.step.apply(state.data, checked.values, submit.action, context);
  const moved = (stepId: string, status: ChecklistStatus, data: TData): ChecklistState<TData> => ({
    ...state,
    version: state.version + 1,
    stepId,
    status,
    data,
    updatedAtUtc: now.toISOString(),
  });
  switch (transition.kind) {
    case 'refuse':
      return { kind: 'invalid', message: transition.message, problems: transition.problems ?? [] };
    case 'go':
      if (!definition.steps[transition.to])
        throw new Error(`Checklist ${definition.flow} has no step "${transition.to}"`);
      return {
        kind: 'advanced',
        state: moved(transition.to, 'in-progress', transition.data),
        warnings: transition.warnings ?? [],
      };
    case 'stay':
      return {
        kind: 'advanced',
        state: moved(state.stepId, 'in-progress', transition.data),
        warnings: transition.warnings ?? [],
      };
    case 'stop':
      return {
        kind: 'stopped',
        state: moved(state.stepId, 'stopped', transition.data),
        stop: transition.stop,
      };
    case 'complete':
      return {
        kind: 'completed',
        state: moved(state.stepId, 'completed', transition.data),
        warnings: transition.warnings ?? [],
      };
  }
}

/** Applies a change that is not a step submit (an objection, a DPO action) and bumps the version. */
export function touch<TData>(
  state: ChecklistState<TData>,
  data: TData,
  now: Date,
  status = state.status,
): ChecklistState<TData> {
  return { ...state, version: state.version + 1, data, status, updatedAtUtc: now.toISOString() };
}

function closedMessage(status: ChecklistStatus): string {
  switch (status) {
    case 'stopped':
      return 'This checklist stopped earlier and cannot go on. Start a new one if things have changed.';
    case 'completed':
      return 'This checklist is already complete; nothing was changed.';
    case 'withdrawn':
      return 'This checklist was withdrawn; nothing was changed.';
    default:
      return 'This checklist is not open.';
  }
}
