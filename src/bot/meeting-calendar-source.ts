/**
 * Gives the notetaker checklist the organiser's meetings from Microsoft Graph, in the checklist's own
 * shape. Graph's retries (429 with Retry-After, 503) happen inside the Graph client; what is left
 * here is telling a refused token (sign in again) apart from every other failure.
 */
import { CalendarSignInNeeded, type CalendarMeeting, type CalendarSource } from '../checklists/notetaker';
import { GraphRequestError, type MeetingCalendar, type UpcomingMeeting } from '../graph';

export class GraphCalendarSource implements CalendarSource {
  constructor(private readonly calendar: MeetingCalendar) {}

  async upcomingMeetings(userToken: string, from: Date, to: Date): Promise<CalendarMeeting[]> {
    try {
      return (await this.calendar.upcomingMeetings(userToken, from, to)).map(toCalendarMeeting);
    } catch (error) {
      if (error instanceof GraphRequestError && error.reason === 'unauthorized')
        throw new CalendarSignInNeeded(error.message);
      throw error;
    }
  }
}

export function toCalendarMeeting(meeting: UpcomingMeeting): CalendarMeeting {
  return {
    id: meeting.id,
    subject: meeting.subject,
    startUtc: meeting.start,
    endUtc: meeting.end,
    joinUrl: meeting.joinUrl,
    organiserEmail: meeting.organizer?.address,
    // Rooms and equipment are booked as "resource" attendees; they are not people to notify.
    attendees: meeting.attendees
      .filter((attendee) => attendee.type !== 'resource')
      .map((attendee) => ({ email: attendee.address, name: attendee.name })),
  };
}
