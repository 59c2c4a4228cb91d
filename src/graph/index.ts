import * as fs from 'node:fs/promises';
import type https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config } from '../config';
import type { IncidentNotifier } from '../incidents/incident-service';
import { ConfiguredChannelMembers, type ChannelMembers } from '../incidents/types';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { ConversationAddress } from '../shared/messaging';
import { GraphChannelMembers, type ChannelLocation } from './channel-members';
import { createGraphClient, type GraphClientOptions, type GraphTokenProvider } from './client';
import { GraphIncidentNotifier } from './incident-notifier';
import { GraphMeetingCalendar, type MeetingCalendar } from './meeting-calendar';
import { SharePointPolicyLibrary, type PolicyLibrarySource } from './policy-library-source';
import { graphTokenProviderFromConfig } from './tokens';

export * from './client';
export * from './channel-members';
export * from './incident-notifier';
export * from './meeting-calendar';
export * from './policy-library-source';
export * from './tokens';

/** What Microsoft Graph gives the bot in tenant mode; absent offline. */
export interface GraphServices {
  /** Members of the DPO channel: who may act on DPO cards (DPO_MEMBERS until the channel is known). */
  members: ChannelMembers;
  /** Activity-feed notice to the DPO channel and, when configured, the SharePoint breach log. */
  notifier: IncidentNotifier;
  /** An organiser's upcoming meetings; needs their delegated token from the bot's sign-in. */
  calendar: MeetingCalendar;
  /** The SharePoint policy library, when POLICY_SHAREPOINT_* are set. */
  policyLibrary?: PolicyLibrarySource;
}

/** How to reach Graph; tests replace the token source and trust store to use a local server. */
export interface GraphConnection {
  tokens?: GraphTokenProvider;
  agent?: https.Agent;
  sleep?: (milliseconds: number) => Promise<void>;
}

export interface GraphServicesOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** Where the DPO channel's address is saved when the app is installed in the DPO team. */
  directory: { place(name: 'dpo-channel'): Promise<ConversationAddress | undefined> };
  connection?: GraphConnection;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Builds the Graph services from configuration; undefined offline (no bot identity, no Graph).
 * Graph addresses a team by its Entra group id, while Teams activities carry the team's thread id
 * (DPO_TEAM_ID), so the group id comes from DPO_TEAM_GROUP_ID (or DPO_TEAM_ID when that is a GUID).
 * The channel id is Teams' own thread id: DPO_CHANNEL_ID, or the one saved on install.
 */
export function createGraphServices(options: GraphServicesOptions): GraphServices | undefined {
  const { config, clock, logger } = options;
  const graph = config.graph;
  if (!graph) return undefined;
  const tokens = options.connection?.tokens ?? graphTokenProviderFromConfig(config, clock);
  if (!tokens) return undefined;
  const clientOptions: Omit<GraphClientOptions, 'tokens'> = {
    baseUrl: graph.baseUrl,
    agent: options.connection?.agent,
    sleep: options.connection?.sleep,
    random: options.random,
    logger,
  };
  const client = createGraphClient({ ...clientOptions, tokens });

  const teamId =
    graph.dpoTeamGroupId ??
    (config.people.dpoTeamId && guid.test(config.people.dpoTeamId) ? config.people.dpoTeamId : undefined);
  const channel = async (): Promise<ChannelLocation | undefined> => {
    if (!teamId) return undefined;
    if (config.people.dpoChannelId) return { teamId, channelId: config.people.dpoChannelId };
    const saved = await options.directory.place('dpo-channel');
    // A channel conversation id may carry ";messageid=…" when it was saved from a thread reply.
    const channelId = saved?.teamsChannelId ?? saved?.conversationId.split(';')[0];
    return channelId ? { teamId, channelId } : undefined;
  };

  const library = graph.policyLibrary;
  return {
    members: new GraphChannelMembers({
      client,
      channel,
      clock,
      logger,
      fallback: new ConfiguredChannelMembers(config.people.dpoMembers),
    }),
    notifier: new GraphIncidentNotifier({
      client,
      channel,
      logger,
      graphBaseUrl: graph.baseUrl,
      breachLog:
        graph.breachLogSiteId && graph.breachLogListId
          ? { siteId: graph.breachLogSiteId, listId: graph.breachLogListId }
          : undefined,
    }),
    calendar: new GraphMeetingCalendar(clientOptions),
    policyLibrary: library
      ? new SharePointPolicyLibrary({
          client,
          siteId: library.siteId,
          driveId: library.driveId,
          folder: library.folder,
          cacheFolder: policyCacheFolder(config),
          logger,
        })
      : undefined,
  };
}

/** Downloaded policies live next to the local data, or in the temp folder when storage is in Azure. */
export function policyCacheFolder(config: Config): string {
  return config.storage.kind === 'local'
    ? path.join(config.storage.folder, 'sharepoint-policies')
    : path.join(os.tmpdir(), 'policy-bot-sharepoint-policies');
}

/** The SharePoint policy library after the start-up copy: where the copy is and how to refresh it. */
export interface SharePointPolicies {
  /** Local folder holding the copy; give it to the policy reader. */
  folder: string;
  source: PolicyLibrarySource;
  syncIntervalMs: number;
}

/**
 * When the policies live in SharePoint (POLICY_SHAREPOINT_*), copies them into the local cache at
 * start-up; undefined when SharePoint is not configured. If SharePoint cannot be reached, the copy
 * from the last successful start is used, so an outage does not stop the bot answering; with no copy
 * at all, start-up fails with the reason.
 */
export async function sharePointPolicies(options: {
  config: Config;
  clock: Clock;
  logger: Logger;
  connection?: GraphConnection;
}): Promise<SharePointPolicies | undefined> {
  const { config, clock, logger } = options;
  const library = config.graph?.policyLibrary;
  if (!config.graph || !library) return undefined;
  const tokens = options.connection?.tokens ?? graphTokenProviderFromConfig(config, clock);
  if (!tokens) return undefined;
  const folder = policyCacheFolder(config);
  const source = new SharePointPolicyLibrary({
    client: createGraphClient({
      baseUrl: config.graph.baseUrl,
      tokens,
      agent: options.connection?.agent,
      sleep: options.connection?.sleep,
      logger,
    }),
    siteId: library.siteId,
    driveId: library.driveId,
    folder: library.folder,
    cacheFolder: folder,
    logger,
  });
  const found = { folder, source, syncIntervalMs: library.syncIntervalMs };
  try {
    await source.sync();
    return found;
  } catch (error) {
    const previous = await fs.readdir(folder).catch(() => [] as string[]);
    const detail = error instanceof Error ? error.message.slice(0, 200) : 'unknown';
    if (previous.some((name) => !name.startsWith('.') && !name.endsWith('.partial'))) {
      logger.log('warn', 'graph.policies.sync-failed-using-last-copy', { detail });
      return found;
    }
    throw new AppError(
      'configuration',
      `Could not read the policies from SharePoint and there is no earlier copy: ${detail}`,
    );
  }
}
