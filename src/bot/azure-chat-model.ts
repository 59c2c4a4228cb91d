/**
 * The `ChatModel` the Azure answerer uses in tenant mode: teams-ai's `ActionPlanner` + `OpenAIModel`
 * configured for Azure OpenAI, with the prompt in `prompts/answer/` (skprompt.txt + config.json).
 *
 * Two things teams-ai does not give us, and how they are got:
 * - OpenAIModel reduces every failure to `status: 'error' | 'rate_limited'` and drops the response, so
 *   a 429's `retry-after`, a 400 `content_filter` and a 200 with `finish_reason: "content_filter"`
 *   would look alike. We hand the underlying openai client a fetch that watches the HTTP response
 *   (status, headers and a copy of the JSON body) for this one call, and classify from that.
 * - It is meant to run inside a bot turn. The answerer works on plain inputs, so each call gets a
 *   private TurnContext on an adapter that cannot send, and a small in-memory `Memory` holding the
 *   prompt variables.
 *
 * A model and planner are built per call: that gives each call its own timeout and watcher without
 * shared state between concurrent questions, and costs only object construction.
 *
 * Retries are left to the answerer (maxRetries 0 here), which retries a 429 once only when the wait
 * fits its time budget; the openai client's own retry would wait without regard to it.
 */
import { Agent } from 'node:http';
import path from 'node:path';
import { getBearerTokenProvider, ManagedIdentityCredential, TokenCredential } from '@azure/identity';
import {
  ActionPlanner,
  AzureOpenAIModelOptions,
  Memory,
  OpenAIModel,
  PromptManager,
} from '@microsoft/teams-ai';
import { Activity, BotAdapter, ConversationReference, ResourceResponse, TurnContext } from 'botbuilder';
import type { Fetch } from 'openai/core';
import { fetch as defaultFetch } from 'openai/_shims/index';
import { AzureOpenAIConfig } from '../config';
import { AnswerPrompt, ChatCompletionResult, ChatModel } from '../qa/azure-answerer';
import { Logger } from '../shared/logger';

export const cognitiveServicesScope = 'https://cognitiveservices.azure.com/.default';

export interface AzureOpenAiSettings {
  /** The resource endpoint, e.g. `https://contoso-ai.openai.azure.com`. Must be https. */
  endpoint: string;
  deployment: string;
  /** e.g. `2024-10-21` (the current GA version). */
  apiVersion: string;
  /** Either an API key … */
  apiKey?: string;
  /** … or a token provider (managed identity); see `managedIdentityTokenProvider`. */
  tokenProvider?: () => Promise<string>;
  /** Folder holding `answer/skprompt.txt` and `answer/config.json`; defaults to the repository's `prompts/`. */
  promptsFolder?: string;
  /** Connection agent, e.g. for a proxy or (in tests) a private certificate authority. */
  httpAgent?: Agent;
}

/** A bearer token provider for Azure OpenAI from the app's managed identity (user-assigned when a client id is given). */
export function managedIdentityTokenProvider(clientId?: string): () => Promise<string> {
  const credential: TokenCredential = clientId
    ? new ManagedIdentityCredential({ clientId })
    : new ManagedIdentityCredential();
  return getBearerTokenProvider(credential, cognitiveServicesScope);
}

/** `prompts/` at the repository root from src/bot, and dist/prompts from dist/src/bot (the build copies it). */
export const defaultPromptsFolder = path.resolve(__dirname, '..', '..', 'prompts');

/**
 * The model from the bot's configuration: the API key when one is set, otherwise the managed identity
 * (user-assigned when `managedIdentityClientId` is set). `config.timeoutMs` is the answerer's budget.
 */
export function azureChatModelFromConfig(
  config: AzureOpenAIConfig,
  managedIdentityClientId: string | undefined,
  logger: Logger,
  connection: { httpAgent?: Agent } = {},
): TeamsAiAzureChatModel {
  return new TeamsAiAzureChatModel(
    {
      endpoint: config.endpoint,
      deployment: config.deployment,
      apiVersion: config.apiVersion,
      ...(config.apiKey
        ? { apiKey: config.apiKey }
        : { tokenProvider: managedIdentityTokenProvider(managedIdentityClientId) }),
      ...connection,
    },
    logger,
  );
}

export class TeamsAiAzureChatModel implements ChatModel {
  private readonly prompts: PromptManager;

  constructor(
    private readonly settings: AzureOpenAiSettings,
    private readonly logger: Logger,
  ) {
    if (!settings.apiKey && !settings.tokenProvider) {
      throw new Error('Azure OpenAI needs an API key or a managed identity token provider.');
    }
    this.prompts = new PromptManager({ promptsFolder: settings.promptsFolder ?? defaultPromptsFolder });
  }

  async complete(prompt: AnswerPrompt, options: { timeoutMs: number }): Promise<ChatCompletionResult> {
    const watcher = new ResponseWatcher();
    const modelOptions: AzureOpenAIModelOptions = {
      azureEndpoint: this.settings.endpoint,
      azureDefaultDeployment: this.settings.deployment,
      azureApiVersion: this.settings.apiVersion,
      ...(this.settings.apiKey
        ? { azureApiKey: this.settings.apiKey }
        : { azureADTokenProvider: this.settings.tokenProvider }),
      // teams-ai turns the system message into a user message unless told otherwise; our rules belong
      // in the system role where the model weighs them above the question.
      useSystemMessages: true,
      maxRetries: 0,
      clientOptions: {
        timeout: Math.max(1, Math.floor(options.timeoutMs)),
        maxRetries: 0,
        fetch: watcher.fetch,
        ...(this.settings.httpAgent ? { httpAgent: this.settings.httpAgent } : {}),
      },
    };
    const model = new OpenAIModel(modelOptions);
    const planner = new ActionPlanner({ model, prompts: this.prompts, defaultPrompt: 'answer' });
    const memory = new PromptVariables({ 'temp.input': prompt.question, 'temp.sources': prompt.sources });
    const context = new TurnContext(new NoReplyAdapter(), {
      type: 'message',
      id: 'azure-answerer',
      channelId: 'azure-answerer',
      conversation: { id: 'azure-answerer', isGroup: false, conversationType: 'personal', name: '' },
      from: { id: 'azure-answerer', name: '' },
      recipient: { id: 'bot', name: '' },
      text: '',
    });

    let status: string;
    let content: unknown;
    try {
      const response = await planner.completePrompt(context, memory, 'answer');
      status = response.status;
      content = response.message?.content;
    } catch (error) {
      this.logger.log('warn', 'azure-openai.error', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      return { kind: 'failed', detail: 'the teams-ai planner threw' };
    }
    const seen = await watcher.result();
    return classify(status, content, seen, this.logger);
  }
}

type Observation =
  | { kind: 'none' }
  | { kind: 'aborted' }
  | { kind: 'network'; code: string }
  | {
      kind: 'response';
      status: number;
      retryAfterMs?: number;
      errorCode?: string;
      finishReason?: string;
    };

function classify(status: string, content: unknown, seen: Observation, logger: Logger): ChatCompletionResult {
  if (seen.kind === 'aborted') return { kind: 'timed-out' };
  if (seen.kind === 'network') {
    logger.log('warn', 'azure-openai.unreachable', { code: seen.code });
    return { kind: 'failed', detail: `network ${seen.code}` };
  }
  if (seen.kind === 'response') {
    if (seen.errorCode === 'content_filter' || seen.finishReason === 'content_filter') {
      return { kind: 'content-filtered' };
    }
    if (seen.status === 429) return { kind: 'rate-limited', retryAfterMs: seen.retryAfterMs };
    if (seen.status === 401 || seen.status === 403) {
      // Worth an operator's attention: the key or the identity's role assignment is wrong.
      logger.log('error', 'azure-openai.unauthorised', { status: seen.status });
      return { kind: 'failed', status: seen.status, detail: `HTTP ${seen.status}` };
    }
    if (seen.status >= 400) {
      logger.log('warn', 'azure-openai.http-error', { status: seen.status, code: seen.errorCode });
      return {
        kind: 'failed',
        status: seen.status,
        detail: `HTTP ${seen.status}${seen.errorCode ? ` ${seen.errorCode}` : ''}`,
      };
    }
  }
  if (status === 'success' && typeof content === 'string') return { kind: 'ok', text: content };
  if (status === 'rate_limited') return { kind: 'rate-limited' };
  return { kind: 'failed', detail: `teams-ai status ${status}` };
}

/** Wraps the openai client's fetch for one call and keeps what the HTTP response said. */
class ResponseWatcher {
  private observation: Promise<Observation> = Promise.resolve({ kind: 'none' });

  readonly fetch: Fetch = (url, init) => {
    const call: ReturnType<Fetch> = (defaultFetch as Fetch)(url, init);
    this.observation = call.then(
      async (response): Promise<Observation> => {
        const retryAfterMs = parseRetryAfter(
          response.headers.get('retry-after-ms'),
          response.headers.get('retry-after'),
        );
        let errorCode: string | undefined;
        let finishReason: string | undefined;
        if ((response.headers.get('content-type') ?? '').includes('application/json')) {
          // Read a copy while the openai client reads the original; awaiting it before handing the
          // response over could stall on a body larger than the stream buffer.
          const body = await response
            .clone()
            .json()
            .catch(() => undefined);
          errorCode = readErrorCode(body);
          finishReason = readFinishReason(body);
        }
        return { kind: 'response', status: response.status, retryAfterMs, errorCode, finishReason };
      },
      (error: unknown): Observation => {
        const name = error instanceof Error ? error.name : '';
        if (name === 'AbortError') return { kind: 'aborted' };
        const code = (error as { code?: unknown }).code;
        return { kind: 'network', code: typeof code === 'string' ? code : name || 'unknown' };
      },
    );
    return call;
  };

  result(): Promise<Observation> {
    return this.observation;
  }
}

function parseRetryAfter(milliseconds: string | null, seconds: string | null): number | undefined {
  const fromMilliseconds = milliseconds === null ? NaN : Number(milliseconds);
  if (Number.isFinite(fromMilliseconds) && fromMilliseconds >= 0) return fromMilliseconds;
  const fromSeconds = seconds === null ? NaN : Number(seconds);
  if (Number.isFinite(fromSeconds) && fromSeconds >= 0) return fromSeconds * 1000;
  if (seconds !== null) {
    const date = Date.parse(seconds);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

function readErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: { code?: unknown } }).error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

function readFinishReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const choices = (body as { choices?: { finish_reason?: unknown }[] }).choices;
  const reason = Array.isArray(choices) ? choices[0]?.finish_reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

/** teams-ai's `Memory` over a map; unscoped names are `temp.` names, as in TurnState. */
class PromptVariables implements Memory {
  private readonly values = new Map<string, unknown>();
  constructor(initial: Record<string, unknown>) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, value);
  }
  private key(name: string): string {
    return name.includes('.') ? name : `temp.${name}`;
  }
  deleteValue(name: string): void {
    this.values.delete(this.key(name));
  }
  hasValue(name: string): boolean {
    return this.values.has(this.key(name));
  }
  getValue<TValue = unknown>(name: string): TValue {
    return this.values.get(this.key(name)) as TValue;
  }
  setValue(name: string, value: unknown): void {
    this.values.set(this.key(name), value);
  }
}

/** The answerer never replies through the turn; anything that tries is a bug. */
class NoReplyAdapter extends BotAdapter {
  sendActivities(_context: TurnContext, _activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return Promise.reject(new Error('The Azure answerer does not send activities.'));
  }
  updateActivity(_context: TurnContext, _activity: Partial<Activity>): Promise<void> {
    return Promise.reject(new Error('The Azure answerer does not update activities.'));
  }
  deleteActivity(_context: TurnContext, _reference: Partial<ConversationReference>): Promise<void> {
    return Promise.reject(new Error('The Azure answerer does not delete activities.'));
  }
  continueConversation(
    _reference: Partial<ConversationReference>,
    _logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    return Promise.reject(new Error('The Azure answerer does not continue conversations.'));
  }
}
