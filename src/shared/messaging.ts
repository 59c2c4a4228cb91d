/**
 * Sending to Teams conversations the bot is not currently replying in (proactive messages):
 * the DPO channel, a meeting chat, a requester's personal chat. Plain data in, so capabilities can
 * deliver without knowing botbuilder; the Bot Framework implementation lives in src/bot/.
 */

/** Where a conversation lives; saved from an incoming activity or taken from configuration. */
export interface ConversationAddress {
  serviceUrl: string;
  conversationId: string;
  tenantId?: string;
  /** Bot Framework channel id; always `msteams` in production. */
  channelId: string;
  /** Set for a Teams channel conversation (team id and channel id), used for Graph look-ups. */
  teamId?: string;
  teamsChannelId?: string;
}

export interface OutgoingMessage {
  text?: string;
  /** An Adaptive Card (schema 1.5) as plain JSON. */
  card?: Record<string, unknown>;
  /** A short summary for notifications when only a card is sent. */
  summary?: string;
}

export type DeliveryFailure =
  /** Worth trying again: 429, 5xx, timeouts, connection resets. */
  | { kind: 'retryable'; status?: number; retryAfterMs?: number; detail: string }
  /** Trying again will not help: 400, 403, 404 (bot removed from the team, conversation gone). */
  | { kind: 'permanent'; status?: number; detail: string };

export class DeliveryError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(
      `Delivery failed (${failure.kind}${failure.status ? ` ${failure.status}` : ''}): ${failure.detail}`,
    );
    this.name = 'DeliveryError';
  }
}

export interface Messenger {
  /** Returns the id Teams gave the new activity, needed to update the card in place later. */
  send(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId: string }>;
  update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void>;
}

/** Records every message in memory; the offline default and a fake for tests. */
export class RecordingMessenger implements Messenger {
  readonly sent: { address: ConversationAddress; message: OutgoingMessage; activityId: string }[] = [];
  readonly updates: { address: ConversationAddress; activityId: string; message: OutgoingMessage }[] = [];
  private count = 0;
  async send(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId: string }> {
    this.count += 1;
    const activityId = `local-${this.count}`;
    this.sent.push({ address, message, activityId });
    return { activityId };
  }
  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    this.updates.push({ address, activityId, message });
  }
}
