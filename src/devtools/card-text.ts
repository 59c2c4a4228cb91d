/**
 * Adaptive Cards as readable text with numbered buttons, for the terminal chat. Only the parts our
 * cards use are rendered; anything else is shown by its type so nothing is silently hidden.
 */

export type CardJson = Record<string, unknown>;

export interface CardInput {
  id: string;
  label: string;
  type: string;
  choices?: { title: string; value: string }[];
  isMultiSelect?: boolean;
  value?: string;
  isRequired?: boolean;
}

export interface CardButton {
  number: number;
  title: string;
  kind: 'imBack' | 'submit' | 'execute' | 'openUrl' | 'other';
  /** imBack: the text to send. */
  text?: string;
  verb?: string;
  data?: Record<string, unknown>;
  url?: string;
  /** Inputs of the card the button belongs to, asked for before submitting. */
  inputs: CardInput[];
}

export interface RenderedCard {
  lines: string[];
  buttons: CardButton[];
}

export function renderCard(card: CardJson, firstButtonNumber = 1): RenderedCard {
  const lines: string[] = [];
  const buttons: CardButton[] = [];
  const inputs: CardInput[] = [];

  const addActions = (actions: unknown) => {
    for (const action of asArray(actions)) {
      const type = String(action.type ?? '');
      const title = String(action.title ?? type);
      const data = (action.data ?? {}) as Record<string, unknown>;
      const msteams = data.msteams as { type?: string; value?: string; text?: string } | undefined;
      const number = firstButtonNumber + buttons.length;
      if (type === 'Action.Submit' && msteams?.type === 'imBack') {
        buttons.push({ number, title, kind: 'imBack', text: String(msteams.value ?? ''), inputs });
      } else if (type === 'Action.Submit' && msteams?.type === 'messageBack') {
        buttons.push({ number, title, kind: 'imBack', text: String(msteams.text ?? ''), inputs });
      } else if (type === 'Action.Submit') {
        buttons.push({ number, title, kind: 'submit', data, inputs });
      } else if (type === 'Action.Execute') {
        buttons.push({ number, title, kind: 'execute', verb: String(action.verb ?? ''), data, inputs });
      } else if (type === 'Action.OpenUrl') {
        buttons.push({ number, title, kind: 'openUrl', url: String(action.url ?? ''), inputs });
      } else if (type === 'Action.ShowCard') {
        const inner = renderCard(action.card as CardJson, number);
        lines.push(`  (${title})`, ...inner.lines.map((line) => `    ${line}`));
        buttons.push(...inner.buttons);
        continue;
      } else {
        buttons.push({ number, title, kind: 'other', inputs });
      }
      lines.push(`  [${number}] ${title}`);
    }
  };

  const walk = (elements: unknown, depth: number) => {
    const indent = '  '.repeat(depth);
    for (const element of asArray(elements)) {
      if (element.isVisible === false) continue;
      const type = String(element.type ?? '');
      switch (type) {
        case 'TextBlock':
        case 'RichTextBlock':
          lines.push(indent + plain(String(element.text ?? textOfRuns(element.inlines))));
          break;
        case 'FactSet':
          for (const fact of asArray(element.facts)) lines.push(`${indent}${plain(String(fact.title))}: ${plain(String(fact.value))}`);
          break;
        case 'Container':
          walk(element.items, depth);
          break;
        case 'ColumnSet':
          for (const column of asArray(element.columns)) walk(column.items, depth);
          break;
        case 'ActionSet':
          addActions(element.actions);
          break;
        case 'Image':
          break;
        default:
          if (type.startsWith('Input.')) {
            const input: CardInput = {
              id: String(element.id ?? ''),
              label: String(element.label ?? element.placeholder ?? element.id ?? ''),
              type,
              value: element.value === undefined ? undefined : String(element.value),
              isMultiSelect: element.isMultiSelect === true,
              isRequired: element.isRequired === true,
              choices: asArray(element.choices).map((choice) => ({
                title: String(choice.title ?? choice.value),
                value: String(choice.value ?? ''),
              })),
            };
            inputs.push(input);
            lines.push(`${indent}• ${input.label}${input.isRequired ? ' (required)' : ''}`);
          } else {
            lines.push(`${indent}(${type})`);
          }
      }
    }
  };

  walk(card.body, 0);
  addActions(card.actions);
  return { lines, buttons };
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function textOfRuns(inlines: unknown): string {
  return asArray(inlines)
    .map((run) => String(run.text ?? ''))
    .join('');
}

/** Undo the Markdown escaping that keeps typed text inert in Teams; a terminal shows it literally. */
function plain(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+!|>~<-])/g, '$1');
}
