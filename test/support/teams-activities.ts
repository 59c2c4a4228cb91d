import { randomUUID } from 'node:crypto';

/**
 * Teams-shaped activities, as Teams posts them to the bot's /api/messages: the same fields,
 * channelData and conversation id formats, so the bot is tested on what it will really receive.
 */

export const testTenantId = '11111111-2222-3333-4444-555555555555';
export const botId = '28:00000000-0000-0000-0000-00000000b0t1';

export interface Person {
  id: string;
  name: string;
  aadObjectId: string;
}

export const staffMember: Person = {
  id: '29:staff-member-1',
  name: 'Sam Teacher',
  aadObjectId: 'aad-staff-1',
};

export interface ConversationOptions {
  serviceUrl: string;
  tenantId?: string;
  /** Personal chat by default. */
  conversationId?: string;
  kind?: 'personal' | 'channel' | 'groupChat';
  teamId?: string;
  /** The team's Microsoft 365 group id, which Teams sends beside the thread id. */
  teamAadGroupId?: string;
  channelId?: string;
  meetingId?: string;
  from?: Person;
}

function base(options: ConversationOptions) {
  const tenantId = options.tenantId ?? testTenantId;
  const from = options.from ?? staffMember;
  const kind = options.kind ?? 'personal';
  const conversationId = options.conversationId ?? `a:personal-${from.aadObjectId}`;
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    timestamp: new Date().toISOString(),
    localTimezone: 'Europe/London',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: botId, name: 'AI Policy Assistant' },
    conversation: {
      id: conversationId,
      conversationType: kind,
      tenantId,
      ...(kind !== 'personal' ? { isGroup: true } : {}),
    },
    channelData: {
      tenant: { id: tenantId },
      ...(kind === 'channel'
        ? {
            team: {
              id: options.teamId ?? '19:team@thread.tacv2',
              ...(options.teamAadGroupId ? { aadGroupId: options.teamAadGroupId } : {}),
            },
            channel: { id: options.channelId ?? conversationId },
          }
        : {}),
      ...(options.meetingId ? { meeting: { id: options.meetingId } } : {}),
    },
    locale: 'en-GB',
  };
}

export function messageActivity(text: string, options: ConversationOptions) {
  return { ...base(options), type: 'message', text, textFormat: 'plain' };
}

/** What Teams sends when a person presses an Action.Submit button on a card. */
export function cardSubmitActivity(
  value: Record<string, unknown>,
  options: ConversationOptions & { replyToId?: string },
) {
  return { ...base(options), type: 'message', value, replyToId: options.replyToId };
}

/** What Teams sends for Action.Execute (Universal Actions): an adaptiveCard/action invoke. */
export function cardExecuteActivity(
  verb: string,
  data: Record<string, unknown>,
  options: ConversationOptions & { replyToId?: string },
) {
  return {
    ...base(options),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: options.replyToId,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export function invokeActivity(
  name: string,
  value: unknown,
  options: ConversationOptions & { replyToId?: string },
) {
  return { ...base(options), type: 'invoke', name, value, replyToId: options.replyToId };
}

export function installActivity(options: ConversationOptions) {
  const activity = base(options);
  return {
    ...activity,
    type: 'conversationUpdate',
    membersAdded: [{ id: botId }, { id: activity.from.id, aadObjectId: activity.from.aadObjectId }],
  };
}
