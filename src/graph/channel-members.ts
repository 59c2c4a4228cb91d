import type { Client } from '@microsoft/microsoft-graph-client';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { ChannelMembers } from '../incidents/types';
import { graphCall } from './client';

/** A Teams channel as Graph names it: the team's Entra group id and the channel's thread id. */
export interface ChannelLocation {
  teamId: string;
  channelId: string;
}

interface MemberPage {
  value?: { '@odata.type'?: string; userId?: string | null }[];
  '@odata.nextLink'?: string;
}

export interface GraphChannelMembersOptions {
  client: Client;
  /** Resolved on use: the DPO channel id may only be known once the app is installed in the team. */
  channel: () => Promise<ChannelLocation | undefined>;
  clock: Clock;
  /** How long a member list is trusted; someone removed from the channel loses access within this. */
  cacheMs?: number;
  /** Asked while the channel is not known yet (e.g. DPO_MEMBERS from configuration). */
  fallback?: ChannelMembers;
  logger?: Logger;
}

/**
 * Who may act on DPO cards, per Graph: `GET /teams/{id}/channels/{id}/members` (RSC
 * ChannelMember.Read.Group). A person matches by Entra object id, which Teams puts in
 * `from.aadObjectId` and Graph in the member's `userId`. A Graph failure is thrown (typed), never
 * turned into "not a member", so a DPO is not told they lack rights when Graph is merely busy.
 */
export class GraphChannelMembers implements ChannelMembers {
  private cached?: { key: string; members: Set<string>; loadedAt: number };
  private loading?: { key: string; promise: Promise<Set<string>> };

  constructor(private readonly options: GraphChannelMembersOptions) {}

  async isMember(person: { aadObjectId?: string; id: string }): Promise<boolean> {
    const channel = await this.options.channel();
    if (!channel) return this.options.fallback ? this.options.fallback.isMember(person) : false;
    if (!person.aadObjectId) return false;
    const members = await this.members(channel);
    return members.has(person.aadObjectId.toLowerCase());
  }

  private async members(channel: ChannelLocation): Promise<Set<string>> {
    const key = `${channel.teamId}/${channel.channelId}`;
    const now = this.options.clock.now().getTime();
    const cacheMs = this.options.cacheMs ?? 60_000;
    if (this.cached?.key === key && now - this.cached.loadedAt < cacheMs) return this.cached.members;
    // Two DPO clicks at once share one Graph call.
    if (this.loading?.key !== key) {
      const promise = this.load(channel).finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
      this.loading = { key, promise };
    }
    const members = await this.loading.promise;
    this.cached = { key, members, loadedAt: now };
    return members;
  }

  private async load(channel: ChannelLocation): Promise<Set<string>> {
    const members = new Set<string>();
    let next: string | undefined =
      `/teams/${encodeURIComponent(channel.teamId)}/channels/${encodeURIComponent(channel.channelId)}/members`;
    while (next) {
      const url: string = next;
      const page: MemberPage = await graphCall('list DPO channel members', () =>
        this.options.client.api(url).get(),
      );
      for (const member of page.value ?? []) {
        if (member.userId) members.add(member.userId.toLowerCase());
      }
      next = page['@odata.nextLink'];
    }
    this.options.logger?.log('debug', 'graph.channel-members.loaded', { count: members.size });
    return members;
  }
}
