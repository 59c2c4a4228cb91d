import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../shared/logger';
import type { IncomingOutcome, PolicyBotAdapter } from './adapter';

/** Teams never sends an activity near this size; anything bigger is refused before parsing work. */
export const maximumActivityBytes = 256 * 1024;

const knownActivityTypes = new Set([
  'message',
  'conversationUpdate',
  'invoke',
  'event',
  'messageReaction',
  'installationUpdate',
  'typing',
  'endOfConversation',
  'messageUpdate',
  'messageDelete',
]);

/**
 * Checks the shape of an incoming activity before botbuilder sees it, so malformed input gets a
 * clear 400 instead of an exception, and runs the turn. Never lets an error text reach the caller.
 */
export async function handleIncomingActivity(
  adapter: PolicyBotAdapter,
  body: unknown,
  authorization: string,
  logic: (context: TurnContext) => Promise<void>,
  logger: Logger,
): Promise<IncomingOutcome> {
  const problem = describeShapeProblem(body);
  if (problem) {
    logger.log('warn', 'activity.rejected', { status: 400, reason: problem });
    return { kind: 'rejected', status: 400, reason: problem };
  }
  try {
    const outcome = await adapter.admit(authorization, body as Activity, logic);
    if (outcome.kind === 'rejected') {
      logger.log('warn', 'activity.rejected', { status: outcome.status, reason: outcome.reason });
    }
    return outcome;
  } catch (error) {
    logger.log('error', 'activity.failed', {
      type: (body as Activity).type,
      error: error instanceof Error ? error.message.slice(0, 300) : 'unknown',
    });
    return { kind: 'rejected', status: 500, reason: 'the bot could not process this activity' };
  }
}

function describeShapeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string') return 'the activity has no type';
  if (!knownActivityTypes.has(activity.type)) return `unknown activity type "${activity.type.slice(0, 40)}"`;
  if (typeof activity.serviceUrl !== 'string') return 'the activity has no serviceUrl';
  try {
    const url = new URL(activity.serviceUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'serviceUrl is not an http(s) URL';
  } catch {
    return 'serviceUrl is not a URL';
  }
  const conversation = activity.conversation as { id?: unknown } | undefined;
  if (typeof conversation?.id !== 'string' || conversation.id === '')
    return 'the activity has no conversation id';
  const from = activity.from as { id?: unknown } | undefined;
  if (typeof from?.id !== 'string') return 'the activity has no sender (from.id)';
  if (activity.text !== undefined && typeof activity.text !== 'string') return 'text must be a string';
  return undefined;
}
