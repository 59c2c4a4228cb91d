/** Cards for the DPIA checklist (one step per card) and the DPO's card in the DPO channel. */
import {
  adviceFields,
  assessmentSteps,
  decisionFields,
  dpiaChecklist,
  dpiaStepTitles,
  highestResidual,
  icoConsultationWarning,
  measureFields,
  type DpiaData,
} from '../../checklists/dpia';
import type { DpiaState } from '../../checklists/dpia-service';
import { formatUkTime } from '../../shared/uk-time';
import {
  adaptiveCard,
  facts,
  heading,
  inert,
  paragraph,
  type AdaptiveCard,
  type CardElement,
} from './common';
import {
  citationBlock,
  inputsFor,
  submitButton,
  type PrefilledValues,
  type StepEnvelope,
} from './checklist-inputs';

export const dpiaVerbs = {
  step: 'dpia.step',
  advise: 'dpia.advise',
  decide: 'dpia.decide',
  withdraw: 'dpia.withdraw',
  refresh: 'dpia.refresh',
  document: 'dpia.document',
} as const;

const ownership = 'This DPIA is yours and the DPO’s: I only collect and format what you type.';

export function dpiaStepCard(
  state: DpiaState,
  options: { warnings?: string[]; problem?: string } = {},
): AdaptiveCard {
  const envelope: StepEnvelope = {
    verb: dpiaVerbs.step,
    checklistId: state.id,
    stepId: state.stepId,
    version: state.version,
  };
  const data = state.data;
  const top: CardElement[] = [
    heading(`DPIA ${state.id}: ${dpiaStepTitles[state.stepId]}`),
    ...(options.warnings ?? []).map((warning) => paragraph(`⚠ ${warning}`, { color: 'Attention' })),
    ...(options.problem ? [paragraph(options.problem, { color: 'Attention' })] : []),
  ];
  const saved: PrefilledValues = data.answers[state.stepId] ?? {};
  const save = submitButton('Save draft', envelope, 'save');
  const back = submitButton('Back', envelope, 'back');
  switch (state.stepId) {
    case 'risks':
      return adaptiveCard(
        [
          ...top,
          ...(data.risks.length > 0
            ? [
                facts(
                  data.risks.map((risk, index) => [
                    `Risk ${index + 1} (${risk.overall})`,
                    `${risk.description} – ${risk.likelihood}, ${risk.severity}`,
                  ]),
                ),
              ]
            : [paragraph('No risks yet. Add each risk to people, one at a time.')]),
          ...inputsFor(
            dpiaChecklist.steps.risks.fields(data, 'add').map((field) => ({ ...field, required: false })),
          ),
        ],
        [
          submitButton('Add this risk', envelope, 'add'),
          submitButton('Next: measures', envelope, 'next', { associatedInputs: 'none' }),
          back,
        ],
      );
    case 'measures': {
      const prefilled: PrefilledValues = { ...saved };
      for (const measure of data.measures) {
        prefilled[`measure_${measure.riskId}`] = measure.measure;
        prefilled[`effect_${measure.riskId}`] = measure.effect;
        prefilled[`residual_${measure.riskId}`] = measure.residual;
      }
      return adaptiveCard(
        [
          ...top,
          ...data.risks.map((risk, index) =>
            paragraph(`Risk ${index + 1}: ${inert(risk.description)} (overall ${risk.overall})`, {
              weight: 'Bolder',
            }),
          ),
          ...inputsFor(measureFields(data), prefilled),
        ],
        [submitButton('Next', envelope, 'next'), save, back],
      );
    }
    case 'review':
      return adaptiveCard(
        [...top, ...summary(data), paragraph(ownership, { isSubtle: true, size: 'Small' })],
        [submitButton('Submit to the DPO', envelope, 'submit'), back],
      );
    default: {
      const step = dpiaChecklist.steps[state.stepId];
      const intro: CardElement[] = [];
      if (state.stepId === 'need' && data.screening) {
        intro.push(paragraph(`Screening result: a DPIA is **${data.screening.result}**.`));
        intro.push(
          ...data.screening.reasons.map((reason) => paragraph(`• ${inert(reason)}`, { spacing: 'None' })),
        );
        if (data.screening.citation) intro.push(citationBlock(data.screening.citation));
      }
      if (state.stepId === 'tool') intro.push(paragraph(ownership, { isSubtle: true, size: 'Small' }));
      return adaptiveCard(
        [...top, ...intro, ...inputsFor(step.fields(data, 'next'), saved)],
        [submitButton('Next', envelope, 'next'), save, ...(state.stepId === 'tool' ? [] : [back])],
      );
    }
  }
}

function summary(data: DpiaData): CardElement[] {
  const residual = highestResidual(data);
  return [
    facts([
      ['Tool', data.tool ? `${data.tool.name} (${data.tool.supplier})` : ''],
      ['Purposes', data.tool?.purposes.join('; ') ?? ''],
      ['Screening', data.screening ? `DPIA ${data.screening.result}` : ''],
      ['Risks', String(data.risks.length)],
      ['Highest residual risk', residual ?? 'n/a'],
    ]),
    ...(residual === 'high'
      ? [paragraph(`⚠ ${icoConsultationWarning}`, { color: 'Attention', weight: 'Bolder' })]
      : []),
  ];
}

/**
 * The card in the DPO channel. It uses Universal Actions (Action.Execute) so that it updates in place
 * for everyone in the channel; the version in the data makes an out-of-date card harmless.
 */
export function dpoCard(state: DpiaState): AdaptiveCard {
  const data = state.data;
  const body: CardElement[] = [
    heading(`DPIA ${data.reference} for the DPO`),
    facts([
      ['Requested by', data.requester.name],
      ['Submitted', data.submittedAtUtc ? formatUkTime(new Date(data.submittedAtUtc)) : 'not yet'],
      ['Status', data.lifecycle],
    ]),
    ...summary(data),
    ...data.advice.map((advice) =>
      paragraph(`Advice from ${inert(advice.byName)}: ${inert(advice.text)}`, { size: 'Small' }),
    ),
  ];
  const envelope = { dpiaId: data.reference, version: state.version };
  const showAssessment = {
    type: 'Action.Execute',
    title: 'Show the full assessment',
    verb: dpiaVerbs.document,
    data: envelope,
  };
  const refresh = {
    action: { type: 'Action.Execute', verb: dpiaVerbs.refresh, data: envelope },
    userIds: [] as string[],
  };
  if (data.decision) {
    body.push(
      paragraph(
        `**${data.decision.decision === 'approved' ? 'Approved' : 'Rejected'}** by ${inert(data.decision.byName)}, ${formatUkTime(new Date(data.decision.atUtc))}: ${inert(data.decision.reasons)}`,
      ),
    );
    if (data.decision.residualRiskApprovedBy)
      body.push(paragraph(`Residual risks approved by ${inert(data.decision.residualRiskApprovedBy)}.`));
    return { ...adaptiveCard(body, [showAssessment]), refresh };
  }
  if (data.lifecycle === 'withdrawn') {
    body.push(paragraph('Withdrawn by the requester. No action needed.'));
    return { ...adaptiveCard(body), refresh };
  }
  return {
    ...adaptiveCard(
      [
        ...body,
        ...inputsFor(adviceFields.map((field) => ({ ...field, required: false }))),
        ...inputsFor(decisionFields(data).map((field) => ({ ...field, required: false }))),
      ],
      [
        { type: 'Action.Execute', title: 'Record advice', verb: dpiaVerbs.advise, data: envelope },
        { type: 'Action.Execute', title: 'Record decision', verb: dpiaVerbs.decide, data: envelope },
        showAssessment,
      ],
    ),
    refresh,
  };
}

/**
 * Everything the requester wrote, for the DPO to read before advising or deciding (the DPO card
 * shows only the summary). Every answer is shown inert; "Back" returns to the DPO card.
 */
export function dpiaAssessmentCard(state: DpiaState): AdaptiveCard {
  const data = state.data;
  const answered = (stepId: string, name: string) => {
    const value = data.answers[stepId]?.[name];
    return typeof value === 'string' && value.trim() !== '' ? value : '(not answered)';
  };
  const sections: CardElement[] = assessmentSteps.flatMap((step) => [
    paragraph(step.title, { weight: 'Bolder', spacing: 'Medium' }),
    facts(
      step.fields.map((field) => {
        const value = answered(step.id, field.name);
        const title =
          field.type === 'choice'
            ? (field.choices.find((choice) => choice.value === value)?.title ?? value)
            : value;
        return [field.label, title];
      }),
    ),
  ]);
  const measureOf = (riskId: string) => data.measures.find((measure) => measure.riskId === riskId);
  return adaptiveCard(
    [
      heading(`DPIA ${data.reference}: the full assessment`),
      facts([
        ['Tool', data.tool ? `${data.tool.name} (${data.tool.supplier})` : ''],
        ['Purposes', data.tool?.purposes.join('; ') ?? ''],
        ['Requested by', data.requester.name],
        ['Screening', data.screening ? `DPIA ${data.screening.result}` : ''],
      ]),
      ...sections,
      paragraph('Risks, measures and residual risk', { weight: 'Bolder', spacing: 'Medium' }),
      facts(
        data.risks.map((risk, index) => {
          const measure = measureOf(risk.id);
          return [
            `Risk ${index + 1} (${risk.likelihood}, ${risk.severity}: ${risk.overall})`,
            `${risk.description} → ${measure ? `${measure.measure} (${measure.effect}; residual ${measure.residual})` : 'no measure'}`,
          ];
        }),
      ),
      paragraph(ownership, { isSubtle: true, size: 'Small' }),
    ],
    [
      {
        type: 'Action.Execute',
        title: 'Back',
        verb: dpiaVerbs.refresh,
        data: { dpiaId: data.reference, version: state.version },
      },
    ],
  );
}

export function dpiaSubmittedCard(state: DpiaState): AdaptiveCard {
  return adaptiveCard(
    [
      heading(`DPIA ${state.id} submitted`),
      paragraph('The DPO has it now. I will tell you here when they decide.'),
      ...summary(state.data),
    ],
    [
      {
        type: 'Action.Submit',
        title: 'Withdraw this DPIA',
        data: { verb: dpiaVerbs.withdraw, dpiaId: state.id },
      },
    ],
  );
}
