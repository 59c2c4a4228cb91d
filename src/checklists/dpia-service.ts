/**
 * Runs DPIAs for the bot: saves a draft after every step (ETag-guarded), hands submits to the pure
 * engine, applies DPO actions, and writes decisions into the AI tool register. Plain inputs and
 * outcomes; src/bot/ turns outcomes into cards and proactive messages.
 */
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { ConversationAddress } from '../shared/messaging';
import { isStorageConflict, type DocumentStore } from '../storage/types';
import type { ToolRecord, ToolRegister } from '../registers/tool-register';
import {
  readStepSubmit,
  startChecklist,
  submitStep,
  type Actor,
  type ChecklistState,
  type SubmitOutcome,
} from './engine';
import {
  decideDpia,
  dpiaChecklist,
  newDpiaData,
  recordAdvice,
  withdrawDpia,
  type DpiaContext,
  type DpiaData,
  type DpoActionOutcome,
} from './dpia';
import { dpiaDocx, dpiaJson, dpiaMarkdown } from './dpia-document';
import type { DpoDirectory } from './people';
import type { TrustRules } from './trust-rules';

export const dpiaCollection = 'dpia';

export type DpiaState = ChecklistState<DpiaData>;

export interface DpiaServiceOptions {
  store: DocumentStore;
  register: ToolRegister;
  rules: TrustRules;
  clock: Clock;
  ids: IdGenerator;
  dpoDirectory: DpoDirectory;
  logger?: Logger;
}

export type DpiaSubmitOutcome = SubmitOutcome<DpiaData> | { kind: 'not-found'; message: string };

export type DpiaActionOutcome =
  (DpoActionOutcome & { registerEntry?: ToolRecord }) | { kind: 'not-found'; message: string };

export interface DpiaDocuments {
  markdown: string;
  docx: Buffer;
  json: string;
  baseName: string;
}

export class DpiaService {
  constructor(private readonly options: DpiaServiceOptions) {}

  async start(
    requester: Actor,
    requesterAddress?: ConversationAddress,
    toolName?: string,
  ): Promise<DpiaState> {
    const reference = `DPIA-${this.options.ids.next()}`;
    const state = startChecklist(dpiaChecklist, {
      id: reference,
      owner: requester,
      now: this.options.clock.now(),
      data: newDpiaData(reference, requester, requesterAddress, toolName),
    });
    await this.options.store.put(dpiaCollection, state.id, state, { ifNoneMatch: '*' });
    return state;
  }

  async get(id: unknown): Promise<DpiaState | undefined> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return undefined;
    return (await this.options.store.get<DpiaState>(dpiaCollection, id))?.value;
  }

  /** The requester's DPIAs still being written, to resume; newest first. */
  async draftsOf(requester: Actor): Promise<DpiaState[]> {
    return (await this.all())
      .filter((state) => state.ownerId === requester.id && state.data.lifecycle === 'draft')
      .sort((a, b) => b.updatedAtUtc.localeCompare(a.updatedAtUtc));
  }

  async all(): Promise<DpiaState[]> {
    return (await this.options.store.list<DpiaState>(dpiaCollection)).map((document) => document.value);
  }

  /** Submitted DPIAs whose DPO channel card is not known to be posted; queued again at start-up. */
  async awaitingDpoCard(): Promise<DpiaState[]> {
    return (await this.all()).filter(
      (state) => state.data.lifecycle === 'submitted' && !state.data.dpoCardActivityId,
    );
  }

  /** Remembers the DPO channel card so it can be updated in place; not a change anyone made, so no version bump. */
  async recordDpoCard(id: string, activityId: string): Promise<DpiaState | undefined> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await this.options.store.get<DpiaState>(dpiaCollection, id);
      if (!stored) return undefined;
      if (stored.value.data.dpoCardActivityId === activityId) return stored.value;
      const next: DpiaState = {
        ...stored.value,
        data: { ...stored.value.data, dpoCardActivityId: activityId },
      };
      try {
        await this.options.store.put(dpiaCollection, id, next, { ifMatch: stored.etag });
        return next;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    return undefined;
  }

  async submit(actor: Actor, raw: unknown): Promise<DpiaSubmitOutcome> {
    const envelope = readStepSubmit(raw);
    if (envelope.kind === 'invalid') return { kind: 'invalid', message: envelope.message, problems: [] };
    const submit = envelope.submit;
    const stored = await this.options.store.get<DpiaState>(dpiaCollection, submit.checklistId);
    if (!stored)
      return { kind: 'not-found', message: 'I cannot find that DPIA. Start a new one with "start a dpia".' };
    const context: DpiaContext = {
      now: this.options.clock.now(),
      rules: this.options.rules,
      newId: () => this.options.ids.next(),
    };
    const outcome = submitStep(dpiaChecklist, stored.value, submit, actor, context, context.now);
    if (!('state' in outcome)) return outcome;
    try {
      await this.options.store.put(dpiaCollection, stored.key, outcome.state, { ifMatch: stored.etag });
    } catch (error) {
      // The only writer of a draft is its requester, so a conflict means a second card raced this one.
      if (isStorageConflict(error))
        return {
          kind: 'stale',
          message: 'This step has moved on: use the latest card.',
          current: stored.value,
        };
      throw error;
    }
    if (outcome.kind === 'completed') await this.writeToRegister(outcome.state);
    this.options.logger?.log('info', 'dpia.step', {
      dpia: stored.key,
      step: submit.stepId,
      outcome: outcome.kind,
    });
    return outcome;
  }

  async advise(actor: Actor, raw: unknown): Promise<DpiaActionOutcome> {
    return this.dpoAction(actor, raw, async (state, isDpo, values, now) =>
      recordAdvice(state, actor, isDpo, values, now),
    );
  }

  async decide(actor: Actor, raw: unknown): Promise<DpiaActionOutcome> {
    return this.dpoAction(actor, raw, async (state, isDpo, values, now) =>
      decideDpia(state, actor, isDpo, values, now),
    );
  }

  async withdraw(actor: Actor, raw: unknown): Promise<DpiaActionOutcome> {
    return this.dpoAction(actor, raw, async (state, _isDpo, _values, now) => withdrawDpia(state, actor, now));
  }

  async documents(state: DpiaState): Promise<DpiaDocuments> {
    return {
      markdown: dpiaMarkdown(state),
      docx: await dpiaDocx(state),
      json: dpiaJson(state),
      baseName: state.data.reference,
    };
  }

  private async dpoAction(
    actor: Actor,
    raw: unknown,
    act: (
      state: DpiaState,
      isDpo: boolean,
      values: Record<string, unknown>,
      now: Date,
    ) => Promise<DpoActionOutcome>,
  ): Promise<DpiaActionOutcome> {
    const values = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
      string,
      unknown
    >;
    const id = values.dpiaId ?? values.checklistId;
    const stored =
      typeof id === 'string' && id.length <= 100 && id.length > 0
        ? await this.options.store.get<DpiaState>(dpiaCollection, id)
        : undefined;
    if (!stored) return { kind: 'not-found', message: 'I cannot find that DPIA.' };
    const isDpo = await this.options.dpoDirectory.isDpo(actor);
    const outcome = await act(stored.value, isDpo, values, this.options.clock.now());
    if (!('state' in outcome)) return outcome;
    try {
      await this.options.store.put(dpiaCollection, stored.key, outcome.state, { ifMatch: stored.etag });
    } catch (error) {
      // Two DPO members pressed at once: the second sees what the first did.
      if (!isStorageConflict(error)) throw error;
      const current =
        (await this.options.store.get<DpiaState>(dpiaCollection, stored.key))?.value ?? stored.value;
      return act(current, isDpo, { ...values, version: -1 }, this.options.clock.now()).then((again) =>
        again.kind === 'stale'
          ? { kind: 'stale', message: 'This DPIA changed at the same moment. Use the latest card.', current }
          : again,
      );
    }
    this.options.logger?.log('info', 'dpia.action', { dpia: stored.key, outcome: outcome.kind });
    if (outcome.kind === 'decided')
      return { ...outcome, registerEntry: await this.writeToRegister(outcome.state) };
    if (outcome.kind === 'withdrawn-now') await this.writeToRegister(outcome.state);
    return outcome;
  }

  private async writeToRegister(state: DpiaState): Promise<ToolRecord | undefined> {
    const { tool, decision, reference, lifecycle } = state.data;
    if (!tool) return undefined;
    if (lifecycle === 'withdrawn' || lifecycle === 'draft') {
      const existing = await this.options.register.findByName(tool.name);
      // Only clear the register status this DPIA itself put there.
      if (!existing || existing.dpia.reference !== reference || existing.dpia.status !== 'submitted')
        return existing;
    }
    const now = this.options.clock.now();
    const review = new Date(now);
    review.setUTCMonth(review.getUTCMonth() + this.options.rules.dpia.reviewAfterMonths);
    const status =
      lifecycle === 'approved'
        ? 'approved'
        : lifecycle === 'rejected'
          ? 'rejected'
          : lifecycle === 'submitted'
            ? 'submitted'
            : 'none';
    return this.options.register.recordDpia({
      toolName: tool.name,
      supplier: tool.supplier,
      purposes: tool.purposes,
      approvedUsers: {
        staff: tool.users !== 'pupils',
        pupils: tool.users !== 'staff',
        ageRange: tool.ageRange,
      },
      dpiaReference: reference,
      status,
      approvalDate: lifecycle === 'approved' ? now.toISOString().slice(0, 10) : undefined,
      reviewDate: lifecycle === 'approved' ? review.toISOString().slice(0, 10) : undefined,
      conditions: [
        ...(decision?.conditions ?? []),
        ...(decision?.icoConsultation ? [`ICO prior consultation: ${decision.icoConsultation}`] : []),
      ],
      notes: lifecycle === 'withdrawn' ? `DPIA ${reference} was withdrawn.` : undefined,
      meetingNotetaker: tool.meetingNotetaker,
    });
  }
}
