import type { LocalBotConnector, RecordedActivity } from './bot-connector';
import type { ConversationOptions, Person } from './teams-activities';

/**
 * Shared pieces of the incident end-to-end tests: the people, the DPO channel and how to find an
 * incident's card among everything the bot sent to the local Bot Connector.
 */

export const dpoTeamId = '19:dpo-team@thread.tacv2';
export const dpoChannelId = '19:dpo-channel@thread.tacv2';

export const dpoOfficer: Person = { id: '29:dpo-1', name: 'Dana Protection', aadObjectId: 'aad-dpo-1' };
export const outsider: Person = { id: '29:outsider-1', name: 'Otto Side', aadObjectId: 'aad-outsider-1' };
export const safeguardingLead: Person = { id: '29:dsl-1', name: 'Dee Ess', aadObjectId: 'aad-dsl-1' };

export const incidentEnvironment = {
  DPO_TEAM_ID: dpoTeamId,
  DPO_MEMBERS: dpoOfficer.aadObjectId,
  DSL_NAME: 'Dee Ess',
  DSL_CONTACT: 'extension 201 or the safeguarding office',
  DSL_AAD_OBJECT_ID: safeguardingLead.aadObjectId,
  CPOMS_INSTRUCTION: 'Record it on CPOMS yourself; do not use AI to draft it.',
  OUTBOX_INTERVAL_MS: '50',
  OUTBOX_LEASE_MS: '1500',
};

/** An activity from the DPO channel (by default from the DPO officer), optionally on a card. */
export function dpoChannelOptions(
  serviceUrl: string,
  from: Person = dpoOfficer,
  replyToId?: string,
): ConversationOptions & { replyToId?: string } {
  return {
    serviceUrl,
    conversationId: dpoChannelId,
    kind: 'channel',
    teamId: dpoTeamId,
    channelId: dpoChannelId,
    from,
    replyToId,
  };
}

export const referencePattern = /INC-\d{4}-\d{4}/;

/** A complete report as the card submits it (strings, toggles as "true"/"false"). */
export function reportData(fields: Record<string, string> = {}): Record<string, string> {
  return {
    verb: 'incident.report',
    type: 'data-breach',
    whatHappened: 'A class list with pupil names was pasted into a public AI chatbot.',
    tool: 'A public chatbot',
    whenHappened: 'Yesterday afternoon',
    whenDiscovered: '01/01/2025 09:00',
    dataSubjects: 'pupils',
    howMany: 'About 30 pupils',
    specialCategory: 'false',
    childrenInvolved: 'true',
    actionsTaken: 'Asked the member of staff to delete the chat.',
    school: 'Oak Primary',
    withholdName: 'false',
    ...fields,
  };
}

// The wire format is open-ended JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CardJson = Record<string, any>;

export function cardOf(recorded: RecordedActivity): CardJson | undefined {
  const attachment = recorded.activity.attachments?.[0];
  return attachment?.contentType === 'application/vnd.microsoft.card.adaptive'
    ? attachment.content
    : undefined;
}

export function isIncidentCard(recorded: RecordedActivity, reference: string): boolean {
  const heading = cardOf(recorded)?.body?.[0]?.text;
  return typeof heading === 'string' && heading.startsWith(`${reference}:`);
}

/** New incident cards (POSTs) for one reference in the DPO channel. */
export function postedCards(connector: LocalBotConnector, reference: string): RecordedActivity[] {
  return connector
    .sentTo(dpoChannelId)
    .filter((recorded) => recorded.method === 'POST' && isIncidentCard(recorded, reference));
}

/** The value of one fact ("Status", "ICO deadline", …) on an incident card. */
export function fact(card: CardJson | undefined, title: string): string | undefined {
  const factSet = (card?.body ?? []).find((element: CardJson) => element.type === 'FactSet');
  return factSet?.facts.find((entry: { title: string; value: string }) => entry.title === title)?.value;
}

/** Every TextBlock text on a card, including those in Action.ShowCard sub-cards. */
export function cardTexts(card: CardJson | undefined): string[] {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const element = node as CardJson;
      if (element.type === 'TextBlock' && typeof element.text === 'string') texts.push(element.text);
      if (element.type === 'FactSet') {
        for (const entry of element.facts as { value: string }[]) texts.push(entry.value);
      }
      Object.values(element).forEach(visit);
    }
  };
  visit(card);
  return texts;
}

/** Matches POSTs of new activities into the DPO channel (the path carries the encoded conversation id). */
export function dpoChannelPost(method: string, path: string): boolean {
  return method === 'POST' && decodeURIComponent(path).includes(`/conversations/${dpoChannelId}/activities`);
}

/** Polls until `check` holds; for state that settles in the background (the outbox). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
