/**
 * What a checklist step asks for, as data. Card renderers draw inputs from these specs and the
 * engine validates every submit against them, so a card and its validation can never drift apart.
 * Values arrive from Adaptive Cards as strings (toggles as "true"/"false"), but a forged submit can
 * carry anything, so nothing here trusts the shape of what it is given.
 */
import { parseUkLocalDateTime } from '../shared/uk-time';

export interface Choice {
  value: string;
  title: string;
}

interface FieldBase {
  name: string;
  label: string;
  required: boolean;
  /** Shown under the input; our own wording. */
  hint?: string;
}

export type FieldSpec =
  | (FieldBase & { type: 'text'; maxLength: number; multiline?: boolean; placeholder?: string })
  | (FieldBase & { type: 'choice'; choices: Choice[]; style?: 'compact' | 'expanded' })
  | (FieldBase & { type: 'yes-no'; defaultValue: boolean })
  /** A date and time typed in UK local time (or an ISO instant with an offset); stored as UTC. */
  | (FieldBase & { type: 'uk-date-time' })
  | (FieldBase & { type: 'email-list'; maxItems: number });

export type FieldValue = string | boolean | string[];
export type FieldValues = Record<string, FieldValue | undefined>;

export interface FieldProblem {
  field: string;
  message: string;
}

export type FieldValidation =
  { kind: 'valid'; values: FieldValues } | { kind: 'invalid'; problems: FieldProblem[] };

/** Common limits, chosen so that a real answer always fits and a pasted document never does. */
export const textLimits = {
  short: 200,
  reason: 1000,
  answer: 4000,
} as const;

const emailPattern = /^[^\s@,;<>"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;

export interface ValidationOptions {
  /** When false, missing required fields are allowed: used to save a draft part-way through a step. */
  requireAll: boolean;
}

export function validateFields(
  specs: FieldSpec[],
  raw: unknown,
  options: ValidationOptions = { requireAll: true },
): FieldValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      kind: 'invalid',
      problems: [{ field: '', message: 'The answers were missing from this submit.' }],
    };
  }
  const input = raw as Record<string, unknown>;
  const values: FieldValues = {};
  const problems: FieldProblem[] = [];
  for (const spec of specs) {
    const result = validateOne(spec, input[spec.name], options);
    if (result.kind === 'problem') problems.push({ field: spec.name, message: result.message });
    else if (result.value !== undefined) values[spec.name] = result.value;
  }
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'valid', values };
}

type OneResult = { kind: 'ok'; value: FieldValue | undefined } | { kind: 'problem'; message: string };

function validateOne(spec: FieldSpec, value: unknown, options: ValidationOptions): OneResult {
  const missing = (): OneResult =>
    spec.required && options.requireAll
      ? { kind: 'problem', message: `"${spec.label}" is required.` }
      : { kind: 'ok', value: undefined };

  if (spec.type === 'yes-no') {
    if (value === undefined || value === null || value === '') {
      return spec.required && options.requireAll ? missing() : { kind: 'ok', value: undefined };
    }
    if (value === true || value === 'true') return { kind: 'ok', value: true };
    if (value === false || value === 'false') return { kind: 'ok', value: false };
    return { kind: 'problem', message: `"${spec.label}" must be yes or no.` };
  }

  if (value === undefined || value === null) return missing();
  if (typeof value !== 'string') return { kind: 'problem', message: `"${spec.label}" must be text.` };
  const text = value.trim();
  if (text === '') return missing();

  switch (spec.type) {
    case 'text':
      if (text.length > spec.maxLength) {
        return {
          kind: 'problem',
          message: `"${spec.label}" is ${text.length.toLocaleString('en-GB')} characters long; the limit is ${spec.maxLength.toLocaleString('en-GB')}. Please shorten it.`,
        };
      }
      return { kind: 'ok', value: text };
    case 'choice':
      if (!spec.choices.some((choice) => choice.value === text)) {
        return { kind: 'problem', message: `"${spec.label}" must be one of the options offered.` };
      }
      return { kind: 'ok', value: text };
    case 'uk-date-time': {
      if (text.length > 40) return { kind: 'problem', message: `"${spec.label}" is not a date and time.` };
      const when = parseUkLocalDateTime(text);
      if (!when) {
        return {
          kind: 'problem',
          message: `"${spec.label}" must be a date and time such as 2025-03-14 09:30 (UK time).`,
        };
      }
      return { kind: 'ok', value: when.toISOString() };
    }
    case 'email-list': {
      if (text.length > spec.maxItems * 260) {
        return {
          kind: 'problem',
          message: `"${spec.label}" is too long; list at most ${spec.maxItems} addresses.`,
        };
      }
      const addresses = text
        .split(/[\s,;]+/)
        .map((address) => address.trim().toLowerCase())
        .filter(Boolean);
      const bad = addresses.filter((address) => !emailPattern.test(address));
      if (bad.length > 0) {
        return {
          kind: 'problem',
          message: `"${spec.label}" has ${bad.length === 1 ? 'an address' : 'addresses'} I cannot read: ${bad
            .slice(0, 3)
            .map((address) => address.slice(0, 60))
            .join(', ')}.`,
        };
      }
      const unique = [...new Set(addresses)];
      if (unique.length > spec.maxItems) {
        return {
          kind: 'problem',
          message: `"${spec.label}" lists ${unique.length} addresses; the limit is ${spec.maxItems}.`,
        };
      }
      return { kind: 'ok', value: unique };
    }
  }
}

/** One readable sentence for a person, from a list of field problems. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((problem) => problem.message).join(' ');
}
