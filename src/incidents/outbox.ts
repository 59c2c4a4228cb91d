import type { Clock } from '../shared/clock';
import type { ConversationDirectory, NamedPlace } from '../shared/conversation-directory';
import type { Logger } from '../shared/logger';
import {
  DeliveryError,
  type ConversationAddress,
  type DeliveryFailure,
  type Messenger,
  type OutgoingMessage,
} from '../shared/messaging';
import { isStorageConflict, type DocumentStore, type StoredDocument } from '../storage/types';

/**
 * "Nothing lost" delivery of proactive messages (incident cards, DPIA cards, alerts). A caller
 * writes its own record first, then enqueues here; the processor delivers with retries, survives
 * restarts (every state change is in the DocumentStore) and, with several bot instances on one
 * storage account, claims each item with a lease written under an ETag condition so that only one
 * instance delivers it. A crashed instance's lease simply expires and another takes the item over.
 *
 * Delivery to Teams is at-least-once: an instance that dies after Teams accepted the message but
 * before it recorded that fact will have the item delivered again once its lease expires.
 */

export type OutboxTarget =
  | { kind: 'address'; address: ConversationAddress }
  /** Resolved at delivery time, so an item waits (and retries) until e.g. the DPO channel is known. */
  | { kind: 'place'; place: NamedPlace }
  | { kind: 'person'; aadObjectId: string };

export type OutboxOperation = { kind: 'send' } | { kind: 'update'; activityId: string };

/** What to do after delivery or on giving up: a handler registered under `kind` gets the item. */
export interface OutboxFollowUp {
  kind: string;
  data: Record<string, string>;
}

export type OutboxState = 'pending' | 'delivered' | 'stuck';

export interface OutboxItem {
  id: string;
  target: OutboxTarget;
  operation: OutboxOperation;
  message: OutgoingMessage;
  onDelivered?: OutboxFollowUp;
  onStuck?: OutboxFollowUp;
  state: OutboxState;
  /** Bumped when the message is replaced; a delivery of an older revision does not complete a newer one. */
  revision: number;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lease?: { owner: string; until: string };
  lastError?: string;
  deliveredAt?: string;
  deliveredActivityId?: string;
  /** The follow-up handler has run (delivered or stuck); until then the processor keeps trying it. */
  followUpDone?: boolean;
}

export interface OutboxRequest {
  /** Chosen by the caller so that enqueueing twice (a retried activity, a restart) is harmless. */
  id: string;
  target: OutboxTarget;
  operation?: OutboxOperation;
  message: OutgoingMessage;
  onDelivered?: OutboxFollowUp;
  onStuck?: OutboxFollowUp;
}

export const outboxCollection = 'outbox';

export class Outbox {
  constructor(
    private readonly store: DocumentStore,
    private readonly clock: Clock,
  ) {}

  /** Create-once: a second enqueue with the same id leaves the first item as it is. */
  async enqueue(request: OutboxRequest): Promise<{ kind: 'queued' | 'already-queued'; item: OutboxItem }> {
    const item = this.newItem(request, 1);
    try {
      await this.store.put(outboxCollection, item.id, item, { ifNoneMatch: '*' });
      return { kind: 'queued', item };
    } catch (error) {
      if (!isStorageConflict(error)) throw error;
      const existing = await this.store.get<OutboxItem>(outboxCollection, item.id);
      return { kind: 'already-queued', item: existing?.value ?? item };
    }
  }

  /**
   * For messages where only the latest matters (updating a card in place): replaces the message of
   * an item that is still waiting, or queues it again once the earlier one was delivered or stuck.
   */
  async enqueueLatest(request: OutboxRequest): Promise<OutboxItem> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const existing = await this.store.get<OutboxItem>(outboxCollection, request.id);
      const item = this.newItem(request, (existing?.value.revision ?? 0) + 1);
      try {
        await this.store.put(
          outboxCollection,
          request.id,
          item,
          existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' },
        );
        return item;
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
      }
    }
    throw new Error(`Outbox item ${request.id} kept changing while it was being replaced`);
  }

  /**
   * Gives stuck items another full set of attempts, e.g. once the DPO channel becomes known after
   * the cards for it gave up. Returns how many were put back in the queue.
   */
  async retryStuck(match: (item: OutboxItem) => boolean): Promise<number> {
    let retried = 0;
    for (const document of await this.store.list<OutboxItem>(outboxCollection)) {
      const item = document.value;
      if (item.state !== 'stuck' || !match(item)) continue;
      const now = this.clock.now().toISOString();
      const retry: OutboxItem = {
        ...item,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lease: undefined,
        followUpDone: undefined,
      };
      try {
        await this.store.put(outboxCollection, document.key, retry, { ifMatch: document.etag });
        retried += 1;
      } catch (error) {
        // Someone else (another instance) changed it first; theirs stands.
        if (!isStorageConflict(error)) throw error;
      }
    }
    return retried;
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    return (await this.store.get<OutboxItem>(outboxCollection, id))?.value;
  }

  async items(): Promise<OutboxItem[]> {
    return (await this.store.list<OutboxItem>(outboxCollection)).map((document) => document.value);
  }

  private newItem(request: OutboxRequest, revision: number): OutboxItem {
    const now = this.clock.now().toISOString();
    return {
      id: request.id,
      target: request.target,
      operation: request.operation ?? { kind: 'send' },
      message: request.message,
      onDelivered: request.onDelivered,
      onStuck: request.onStuck,
      state: 'pending',
      revision,
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
    };
  }
}

export interface FollowUpHandlers {
  delivered?(item: OutboxItem): Promise<void>;
  stuck?(item: OutboxItem): Promise<void>;
}

export interface OutboxProcessorOptions {
  store: DocumentStore;
  messenger: Messenger;
  directory: Pick<ConversationDirectory, 'place' | 'person'>;
  clock: Clock;
  /** In [0, 1); spreads retries of many instances so they do not hit a throttled connector together. */
  random: () => number;
  logger: Logger;
  /** Unique per running instance; written into leases. */
  instanceId: string;
  /** Attempts before an item is declared stuck. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longer than any one delivery may take; after it another instance may take the item over. */
  leaseMs?: number;
  /** How often start() polls; config.outboxIntervalMs. */
  intervalMs?: number;
  /** Delivered items are kept this long for inspection, then removed. */
  keepDeliveredMs?: number;
}

export interface OutboxRunSummary {
  delivered: number;
  retrying: number;
  stuck: number;
  /** Claimed by another instance first. */
  skipped: number;
}

export class OutboxProcessor {
  readonly name = 'incident-outbox';
  private readonly handlers = new Map<string, FollowUpHandlers>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly leaseMs: number;
  private readonly keepDeliveredMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(private readonly options: OutboxProcessorOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.keepDeliveredMs = options.keepDeliveredMs ?? 24 * 3_600_000;
  }

  /** Registers what to do for follow-ups of one kind; handlers must be safe to run twice. */
  on(kind: string, handlers: FollowUpHandlers): this {
    this.handlers.set(kind, handlers);
    return this;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Asks for a pass soon (after an enqueue) instead of waiting for the next interval. */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const items = await this.options.store.list<OutboxItem>(outboxCollection);
    const stuck = items.filter((document) => document.value.state === 'stuck');
    const pending = items.filter((document) => document.value.state === 'pending');
    if (stuck.length > 0) {
      return {
        ok: false,
        detail: `${stuck.length} message(s) could not be delivered after ${this.maxAttempts} attempts: ${stuck
          .slice(0, 5)
          .map((document) => document.value.id)
          .join(', ')}; ${pending.length} waiting`,
      };
    }
    return { ok: true, detail: `${pending.length} message(s) waiting, none stuck` };
  }

  /** One pass over the outbox: every item that is due and not leased by a live instance. */
  async runOnce(): Promise<OutboxRunSummary> {
    const summary: OutboxRunSummary = { delivered: 0, retrying: 0, stuck: 0, skipped: 0 };
    const now = this.options.clock.now();
    const documents = await this.options.store.list<OutboxItem>(outboxCollection);
    for (const document of documents) {
      const item = document.value;
      if (item.lease && Date.parse(item.lease.until) > now.getTime()) continue;
      if (item.state === 'pending' && Date.parse(item.nextAttemptAt) <= now.getTime()) {
        const outcome = await this.deliver(document);
        summary[outcome] += 1;
      } else if (item.state !== 'pending' && !item.followUpDone) {
        await this.followUp(document);
      } else if (
        item.state === 'delivered' &&
        item.deliveredAt &&
        Date.parse(item.deliveredAt) + this.keepDeliveredMs <= now.getTime()
      ) {
        await this.options.store
          .delete(outboxCollection, item.id, { ifMatch: document.etag })
          .catch(() => undefined);
      }
    }
    return summary;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce()
        .catch((error: unknown) =>
          this.options.logger.log('error', 'outbox.pass-failed', { error: describe(error) }),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs ?? 2000);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private async claim(document: StoredDocument<OutboxItem>): Promise<StoredDocument<OutboxItem> | undefined> {
    const until = new Date(this.options.clock.now().getTime() + this.leaseMs).toISOString();
    const value: OutboxItem = { ...document.value, lease: { owner: this.options.instanceId, until } };
    try {
      const etag = await this.options.store.put(outboxCollection, document.key, value, {
        ifMatch: document.etag,
      });
      return { key: document.key, value, etag };
    } catch (error) {
      if (isStorageConflict(error)) return undefined;
      throw error;
    }
  }

  private async deliver(document: StoredDocument<OutboxItem>): Promise<keyof OutboxRunSummary> {
    const claimed = await this.claim(document);
    if (!claimed) return 'skipped';
    const item = claimed.value;
    const attempts = item.attempts + 1;
    let failure: DeliveryFailure;
    try {
      const address = await this.resolve(item.target);
      if (!address) {
        failure = { kind: 'retryable', detail: `${describeTarget(item.target)} is not known yet` };
      } else {
        let activityId: string | undefined;
        if (item.operation.kind === 'send') {
          activityId = (await this.options.messenger.send(address, item.message)).activityId;
        } else {
          await this.options.messenger.update(address, item.operation.activityId, item.message);
          activityId = item.operation.activityId;
        }
        const delivered: OutboxItem = {
          ...item,
          state: 'delivered',
          attempts,
          lease: undefined,
          deliveredAt: this.options.clock.now().toISOString(),
          deliveredActivityId: activityId,
          followUpDone: item.onDelivered === undefined,
          lastError: undefined,
        };
        const saved = await this.complete(claimed, delivered);
        this.options.logger.log('info', 'outbox.delivered', { item: item.id, attempts });
        if (saved) await this.followUp(saved);
        return 'delivered';
      }
    } catch (error) {
      failure =
        error instanceof DeliveryError
          ? error.failure
          : { kind: 'retryable', detail: describe(error).slice(0, 200) };
    }
    const givingUp = failure.kind === 'permanent' || attempts >= this.maxAttempts;
    const delay = this.retryDelay(attempts, failure);
    const next: OutboxItem = {
      ...item,
      state: givingUp ? 'stuck' : 'pending',
      attempts,
      lease: undefined,
      lastError: `${failure.status ?? ''} ${failure.detail}`.trim().slice(0, 300),
      nextAttemptAt: new Date(this.options.clock.now().getTime() + delay).toISOString(),
      followUpDone: givingUp ? item.onStuck === undefined : undefined,
    };
    const saved = await this.complete(claimed, next);
    this.options.logger.log(givingUp ? 'error' : 'warn', givingUp ? 'outbox.stuck' : 'outbox.retrying', {
      item: item.id,
      attempts,
      status: failure.status,
      retryInMs: givingUp ? undefined : delay,
    });
    if (givingUp && saved) await this.followUp(saved);
    return givingUp ? 'stuck' : 'retrying';
  }

  /**
   * Writes the outcome under the claim's ETag. If the item changed meanwhile: a replaced message
   * (newer revision) stays pending for its own delivery; otherwise another instance took over an
   * expired lease, and the outcome is written over its claim (it will find its own write refused).
   */
  private async complete(
    claimed: StoredDocument<OutboxItem>,
    outcome: OutboxItem,
  ): Promise<StoredDocument<OutboxItem> | undefined> {
    let etag = claimed.etag;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        const newEtag = await this.options.store.put(outboxCollection, claimed.key, outcome, {
          ifMatch: etag,
        });
        return { key: claimed.key, value: outcome, etag: newEtag };
      } catch (error) {
        if (!isStorageConflict(error)) throw error;
        const current = await this.options.store.get<OutboxItem>(outboxCollection, claimed.key);
        if (!current || current.value.revision !== outcome.revision || current.value.state !== 'pending')
          return undefined;
        etag = current.etag;
      }
    }
    return undefined;
  }

  private async followUp(document: StoredDocument<OutboxItem>): Promise<void> {
    const item = document.value;
    const followUp = item.state === 'delivered' ? item.onDelivered : item.onStuck;
    if (followUp) {
      const handlers = this.handlers.get(followUp.kind);
      const handler = item.state === 'delivered' ? handlers?.delivered : handlers?.stuck;
      if (!handler) {
        this.options.logger.log('warn', 'outbox.no-follow-up-handler', {
          item: item.id,
          kind: followUp.kind,
        });
        return;
      }
      try {
        await handler(item);
      } catch (error) {
        this.options.logger.log('warn', 'outbox.follow-up-failed', { item: item.id, error: describe(error) });
        return;
      }
    }
    await this.options.store
      .put(outboxCollection, document.key, { ...item, followUpDone: true }, { ifMatch: document.etag })
      .catch((error: unknown) => {
        if (!isStorageConflict(error)) throw error;
      });
  }

  /** Retry-After wins when the connector sends it; otherwise exponential back-off with jitter. */
  retryDelay(attempts: number, failure: DeliveryFailure): number {
    if (failure.kind === 'retryable' && failure.retryAfterMs !== undefined) {
      return Math.min(Math.max(failure.retryAfterMs, 0), this.maxDelayMs);
    }
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (this.options.random() * ceiling) / 2);
  }

  private async resolve(target: OutboxTarget): Promise<ConversationAddress | undefined> {
    switch (target.kind) {
      case 'address':
        return target.address;
      case 'place':
        return this.options.directory.place(target.place);
      case 'person':
        return this.options.directory.person(target.aadObjectId);
    }
  }
}

function describeTarget(target: OutboxTarget): string {
  if (target.kind === 'place') return `The ${target.place} conversation`;
  if (target.kind === 'person') return "The person's chat with the bot";
  return 'The conversation';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
