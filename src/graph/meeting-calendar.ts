import type { Client } from '@microsoft/microsoft-graph-client';
import { createGraphClient, graphCall, type GraphClientOptions } from './client';

/** A meeting in the organiser's calendar, for the notetaker checklist's "which meeting?" step. */
export interface UpcomingMeeting {
  id: string;
  subject: string;
  /** UTC ISO. */
  start: string;
  end: string;
  /** Teams join link when it is an online meeting. */
  joinUrl?: string;
  organizer?: { name: string; address: string };
  attendees: { name: string; address: string; type: string }[];
}

/**
 * The signed-in organiser's upcoming meetings. Delegated: the token is the user's own (from the
 * bot's sign-in), because an app may not read people's calendars on its own behalf here.
 */
export interface MeetingCalendar {
  upcomingMeetings(userToken: string, from: Date, to: Date): Promise<UpcomingMeeting[]>;
}

interface GraphDateTime {
  dateTime?: string;
  timeZone?: string;
}
interface GraphEmail {
  emailAddress?: { name?: string; address?: string };
}
interface GraphEvent {
  id?: string;
  subject?: string | null;
  start?: GraphDateTime;
  end?: GraphDateTime;
  isOnlineMeeting?: boolean;
  isOrganizer?: boolean;
  onlineMeeting?: { joinUrl?: string | null } | null;
  organizer?: GraphEmail;
  attendees?: (GraphEmail & { type?: string })[];
}
interface EventPage {
  value?: GraphEvent[];
  '@odata.nextLink'?: string;
}

const selectedFields = 'id,subject,start,end,isOnlineMeeting,isOrganizer,onlineMeeting,organizer,attendees';

export class GraphMeetingCalendar implements MeetingCalendar {
  /** At most this many meetings are offered; a picker with more is no help. */
  constructor(
    private readonly clientOptions: Omit<GraphClientOptions, 'tokens'>,
    private readonly maxMeetings = 50,
  ) {}

  async upcomingMeetings(userToken: string, from: Date, to: Date): Promise<UpcomingMeeting[]> {
    // One client per call: the token belongs to this user and must not be cached for anyone else.
    const client: Client = createGraphClient({
      ...this.clientOptions,
      tokens: { token: async () => userToken },
    });
    const meetings: UpcomingMeeting[] = [];
    let next: string | undefined =
      `/me/calendarView?startDateTime=${encodeURIComponent(from.toISOString())}` +
      `&endDateTime=${encodeURIComponent(to.toISOString())}`;
    let first = true;
    while (next && meetings.length < this.maxMeetings) {
      const url: string = next;
      let request = client.api(url).header('Prefer', 'outlook.timezone="UTC"');
      if (first) request = request.select(selectedFields).orderby('start/dateTime').top(this.maxMeetings);
      const page: EventPage = await graphCall('read the organiser calendar', () => request.get());
      for (const event of page.value ?? []) {
        // Only the organiser can tell participants before the start and decide on objections, so a
        // meeting the person was only invited to is not theirs to run the checklist for.
        if (event.isOrganizer === false) continue;
        const meeting = toMeeting(event);
        if (meeting) meetings.push(meeting);
      }
      next = page['@odata.nextLink'];
      first = false;
    }
    return meetings.slice(0, this.maxMeetings);
  }
}

function toMeeting(event: GraphEvent): UpcomingMeeting | undefined {
  const start = utcIso(event.start);
  const end = utcIso(event.end);
  if (!event.id || !start || !end) return undefined;
  const joinUrl = event.isOnlineMeeting ? (event.onlineMeeting?.joinUrl ?? undefined) : undefined;
  const organizer = event.organizer?.emailAddress;
  return {
    id: event.id,
    subject: event.subject ?? '(no title)',
    start,
    end,
    joinUrl,
    organizer: organizer?.address
      ? { name: organizer.name ?? organizer.address, address: organizer.address }
      : undefined,
    attendees: (event.attendees ?? [])
      .filter((attendee) => attendee.emailAddress?.address)
      .map((attendee) => ({
        name: attendee.emailAddress?.name ?? attendee.emailAddress?.address ?? '',
        address: attendee.emailAddress?.address ?? '',
        type: attendee.type ?? 'required',
      })),
  };
}

/** Graph gives "2026-11-23T14:00:00.0000000" plus a zone; we asked for UTC with the Prefer header. */
function utcIso(value: GraphDateTime | undefined): string | undefined {
  if (!value?.dateTime) return undefined;
  if (value.timeZone && value.timeZone.toUpperCase() !== 'UTC') return undefined;
  // Seven fractional digits are more than Date.parse promises to read.
  const trimmed = value.dateTime.replace(/(\.\d{3})\d+/, '$1');
  const parsed = Date.parse(/([zZ]|[+-]\d\d:\d\d)$/.test(trimmed) ? trimmed : `${trimmed}Z`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}
