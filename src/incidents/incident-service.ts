import type { Clock } from '../shared/clock';
import type { NamedPlace } from '../shared/conversation-directory';
import type { Logger } from '../shared/logger';
import type { ConversationAddress, OutgoingMessage } from '../shared/messaging';
import { isStorageConflict, type DocumentStore } from '../storage/types';
import { icoDeadline } from './deadline';
import type { Outbox, OutboxItem, OutboxTarget } from './outbox';
import {
  incidentTypeTitles,
  type ChannelMembers,
  type DpoAction,
  type Incident,
  type IncidentEvent,
  type IncidentStatus,
  type Person,
} from './types';
import { validateReport } from './validation';

export const incidentCollections = {
  incidents: 'incidents',
  byActivity: 'incident-activities',
  counters: 'incident-counters',
  safeguarding: 'safeguarding-alerts',
} as const;

/** The outbox follow-up kind for the DPO channel card; register it with `followUpHandlers`. */
export const incidentCardFollowUp = 'incident.channel-card';

/** How incidents are worded for each audience; the Teams cards live in src/bot/cards/. */
export interface IncidentMessages {
  channelCard(incident: Incident, now: Date): OutgoingMessage;
  stuckNotice(incident: Incident): OutgoingMessage;
  /** Deliberately minimal: no detail of the concern, only who to contact. */
  dslAlert(reporterName: string): OutgoingMessage;
  examsOfficerAlert(incident: Incident): OutgoingMessage;
}

export interface SafeguardingContacts {
  dslName: string;
  dslContact: string;
  cpomsInstruction?: string;
  /** Where the DSL's alert goes: their personal chat with the bot, else the 'dsl-chat' place. */
  dslAadObjectId?: string;
  examsOfficerName?: string;
  examsOfficerAadObjectId?: string;
}

/**
 * Optional extras after a report is registered (Graph feed notification, SharePoint breach log).
 * They run from the outbox once the DPO card is delivered (or has given up), not in the reporter's
 * turn: a slow Graph must not eat Teams' 15-second budget, and a failed step is tried again on the
 * outbox's next pass until it succeeds or fails for good. Each step is recorded on the incident when
 * done, so a retry never repeats a step that already happened (no second breach-log row).
 */
export interface IncidentNotifier {
  /** Names of the steps this notifier runs, in order, e.g. ['feed', 'breach-log']. */
  readonly steps: readonly string[];
  run(step: string, incident: Incident): Promise<void>;
  /** A failure that trying again will not mend (e.g. permission refused): recorded, not retried. */
  isPermanent(error: unknown): boolean;
}

export interface Reporter extends Person {
  aadObjectId?: string;
  address?: ConversationAddress;
}

export type ReportOutcome =
  | { kind: 'recorded'; incident: Incident }
  /** The same Bot Framework activity again (a retry): the first incident, nothing new created. */
  | { kind: 'duplicate'; incident: Incident }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'safeguarding'; guidance: string };

export type ActionOutcome =
  | { kind: 'updated'; incident: Incident }
  | { kind: 'forbidden'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'stale'; message: string; incident: Incident }
  | { kind: 'invalid'; message: string; incident: Incident };

export type StatusOutcome =
  | { kind: 'found'; incident: Incident }
  | { kind: 'not-found'; message: string }
  | { kind: 'forbidden'; message: string };

export interface IncidentServiceOptions {
  store: DocumentStore;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  members: ChannelMembers;
  messages: IncidentMessages;
  contacts: SafeguardingContacts;
  notifier?: IncidentNotifier;
  /** Called after something was queued, so delivery starts without waiting for the next poll. */
  onQueued?: () => void;
}

const limits = { assignee: 200, reason: 2000, icoCaseReference: 100, note: 2000 };

/**
 * The incident register and the DPO's lifecycle: new → acknowledged → assigned → decided
 * (reportable to the ICO, yes/no with a reason) → reported (ICO case reference) → closed.
 * The register is written first; the channel card goes through the outbox afterwards.
 */
export class IncidentService {
  constructor(private readonly options: IncidentServiceOptions) {}

  async report(
    input: Record<string, unknown>,
    reporter: Reporter,
    activityId: string,
  ): Promise<ReportOutcome> {
    const now = this.options.clock.now();
    const validation = validateReport(input, now);
    if (validation.kind === 'safeguarding') return this.raiseSafeguarding(reporter, activityId);
    if (validation.kind === 'invalid') return validation;

    const { store } = this.options;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const claimed = await store.get<{ reference: string }>(incidentCollections.byActivity, activityId);
      let reference = claimed?.value.reference;
      if (reference) {
        const existing = await this.get(reference);
        if (existing) {
          await this.ensureQueued(existing);
          return { kind: 'duplicate', incident: existing };
        }
        // A crash came between claiming the activity and writing the incident: finish the job.
      } else {
        reference = await this.allocateReference(now);
        try {
          await store.put(incidentCollections.byActivity, activityId, { reference }, { ifNoneMatch: '*' });
        } catch (error) {
          if (isStorageConflict(error)) continue;
          throw error;
        }
      }
      const incident: Incident = {
        reference,
        version: 1,
        status: 'new',
        report: validation.report,
        reporter: { id: reporter.id, name: reporter.name },
        reporterAadObjectId: reporter.aadObjectId,
        reporterAddress: reporter.address,
        reportedAt: now.toISOString(),
        icoDeadline: icoDeadline(new Date(validation.report.discoveredAt)).toISOString(),
        sourceActivityId: activityId,
        events: [{ at: now.toISOString(), by: { id: reporter.id, name: reporter.name }, action: 'reported' }],
      };
      try {
        await store.put(incidentCollections.incidents, reference, incident, { ifNoneMatch: '*' });
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
        const existing = await this.get(reference);
        if (existing) return { kind: 'duplicate', incident: existing };
        continue;
      }
      this.options.logger.log('info', 'incident.recorded', { reference, type: incident.report.type });
      await this.ensureQueued(incident);
      await this.alertExamsOfficer(incident);
      return { kind: 'recorded', incident };
    }
    throw new Error('Could not record the incident: storage kept refusing the write');
  }

  async get(reference: string): Promise<Incident | undefined> {
    return (await this.options.store.get<Incident>(incidentCollections.incidents, reference.toUpperCase()))
      ?.value;
  }

  async list(): Promise<Incident[]> {
    return (await this.options.store.list<Incident>(incidentCollections.incidents)).map(
      (document) => document.value,
    );
  }

  /** The reporter and members of the DPO channel may see an incident's status; nobody else. */
  async status(reference: string, asker: { id: string; aadObjectId?: string }): Promise<StatusOutcome> {
    const incident = await this.get(reference);
    if (!incident)
      return { kind: 'not-found', message: `I cannot find an incident ${reference.slice(0, 40)}.` };
    const isReporter = incident.reporter.id === asker.id || incident.reporter.id === asker.aadObjectId;
    if (!isReporter && !(await this.options.members.isMember(asker))) {
      return {
        kind: 'forbidden',
        message: 'Only the person who reported it and the DPO team can see that incident.',
      };
    }
    return { kind: 'found', incident };
  }

  /**
   * A DPO action from the channel card. `version` is the one on the card that was pressed: if the
   * incident has moved on since, the action is refused and nothing changes (replays, stale cards).
   */
  async act(
    actor: Person & { aadObjectId?: string },
    reference: string,
    version: number,
    action: DpoAction,
  ): Promise<ActionOutcome> {
    if (!(await this.options.members.isMember(actor))) {
      this.options.logger.log('warn', 'incident.action-refused', {
        reference: reference.slice(0, 40),
        action: action.kind,
      });
      return {
        kind: 'forbidden',
        message: 'Only members of the DPO channel can act on incident reports. Nothing was changed.',
      };
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const document = await this.options.store.get<Incident>(
        incidentCollections.incidents,
        reference.toUpperCase(),
      );
      if (!document)
        return { kind: 'not-found', message: `I cannot find an incident ${reference.slice(0, 40)}.` };
      const incident = document.value;
      if (version !== incident.version) {
        return {
          kind: 'stale',
          incident,
          message: `This card is out of date: ${incident.reference} has moved on (now ${incident.status}). Nothing was changed; here is the current card.`,
        };
      }
      const now = this.options.clock.now().toISOString();
      const by: Person = { id: actor.id, name: actor.name.slice(0, 200) };
      const transition = applyAction(incident, action, by, now);
      if (transition.kind === 'invalid') return { ...transition, incident };
      const updated: Incident = {
        ...transition.incident,
        version: incident.version + 1,
        events: [...incident.events, transition.event],
      };
      try {
        await this.options.store.put(incidentCollections.incidents, incident.reference, updated, {
          ifMatch: document.etag,
        });
      } catch (error) {
        if (isStorageConflict(error)) continue;
        throw error;
      }
      this.options.logger.log('info', 'incident.updated', {
        reference: incident.reference,
        action: action.kind,
        status: updated.status,
      });
      await this.queueCardUpdate(updated);
      return { kind: 'updated', incident: updated };
    }
    throw new Error(`Incident ${reference} kept changing while it was being updated`);
  }

  /**
   * Makes sure every registered incident whose card is not known to be posted has its outbox item;
   * run at start-up so that a crash between the register write and the enqueue loses nothing.
   */
  async reconcile(): Promise<number> {
    let queued = 0;
    for (const incident of await this.list()) {
      if (!incident.channelCardActivityId && !incident.deliveryStuck) {
        if (await this.ensureQueued(incident)) queued += 1;
      }
    }
    return queued;
  }

  /** Outbox follow-ups for the channel card: remember its activity id, or tell the reporter it is stuck. */
  followUpHandlers() {
    return {
      delivered: async (item: OutboxItem) => {
        const reference = item.onDelivered?.data.reference;
        if (!reference || !item.deliveredActivityId || item.operation.kind !== 'send') return;
        // A card that was stuck and retried later (the DPO channel became known) is no longer stuck.
        await this.modify(reference, (incident) =>
          incident.channelCardActivityId
            ? undefined
            : { ...incident, channelCardActivityId: item.deliveredActivityId, deliveryStuck: undefined },
        );
        await this.runNotifier(reference);
      },
      stuck: async (item: OutboxItem) => {
        const reference = item.onStuck?.data.reference;
        if (!reference || item.operation.kind !== 'send') return;
        const incident = await this.modify(reference, (current) =>
          current.deliveryStuck ? undefined : { ...current, deliveryStuck: true },
        );
        // The breach log must not wait for the channel: it is written even when the card is stuck.
        await this.runNotifier(reference);
        if (!incident) return;
        const target: OutboxTarget | undefined = incident.reporterAddress
          ? { kind: 'address', address: incident.reporterAddress }
          : incident.reporterAadObjectId
            ? { kind: 'person', aadObjectId: incident.reporterAadObjectId }
            : undefined;
        if (target) {
          await this.options.outbox.enqueue({
            id: `incident-stuck-notice:${reference}`,
            target,
            message: this.options.messages.stuckNotice(incident),
          });
          this.options.onQueued?.();
        }
      },
    };
  }

  private async raiseSafeguarding(reporter: Reporter, activityId: string): Promise<ReportOutcome> {
    const contacts = this.options.contacts;
    const guidance = [
      `Please speak to ${contacts.dslName} now: ${contacts.dslContact}.`,
      'Do not write the details here or in any AI tool, and do not wait for a reply from me.',
      ...(contacts.cpomsInstruction ? [contacts.cpomsInstruction] : []),
      `I have let ${contacts.dslName} know that you raised a concern, without any details, so they can contact you.`,
    ].join(' ');
    // Only who raised it and when: the concern itself is never stored, logged or forwarded.
    try {
      await this.options.store.put(
        incidentCollections.safeguarding,
        activityId,
        { at: this.options.clock.now().toISOString(), raisedBy: { id: reporter.id, name: reporter.name } },
        { ifNoneMatch: '*' },
      );
    } catch (error) {
      if (isStorageConflict(error)) return { kind: 'safeguarding', guidance };
      throw error;
    }
    const target: OutboxTarget = contacts.dslAadObjectId
      ? { kind: 'person', aadObjectId: contacts.dslAadObjectId }
      : { kind: 'place', place: 'dsl-chat' satisfies NamedPlace };
    await this.options.outbox.enqueue({
      id: `safeguarding-alert:${activityId}`,
      target,
      message: this.options.messages.dslAlert(reporter.name),
    });
    this.options.onQueued?.();
    this.options.logger.log('info', 'safeguarding.alert-queued', {});
    return { kind: 'safeguarding', guidance };
  }

  private async alertExamsOfficer(incident: Incident): Promise<void> {
    const contacts = this.options.contacts;
    if (incident.report.type !== 'exam-malpractice' || !contacts.examsOfficerName) return;
    await this.options.outbox.enqueue({
      id: `incident-exams-officer:${incident.reference}`,
      target: contacts.examsOfficerAadObjectId
        ? { kind: 'person', aadObjectId: contacts.examsOfficerAadObjectId }
        : { kind: 'place', place: 'exams-officer-chat' },
      message: this.options.messages.examsOfficerAlert(incident),
    });
    this.options.onQueued?.();
  }

  /** Create-once, so calling it again (retried activity, reconcile after restart) queues nothing new. */
  private async ensureQueued(incident: Incident): Promise<boolean> {
    if (incident.channelCardActivityId) return false;
    const result = await this.options.outbox.enqueue({
      id: `incident-card:${incident.reference}`,
      target: { kind: 'place', place: 'dpo-channel' },
      message: this.options.messages.channelCard(incident, this.options.clock.now()),
      onDelivered: { kind: incidentCardFollowUp, data: { reference: incident.reference } },
      onStuck: { kind: incidentCardFollowUp, data: { reference: incident.reference } },
    });
    if (result.kind === 'queued') this.options.onQueued?.();
    return result.kind === 'queued';
  }

  /** Everyone in the channel sees the current state: the posted card is replaced in place. */
  private async queueCardUpdate(incident: Incident): Promise<void> {
    if (!incident.channelCardActivityId) return;
    await this.options.outbox.enqueueLatest({
      id: `incident-card-update:${incident.reference}`,
      target: { kind: 'place', place: 'dpo-channel' },
      operation: { kind: 'update', activityId: incident.channelCardActivityId },
      message: this.options.messages.channelCard(incident, this.options.clock.now()),
    });
    this.options.onQueued?.();
  }

  /** A small update that does not bump the version (delivery bookkeeping, not a DPO decision). */
  /** Runs the notifier's steps not yet recorded; throws if one may succeed later, so the outbox retries. */
  private async runNotifier(reference: string): Promise<void> {
    const notifier = this.options.notifier;
    if (!notifier) return;
    let retryLater: unknown;
    for (const step of notifier.steps) {
      const incident = await this.get(reference);
      if (!incident || incident.notifications?.[step]) continue;
      let outcome: 'done' | 'failed' = 'done';
      let detail: string | undefined;
      try {
        await notifier.run(step, incident);
      } catch (error) {
        detail = error instanceof Error ? error.message.slice(0, 200) : 'unknown';
        this.options.logger.log('warn', 'incident.notifier-failed', { reference, step, error: detail });
        if (!notifier.isPermanent(error)) {
          retryLater ??= error;
          continue;
        }
        outcome = 'failed';
      }
      const at = this.options.clock.now().toISOString();
      await this.modify(reference, (current) => ({
        ...current,
        notifications: { ...current.notifications, [step]: { at, outcome, ...(detail ? { detail } : {}) } },
      }));
    }
    if (retryLater !== undefined) throw retryLater;
  }

  private async modify(
    reference: string,
    change: (incident: Incident) => Incident | undefined,
  ): Promise<Incident | undefined> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const document = await this.options.store.get<Incident>(incidentCollections.incidents, reference);
      if (!document) return undefined;
      const changed = change(document.value);
      if (!changed) return undefined;
      try {
        await this.options.store.put(incidentCollections.incidents, reference, changed, {
          ifMatch: document.etag,
        });
        return changed;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    return undefined;
  }

  /** INC-2026-0001: a per-year counter advanced under an ETag condition, so instances never share a number. */
  private async allocateReference(now: Date): Promise<string> {
    const year = String(now.getUTCFullYear());
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const counter = await this.options.store.get<{ last: number }>(incidentCollections.counters, year);
      const next = (counter?.value.last ?? 0) + 1;
      try {
        await this.options.store.put(
          incidentCollections.counters,
          year,
          { last: next },
          counter ? { ifMatch: counter.etag } : { ifNoneMatch: '*' },
        );
        return `INC-${year}-${String(next).padStart(4, '0')}`;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    throw new Error('Could not allocate an incident reference: the counter kept changing');
  }
}

const allowedFrom: Record<DpoAction['kind'], IncidentStatus[]> = {
  acknowledge: ['new'],
  assign: ['new', 'acknowledged', 'assigned'],
  decide: ['acknowledged', 'assigned'],
  'mark-reported': ['decided'],
  close: ['decided', 'reported'],
};

const statusAfter: Record<DpoAction['kind'], IncidentStatus> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  decide: 'decided',
  'mark-reported': 'reported',
  close: 'closed',
};

function required(value: string, limit: number, what: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return `${what} is needed.`;
  if (trimmed.length > limit) return `${what} is too long (over ${limit} characters).`;
  return undefined;
}

/** The lifecycle rules, pure: which action is allowed when, and what it records. */
export function applyAction(
  incident: Incident,
  action: DpoAction,
  by: Person,
  at: string,
): { kind: 'ok'; incident: Incident; event: IncidentEvent } | { kind: 'invalid'; message: string } {
  if (!allowedFrom[action.kind].includes(incident.status)) {
    return {
      kind: 'invalid',
      message: `${incident.reference} is ${incident.status}; that action is not possible now. Nothing was changed.`,
    };
  }
  const next: Incident = { ...incident, status: statusAfter[action.kind] };
  switch (action.kind) {
    case 'acknowledge':
      return { kind: 'ok', incident: next, event: { at, by, action: 'acknowledged' } };
    case 'assign': {
      const problem = required(action.assignee, limits.assignee, 'The name of the person to assign it to');
      if (problem) return { kind: 'invalid', message: problem };
      const assignee = action.assignee.trim();
      return {
        kind: 'ok',
        incident: { ...next, assignee },
        event: { at, by, action: 'assigned', detail: assignee },
      };
    }
    case 'decide': {
      const problem = required(action.reason, limits.reason, 'A reason for the decision');
      if (problem) return { kind: 'invalid', message: problem };
      const reason = action.reason.trim();
      return {
        kind: 'ok',
        incident: {
          ...next,
          decision: { reportable: action.reportable, reason, decidedAt: at, decidedBy: by },
        },
        event: {
          at,
          by,
          action: 'decided',
          detail: `${action.reportable ? 'Reportable' : 'Not reportable'}: ${reason}`,
        },
      };
    }
    case 'mark-reported': {
      if (!incident.decision?.reportable) {
        return {
          kind: 'invalid',
          message: `${incident.reference} was decided not reportable; close it instead. Nothing was changed.`,
        };
      }
      const problem = required(action.icoCaseReference, limits.icoCaseReference, 'The ICO case reference');
      if (problem) return { kind: 'invalid', message: problem };
      const icoCaseReference = action.icoCaseReference.trim();
      return {
        kind: 'ok',
        incident: { ...next, icoCaseReference },
        event: { at, by, action: 'reported-to-ico', detail: icoCaseReference },
      };
    }
    case 'close': {
      if (incident.status === 'decided' && incident.decision?.reportable) {
        return {
          kind: 'invalid',
          message: `${incident.reference} was decided reportable: record the ICO case reference before closing. Nothing was changed.`,
        };
      }
      const note = action.note?.trim();
      if (note && note.length > limits.note)
        return { kind: 'invalid', message: 'The closing note is too long.' };
      return { kind: 'ok', incident: next, event: { at, by, action: 'closed', detail: note || undefined } };
    }
  }
}

export function describeIncidentType(incident: Incident): string {
  return incidentTypeTitles[incident.report.type];
}
