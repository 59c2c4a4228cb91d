import { ActivityTypes, type TurnContext } from 'botbuilder';

/**
 * Answers to a Universal Action (Action.Execute). They are sent as our own invoke response, so the
 * SDK does not also try to update the pressed card inside the turn; the card shown to the person is
 * the one returned here.
 */
export async function respondWithCard(context: TurnContext, card: object): Promise<void> {
  await respond(context, 'application/vnd.microsoft.card.adaptive', card);
}

/** A short text Teams shows in place of the card, e.g. a refusal or an error. */
export async function respondWithMessage(context: TurnContext, message: string): Promise<void> {
  await respond(context, 'application/vnd.microsoft.activity.message', message);
}

async function respond(context: TurnContext, type: string, value: unknown): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type, value } },
  });
}
