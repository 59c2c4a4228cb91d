/** Small builders shared by every card, so that all cards look and behave alike. */
export type CardElement = Record<string, unknown>;
export type AdaptiveCard = Record<string, unknown>;

export function adaptiveCard(body: CardElement[], actions: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

export function heading(text: string): CardElement {
  return { type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true };
}

/** Our own wording; wrap anything a person typed in `inert` first. */
export function paragraph(text: string, options: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...options };
}

/** Fact values are usually what people typed, so they are always made inert. */
export function facts(entries: [string, string][]): CardElement {
  return { type: 'FactSet', facts: entries.map(([title, value]) => ({ title, value: inert(value) })) };
}

/** A button that sends `command` as if the person had typed it, so cards and typed commands share one route. */
export function commandButton(title: string, command: string): CardElement {
  return { type: 'Action.Submit', title, data: { msteams: { type: 'imBack', value: command } } };
}

/**
 * Text typed by people is shown in cards, where Adaptive Cards would otherwise render Markdown
 * (links, images by URL, emphasis). Escaping the Markdown characters keeps what people typed inert.
 */
export function inert(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!|>~<])/g, '\\$1');
}
