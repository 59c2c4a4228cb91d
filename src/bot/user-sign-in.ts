/**
 * The organiser's own Microsoft 365 sign-in, through the Azure Bot's OAuth connection and the Bot
 * Framework user token service (botbuilder's UserTokenClient on the turn). Tokens are handed to the
 * caller and never logged or stored by the bot: the token service keeps them.
 */
import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  type CloudAdapterBase,
  StatusCodes,
  type TurnContext,
} from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import type { Logger } from '../shared/logger';

export type UserTokenOutcome =
  | { kind: 'token'; token: string }
  | { kind: 'not-signed-in' }
  /** The token service could not be reached or refused the bot. */
  | { kind: 'unavailable' };

function errorText(error: unknown): string {
  // Error messages from the token client name the service and status only, never the token.
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown';
}

export class UserSignIn {
  constructor(
    private readonly connectionName: string,
    private readonly logger: Logger,
  ) {}

  private client(context: TurnContext): UserTokenClient | undefined {
    // CloudAdapter puts the client on every turn under its own key.
    const key = (context.adapter as Partial<Pick<CloudAdapterBase, 'UserTokenClientKey'>>).UserTokenClientKey;
    return key ? context.turnState.get<UserTokenClient | undefined>(key) : undefined;
  }

  /** The signed-in person's token, or why there is none. `magicCode` completes a sign-in in progress. */
  async token(context: TurnContext, magicCode?: string): Promise<UserTokenOutcome> {
    const client = this.client(context);
    if (!client) return { kind: 'unavailable' };
    try {
      const response = await client.getUserToken(
        context.activity.from.id,
        this.connectionName,
        context.activity.channelId,
        // botbuilder's own OAuthPrompt passes no code when it has none; the typing is stricter.
        magicCode as string,
      );
      return response?.token ? { kind: 'token', token: response.token } : { kind: 'not-signed-in' };
    } catch (error) {
      this.logger.log('warn', 'sign-in.token-failed', { error: errorText(error) });
      return { kind: 'unavailable' };
    }
  }

  /** Forgets the person's token at the token service, so the next sign-in gets a fresh one. */
  async signOut(context: TurnContext): Promise<void> {
    try {
      await this.client(context)?.signOutUser(
        context.activity.from.id,
        this.connectionName,
        context.activity.channelId,
      );
    } catch (error) {
      this.logger.log('warn', 'sign-in.sign-out-failed', { error: errorText(error) });
    }
  }

  /** Sends an OAuth card; false when the token service could not give a sign-in link. */
  async sendSignInCard(context: TurnContext, text: string): Promise<boolean> {
    const client = this.client(context);
    if (!client) return false;
    try {
      const resource = await client.getSignInResource(
        this.connectionName,
        context.activity,
        undefined as unknown as string,
      );
      await context.sendActivity(
        MessageFactory.attachment(
          CardFactory.oauthCard(
            this.connectionName,
            'Sign in',
            text,
            resource.signInLink,
            resource.tokenExchangeResource,
            resource.tokenPostResource,
          ),
          text,
        ),
      );
      return true;
    } catch (error) {
      this.logger.log('warn', 'sign-in.card-failed', { error: errorText(error) });
      return false;
    }
  }

  /**
   * Answers Teams' `signin/verifyState` (the person finished signing in in the pop-up; `state` is the
   * magic code) and returns the token it gave.
   */
  async verifyState(context: TurnContext): Promise<UserTokenOutcome> {
    const state = (context.activity.value as { state?: unknown } | undefined)?.state;
    const outcome =
      typeof state === 'string' && state.length > 0 && state.length <= 200
        ? await this.token(context, state)
        : ({ kind: 'not-signed-in' } as const);
    await invokeResponse(
      context,
      outcome.kind === 'token' ? StatusCodes.OK : StatusCodes.PRECONDITION_FAILED,
    );
    return outcome;
  }

  /**
   * Answers Teams' `signin/tokenExchange` (single sign-on: Teams offers the person's token for the
   * app). 412 tells Teams the exchange failed, so it shows the sign-in button instead.
   */
  async exchange(context: TurnContext): Promise<UserTokenOutcome> {
    const value = (context.activity.value ?? {}) as {
      id?: unknown;
      connectionName?: unknown;
      token?: unknown;
    };
    const id = typeof value.id === 'string' ? value.id : '';
    const client = this.client(context);
    let outcome: UserTokenOutcome = { kind: 'not-signed-in' };
    if (client && typeof value.token === 'string' && value.connectionName === this.connectionName) {
      try {
        const response = await client.exchangeToken(
          context.activity.from.id,
          this.connectionName,
          context.activity.channelId,
          { token: value.token },
        );
        if (response?.token) outcome = { kind: 'token', token: response.token };
      } catch (error) {
        this.logger.log('warn', 'sign-in.exchange-failed', { error: errorText(error) });
      }
    }
    await invokeResponse(
      context,
      outcome.kind === 'token' ? StatusCodes.OK : StatusCodes.PRECONDITION_FAILED,
      outcome.kind === 'token'
        ? { id, connectionName: this.connectionName }
        : { id, connectionName: this.connectionName, failureDetail: 'The token could not be exchanged.' },
    );
    return outcome;
  }
}

async function invokeResponse(context: TurnContext, status: number, body?: unknown): Promise<void> {
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status, body } });
}
