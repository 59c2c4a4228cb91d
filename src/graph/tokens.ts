import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Config } from '../config';
import type { Clock } from '../shared/clock';
import { GraphRequestError, type GraphTokenProvider } from './client';

/**
 * App-only Graph tokens for the bot's own identity. The bot's app registration (client secret) or its
 * user-assigned managed identity is the principal the resource-specific permissions in the app
 * manifest are granted to, so Graph calls use the same identity as the Bot Framework.
 */
export class CredentialTokenProvider implements GraphTokenProvider {
  private cached?: { token: string; expiresAt: number };

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly clock: Clock,
  ) {}

  async token(): Promise<string> {
    // Refresh five minutes early so a token never expires between here and Graph.
    if (this.cached && this.cached.expiresAt - 5 * 60_000 > this.clock.now().getTime())
      return this.cached.token;
    const issued = await this.credential.getToken(this.scope).catch((error: unknown) => {
      throw new GraphRequestError(
        'unauthorized',
        undefined,
        undefined,
        `Could not get a Graph token: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown'}`,
      );
    });
    if (!issued) {
      throw new GraphRequestError('unauthorized', undefined, undefined, 'Could not get a Graph token');
    }
    this.cached = { token: issued.token, expiresAt: issued.expiresOnTimestamp };
    return issued.token;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

/** `.default` scope of the configured Graph cloud (graph.microsoft.com, graph.microsoft.us, …). */
export function graphScope(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/.default`;
}

/** The bot identity from configuration as a Graph token source; undefined offline. */
export function graphTokenProviderFromConfig(config: Config, clock: Clock): GraphTokenProvider | undefined {
  if (!config.bot || !config.graph) return undefined;
  const credential: TokenCredential =
    config.bot.appType === 'UserAssignedMSI' || !config.bot.appPassword
      ? new ManagedIdentityCredential(
          config.managedIdentityClientId ? { clientId: config.managedIdentityClientId } : {},
        )
      : new ClientSecretCredential(config.bot.tenantId, config.bot.appId, config.bot.appPassword);
  return new CredentialTokenProvider(credential, graphScope(config.graph.baseUrl), clock);
}
