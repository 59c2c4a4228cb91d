import {
  DeliveryError,
  type ConversationAddress,
  type DeliveryFailure,
  type Messenger,
  type OutgoingMessage,
} from '../../src/shared/messaging';

/** What the next call does instead of succeeding. */
export type Fault =
  | DeliveryFailure
  /** The connection drops mid-request (what the real messenger sees as ECONNRESET). */
  | { kind: 'reset' }
  /** The process dies while the request is in flight: the call never settles. */
  | { kind: 'hang' };

/**
 * A Messenger that records every call, delivered or not, and fails on cue. Shared by several
 * processors it plays the one Teams channel they all post into.
 */
export class FaultyMessenger implements Messenger {
  readonly calls: {
    operation: 'send' | 'update';
    conversationId: string;
    message: OutgoingMessage;
    outcome: string;
  }[] = [];
  readonly delivered: { conversationId: string; message: OutgoingMessage; activityId: string }[] = [];
  readonly updated: { conversationId: string; activityId: string; message: OutgoingMessage }[] = [];
  private readonly faults: Fault[] = [];
  private count = 0;

  /** Optional pause inside each call, so concurrent processors really overlap. */
  constructor(private readonly delayMs = 0) {}

  failNext(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  async send(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId: string }> {
    await this.perform('send', address, message);
    this.count += 1;
    const activityId = `activity-${this.count}`;
    this.delivered.push({ conversationId: address.conversationId, message, activityId });
    return { activityId };
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.perform('update', address, message);
    this.updated.push({ conversationId: address.conversationId, activityId, message });
  }

  private async perform(
    operation: 'send' | 'update',
    address: ConversationAddress,
    message: OutgoingMessage,
  ) {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const fault = this.faults.shift();
    this.calls.push({
      operation,
      conversationId: address.conversationId,
      message,
      outcome: fault?.kind ?? 'ok',
    });
    if (!fault) return;
    if (fault.kind === 'hang') await new Promise(() => undefined);
    if (fault.kind === 'reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    throw new DeliveryError(fault as DeliveryFailure);
  }
}
