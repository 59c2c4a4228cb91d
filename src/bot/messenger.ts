import {
  CardFactory,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import {
  DeliveryError,
  type ConversationAddress,
  type Messenger,
  type OutgoingMessage,
} from '../shared/messaging';
import type { PolicyBotAdapter } from './adapter';

/** Proactive messages through the Bot Connector, as the bot (see src/shared/messaging.ts for why). */
export class BotFrameworkMessenger implements Messenger {
  constructor(
    private readonly adapter: PolicyBotAdapter,
    private readonly botAppId: string,
  ) {}

  async send(address: ConversationAddress, message: OutgoingMessage): Promise<{ activityId: string }> {
    let activityId = '';
    await this.withFailuresClassified(() =>
      this.continueConversation(address, async (context) => {
        const response = await context.sendActivity(toActivity(message));
        activityId = response?.id ?? '';
      }),
    );
    return { activityId };
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.withFailuresClassified(() =>
      this.continueConversation(address, async (context) => {
        await context.updateActivity({ ...toActivity(message), id: activityId });
      }),
    );
  }

  /**
   * The adapter hands errors thrown inside a turn to its onTurnError handler (teams-ai's app.error),
   * which would swallow a failed proactive send; the error is carried out of the turn instead, so
   * callers (the outbox, the meeting notice) learn that the message did not arrive.
   */
  private async continueConversation(
    address: ConversationAddress,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, referenceFor(address), async (context) => {
      try {
        await logic(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }

  private async withFailuresClassified(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      throw new DeliveryError(classify(error));
    }
  }
}

export function toActivity(message: OutgoingMessage): Partial<Activity> {
  if (message.card) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(message.card));
    if (message.text) activity.text = message.text;
    if (message.summary) activity.summary = message.summary;
    return activity;
  }
  return MessageFactory.text(message.text ?? '');
}

export function referenceFor(address: ConversationAddress): Partial<ConversationReference> {
  return {
    channelId: address.channelId,
    serviceUrl: address.serviceUrl,
    conversation: {
      id: address.conversationId,
      isGroup: address.teamsChannelId !== undefined,
      conversationType: address.teamsChannelId ? 'channel' : 'personal',
      tenantId: address.tenantId,
      name: '',
    },
  };
}

/** The address of the conversation a turn is in, to be stored and used for later proactive sends. */
export function addressOf(context: TurnContext): ConversationAddress {
  const activity = context.activity;
  const channelData = activity.channelData as
    { team?: { id?: string }; channel?: { id?: string }; tenant?: { id?: string } } | undefined;
  return {
    serviceUrl: activity.serviceUrl,
    conversationId: activity.conversation.id,
    channelId: activity.channelId,
    tenantId: activity.conversation.tenantId ?? channelData?.tenant?.id,
    teamId: channelData?.team?.id,
    teamsChannelId: channelData?.channel?.id,
  };
}

interface HttpLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

function classify(error: unknown) {
  const failure = (error ?? {}) as HttpLikeError;
  const status = failure.statusCode;
  const detail = (failure.message ?? String(error)).slice(0, 200);
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const retryAfter = failure.response?.headers?.get?.('retry-after');
    return { kind: 'retryable' as const, status, retryAfterMs: parseRetryAfter(retryAfter), detail };
  }
  return { kind: 'permanent' as const, status, detail };
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}
