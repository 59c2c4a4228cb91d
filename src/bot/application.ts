import { Application } from '@microsoft/teams-ai';
import { ActivityTypes, type Storage, type TurnContext } from 'botbuilder';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { DocumentStore } from '../storage/types';
import type { Answer, PolicyAnswerer } from '../qa/types';
import type { PolicyBotAdapter } from './adapter';
import type { AppTurnState, BotApplication, BotCapability } from './capability';
import { commands, helpText, welcomeCard } from './cards/welcome';
import { answerActivity } from './qa-reply';
import { respondWithMessage } from './invoke-responses';
import { userMessageFor } from './user-messages';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { ConversationDirectory } from '../shared/conversation-directory';
import { addressOf } from './messenger';

export interface BotApplicationOptions {
  adapter: PolicyBotAdapter;
  stateStorage: Storage;
  /** Durable store for records such as anonymous answer feedback. */
  records: DocumentStore;
  answerer: PolicyAnswerer;
  capabilities: BotCapability[];
  directory: ConversationDirectory;
  /** When the bot is installed in this team, the channel it was installed in becomes the DPO channel. */
  dpoTeamId?: string;
  /** Called after the DPO channel is saved on install; returns how many undelivered cards it retries. */
  onDpoChannelSaved?: () => Promise<number>;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  trustName: string;
  mode: 'offline' | 'tenant';
  botAppId?: string;
  /**
   * Send a typing indicator only when an answer takes longer than this (default 250 ms); 0 sends it
   * before every answer. See `typingWhileSlow`.
   */
  typingDelayMs?: number;
}

export const defaultTypingDelayMs = 250;

/** Teams shows a typing indicator for about three seconds; a slow answer gets it renewed. */
const typingRepeatMs = 3000;

/**
 * A typing indicator for work that might be slow, sent only once the work has taken `delayMs`.
 *
 * Why not always: the offline answer is ready in about a millisecond, and an indicator before it
 * doubled the Bot Connector round trips per question (bench/bot: ~1.9 outgoing requests per turn
 * instead of 1), with nothing for the person to see since the answer follows at once. An Azure OpenAI
 * answer takes seconds, and there the indicator tells the person the bot is on it.
 *
 * `stop()` waits for an indicator already on its way, so it can never reach Teams after the answer
 * (Teams would then show "typing" under a finished answer). A failed indicator is logged and
 * otherwise ignored: it must never cost the person their answer.
 */
export function typingWhileSlow(
  context: TurnContext,
  delayMs: number,
  logger: Logger,
): { stop(): Promise<void> } {
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    if (stopped) return;
    // One indicator in flight at a time: the renewal is scheduled only once this one has gone.
    inFlight = context
      .sendActivity({ type: ActivityTypes.Typing })
      .then(
        () => undefined,
        (error: unknown) => {
          logger.log('warn', 'typing.failed', {
            error: error instanceof Error ? error.message.slice(0, 200) : 'unknown',
          });
        },
      )
      .then(() => {
        if (!stopped) timer = setTimeout(send, typingRepeatMs);
      });
  };
  if (delayMs <= 0) send();
  else timer = setTimeout(send, delayMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

/** Longest question we pass to the answerer; Teams allows ~28 KB but no policy question is that long. */
export const maximumQuestionLength = 2000;

export function createBotApplication(options: BotApplicationOptions): BotApplication {
  const app = new Application<AppTurnState>({
    adapter: options.adapter,
    storage: options.stateStorage,
    botAppId: options.botAppId,
    // teams-ai keeps its typing timer on the Application, shared by every concurrent turn; we send
    // our own typing indicator per question instead (typingWhileSlow).
    startTypingTimer: false,
    removeRecipientMention: true,
  });

  app.error(async (context, error) => {
    options.logger.log('error', 'turn.failed', {
      activityType: context.activity.type,
      error: error instanceof Error ? error.message.slice(0, 300) : 'unknown',
    });
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(userMessageFor(error));
    } else if (
      context.activity.type === ActivityTypes.Invoke &&
      context.activity.name === 'adaptiveCard/action'
    ) {
      // A card button (e.g. a DPO action while Graph is down) must still get an answer: the adapter
      // returns this invoke response after the error handler, and Teams shows the text in place of the card.
      await respondWithMessage(context, userMessageFor(error));
    }
  });

  // Remember where each person can be reached, so later updates (DPIA approved, incident stuck)
  // can be sent to their personal chat with the bot.
  app.turn('beforeTurn', async (context) => {
    const activity = context.activity;
    if (activity.conversation?.conversationType === 'personal' && activity.from?.aadObjectId) {
      await options.directory.rememberPerson(activity.from.aadObjectId, addressOf(context));
    }
    return true;
  });

  for (const capability of options.capabilities) capability.register(app);

  const sendWelcome = async (context: TurnContext) => {
    await context.sendActivity(
      MessageFactory.attachment(
        CardFactory.adaptiveCard(welcomeCard({ trustName: options.trustName, mode: options.mode })),
      ),
    );
  };

  app.conversationUpdate('membersAdded', async (context, state) => {
    const botWasAdded = (context.activity.membersAdded ?? []).some(
      (member) => member.id === context.activity.recipient.id,
    );
    const address = addressOf(context);
    if (botWasAdded && isDpoTeam(context, options.dpoTeamId)) {
      await options.directory.rememberPlace('dpo-channel', address);
      const retried = (await options.onDpoChannelSaved?.()) ?? 0;
      options.logger.log('info', 'dpo-channel.saved', { teamId: address.teamId, retried });
    }
    if (botWasAdded && !state.conversation.welcomed) {
      state.conversation.welcomed = true;
      await sendWelcome(context);
    }
  });

  app.message(/^\s*(help|\?|what can you do\??)\s*$/i, async (context) => {
    await context.sendActivity(helpText());
  });

  app.message(/^\s*(hi|hello|hey|start|menu)\s*[.!]?\s*$/i, async (context, state) => {
    state.conversation.welcomed = true;
    await sendWelcome(context);
  });

  app.message(new RegExp(`^\\s*${commands.ask}\\s*$`, 'i'), async (context) => {
    await context.sendActivity(
      'Go ahead: type your question in your own words, for example "Can I use ChatGPT to help write reports?" or "Who do I tell about a data breach?"',
    );
  });

  app.feedbackLoop(async (_context, _state, feedback) => {
    // Stored without the user's identity on purpose: feedback is for improving answers, not people.
    await options.records.put('answer-feedback', options.ids.next(), {
      at: options.clock.now().toISOString(),
      reaction: feedback.actionValue.reaction === 'like' ? 'like' : 'dislike',
      answerActivityId: feedback.replyToId,
    });
  });

  // Everything else that is a message is treated as a policy question; this route is last on purpose.
  app.activity(ActivityTypes.Message, async (context, state) => {
    if (!state.conversation.welcomed) {
      state.conversation.welcomed = true;
      await sendWelcome(context);
    }
    const question = (context.activity.text ?? '').trim();
    if (!question) {
      await context.sendActivity(
        "I can only read typed text. Type a question about the AI policy, or 'help' to see what I can do.",
      );
      return;
    }
    if (question.length > maximumQuestionLength) {
      await context.sendActivity(
        `That message is ${question.length.toLocaleString('en-GB')} characters long. Please ask a shorter question (up to ${maximumQuestionLength.toLocaleString('en-GB')} characters) and leave out any personal details.`,
      );
      return;
    }
    const typing = typingWhileSlow(context, options.typingDelayMs ?? defaultTypingDelayMs, options.logger);
    let answer: Answer;
    try {
      answer = await options.answerer.answer(question);
    } finally {
      await typing.stop();
    }
    options.logger.log('info', 'question.answered', { kind: answer.kind });
    await context.sendActivity(answerActivity(answer));
  });

  return app;
}

/**
 * DPO_TEAM_ID may name the team either way an admin can copy it: its thread id (19:…@thread.tacv2,
 * what Teams sends as channelData.team.id) or its Microsoft 365 group id (a GUID, what Graph and the
 * Teams admin centre show, sent as channelData.team.aadGroupId).
 */
function isDpoTeam(context: TurnContext, dpoTeamId: string | undefined): boolean {
  if (!dpoTeamId) return false;
  const team = (context.activity.channelData as { team?: { id?: string; aadGroupId?: string } } | undefined)
    ?.team;
  const wanted = dpoTeamId.trim().toLowerCase();
  return [team?.id, team?.aadGroupId].some((identity) => identity?.toLowerCase() === wanted);
}
