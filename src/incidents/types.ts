import type { ConversationAddress } from '../shared/messaging';

/**
 * Incident reports: what staff report, what the register keeps, and what the DPO does with it.
 * Times are stored as UTC ISO strings; they are shown in UK time (src/incidents/deadline.ts).
 */

export const incidentTypes = [
  'data-breach',
  'ai-misuse',
  'unsafe-ai-output',
  'safeguarding',
  'exam-malpractice',
] as const;
export type IncidentType = (typeof incidentTypes)[number];

export const incidentTypeTitles: Record<IncidentType, string> = {
  'data-breach': 'Personal data breach',
  'ai-misuse': 'Misuse of AI',
  'unsafe-ai-output': 'Unsafe or inappropriate AI output',
  safeguarding: 'Safeguarding concern',
  'exam-malpractice': 'Exam or assessment malpractice',
};

export const dataSubjectGroups = ['pupils', 'staff', 'parents', 'other'] as const;
export type DataSubjectGroup = (typeof dataSubjectGroups)[number];

/** A validated report, as the DPO will see it (never a safeguarding concern: those are not stored). */
export interface IncidentReport {
  type: Exclude<IncidentType, 'safeguarding'>;
  whatHappened: string;
  tool?: string;
  /** Free text: people often only know roughly ("last week"). */
  whenHappened?: string;
  /** UTC ISO; the ICO's 72 hours run from here. */
  discoveredAt: string;
  dataSubjects: DataSubjectGroup[];
  /** Rough numbers as typed, e.g. "about 30 pupils". */
  howMany?: string;
  specialCategory: boolean;
  childrenInvolved: boolean;
  actionsTaken?: string;
  school?: string;
  /** The reporter asked for their name not to appear in the DPO channel post. */
  withholdName: boolean;
}

export interface Person {
  /** Entra object id when known, else the Teams user id. */
  id: string;
  name: string;
}

export type IncidentStatus = 'new' | 'acknowledged' | 'assigned' | 'decided' | 'reported' | 'closed';

export interface IncidentEvent {
  at: string;
  by: Person;
  action: 'reported' | 'acknowledged' | 'assigned' | 'decided' | 'reported-to-ico' | 'closed';
  detail?: string;
}

export interface ReportableDecision {
  reportable: boolean;
  reason: string;
  decidedAt: string;
  decidedBy: Person;
}

export interface Incident {
  reference: string;
  /** Bumped on every change; DPO card actions carry it so stale cards are refused. */
  version: number;
  status: IncidentStatus;
  report: IncidentReport;
  reporter: Person;
  reporterAadObjectId?: string;
  /** The reporter's chat, to tell them if delivery to the DPO channel gets stuck. */
  reporterAddress?: ConversationAddress;
  reportedAt: string;
  /** discoveredAt + 72 h, UTC ISO. */
  icoDeadline: string;
  /** The Bot Framework activity that created it, for idempotency. */
  sourceActivityId: string;
  assignee?: string;
  decision?: ReportableDecision;
  icoCaseReference?: string;
  /** Teams activity id of the card in the DPO channel, once posted; needed to update it in place. */
  channelCardActivityId?: string;
  /** Set when delivery to the DPO channel gave up; the health check and the reporter are told. */
  deliveryStuck?: boolean;
  /** Each step of the optional notifier (feed notification, breach log) once it has run or failed for good. */
  notifications?: Record<string, { at: string; outcome: 'done' | 'failed'; detail?: string }>;
  events: IncidentEvent[];
}

export type DpoAction =
  | { kind: 'acknowledge' }
  | { kind: 'assign'; assignee: string }
  | { kind: 'decide'; reportable: boolean; reason: string }
  | { kind: 'mark-reported'; icoCaseReference: string }
  | { kind: 'close'; note?: string };

/** Who may act on DPO cards: members of the DPO channel (Graph in tenant mode, configuration offline). */
export interface ChannelMembers {
  isMember(person: { aadObjectId?: string; id: string }): Promise<boolean>;
}

/** Members listed in configuration (DPO_MEMBERS); matched by Entra object id or Teams id, ignoring case. */
export class ConfiguredChannelMembers implements ChannelMembers {
  private readonly members: Set<string>;
  constructor(members: string[]) {
    this.members = new Set(members.map((member) => member.trim().toLowerCase()).filter(Boolean));
  }
  async isMember(person: { aadObjectId?: string; id: string }): Promise<boolean> {
    return [person.aadObjectId, person.id].some(
      (identity) => identity !== undefined && this.members.has(identity.toLowerCase()),
    );
  }
}
