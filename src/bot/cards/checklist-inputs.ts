/**
 * Turns checklist field specs into Adaptive Card inputs, so the card a person fills in is drawn from
 * the same data the engine validates against. Every input has a label and every choice a title, so
 * the cards also read well as text in `npm run chat`.
 */
import type { FieldSpec } from '../../checklists/fields';
import { inert, paragraph, type CardElement } from './common';

export type PrefilledValues = Record<string, string | boolean | string[] | undefined>;

export function inputFor(field: FieldSpec, value: PrefilledValues[string]): CardElement {
  const common = {
    id: field.name,
    label: field.label,
    isRequired: field.required,
    errorMessage: `${field.label}: please check this answer.`,
  };
  switch (field.type) {
    case 'text':
      return {
        type: 'Input.Text',
        ...common,
        maxLength: field.maxLength,
        isMultiline: field.multiline ?? false,
        ...(field.placeholder ? { placeholder: field.placeholder } : {}),
        ...(typeof value === 'string' ? { value } : {}),
      };
    case 'choice':
      return {
        type: 'Input.ChoiceSet',
        ...common,
        style: field.style ?? (field.choices.length > 4 ? 'compact' : 'expanded'),
        choices: field.choices.map((choice) => ({ title: choice.title, value: choice.value })),
        ...(typeof value === 'string' ? { value } : {}),
      };
    case 'yes-no':
      return {
        type: 'Input.Toggle',
        ...common,
        title: field.label,
        valueOn: 'true',
        valueOff: 'false',
        value: String(typeof value === 'boolean' ? value : field.defaultValue),
        wrap: true,
      };
    case 'uk-date-time':
      return {
        type: 'Input.Text',
        ...common,
        placeholder: 'yyyy-mm-dd hh:mm (UK time)',
        ...(typeof value === 'string' ? { value } : {}),
      };
    case 'email-list':
      return {
        type: 'Input.Text',
        ...common,
        isMultiline: true,
        placeholder: 'name@school.org.uk, another@example.org',
        ...(Array.isArray(value) ? { value: value.join(', ') } : typeof value === 'string' ? { value } : {}),
      };
  }
}

export function inputsFor(fields: FieldSpec[], values: PrefilledValues = {}): CardElement[] {
  return fields.flatMap((field) => [
    inputFor(field, values[field.name]),
    ...(field.hint ? [paragraph(field.hint, { isSubtle: true, size: 'Small', spacing: 'None' })] : []),
  ]);
}

/** What every checklist button sends back: the route (verb), the checklist, the step and the version it was drawn at. */
export interface StepEnvelope {
  verb: string;
  checklistId: string;
  stepId: string;
  version: number;
}

export function submitButton(
  title: string,
  envelope: StepEnvelope,
  action: string,
  options: { associatedInputs?: 'auto' | 'none' } = {},
): CardElement {
  return {
    type: 'Action.Submit',
    title,
    data: { ...envelope, action },
    ...(options.associatedInputs === 'none' ? { associatedInputs: 'none' } : {}),
  };
}

/** A citation from the trust's policy, as a quoted block. */
export function citationBlock(citation: {
  document: string;
  section: string;
  heading: string;
  quote: string;
}): CardElement {
  return {
    type: 'Container',
    style: 'emphasis',
    items: [
      paragraph(
        `${inert(citation.document)}, section ${inert(citation.section)}: ${inert(citation.heading)}`,
        { weight: 'Bolder', size: 'Small' },
      ),
      paragraph(`“${inert(citation.quote)}”`, { isSubtle: true, size: 'Small' }),
    ],
  };
}
