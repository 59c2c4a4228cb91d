import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppCredentials, AuthenticationConstants } from 'botframework-connector';
import * as jwt from 'jsonwebtoken';

/**
 * Stands in for the Bot Framework's token service: an OpenID metadata document and signing keys,
 * served over HTTP, so botbuilder's real JWT validation runs against tokens this test signs.
 * Configure the bot with BOT_OPENID_METADATA_URL = `metadataUrl`.
 */
export class LocalBotFrameworkTokens {
  private server?: http.Server;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  readonly keyId = 'local-test-key';
  readonly issuer = 'https://api.botframework.com';

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  }

  get metadataUrl(): string {
    return `${this.base()}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/v1/.well-known/openidconfiguration') {
        response.end(
          JSON.stringify({
            issuer: this.issuer,
            authorization_endpoint: `${this.base()}/v1/auth`,
            jwks_uri: `${this.base()}/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          }),
        );
      } else if (request.url === '/v1/.well-known/keys') {
        response.end(
          JSON.stringify({
            keys: [{ ...this.publicJwk, kty: 'RSA', use: 'sig', kid: this.keyId, endorsements: ['msteams'] }],
          }),
        );
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A token as the Teams channel would send it to the bot with `appId` as audience. */
  tokenFor(appId: string, serviceUrl: string, options: { expiresInSeconds?: number } = {}): string {
    return jwt.sign({ serviceurl: serviceUrl }, this.privateKey, {
      algorithm: 'RS256',
      keyid: this.keyId,
      issuer: this.issuer,
      audience: appId,
      expiresIn: options.expiresInSeconds ?? 600,
      notBefore: 0,
    });
  }

  private base(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('LocalBotFrameworkTokens is not started');
    return `http://127.0.0.1:${address.port}`;
  }
}

/**
 * A tenant-mode bot's outgoing calls (Bot Connector, user token service) need the bot's Entra token,
 * which cannot be fetched here; botframework-connector keeps tokens in a static cache, so one is
 * placed there for the given app id. Test-only: no production code relies on it.
 */
export function primeOutgoingBotToken(appId: string, accessToken = 'local-outgoing-token'): void {
  const tokenCache = (
    AppCredentials as unknown as { cache: Map<string, { accessToken: string; expiresOn: Date }> }
  ).cache;
  tokenCache.set(`${appId}${AuthenticationConstants.ToChannelFromBotOAuthScope}-cache`, {
    accessToken,
    expiresOn: new Date(Date.now() + 60 * 60_000),
  });
}
