/**
 * What Graph does for a new incident, besides the card the bot posts.
 *
 * Why the DPO channel card is NOT posted through Graph: Graph's application permission to create
 * channel messages (Teamwork.Migrate.All) is for importing history during migrations only, and the
 * resource-specific ChannelMessage.Send.Group permission is rejected for ordinary posts
 * (MicrosoftDocs/msteams-docs issue 14043). So the bot posts the Adaptive Card itself, proactively,
 * into the DPO channel (src/bot/incident-capability.ts + the outbox in src/incidents), and this file
 * only does what Graph does well:
 *
 * (a) an activity-feed notification to the DPO channel's members
 *     (`POST /teams/{id}/sendActivityNotification`, RSC TeamsActivity.Send.Group; the activity type
 *     `incidentReported` and its template are declared in appPackage/manifest.json), and
 * (b) when configured, a row in the trust's SharePoint list that serves as its breach log
 *     (`POST /sites/{site}/lists/{list}/items`, Sites.Selected granted on that site).
 *
 * Safeguarding concerns never reach Graph: they are not DPO business and their text must not be
 * copied anywhere (the incident service does not store them; this class checks again).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { IncidentNotifier } from '../incidents/incident-service';
import { incidentTypeTitles, type Incident } from '../incidents/types';
import type { Logger } from '../shared/logger';
import { formatUkTime } from '../shared/uk-time';
import { graphCall, GraphRequestError } from './client';
import type { ChannelLocation } from './channel-members';

/** Declared in appPackage/manifest.json `activities.activityTypes`; template parameters: reference, deadline. */
export const incidentActivityType = 'incidentReported';

/**
 * Internal column names the breach-log list needs (create them as: Title = single line of text,
 * Discovered/ReportedAt/IcoDeadline = date and time, SpecialCategory/ChildrenInvolved = yes/no,
 * the rest = multiple lines of text). Names are SharePoint internal names, so no spaces.
 */
export const breachLogColumns = [
  'Title',
  'IncidentType',
  'School',
  'WhatHappened',
  'AiTool',
  'WhenHappened',
  'Discovered',
  'DataSubjects',
  'HowMany',
  'SpecialCategory',
  'ChildrenInvolved',
  'ActionsTaken',
  'IcoDeadline',
  'Reportable',
  'Status',
  'ReportedBy',
  'ReportedAt',
] as const;
export type BreachLogFields = Record<(typeof breachLogColumns)[number], string | boolean>;

export interface GraphIncidentNotifierOptions {
  client: Client;
  /** The DPO channel; resolved on use (it may be learned when the app is installed). */
  channel: () => Promise<ChannelLocation | undefined>;
  breachLog?: { siteId: string; listId: string };
  logger: Logger;
  /** The Graph the topic URL points at (config.graph.baseUrl; sovereign clouds differ). */
  graphBaseUrl?: string;
}

export const notifierSteps = { feed: 'feed', breachLog: 'breach-log' } as const;

export class GraphIncidentNotifier implements IncidentNotifier {
  constructor(private readonly options: GraphIncidentNotifierOptions) {}

  get steps(): readonly string[] {
    return this.options.breachLog ? [notifierSteps.feed, notifierSteps.breachLog] : [notifierSteps.feed];
  }

  async run(step: string, incident: Incident): Promise<void> {
    // The type says this cannot happen; a stored record from an older version or a future change
    // to the service must still never leak a safeguarding concern to Graph.
    if ((incident.report.type as string) === 'safeguarding') {
      this.options.logger.log('info', 'graph.incident.safeguarding-skipped', {
        reference: incident.reference,
      });
      return;
    }
    if (step === notifierSteps.feed) return this.notifyFeed(incident);
    if (step === notifierSteps.breachLog && this.options.breachLog)
      return this.logBreach(incident, this.options.breachLog);
    throw new Error(`Unknown notifier step "${step}"`);
  }

  /** Refused or missing (wrong permission, wrong site or list id) will not mend itself by retrying. */
  isPermanent(error: unknown): boolean {
    return (
      error instanceof GraphRequestError &&
      (error.reason === 'unauthorized' || error.reason === 'forbidden' || error.reason === 'not-found')
    );
  }

  private async notifyFeed(incident: Incident): Promise<void> {
    const channel = await this.options.channel();
    if (!channel) {
      this.options.logger.log('warn', 'graph.incident.feed-skipped', {
        reference: incident.reference,
        reason: 'DPO team or channel not known yet',
      });
      return;
    }
    const deadline = formatUkTime(new Date(incident.icoDeadline));
    const team = encodeURIComponent(channel.teamId);
    // Only the reference, type and deadline: the feed preview shows on phones' lock screens.
    const body = {
      topic: {
        source: 'entityUrl',
        value: `${this.options.graphBaseUrl ?? 'https://graph.microsoft.com/v1.0'}/teams/${channel.teamId}`,
      },
      activityType: incidentActivityType,
      previewText: {
        content: `${incidentTypeTitles[incident.report.type]} reported (${incident.reference}). ICO deadline ${deadline}.`,
      },
      recipient: {
        '@odata.type': 'microsoft.graph.channelMembersNotificationRecipient',
        teamId: channel.teamId,
        channelId: channel.channelId,
      },
      templateParameters: [
        { name: 'reference', value: incident.reference },
        { name: 'deadline', value: deadline },
      ],
    };
    await graphCall('send the DPO activity-feed notification', () =>
      this.options.client.api(`/teams/${team}/sendActivityNotification`).post(body),
    );
    this.options.logger.log('info', 'graph.incident.feed-sent', { reference: incident.reference });
  }

  private async logBreach(incident: Incident, list: { siteId: string; listId: string }): Promise<void> {
    const created: { id?: string } | undefined = await graphCall('write the SharePoint breach log', () =>
      this.options.client
        .api(`/sites/${encodeURIComponent(list.siteId)}/lists/${encodeURIComponent(list.listId)}/items`)
        .post({ fields: breachLogFields(incident) }),
    );
    if (!created?.id) {
      throw new GraphRequestError('unavailable', undefined, undefined, 'Breach log item was not created');
    }
    this.options.logger.log('info', 'graph.incident.breach-logged', {
      reference: incident.reference,
      itemId: created.id,
    });
  }
}

/** One breach-log row; the same facts as the register's ICO export, in SharePoint column types. */
export function breachLogFields(incident: Incident): BreachLogFields {
  const report = incident.report;
  return {
    Title: incident.reference,
    IncidentType: incidentTypeTitles[report.type],
    School: report.school ?? '',
    WhatHappened: report.whatHappened,
    AiTool: report.tool ?? '',
    WhenHappened: report.whenHappened ?? '',
    Discovered: report.discoveredAt,
    DataSubjects: report.dataSubjects.join(', '),
    HowMany: report.howMany ?? '',
    SpecialCategory: report.specialCategory,
    ChildrenInvolved: report.childrenInvolved,
    ActionsTaken: report.actionsTaken ?? '',
    IcoDeadline: incident.icoDeadline,
    Reportable: incident.decision ? (incident.decision.reportable ? 'Yes' : 'No') : 'Not decided yet',
    Status: incident.status,
    ReportedBy: incident.reporter.name,
    ReportedAt: incident.reportedAt,
  };
}
