import {
  completedCard,
  meetingNoticeCard,
  notetakerStepCard,
  stoppedCard,
} from '../../src/bot/cards/checklist-notetaker';
import { dpiaStepCard, dpoCard } from '../../src/bot/cards/dpia-cards';
import type { Actor } from '../../src/checklists/engine';
import { dpo, joinUrl, organiser, organiserAddress, participant, world } from '../checklists/fixtures';

type Card = Record<string, unknown>;
type Element = Record<string, unknown>;

function elements(card: Card): Element[] {
  const found: Element[] = [];
  const walk = (items: unknown) => {
    if (!Array.isArray(items)) return;
    for (const item of items as Element[]) {
      found.push(item);
      walk(item.items);
    }
  };
  walk(card.body);
  return found;
}

function inputIds(card: Card): string[] {
  return elements(card)
    .filter((element) => String(element.type).startsWith('Input.'))
    .map((element) => element.id as string);
}

/**
 * What Teams sends when a button is pressed: the button's data merged with the card's inputs.
 * Fails if the test fills an input the card does not have, so the cards and the flow cannot drift.
 */
function press(card: Card, title: string, inputs: Record<string, unknown> = {}): Record<string, unknown> {
  const actions = (card.actions ?? []) as Element[];
  const action = actions.find((candidate) => candidate.title === title);
  if (!action)
    throw new Error(
      `No button "${title}" on the card: ${actions.map((candidate) => candidate.title).join(', ')}`,
    );
  const ids = inputIds(card);
  for (const name of Object.keys(inputs))
    if (!ids.includes(name)) throw new Error(`The card has no input "${name}" (has ${ids.join(', ')})`);
  // Teams sends every input's current value, prefilled ones included, unless the button opts out.
  const prefilled =
    action.associatedInputs === 'none'
      ? {}
      : Object.fromEntries(
          elements(card)
            .filter((element) => String(element.type).startsWith('Input.') && element.value !== undefined)
            .map((element) => [element.id as string, element.value]),
        );
  return { ...(action.data as Record<string, unknown>), ...prefilled, ...inputs };
}

function everyInputLabelled(card: Card): void {
  for (const element of elements(card).filter((item) => String(item.type).startsWith('Input.'))) {
    expect(typeof element.label === 'string' && (element.label as string).length > 0).toBe(true);
  }
}

describe('notetaker cards, driven as Teams would', () => {
  test('the whole flow runs from the cards: every button carries the step and version, stale cards are refused', async () => {
    const w = await world();
    const act = async (actor: Actor, data: Record<string, unknown>) => w.notetaker.submit(actor, data);
    let state = await w.notetaker.start(organiser, organiserAddress);
    let card = notetakerStepCard(state, w.rules);
    everyInputLabelled(card);
    const meetingCard = card;
    let outcome = await act(
      organiser,
      press(card, 'Next', {
        title: 'Staff <b>briefing</b>',
        start: '2025-03-12 08:15',
        joinUrl,
        participants: 'x@partner.org',
      }),
    );
    if (outcome.kind !== 'advanced') throw new Error(outcome.kind);
    state = outcome.state;
    card = notetakerStepCard(state, w.rules);
    expect(JSON.stringify(card)).toContain('Staff \\\\<b\\\\>briefing\\\\</b\\\\>');
    expect(
      (await act(organiser, press(meetingCard, 'Next', { title: 'again', start: '2025-03-12 08:15' }))).kind,
    ).toBe('stale');

    outcome = await act(
      organiser,
      press(card, 'Check this tool', { toolId: 'microsoft-teams-transcription' }),
    );
    if (outcome.kind !== 'advanced') throw new Error(outcome.kind);
    card = notetakerStepCard(outcome.state, w.rules);
    const noticeInputs = elements(card).filter((element) => element.id === 'retention');
    expect(noticeInputs[0].value).toBe(w.rules.notetaker.defaultRetention);
    outcome = await act(
      organiser,
      press(card, 'Send the notice', { purpose: 'Minutes', retention: '30 days', delivery: 'meeting-chat' }),
    );
    if (outcome.kind !== 'advanced') throw new Error(outcome.kind);
    expect(w.messenger.sent[0].address.conversationId).toBe('19:meeting_NzQ1Yjk2@thread.v2');

    const notice = meetingNoticeCard({
      checklistId: state.id,
      meetingTitle: 'Staff briefing',
      meetingStartUtc: '2025-03-12T08:15:00Z',
      organiserName: organiser.name,
      toolName: 'Microsoft Teams transcription',
      supplier: 'Microsoft',
      purpose: 'Minutes',
      retention: '30 days',
      externalLine: w.rules.notetaker.externalAttendeeLine,
    });
    expect(JSON.stringify(notice)).toContain('please do not use your own AI notetaker');
    const objection = await w.notetaker.object(
      participant,
      press(notice, 'I object', { reason: 'Not comfortable' }),
    );
    if (objection.kind !== 'recorded') throw new Error(objection.kind);

    card = notetakerStepCard(objection.state, w.rules);
    expect(JSON.stringify(card)).toContain('Pat Participant');
    outcome = await act(
      organiser,
      press(card, 'Record decision', {
        objectionId: objection.objection.id,
        decision: 'reschedule',
        reason: 'Will find a time',
      }),
    );
    if (outcome.kind !== 'advanced') throw new Error(outcome.kind);
    card = notetakerStepCard(outcome.state, w.rules);
    const closed = await act(organiser, press(card, 'Close the checklist'));
    if (closed.kind !== 'completed') throw new Error(closed.kind);
    expect(JSON.stringify(completedCard(closed.state))).toContain('Meeting to be rescheduled');
  });

  test('a stop card cites the trust policy and offers a DPIA as a typed command', async () => {
    const w = await world();
    const card = stoppedCard({
      code: 'no-dpia',
      message: 'X has no DPIA',
      citation: w.rules.citations['notetaker-prior-dpia'],
      offer: { kind: 'start-dpia', toolName: 'Read.ai' },
    });
    const text = JSON.stringify(card);
    expect(text).toContain('section 4.2');
    expect(card.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Start a DPIA for Read.ai',
        data: { msteams: { type: 'imBack', value: 'start a dpia for Read.ai' } },
      },
    ]);
  });
});

describe('DPIA cards', () => {
  test('the step cards drive a DPIA to submission; the DPO card uses Universal Actions with the version', async () => {
    const w = await world();
    let state = await w.dpia.start(organiser, organiserAddress, 'Notely');
    let card = dpiaStepCard(state);
    everyInputLabelled(card);
    expect(elements(card).find((element) => element.id === 'toolName')?.value).toBe('Notely');
    const submitAnswers = async (title: string, inputs: Record<string, unknown>) => {
      const outcome = await w.dpia.submit(organiser, press(card, title, inputs));
      if (outcome.kind !== 'advanced' && outcome.kind !== 'completed')
        throw new Error(`${outcome.kind}: ${'message' in outcome ? outcome.message : ''}`);
      state = outcome.state;
      card = outcome.kind === 'advanced' ? dpiaStepCard(state) : card;
    };
    await submitAnswers('Next', {
      toolName: 'Notely',
      supplier: 'Notely Ltd',
      purposes: 'meeting notes',
      users: 'staff',
      meetingNotetaker: 'true',
    });
    expect(elements(card).find((element) => element.id === 'edpbVulnerable')?.value).toBe('true');
    await submitAnswers('Next', {});
    expect(JSON.stringify(card)).toContain('a DPIA is **required**');
    for (let guard = 0; guard < 5 && !['risks'].includes(state.stepId); guard += 1) {
      const inputs = Object.fromEntries(
        inputIds(card).map((id) => [id, id === 'lawfulBasis' ? 'public-task' : `Answer for ${id}`]),
      );
      await submitAnswers('Next', inputs);
    }
    expect(state.stepId).toBe('risks');
    await submitAnswers('Add this risk', {
      description: 'Voices recorded',
      likelihood: 'probable',
      severity: 'significant',
    });
    await submitAnswers('Next: measures', {});
    const riskId = state.data.risks[0].id;
    await submitAnswers('Next', {
      [`measure_${riskId}`]: 'Consent and deletion',
      [`effect_${riskId}`]: 'reduced',
      [`residual_${riskId}`]: 'low',
    });
    await submitAnswers('Submit to the DPO', {});
    expect(state.data.lifecycle).toBe('submitted');

    const forDpo = dpoCard(state);
    const decide = (forDpo.actions as Element[]).find((action) => action.title === 'Record decision');
    expect(decide).toMatchObject({
      type: 'Action.Execute',
      verb: 'dpia.decide',
      data: { dpiaId: state.id, version: state.version },
    });
    expect(forDpo.refresh).toBeDefined();
    const outcome = await w.dpia.decide(dpo, {
      ...(decide?.data as Record<string, unknown>),
      decision: 'approved',
      reasons: 'ok',
      residualRiskApprovedBy: 'Head',
    });
    expect(outcome.kind).toBe('decided');
    // Once decided, the DPO can still read the assessment but not act again.
    if (outcome.kind === 'decided')
      expect((dpoCard(outcome.state).actions as Element[]).map((action) => action.verb)).toEqual([
        'dpia.document',
      ]);
  });
});
