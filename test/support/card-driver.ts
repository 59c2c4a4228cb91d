import { renderCard, type CardButton, type CardJson } from '../../src/devtools/card-text';
import type { LocalBotConnector, RecordedActivity } from './bot-connector';

/**
 * Drives Adaptive Cards the way a person in Teams does: read the card the bot sent, fill in its
 * inputs, press one of its buttons. Tests use the card's own button data (flow id, step id,
 * version), so a card that does not carry what the bot needs fails here too.
 */

export const adaptiveCardType = 'application/vnd.microsoft.card.adaptive';

export function cardOf(recorded: RecordedActivity | undefined): CardJson | undefined {
  const attachment = (recorded?.activity.attachments ?? []).find(
    (candidate: { contentType?: string }) => candidate.contentType === adaptiveCardType,
  );
  return attachment?.content as CardJson | undefined;
}

/** The card as the text a person reads (headings, facts, labels, button titles). */
export function cardText(card: CardJson | undefined): string {
  return card ? renderCard(card).lines.join('\n') : '';
}

/** Every message the bot sent into a conversation as text, cards included. */
export function conversationText(connector: LocalBotConnector, conversationId: string): string {
  return connector
    .sentTo(conversationId)
    .map((recorded) => [recorded.activity.text ?? '', cardText(cardOf(recorded))].join('\n'))
    .join('\n');
}

export function cards(connector: LocalBotConnector, conversationId: string): CardJson[] {
  return connector
    .sentTo(conversationId)
    .map(cardOf)
    .filter((card): card is CardJson => card !== undefined);
}

export function lastCard(connector: LocalBotConnector, conversationId: string): CardJson {
  const card = cards(connector, conversationId).at(-1);
  if (!card) throw new Error(`No card was sent to ${conversationId}`);
  return card;
}

/** Waits for a card (sent now or later, e.g. by the outbox) whose text matches. */
export async function waitForCard(
  connector: LocalBotConnector,
  conversationId: string,
  text: RegExp,
  after = 0,
): Promise<CardJson> {
  const recorded = await connector.waitFor(
    (candidate) =>
      candidate.conversationId === conversationId &&
      connector.activities.indexOf(candidate) >= after &&
      text.test(cardText(cardOf(candidate))),
  );
  return cardOf(recorded) as CardJson;
}

export async function waitForText(
  connector: LocalBotConnector,
  conversationId: string,
  text: RegExp,
  after = 0,
): Promise<RecordedActivity> {
  return connector.waitFor(
    (candidate) =>
      candidate.conversationId === conversationId &&
      connector.activities.indexOf(candidate) >= after &&
      text.test(String(candidate.activity.text ?? '')),
  );
}

export function button(card: CardJson, title: string | RegExp): CardButton {
  const found = renderCard(card).buttons.find((candidate) =>
    typeof title === 'string' ? candidate.title === title : title.test(candidate.title),
  );
  if (!found) {
    const titles = renderCard(card)
      .buttons.map((candidate) => candidate.title)
      .join(', ');
    throw new Error(`No button "${String(title)}" on the card (buttons: ${titles})\n${cardText(card)}`);
  }
  return found;
}

/**
 * The value Teams sends for a button: the button's data plus the card's inputs. Inputs keep the
 * value the card prefilled unless `answers` gives one; required inputs without either get a
 * plausible answer (the first choice, or a sentence naming the question).
 */
export function submission(
  card: CardJson,
  title: string | RegExp,
  answers: Record<string, unknown> = {},
  options: { fillRequired?: boolean } = {},
): Record<string, unknown> {
  const pressed = button(card, title);
  const values: Record<string, unknown> = {};
  for (const input of pressed.inputs) {
    if (input.id in answers) continue;
    if (input.value !== undefined) values[input.id] = input.value;
    else if (options.fillRequired !== false && input.isRequired) {
      values[input.id] = input.choices?.length
        ? input.choices[0].value
        : `A considered answer to: ${input.label}`;
    }
  }
  return { ...(pressed.data ?? {}), ...values, ...answers };
}
