import type { OutgoingMessage } from '../shared/messaging';
import { describeDeadline } from './deadline';
import type { IncidentMessages } from './incident-service';
import { incidentTypeTitles, type Incident } from './types';

/** Text-only wording, for tests and for channels without cards; the bot uses src/bot/cards/incident-cards.ts. */
export const plainIncidentMessages: IncidentMessages = {
  channelCard(incident: Incident, now: Date): OutgoingMessage {
    const deadline = describeDeadline(new Date(incident.icoDeadline), now);
    return {
      text: `${incident.reference} (${incidentTypeTitles[incident.report.type]}), ${incident.status}. ICO deadline ${deadline.summary}.`,
    };
  },
  stuckNotice(incident: Incident): OutgoingMessage {
    return {
      text: `Your report ${incident.reference} is safely recorded, but I could not post it to the DPO channel. Please tell the DPO directly and quote ${incident.reference}.`,
    };
  },
  dslAlert(reporterName: string): OutgoingMessage {
    return { text: `A safeguarding concern was raised by ${reporterName}. Please contact them.` };
  },
  examsOfficerAlert(incident: Incident): OutgoingMessage {
    return {
      text: `An exam or assessment malpractice report (${incident.reference}) was made${incident.report.school ? ` at ${incident.report.school}` : ''}. The DPO team has the details.`,
    };
  },
};
