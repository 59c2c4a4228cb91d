import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';
import { CallerIdConstants } from 'botbuilder';
import type { Config } from '../config';

/** Outcome of admitting one HTTP request to the bot; `src/index.ts` only turns it into a response. */
export type IncomingOutcome =
  | { kind: 'processed'; status: number; body?: unknown }
  | { kind: 'rejected'; status: 400 | 401 | 403 | 500; reason: string };

/**
 * The teams-ai adapter with one addition: the request is authenticated *before* the tenant is checked,
 * so an unauthenticated caller learns nothing (401) and an authenticated caller from another tenant
 * is refused (403) without the bot running.
 */
export class PolicyBotAdapter extends TeamsAdapter {
  constructor(
    private readonly botConfig: Config['bot'],
    /**
     * `{ noRetryPolicy: true }` for the adapter behind the proactive messenger: the SDK's own retries
     * wait 30 s and more per attempt and ignore our back-off, so the outbox does the retrying itself.
     */
    connectorOptions?: { noRetryPolicy?: boolean },
  ) {
    // botbuilder's credential factory reads MicrosoftAppPassword from the same settings object,
    // though the typed options do not list it.
    super(
      (botConfig
        ? {
            MicrosoftAppId: botConfig.appId,
            MicrosoftAppPassword: botConfig.appPassword,
            MicrosoftAppType: botConfig.appType,
            MicrosoftAppTenantId: botConfig.tenantId,
            ...endpointOverrides(botConfig),
          }
        : {}) as ConstructorParameters<typeof TeamsAdapter>[0],
      undefined,
      undefined,
      connectorOptions,
    );
  }

  async admit(
    authorization: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<IncomingOutcome> {
    let authentication;
    try {
      authentication = await this.botFrameworkAuthentication.authenticateRequest(activity, authorization);
    } catch (error) {
      if (error instanceof AuthenticationError || isUnauthorized(error)) {
        return { kind: 'rejected', status: 401, reason: 'invalid or missing Bot Framework token' };
      }
      throw error;
    }
    if (this.botConfig) {
      const tenant = tenantOf(activity);
      if (tenant !== this.botConfig.allowedTenantId) {
        return { kind: 'rejected', status: 403, reason: `activity from tenant "${tenant ?? 'none'}"` };
      }
    }
    const invokeResponse = await this.processActivity(authentication, activity, logic);
    return { kind: 'processed', status: invokeResponse?.status ?? 200, body: invokeResponse?.body };
  }
}

/**
 * botbuilder treats any one endpoint setting as "all endpoints are configured", so an override of the
 * OpenID metadata URL carries the public-cloud values for every other endpoint.
 */
function endpointOverrides(botConfig: NonNullable<Config['bot']>): Record<string, string | boolean> {
  if (!botConfig.openIdMetadataUrl && !botConfig.tokenIssuer && !botConfig.oauthUrl) return {};
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: botConfig.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: botConfig.oauthUrl ?? AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl:
      botConfig.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

function isUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 401;
}

/** Teams puts the tenant in `conversation.tenantId` and in `channelData.tenant.id`; both must agree. */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const fromConversation = activity.conversation?.tenantId;
  const fromChannelData = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  if (fromConversation && fromChannelData && fromConversation !== fromChannelData) return undefined;
  return fromConversation ?? fromChannelData;
}
