/**
 * A local server that speaks the Azure OpenAI chat-completions REST API, for tests over real HTTP(S).
 *
 * - `POST /openai/deployments/{deployment}/chat/completions?api-version=…`
 * - auth by `api-key` header or `Authorization: Bearer …` (401 without, as Azure does)
 * - replies in Azure's JSON shapes, scripted one request at a time: success, 429 with `retry-after` and
 *   `retry-after-ms`, 500, content-filter refusals (400 `content_filter` on the prompt, or
 *   `finish_reason: "content_filter"` on the completion), and slow replies
 * - records every request body so tests can prove what reached "Azure"
 *
 * HTTPS by default with a throwaway self-signed certificate, because teams-ai's OpenAIModel only accepts
 * https endpoints; clients trust it through `https.Agent({ ca: server.certificate })`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';

export type ScriptedReply =
  | { kind: 'success'; content: string; finishReason?: 'stop' | 'length' }
  | { kind: 'rate-limited'; retryAfterSeconds: number; retryAfterMs?: number }
  | { kind: 'server-error'; status?: number }
  | { kind: 'prompt-filtered' }
  | { kind: 'completion-filtered' }
  | { kind: 'slow'; delayMs: number; content: string };

export interface RecordedRequest {
  method: string;
  path: string;
  deployment?: string;
  apiVersion?: string;
  apiKey?: string;
  authorization?: string;
  /** The raw request body, exactly as received. */
  rawBody: string;
  body?: ChatRequestBody;
  /** The HTTP status this server answered with (or 0 when the client went away first). */
  status: number;
}

export interface ChatRequestBody {
  model?: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  [field: string]: unknown;
}

export interface AzureOpenAiServerOptions {
  /** Accepted `api-key` header value. */
  apiKey?: string;
  /** Accepted `Authorization: Bearer` token (managed identity / Entra ID). */
  bearerToken?: string;
  deployments?: string[];
  /** Plain HTTP instead of HTTPS. */
  insecure?: boolean;
}

export interface AzureOpenAiTestServer {
  /** `https://127.0.0.1:PORT` — the resource endpoint, as configured in a bot's settings. */
  endpoint: string;
  /** PEM certificate to trust (empty for an insecure server). */
  certificate: string;
  requests: RecordedRequest[];
  /** Queues replies for the next requests, in order. Requests beyond the script get a 500. */
  script(...replies: ScriptedReply[]): void;
  /** Forgets the script and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const filterResultsSafe = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};
const filterResultsViolent = { ...filterResultsSafe, violence: { filtered: true, severity: 'medium' } };

export async function startAzureOpenAiServer(
  options: AzureOpenAiServerOptions = {},
): Promise<AzureOpenAiTestServer> {
  const deployments = options.deployments ?? ['gpt-4o'];
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let completionCounter = 0;

  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
      const record: RecordedRequest = {
        method: request.method ?? '',
        path: url.pathname,
        deployment: match ? decodeURIComponent(match[1]) : undefined,
        apiVersion: url.searchParams.get('api-version') ?? undefined,
        apiKey: header(request, 'api-key'),
        authorization: header(request, 'authorization'),
        rawBody,
        body: parseBody(rawBody),
        status: 0,
      };
      requests.push(record);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        record.status = status;
        if (response.destroyed) return;
        response.writeHead(status, {
          'content-type': 'application/json',
          'apim-request-id': crypto.randomUUID(),
          'x-ms-region': 'UK South',
          ...headers,
        });
        response.end(JSON.stringify(body));
      };

      const authorised =
        (options.apiKey !== undefined && record.apiKey === options.apiKey) ||
        (options.bearerToken !== undefined && record.authorization === `Bearer ${options.bearerToken}`);
      if (!authorised) {
        send(401, {
          error: {
            code: '401',
            message:
              'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          },
        });
        return;
      }
      if (request.method !== 'POST' || !match || !record.apiVersion) {
        send(404, { error: { code: '404', message: 'Resource not found' } });
        return;
      }
      if (!deployments.includes(record.deployment ?? '')) {
        send(404, {
          error: {
            code: 'DeploymentNotFound',
            message:
              'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
          },
        });
        return;
      }
      if (!record.body || !Array.isArray(record.body.messages) || record.body.messages.length === 0) {
        send(400, {
          error: {
            message: "'messages' is a required property",
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        });
        return;
      }

      const reply = queue.shift() ?? { kind: 'server-error' };
      const success = (content: string | null, finishReason: string, filterResults: object): object => {
        completionCounter += 1;
        const promptTokens = Math.ceil(rawBody.length / 4);
        const completionTokens = Math.ceil((content ?? '').length / 4);
        return {
          choices: [
            {
              content_filter_results: filterResults,
              finish_reason: finishReason,
              index: 0,
              logprobs: null,
              message: { content, refusal: null, role: 'assistant' },
            },
          ],
          created: Math.floor(Date.now() / 1000),
          id: `chatcmpl-test${String(completionCounter).padStart(6, '0')}`,
          model: 'gpt-4o-2024-08-06',
          object: 'chat.completion',
          prompt_filter_results: [{ prompt_index: 0, content_filter_results: filterResultsSafe }],
          system_fingerprint: 'fp_test',
          usage: {
            completion_tokens: completionTokens,
            prompt_tokens: promptTokens,
            total_tokens: promptTokens + completionTokens,
          },
        };
      };

      switch (reply.kind) {
        case 'success':
          send(200, success(reply.content, reply.finishReason ?? 'stop', filterResultsSafe));
          return;
        case 'slow': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send(200, success(reply.content, 'stop', filterResultsSafe));
          }, reply.delayMs);
          timers.add(timer);
          response.on('close', () => {
            clearTimeout(timer);
            timers.delete(timer);
          });
          return;
        }
        case 'rate-limited':
          send(
            429,
            {
              error: {
                code: '429',
                message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${record.apiVersion} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${reply.retryAfterSeconds} second${reply.retryAfterSeconds === 1 ? '' : 's'}.`,
              },
            },
            {
              'retry-after': String(reply.retryAfterSeconds),
              ...(reply.retryAfterMs !== undefined ? { 'retry-after-ms': String(reply.retryAfterMs) } : {}),
              'x-ratelimit-remaining-requests': '0',
              'x-ratelimit-remaining-tokens': '0',
            },
          );
          return;
        case 'server-error':
          send(reply.status ?? 500, {
            error: {
              code: 'InternalServerError',
              message: 'The server had an error while processing your request. Sorry about that!',
            },
          });
          return;
        case 'prompt-filtered':
          send(400, {
            error: {
              message:
                "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
              type: null,
              param: 'prompt',
              code: 'content_filter',
              status: 400,
              innererror: {
                code: 'ResponsibleAIPolicyViolation',
                content_filter_result: {
                  ...filterResultsViolent,
                  jailbreak: { filtered: false, detected: false },
                },
              },
            },
          });
          return;
        case 'completion-filtered':
          send(200, success(null, 'content_filter', filterResultsViolent));
          return;
      }
    });
  };

  const certificate = options.insecure ? undefined : createSelfSignedCertificate();
  const server = certificate
    ? https.createServer({ key: certificate.key, cert: certificate.cert }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    certificate: certificate?.cert ?? '',
    requests,
    script: (...replies) => queue.push(...replies),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBody(raw: string): ChatRequestBody | undefined {
  try {
    return JSON.parse(raw) as ChatRequestBody;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// A self-signed certificate for 127.0.0.1, built with node:crypto and a few lines of DER, so the
// tests need neither openssl on the machine nor a certificate checked into the repository.
// ---------------------------------------------------------------------------------------------

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...content: Buffer[]): Buffer => der(0x30, ...content);

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const value of rest) {
    const encoded = [value & 0x7f];
    for (let remaining = value >> 7; remaining > 0; remaining >>= 7)
      encoded.unshift((remaining & 0x7f) | 0x80);
    bytes.push(...encoded);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

/** Shared with the local Graph server (test/support/graph-server.ts). */
export function createSelfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(objectId('1.2.840.10045.4.3.2'));
  const name = sequence(der(0x31, sequence(objectId('2.5.4.3'), der(0x0c, Buffer.from('127.0.0.1')))));
  const now = Date.now();
  const subjectAltName = sequence(
    der(0x87, Buffer.from([127, 0, 0, 1])),
    der(0x82, Buffer.from('localhost')),
  );
  const basicConstraints = sequence(der(0x01, Buffer.from([0xff])));
  const extensions = der(
    0xa3,
    sequence(
      sequence(objectId('2.5.29.17'), der(0x04, subjectAltName)),
      sequence(objectId('2.5.29.19'), der(0x04, basicConstraints)),
    ),
  );
  const serial = crypto.randomBytes(8);
  // Positive and without a leading zero byte: OpenSSL rejects a non-minimal INTEGER ("illegal padding").
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const toBeSigned = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 60 * 60 * 1000)), utcTime(new Date(now + 24 * 60 * 60 * 1000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = crypto.sign('sha256', toBeSigned, privateKey);
  const certificate = sequence(toBeSigned, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`.replace('\n\n', '\n'),
  };
}
