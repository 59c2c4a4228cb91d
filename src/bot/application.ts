import { Application } from '@microsoft/teams-ai';
import { ActivityTypes, type Storage, type TurnContext } from 'botbuilder';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { DocumentStore } from '../storage/types';
import type { PolicyAnswerer } from '../qa/types';
import type { PolicyBotAdapter } from './adapter';
import type { AppTurnState, BotApplication, BotCapability } from './capability';
import { commands, helpText, welcomeCard } from './cards/welcome';
import { answerActivity } from './qa-reply';
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
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  trustName: string;
  mode: 'offline' | 'tenant';
  botAppId?: string;
}

/** Longest question we pass to the answerer; Teams allows ~28 KB but no policy question is that long. */
export const maximumQuestionLength = 2000;

export function createBotApplication(options: BotApplicationOptions): BotApplication {
  const app = new Application<AppTurnState>({
    adapter: options.adapter,
    storage: options.stateStorage,
    botAppId: options.botAppId,
    // teams-ai keeps its typing timer on the Application, shared by every concurrent turn; we send
    // our own typing indicator per question instead.
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
    if (botWasAdded && options.dpoTeamId && address.teamId === options.dpoTeamId) {
      await options.directory.rememberPlace('dpo-channel', address);
      options.logger.log('info', 'dpo-channel.saved', { teamId: address.teamId });
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
    await context.sendActivity({ type: ActivityTypes.Typing });
    const answer = await options.answerer.answer(question);
    options.logger.log('info', 'question.answered', { kind: answer.kind });
    await context.sendActivity(answerActivity(answer));
  });

  return app;
}
