/**
 * The Microsoft Graph client used by every Graph adapter: `@microsoft/microsoft-graph-client` with our
 * own middleware chain, bearer token → retry → HTTPS.
 *
 * Why our own chain instead of the library's default one:
 * - The default HTTP handler calls the global `fetch`, which cannot be given an `https.Agent`; tests
 *   reach a local Graph server with a throwaway certificate, and some trusts send traffic through a
 *   proxy agent. Our transport is plain `node:https` with the agent passed in.
 * - The default retry handler sleeps on the wall clock with no budget. Ours takes `sleep` and
 *   `random` from outside (tests prove `Retry-After` is honoured without waiting) and gives up inside
 *   a total wait budget, because the DPO-channel membership check runs inside a Teams turn (about
 *   15 s); the incident notifier runs from the outbox, which retries it on its next pass anyway.
 * - The bearer token is attached only to the configured Graph origin. Download redirects
 *   (`/items/{id}/content` → a pre-authenticated SharePoint URL) never carry it.
 */
import http from 'node:http';
import https from 'node:https';
import { Client, GraphError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { AppError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/** Where Graph access tokens come from (app-only from the bot identity, or a signed-in user's token). */
export interface GraphTokenProvider {
  token(): Promise<string>;
  /** Called after a 401 so the next call fetches a fresh token instead of reusing a revoked one. */
  invalidate?(): void;
}

export interface GraphRetryPolicy {
  /** Retries after the first attempt, for 429, 503 and 504 (and connection failures of GETs). */
  maxRetries: number;
  /** First back-off when the server gives no Retry-After; doubled per retry, with jitter. */
  baseDelayMs: number;
  /** Total time one call may spend waiting between attempts; a longer Retry-After ends the call. */
  budgetMs: number;
}

export const defaultGraphRetryPolicy: GraphRetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  budgetMs: 10_000,
};

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0 (config.graph.baseUrl). */
  baseUrl: string;
  tokens: GraphTokenProvider;
  /** Trust store / proxy for the HTTPS connection; tests pass one trusting the local server's certificate. */
  agent?: https.Agent;
  /** Per attempt; Graph normally answers in well under a second. */
  timeoutMs?: number;
  retry?: Partial<GraphRetryPolicy>;
  sleep?: (milliseconds: number) => Promise<void>;
  /** A number in [0, 1), for back-off jitter. */
  random?: () => number;
  logger?: Logger;
}

export type GraphFailureReason =
  'unauthorized' | 'forbidden' | 'not-found' | 'rejected' | 'throttled' | 'unavailable';

/**
 * A Graph call that failed in a way callers branch on. `reason` is finer than the AppError `code`:
 * 401 (token missing, expired or for the wrong audience) and 403 (permission or consent missing) both
 * have code `forbidden`; 429 and 5xx after the retries have code `unavailable`.
 */
export class GraphRequestError extends AppError {
  constructor(
    readonly reason: GraphFailureReason,
    readonly status: number | undefined,
    /** e.g. `InvalidAuthenticationToken`, `Authorization_RequestDenied`, `itemNotFound`. */
    readonly graphCode: string | undefined,
    message: string,
    /** What the server asked for on the last 429/503, for callers that can reschedule. */
    readonly retryAfterMs?: number,
  ) {
    super(codeFor(reason), message, userMessageFor(reason));
    this.name = 'GraphRequestError';
  }
}

function codeFor(reason: GraphFailureReason): AppError['code'] {
  switch (reason) {
    case 'unauthorized':
    case 'forbidden':
      return 'forbidden';
    case 'not-found':
      return 'not-found';
    case 'rejected':
      return 'bad-input';
    default:
      return 'unavailable';
  }
}

function userMessageFor(reason: GraphFailureReason): string {
  switch (reason) {
    case 'unauthorized':
    case 'forbidden':
      return 'Microsoft 365 did not let the bot do that. Please tell your IT team (the app may need admin consent).';
    case 'not-found':
      return 'Microsoft 365 could not find that team, channel, list or file. Please tell your IT team.';
    case 'rejected':
      return 'Microsoft 365 refused the request. Please tell your IT team.';
    default:
      return 'Microsoft 365 is busy or unavailable just now. Please try again in a few minutes.';
  }
}

/** Builds the Graph client; adapters call it through `graphCall` so failures arrive typed. */
export function createGraphClient(options: GraphClientOptions): Client {
  const base = new URL(options.baseUrl);
  const trimmedPath = base.pathname.replace(/\/+$/, '');
  const lastSlash = trimmedPath.lastIndexOf('/');
  // The library joins host + version + path; the last path segment of the base URL is the version.
  const host = base.origin + trimmedPath.slice(0, Math.max(lastSlash, 0));
  const version = trimmedPath.slice(lastSlash + 1);
  const middleware: Middleware[] = [
    new BearerTokenMiddleware(options.tokens, base.origin),
    new RetryMiddleware(
      { ...defaultGraphRetryPolicy, ...options.retry },
      options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds))),
      options.random ?? Math.random,
      options.logger,
    ),
    new NodeHttpsTransport(options.agent, options.timeoutMs ?? 10_000),
  ];
  return Client.initWithMiddleware({ baseUrl: host, defaultVersion: version, middleware });
}

/** Runs one Graph call and turns whatever went wrong into a `GraphRequestError`. */
export async function graphCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toGraphRequestError(operation, error);
  }
}

export function toGraphRequestError(operation: string, error: unknown): GraphRequestError {
  if (error instanceof GraphRequestError) return error;
  if (error instanceof GraphError) {
    const status = error.statusCode > 0 ? error.statusCode : undefined;
    const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after') ?? undefined);
    const reason = reasonFor(status);
    const detail =
      status === undefined ? `could not reach Graph (${error.code ?? 'network'})` : `HTTP ${status}`;
    return new GraphRequestError(
      reason,
      status,
      error.code ?? undefined,
      `${operation}: ${detail}${error.message ? ` ${error.message}` : ''}`.slice(0, 300),
      retryAfterMs,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GraphRequestError('unavailable', undefined, undefined, `${operation}: ${message}`.slice(0, 300));
}

function reasonFor(status: number | undefined): GraphFailureReason {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status !== undefined && status >= 400 && status < 500) return 'rejected';
  return 'unavailable';
}

/** `Retry-After` as seconds or an HTTP date; Graph sends seconds. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

function requestUrl(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

function headersOf(context: Context): Headers {
  const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
  context.options = { ...context.options, headers: headers as unknown as Record<string, string> };
  return headers;
}

abstract class ChainedMiddleware implements Middleware {
  private next?: Middleware;
  setNext(next: Middleware): void {
    this.next = next;
  }
  protected forward(context: Context): Promise<void> {
    if (!this.next) throw new Error('Graph middleware chain has no transport');
    return this.next.execute(context);
  }
  abstract execute(context: Context): Promise<void>;
}

class BearerTokenMiddleware extends ChainedMiddleware {
  constructor(
    private readonly tokens: GraphTokenProvider,
    private readonly trustedOrigin: string,
  ) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const headers = headersOf(context);
    if (new URL(requestUrl(context)).origin === this.trustedOrigin) {
      headers.set('Authorization', `Bearer ${await this.tokens.token()}`);
    } else {
      // An @odata.nextLink or redirect pointing elsewhere must not receive our token.
      headers.delete('Authorization');
    }
    await this.forward(context);
    if (context.response?.status === 401) this.tokens.invalidate?.();
  }
}

class RetryMiddleware extends ChainedMiddleware {
  constructor(
    private readonly policy: GraphRetryPolicy,
    private readonly sleep: (milliseconds: number) => Promise<void>,
    private readonly random: () => number,
    private readonly logger?: Logger,
  ) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const method = (context.options?.method ?? 'GET').toUpperCase();
    let waited = 0;
    for (let attempt = 0; ; attempt += 1) {
      let failure: unknown;
      context.response = undefined;
      try {
        await this.forward(context);
      } catch (error) {
        failure = error;
      }
      // Re-read through a cast: TypeScript cannot see that forward() assigned it.
      const response = context.response as Response | undefined;
      const status = response?.status;
      // 429/503/504 mean the request was not processed, so even a POST is safe to repeat. A dropped
      // connection may have created the list item already, so only reads are repeated then.
      const retryable = failure
        ? method === 'GET' && failure instanceof GraphTransportError
        : status === 429 || status === 503 || status === 504;
      if (!retryable || attempt >= this.policy.maxRetries) {
        if (failure) throw failure;
        return;
      }
      const asked = parseRetryAfter(response?.headers.get('retry-after') ?? undefined);
      const delay = asked ?? Math.round(this.policy.baseDelayMs * 2 ** attempt * (0.5 + this.random() / 2));
      if (waited + delay > this.policy.budgetMs) {
        if (failure) throw failure;
        return;
      }
      // Read the refused body so its socket goes back to the agent's pool.
      await response?.arrayBuffer().catch(() => undefined);
      this.logger?.log('info', 'graph.retry', {
        status: status ?? 'network',
        attempt: attempt + 1,
        delayMs: delay,
        path: new URL(requestUrl(context)).pathname.slice(0, 120),
      });
      await this.sleep(delay);
      waited += delay;
    }
  }
}

/** A connection-level failure (refused, reset, timed out) before any HTTP status arrived. */
export class GraphTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphTransportError';
  }
}

const maxRedirects = 5;

class NodeHttpsTransport implements Middleware {
  constructor(
    private readonly agent: https.Agent | undefined,
    private readonly timeoutMs: number,
  ) {}

  async execute(context: Context): Promise<void> {
    const options = context.options ?? {};
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    const body = bodyBuffer(options.body);
    let url = new URL(requestUrl(context));
    let method = (options.method ?? 'GET').toUpperCase();
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.send(url, method, headers, body);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location && redirects < maxRedirects) {
        await response.arrayBuffer();
        url = new URL(location, url);
        // Download URLs are pre-authenticated; sending the Graph token there would leak it.
        headers.delete('Authorization');
        if (response.status === 303) method = 'GET';
        continue;
      }
      context.response = response;
      return;
    }
  }

  private send(url: URL, method: string, headers: Headers, body: Buffer | undefined): Promise<Response> {
    const outgoing: http.OutgoingHttpHeaders = {};
    headers.forEach((value, name) => {
      outgoing[name] = value;
    });
    if (body) outgoing['content-length'] = body.length;
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method,
          headers: outgoing,
          ...(url.protocol === 'https:' && this.agent ? { agent: this.agent } : {}),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', (error) => reject(new GraphTransportError(error.message)));
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 502;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value === undefined) continue;
              for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
            }
            const payload = Buffer.concat(chunks);
            const noBody = status === 204 || status === 304 || payload.length === 0;
            resolve(
              new Response(noBody ? null : payload, {
                status,
                statusText: incoming.statusMessage,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      request.setTimeout(this.timeoutMs, () =>
        request.destroy(new GraphTransportError(`no answer within ${this.timeoutMs} ms`)),
      );
      request.on('error', (error) =>
        reject(error instanceof GraphTransportError ? error : new GraphTransportError(error.message)),
      );
      request.end(body);
    });
  }
}

function bodyBuffer(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('Graph request body must be text or bytes');
}
