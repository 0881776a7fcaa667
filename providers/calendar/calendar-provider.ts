/** The calendar operations booking needs. Times are UTC instants. */
export interface CalendarProvider {
  readonly name: string;
  /** Busy intervals between `from` and `to`. */
  freeBusy(input: { calendarId: string; from: Date; to: Date }): Promise<Interval[]>;
  createEvent(input: CalendarEventInput): Promise<{ eventId: string }>;
  moveEvent(input: { calendarId: string; eventId: string; start: Date; end: Date }): Promise<void>;
  deleteEvent(input: { calendarId: string; eventId: string }): Promise<void>;
}

export interface Interval {
  start: Date;
  end: Date;
}

export interface CalendarEventInput {
  calendarId: string;
  start: Date;
  end: Date;
  /** e.g. "Drain cleaning — Dana W." — the business's own calendar may show the lead's name. */
  summary: string;
  description?: string;
  /** Our appointment id: stored on the event so a retried create finds the first one. */
  appointmentId: string;
}
