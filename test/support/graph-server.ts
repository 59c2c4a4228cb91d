/**
 * A local server that speaks the parts of Microsoft Graph v1.0 the bot uses, over HTTPS with a
 * throwaway self-signed certificate, for tests over real HTTP:
 *
 * - `GET  /v1.0/teams/{teamId}/channels/{channelId}/members` (aadUserConversationMember, paged by nextLink)
 * - `POST /v1.0/teams/{teamId}/sendActivityNotification` (204)
 * - `POST /v1.0/sites/{siteId}/lists/{listId}/items` (201 listItem)
 * - `GET  /v1.0/me/calendarView?startDateTime&endDateTime` (delegated token only, as Graph)
 * - `GET  /v1.0/sites/{siteId}/drives/{driveId}/root:/{folder}:/children`
 * - `GET  /v1.0/sites/{siteId}/drives/{driveId}/items/{itemId}/content` (302 to a pre-authenticated URL)
 *
 * It checks `Authorization: Bearer`, records every call and injects faults: any status (401, 429 with
 * Retry-After, 503 bursts) and slow replies. Error bodies follow Graph's `{ error: { code, message } }`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from './azure-openai-server';

export interface GraphCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: unknown;
  status: number;
}

export interface GraphFault {
  /** Which calls it applies to: a path pattern, or any call when absent. */
  match?: RegExp;
  method?: string;
  status?: number;
  retryAfterSeconds?: number;
  /** Reply only after this long (with `status`, or the normal reply when no status is given). */
  delayMs?: number;
  /** How many matching calls it applies to (default 1). */
  times?: number;
}

export interface ChannelMember {
  userId: string;
  displayName: string;
  email?: string;
  roles?: string[];
}

export interface CalendarEvent {
  id: string;
  subject: string;
  /** UTC ISO. */
  start: string;
  end: string;
  joinUrl?: string;
  organizer: { name: string; address: string };
  attendees: { name: string; address: string; type?: 'required' | 'optional' | 'resource' }[];
  /** Whether the calendar's owner organises it (Graph's `isOrganizer`); an invitation when false. */
  isOrganizer?: boolean;
}

export interface DriveFile {
  name: string;
  content: Buffer | string;
  lastModifiedDateTime?: string;
}

interface StoredFile {
  id: string;
  name: string;
  content: Buffer;
  eTag: string;
  cTag: string;
  lastModifiedDateTime: string;
  version: number;
}

const tenantId = '11111111-2222-3333-4444-555555555555';

export class LocalGraphServer {
  readonly calls: GraphCall[] = [];
  /** Calls to pre-authenticated download URLs (they must not carry the Graph token). */
  readonly downloads: { path: string; authorization?: string }[] = [];
  /** `${teamId}/${channelId}` → members. */
  readonly channelMembers = new Map<string, ChannelMember[]>();
  /** Team ids the app is installed in; notifications to other teams get 404 as in Graph. */
  readonly teams = new Set<string>();
  /** `${siteId}/${listId}` → items; unknown lists get 404. */
  readonly lists = new Map<
    string,
    { id: string; fields: Record<string, unknown>; createdDateTime: string }[]
  >();
  readonly notifications: { teamId: string; body: Record<string, unknown> }[] = [];
  /** Delegated token → the signed-in user's events. */
  readonly calendars = new Map<string, CalendarEvent[]>();
  /** Page size for channel members (Graph pages large channels with @odata.nextLink). */
  memberPageSize = 100;

  private readonly drives = new Map<string, Map<string, StoredFile[]>>();
  private readonly downloadTokens = new Map<string, StoredFile>();
  private readonly faults: (GraphFault & { remaining: number })[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: https.Server;
  private certificatePem = '';
  private itemCounter = 0;

  constructor(
    /** The app-only token Graph accepts (the bot identity). */
    readonly appToken = 'app-token-for-tests',
    /** Share another server's key and certificate (two self-signed certificates with one name confuse OpenSSL). */
    private readonly tls: { key: string; cert: string } = createSelfSignedCertificate(),
  ) {}

  /** This server's key and certificate, to give a second server the same identity. */
  get tlsCredentials(): { key: string; cert: string } {
    return this.tls;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('Graph server not started');
    return `https://127.0.0.1:${address.port}`;
  }

  /** What a bot's GRAPH_BASE_URL would be. */
  get baseUrl(): string {
    return `${this.url}/v1.0`;
  }

  get certificate(): string {
    return this.certificatePem;
  }

  /** An agent trusting this server's certificate, for the Graph client. */
  agent(): https.Agent {
    return new https.Agent({ ca: this.certificatePem, keepAlive: false });
  }

  async start(): Promise<this> {
    this.certificatePem = this.tls.cert;
    this.server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (request, response) =>
      this.handle(request, response),
    );
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  inject(fault: GraphFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Forgets calls, faults, notifications and list items; keeps members, calendars and files. */
  reset(): void {
    this.calls.length = 0;
    this.downloads.length = 0;
    this.faults.length = 0;
    this.notifications.length = 0;
    for (const items of this.lists.values()) items.length = 0;
  }

  callsTo(pattern: RegExp, method?: string): GraphCall[] {
    return this.calls.filter((call) => pattern.test(call.path) && (!method || call.method === method));
  }

  /** Puts (or replaces) files in a drive folder; a changed file gets a new eTag and lastModified. */
  putFiles(siteId: string, driveId: string, folder: string, files: DriveFile[]): void {
    const drive = this.drives.get(`${siteId}/${driveId}`) ?? new Map<string, StoredFile[]>();
    this.drives.set(`${siteId}/${driveId}`, drive);
    const existing = drive.get(folder) ?? [];
    const next: StoredFile[] = files.map((file) => {
      const content = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, 'utf8');
      const before = existing.find((candidate) => candidate.name === file.name);
      if (before && before.content.equals(content)) return before;
      const id = before?.id ?? `01${crypto.randomBytes(16).toString('hex').toUpperCase()}`;
      const version = (before?.version ?? 0) + 1;
      return {
        id,
        name: file.name,
        content,
        version,
        eTag: `"{${id.slice(2, 10)}-0000-0000-0000-${id.slice(10, 22)}},${version}"`,
        cTag: `"c:{${id.slice(2, 10)}},${version}"`,
        lastModifiedDateTime: file.lastModifiedDateTime ?? new Date().toISOString(),
      };
    });
    drive.set(folder, next);
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'https://localhost');
      const raw = Buffer.concat(chunks).toString('utf8');
      const authorization = request.headers.authorization;
      const method = request.method ?? 'GET';

      if (url.pathname.startsWith('/download/')) {
        this.downloads.push({ path: url.pathname, authorization });
        const file = this.downloadTokens.get(url.pathname.slice('/download/'.length));
        if (!file) {
          response.writeHead(404);
          response.end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(file.content);
        return;
      }

      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const call: GraphCall = {
        method,
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams.entries()),
        authorization,
        body,
        status: 0,
      };
      this.calls.push(call);

      const send = (status: number, payload?: unknown, headers: Record<string, string> = {}): void => {
        call.status = status;
        if (response.destroyed) return;
        const common = {
          'request-id': crypto.randomUUID(),
          'client-request-id': crypto.randomUUID(),
          ...headers,
        };
        if (payload === undefined) {
          response.writeHead(status, common);
          response.end();
          return;
        }
        response.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', ...common });
        response.end(JSON.stringify(payload));
      };
      const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
        send(
          status,
          {
            error: {
              code,
              message,
              innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID() },
            },
          },
          headers,
        );

      const fault = this.faults.find(
        (candidate) =>
          candidate.remaining > 0 &&
          (!candidate.match || candidate.match.test(call.path)) &&
          (!candidate.method || candidate.method === method),
      );
      const respond = () => {
        if (fault?.status !== undefined) {
          const retryAfter: Record<string, string> =
            fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
          if (fault.status === 401)
            fail(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
          else if (fault.status === 429)
            fail(429, 'TooManyRequests', 'Too many requests. Please try again later.', retryAfter);
          else if (fault.status >= 500)
            fail(fault.status, 'serviceNotAvailable', 'The service is temporarily unavailable.', retryAfter);
          else fail(fault.status, 'BadRequest', 'Injected failure.');
          return;
        }
        this.route(call, url, authorization, send, fail);
      };
      if (fault) fault.remaining -= 1;
      if (fault?.delayMs) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          respond();
        }, fault.delayMs);
        this.timers.add(timer);
        return;
      }
      respond();
    });
  }

  private route(
    call: GraphCall,
    url: URL,
    authorization: string | undefined,
    send: (status: number, payload?: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) {
      fail(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      return;
    }
    const delegated = this.calendars.has(token);
    if (token !== this.appToken && !delegated) {
      fail(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed.');
      return;
    }
    const path = call.path;
    let match: RegExpExecArray | null;

    if (
      call.method === 'GET' &&
      (match = /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/members$/.exec(path))
    ) {
      const members = this.channelMembers.get(`${match[1]}/${match[2]}`);
      if (!members) {
        fail(404, 'NotFound', 'Failed to execute Skype backend request GetThreadS2SRequest.');
        return;
      }
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const page = members.slice(skip, skip + this.memberPageSize);
      const next = skip + this.memberPageSize < members.length ? skip + this.memberPageSize : undefined;
      send(200, {
        '@odata.context': `${this.url}/v1.0/$metadata#teams('${match[1]}')/channels('${match[2]}')/members`,
        '@odata.count': page.length,
        ...(next !== undefined
          ? {
              '@odata.nextLink': `${this.url}/v1.0/teams/${match[1]}/channels/${match[2]}/members?$skiptoken=${next}`,
            }
          : {}),
        value: page.map((member) => ({
          '@odata.type': '#microsoft.graph.aadUserConversationMember',
          id: Buffer.from(`${match?.[2]}##${member.userId}`).toString('base64'),
          roles: member.roles ?? [],
          displayName: member.displayName,
          visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
          userId: member.userId,
          email: member.email ?? null,
          tenantId,
        })),
      });
      return;
    }

    if (
      call.method === 'POST' &&
      (match = /^\/v1\.0\/teams\/([^/]+)\/sendActivityNotification$/.exec(path))
    ) {
      if (!this.teams.has(match[1])) {
        fail(404, 'NotFound', 'Team not found or the app is not installed in it.');
        return;
      }
      const body = (call.body ?? {}) as Record<string, unknown>;
      const topic = body.topic as { source?: string; value?: string; webUrl?: string } | undefined;
      const recipient = body.recipient as Record<string, unknown> | undefined;
      const problem = !body.activityType
        ? 'activityType is required'
        : !topic || !['entityUrl', 'text'].includes(topic.source ?? '') || !topic.value
          ? 'topic with source entityUrl or text and a value is required'
          : topic.source === 'text' && !topic.webUrl
            ? 'topic.webUrl is required when the source is text'
            : !(body.previewText as { content?: string } | undefined)?.content
              ? 'previewText.content is required'
              : !recipient?.['@odata.type']
                ? 'recipient with @odata.type is required'
                : undefined;
      if (problem) {
        fail(400, 'BadRequest', problem);
        return;
      }
      this.notifications.push({ teamId: match[1], body });
      send(204);
      return;
    }

    if (call.method === 'POST' && (match = /^\/v1\.0\/sites\/([^/]+)\/lists\/([^/]+)\/items$/.exec(path))) {
      const items = this.lists.get(`${match[1]}/${match[2]}`);
      if (!items) {
        fail(404, 'itemNotFound', 'The specified list was not found');
        return;
      }
      const fields = (call.body as { fields?: Record<string, unknown> } | undefined)?.fields;
      if (!fields || typeof fields !== 'object') {
        fail(400, 'invalidRequest', 'Invalid request: fields are required');
        return;
      }
      this.itemCounter += 1;
      const item = { id: String(this.itemCounter), fields, createdDateTime: new Date().toISOString() };
      items.push(item);
      send(201, {
        '@odata.context': `${this.url}/v1.0/$metadata#sites('${match[1]}')/lists('${match[2]}')/items/$entity`,
        '@odata.etag': `"${crypto.randomUUID()},1"`,
        id: item.id,
        createdDateTime: item.createdDateTime,
        eTag: `"${crypto.randomUUID()},1"`,
        lastModifiedDateTime: item.createdDateTime,
        webUrl: `https://contoso.sharepoint.com/sites/dpo/Lists/BreachLog/${item.id}_.000`,
        fields: { '@odata.etag': `"${crypto.randomUUID()},1"`, id: item.id, ...fields },
      });
      return;
    }

    if (call.method === 'GET' && path === '/v1.0/me/calendarView') {
      if (!delegated) {
        fail(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
        return;
      }
      const from = Date.parse(url.searchParams.get('startDateTime') ?? '');
      const to = Date.parse(url.searchParams.get('endDateTime') ?? '');
      if (Number.isNaN(from) || Number.isNaN(to)) {
        fail(
          400,
          'ErrorInvalidParameter',
          'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
        );
        return;
      }
      const events = (this.calendars.get(token) ?? [])
        .filter((event) => Date.parse(event.start) < to && Date.parse(event.end) > from)
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const graphTime = (iso: string) => ({
        dateTime: new Date(iso)
          .toISOString()
          .replace('Z', '')
          .replace(/\.(\d{3})$/, '.$10000'),
        timeZone: 'UTC',
      });
      send(200, {
        '@odata.context': `${this.url}/v1.0/$metadata#users('me')/calendarView`,
        value: events.map((event) => ({
          '@odata.etag': `W/"${crypto.createHash('sha1').update(event.id).digest('base64')}"`,
          id: event.id,
          subject: event.subject,
          start: graphTime(event.start),
          end: graphTime(event.end),
          isOnlineMeeting: event.joinUrl !== undefined,
          onlineMeetingProvider: event.joinUrl !== undefined ? 'teamsForBusiness' : 'unknown',
          onlineMeeting: event.joinUrl !== undefined ? { joinUrl: event.joinUrl } : null,
          isOrganizer: event.isOrganizer ?? true,
          organizer: { emailAddress: event.organizer },
          attendees: event.attendees.map((attendee) => ({
            type: attendee.type ?? 'required',
            status: { response: 'none', time: '0001-01-01T00:00:00Z' },
            emailAddress: { name: attendee.name, address: attendee.address },
          })),
        })),
      });
      return;
    }

    if (
      call.method === 'GET' &&
      (match = /^\/v1\.0\/sites\/([^/]+)\/drives\/([^/]+)\/root:\/(.+):\/children$/.exec(path))
    ) {
      const files = this.drives.get(`${match[1]}/${match[2]}`)?.get(match[3].replace(/^\/+|\/+$/g, ''));
      if (!files) {
        fail(404, 'itemNotFound', 'The resource could not be found.');
        return;
      }
      send(200, {
        '@odata.context': `${this.url}/v1.0/$metadata#sites('${match[1]}')/drives('${match[2]}')/items`,
        value: files.map((file) => ({
          '@microsoft.graph.downloadUrl': `${this.url}/download/${this.downloadToken(file)}`,
          id: file.id,
          name: file.name,
          eTag: file.eTag,
          cTag: file.cTag,
          lastModifiedDateTime: file.lastModifiedDateTime,
          size: file.content.length,
          webUrl: `https://contoso.sharepoint.com/sites/policies/Shared%20Documents/${encodeURIComponent(file.name)}`,
          file: { mimeType: mimeTypeOf(file.name) },
        })),
      });
      return;
    }

    if (
      call.method === 'GET' &&
      (match = /^\/v1\.0\/sites\/([^/]+)\/drives\/([^/]+)\/items\/([^/]+)\/content$/.exec(path))
    ) {
      const folders = this.drives.get(`${match[1]}/${match[2]}`);
      const itemId = match[3];
      const file = [...(folders?.values() ?? [])].flat().find((candidate) => candidate.id === itemId);
      if (!file) {
        fail(404, 'itemNotFound', 'The resource could not be found.');
        return;
      }
      send(302, undefined, { Location: `${this.url}/download/${this.downloadToken(file)}` });
      return;
    }

    fail(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`);
  }

  private downloadToken(file: StoredFile): string {
    const token = crypto.randomBytes(12).toString('hex');
    this.downloadTokens.set(token, file);
    return token;
  }
}

function mimeTypeOf(name: string): string {
  if (name.endsWith('.pdf')) return 'application/pdf';
  if (name.endsWith('.docx'))
    return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  if (name.endsWith('.md')) return 'text/markdown';
  return 'text/plain';
}
