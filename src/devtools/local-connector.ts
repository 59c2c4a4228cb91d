import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Bot Connector (developer tooling: `npm run chat` and the tests use it): the REST service Teams runs at `serviceUrl`, which the bot's real
 * botbuilder ConnectorClient talks to. It records every call and can be told to fail, so tests
 * prove the bot's behaviour over the wire without Teams.
 *
 * Routes follow the Bot Connector REST API v3 and the Teams extensions used by botbuilder's TeamsInfo.
 */

export interface RecordedActivity {
  method: 'POST' | 'PUT' | 'DELETE';
  /** Decoded conversation id from the URL. */
  conversationId: string;
  /** Set when the bot replied to (or updated) a specific activity. */
  activityId?: string;
  /** Id this connector gave the activity (for POST) or the id updated (PUT). */
  assignedId: string;
  authorization?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wire format is open-ended JSON
  activity: Record<string, any>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface Fault {
  /** Which requests the fault applies to; all when omitted. */
  match?: (method: string, path: string) => boolean;
  status?: number;
  retryAfterSeconds?: number;
  /** Destroy the socket without answering (a connection reset). */
  reset?: boolean;
  /** Answer only after this long (a slow connector). */
  delayMs?: number;
  /** How many matching requests fail; defaults to 1. */
  times?: number;
  /**
   * Hold the request unanswered until `releaseStalled()` (or `stop()`), then drop the connection:
   * a connector that hangs mid-delivery, e.g. while the bot process is killed.
   */
  stall?: boolean;
}

export interface MeetingDetails {
  id: string;
  organizerId: string;
  organizerAadObjectId?: string;
  joinUrl: string;
  title: string;
  scheduledStartTime: string;
  scheduledEndTime: string;
  chatConversationId: string;
  tenantId: string;
}

export interface Member {
  id: string;
  name: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: 'user' | 'guest' | 'anonymous';
}

/** A person signed in through an OAuth connection, as the Bot Framework token service keeps them. */
export interface UserTokenGrant {
  userId: string;
  connectionName: string;
  token: string;
}

export class LocalBotConnector {
  readonly activities: RecordedActivity[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly members = new Map<string, Member[]>();
  readonly meetings = new Map<string, MeetingDetails>();
  /**
   * The Bot Framework user token service (`/api/usertoken/…`, `/api/botsignin/…`; point the bot's
   * BOT_OAUTH_URL at `serviceUrl`). `userTokens`: `${userId}|${connectionName}` → the signed-in
   * person's token. `magicCodes`: what a finished sign-in pop-up sends back (signin/verifyState) →
   * the grant it completes. `exchangeableTokens`: a Teams single sign-on token → the grant it exchanges for.
   */
  readonly userTokens = new Map<string, string>();
  readonly magicCodes = new Map<string, UserTokenGrant>();
  readonly exchangeableTokens = new Map<string, UserTokenGrant>();
  /** Every sign-in resource handed out, with the token exchange state the bot sent. */
  readonly signInResources: { state: Record<string, unknown>; signInLink: string }[] = [];
  private faults: (Fault & { remaining: number })[] = [];
  private stalled: (() => void)[] = [];
  private server?: http.Server;
  private nextId = 1;
  private waiters: { predicate: (activity: RecordedActivity) => boolean; resolve: (activity: RecordedActivity) => void }[] =
    [];

  get serviceUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('LocalBotConnector is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ error: { code: 'ServiceError', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.releaseStalled();
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Lets every request held by a `stall` fault go (its connection is dropped, nothing is recorded). */
  releaseStalled(): void {
    for (const release of this.stalled.splice(0)) release();
  }

  /** Activities the bot sent into one conversation, in order (typing indicators left out unless asked). */
  sentTo(conversationId: string, options: { includeTyping?: boolean } = {}): RecordedActivity[] {
    return this.activities.filter(
      (recorded) =>
        recorded.conversationId === conversationId && (options.includeTyping || recorded.activity.type !== 'typing'),
    );
  }

  /** Resolves with the first recorded activity (past or future) that matches. */
  waitFor(predicate: (activity: RecordedActivity) => boolean, timeoutMs = 10000): Promise<RecordedActivity> {
    const existing = this.activities.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== wrappedResolve);
        reject(new Error(`No matching activity reached the connector within ${timeoutMs} ms`));
      }, timeoutMs);
      const wrappedResolve = (activity: RecordedActivity) => {
        clearTimeout(timer);
        resolve(activity);
      };
      this.waiters.push({ predicate, resolve: wrappedResolve });
    });
  }

  private record(activity: RecordedActivity): void {
    this.activities.push(activity);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(activity)) {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        waiter.resolve(activity);
      }
    }
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const authorization = request.headers.authorization;
    this.requests.push({ method, path: url.pathname, authorization });
    const body = await readBody(request);

    const fault = this.faults.find(
      (candidate) => candidate.remaining > 0 && (candidate.match?.(method, url.pathname) ?? true),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.stall) {
        await new Promise<void>((resolve) => this.stalled.push(resolve));
        request.socket.destroy();
        return;
      }
      if (fault.reset) {
        request.socket.destroy();
        return;
      }
      if (fault.status) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        response.writeHead(fault.status, headers);
        response.end(JSON.stringify({ error: { code: 'Fault', message: `Injected ${fault.status}` } }));
        return;
      }
    }

    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const send = (status: number, payload?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    // /v3/conversations
    if (segments[0] === 'v3' && segments[1] === 'conversations') {
      if (segments.length === 2 && method === 'POST') {
        const parameters = JSON.parse(body || '{}') as { members?: Member[]; activity?: Record<string, unknown> };
        const conversationId = `a:created-${this.nextId++}`;
        if (parameters.activity) {
          const assignedId = `activity-${this.nextId++}`;
          this.record({ method: 'POST', conversationId, assignedId, authorization, activity: parameters.activity });
          return send(201, { id: conversationId, activityId: assignedId, serviceUrl: this.serviceUrl });
        }
        return send(201, { id: conversationId, serviceUrl: this.serviceUrl });
      }
      const conversationId = segments[2];
      if (segments[3] === 'activities') {
        const activityId = segments[4];
        if (method === 'POST') {
          const activity = JSON.parse(body || '{}') as Record<string, unknown>;
          const assignedId = `activity-${this.nextId++}`;
          this.record({ method: 'POST', conversationId, activityId, assignedId, authorization, activity });
          return send(200, { id: assignedId });
        }
        if (method === 'PUT' && activityId) {
          const activity = JSON.parse(body || '{}') as Record<string, unknown>;
          this.record({ method: 'PUT', conversationId, activityId, assignedId: activityId, authorization, activity });
          return send(200, { id: activityId });
        }
        if (method === 'DELETE' && activityId) {
          this.record({ method: 'DELETE', conversationId, activityId, assignedId: activityId, authorization, activity: {} });
          return send(200);
        }
      }
      if (segments[3] === 'members' && method === 'GET') {
        const members = this.members.get(conversationId) ?? [];
        if (segments[4]) {
          const member = members.find((candidate) => candidate.id === segments[4] || candidate.aadObjectId === segments[4]);
          return member ? send(200, member) : send(404, { error: { code: 'MemberNotFoundInConversation' } });
        }
        return send(200, members);
      }
      if (segments[3] === 'pagedmembers' && method === 'GET') {
        return send(200, { members: this.members.get(conversationId) ?? [] });
      }
    }

    // Bot Framework user token service: /api/usertoken/* and /api/botsignin/*
    if (segments[0] === 'api' && (segments[1] === 'usertoken' || segments[1] === 'botsignin')) {
      return this.handleTokenService(method, segments.slice(1).join('/'), url.searchParams, body, send);
    }

    // Teams meeting extensions: /v1/meetings/{meetingId} and /v1/meetings/{meetingId}/participants/{id}
    if (segments[0] === 'v1' && segments[1] === 'meetings' && method === 'GET') {
      const meeting = this.meetings.get(segments[2]);
      if (!meeting) return send(404, { error: { code: 'NotFound', message: 'Meeting not found' } });
      if (segments[3] === 'participants') {
        const participantId = segments[4];
        const members = this.members.get(meeting.chatConversationId) ?? [];
        const member = members.find((candidate) => candidate.aadObjectId === participantId || candidate.id === participantId);
        if (!member) return send(404, { error: { code: 'NotFound', message: 'Participant not found' } });
        return send(200, {
          user: member,
          meeting: { role: member.id === meeting.organizerId ? 'Organizer' : 'Attendee', inMeeting: false },
          conversation: { id: meeting.chatConversationId, isGroup: true },
        });
      }
      return send(200, {
        details: {
          id: meeting.id,
          msGraphResourceId: meeting.id,
          scheduledStartTime: meeting.scheduledStartTime,
          scheduledEndTime: meeting.scheduledEndTime,
          joinUrl: meeting.joinUrl,
          title: meeting.title,
          type: 'Scheduled',
        },
        conversation: { id: meeting.chatConversationId, isGroup: true, conversationType: 'groupChat' },
        organizer: { id: meeting.organizerId, aadObjectId: meeting.organizerAadObjectId, tenantId: meeting.tenantId },
      });
    }

    send(404, { error: { code: 'NotFound', message: `No route for ${method} ${url.pathname}` } });
  }

  private handleTokenService(
    method: string,
    route: string,
    query: URLSearchParams,
    body: string,
    send: (status: number, payload?: unknown) => void,
  ): void {
    const userId = query.get('userId') ?? '';
    const connectionName = query.get('connectionName') ?? '';
    const channelId = query.get('channelId') ?? 'msteams';
    const key = `${userId}|${connectionName}`;
    const tokenResponse = (token: string) => ({
      channelId,
      connectionName,
      token,
      expiration: new Date(Date.now() + 60 * 60_000).toISOString(),
    });
    if (route.toLowerCase() === 'usertoken/gettoken' && method === 'GET') {
      const code = query.get('code');
      const grant = code ? this.magicCodes.get(code) : undefined;
      if (grant && grant.userId === userId && grant.connectionName === connectionName) {
        this.magicCodes.delete(code as string);
        this.userTokens.set(key, grant.token);
      }
      const token = this.userTokens.get(key);
      // As the real service: 404 when the person has not signed in on this connection.
      return token ? send(200, tokenResponse(token)) : send(404);
    }
    if (route.toLowerCase() === 'usertoken/signout' && method === 'DELETE') {
      this.userTokens.delete(key);
      return send(200, {});
    }
    if (route.toLowerCase() === 'usertoken/exchange' && method === 'POST') {
      const offered = (JSON.parse(body || '{}') as { token?: string }).token;
      const grant = offered ? this.exchangeableTokens.get(offered) : undefined;
      if (!grant || grant.userId !== userId || grant.connectionName !== connectionName) {
        return send(400, { error: { code: 'BadRequest', message: 'The token could not be exchanged.' } });
      }
      this.userTokens.set(key, grant.token);
      return send(200, tokenResponse(grant.token));
    }
    if (route.toLowerCase() === 'botsignin/getsigninresource' && method === 'GET') {
      const rawState = query.get('state') ?? '';
      let state: Record<string, unknown>;
      try {
        state = JSON.parse(Buffer.from(rawState, 'base64').toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { error: { code: 'BadRequest', message: 'state is not a token exchange state' } });
      }
      const signInLink = `${this.serviceUrl}signin?state=${encodeURIComponent(rawState)}`;
      this.signInResources.push({ state, signInLink });
      return send(200, {
        signInLink,
        tokenExchangeResource: {
          id: `exchange-${this.nextId++}`,
          uri: 'api://local-bot/access_as_user',
          providerId: 'local-provider',
        },
      });
    }
    send(404, { error: { code: 'NotFound', message: `No token service route for ${method} ${route}` } });
  }
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
