/**
 * The delayed typing indicator: none for a quick answer, one once the answer is slow, renewed while
 * it stays slow, and never one arriving after the answer. Timers are jest's fake timers; the turn is
 * a real botbuilder TurnContext on an adapter that records what the bot sends.
 */
import {
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { typingWhileSlow } from '../../src/bot/application';
import { RecordingLogger } from '../../src/shared/logger';

class RecordingAdapter extends BotAdapter {
  readonly sent: Partial<Activity>[] = [];
  /** When set, sends wait for `release()` (a slow Bot Connector). */
  holdSends = false;
  failSends = false;
  private waiting: (() => void)[] = [];

  sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    if (this.failSends) return Promise.reject(new Error('connector unreachable'));
    const deliver = () => {
      this.sent.push(...activities);
      return activities.map((_activity, index) => ({ id: `sent-${this.sent.length}-${index}` }));
    };
    if (!this.holdSends) return Promise.resolve(deliver());
    return new Promise((resolve) => this.waiting.push(() => resolve(deliver())));
  }
  release(): void {
    for (const resume of this.waiting.splice(0)) resume();
  }
  updateActivity(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  deleteActivity(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  continueConversation(
    _reference: Partial<ConversationReference>,
    _logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
}

function turn(adapter: RecordingAdapter): TurnContext {
  return new TurnContext(adapter, {
    type: 'message',
    id: 'question-1',
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1/',
    conversation: { id: 'a:typing', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: '29:person', name: 'Sam' },
    recipient: { id: '28:bot', name: 'AI Policy Assistant' },
    text: 'question',
  });
}

const types = (adapter: RecordingAdapter) => adapter.sent.map((activity) => activity.type);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('typingWhileSlow', () => {
  it.each([
    ['an answer ready before the delay', 249, 0],
    ['an answer ready just after the delay', 251, 1],
    ['an answer that takes 4 seconds', 4000, 2],
    ['an answer that takes 7 seconds', 7000, 3],
  ])('sends the right number of typing indicators for %s', async (_case, answerMs, expected) => {
    const adapter = new RecordingAdapter();
    const typing = typingWhileSlow(turn(adapter), 250, new RecordingLogger());
    await jest.advanceTimersByTimeAsync(answerMs);
    await typing.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(types(adapter)).toEqual(Array.from({ length: expected }, () => 'typing'));
  });

  it('sends one at once when the delay is 0', async () => {
    const adapter = new RecordingAdapter();
    const typing = typingWhileSlow(turn(adapter), 0, new RecordingLogger());
    await typing.stop();
    expect(types(adapter)).toEqual(['typing']);
  });

  it('waits for an indicator already on its way (one at a time), so the answer can never overtake it', async () => {
    const adapter = new RecordingAdapter();
    adapter.holdSends = true;
    const typing = typingWhileSlow(turn(adapter), 250, new RecordingLogger());
    await jest.advanceTimersByTimeAsync(300);
    let stopped = false;
    const stopping = typing.stop().then(() => (stopped = true));
    // Longer than the renewal interval: a held indicator must not have a second one queued behind it.
    await jest.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    adapter.release();
    await stopping;
    expect(types(adapter)).toEqual(['typing']);
  });

  it('logs a failed indicator and lets the answer go ahead', async () => {
    const adapter = new RecordingAdapter();
    adapter.failSends = true;
    const logger = new RecordingLogger();
    const typing = typingWhileSlow(turn(adapter), 250, logger);
    await jest.advanceTimersByTimeAsync(300);
    await expect(typing.stop()).resolves.toBeUndefined();
    expect(logger.entries.map((entry) => entry.event)).toEqual(['typing.failed']);
  });
});
