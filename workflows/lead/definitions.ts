import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Language } from '../../domain/language';

/** The lead as captured. Personal data: only ever in payloads, never in memo or search attributes. */
export interface CapturedLead {
  name: string;
  phone: string;
  email?: string;
  message?: string;
  source: 'api' | 'widget' | 'sms' | 'missed_call';
  consent?: ConsentProof;
  /** The language the person chose (the widget's); otherwise taken from what they write. */
  language?: Language;
}

/** Exactly what the person agreed to, and where. */
export interface ConsentProof {
  text: string;
  at: string;
  ip?: string;
  userAgent?: string;
  pageUrl?: string;
  method: 'widget' | 'api' | 'sms' | 'call';
  /** The person also agreed to follow-ups by email (capture `consent.email: true`). */
  email?: boolean;
}

export type LeadStatus =
  | 'new'
  | 'contacted'
  | 'conversing'
  | 'offered'
  | 'booked'
  | 'completed'
  | 'no_show'
  | 'handed_off'
  | 'opted_out'
  | 'closed'
  | 'failed'
  | 'retention_deleted'
  | 'erased';

export type NextActionKind =
  | 'first_reply'
  | 'missed_call_reply'
  | 'follow_up'
  | 'reminder_24h'
  | 'reminder_2h'
  | 'settle_appointment'
  | 'create_invoice'
  | 'invoice_reminder'
  | 'invoice_paid'
  | 'review_request'
  | 'review_reminder'
  | 'retention_delete'
  | 'await_legal_hold_release';

export interface NextAction {
  kind: NextActionKind;
  /** ISO-8601 UTC; null when it waits on an event rather than a time. */
  at: string | null;
}

export interface Slot {
  start: string;
  end: string;
  /** As offered to the lead, in the lead's time zone. */
  label: string;
}

export interface Booking {
  appointmentId: string;
  start: string;
  end: string;
  remindersSent: Array<'24h' | '2h'>;
  /** When it was booked or last moved: reminders already due by then are not sent. */
  bookedAt: string;
  /** Bumped on every move so reminder idempotency keys differ per slot. */
  version: number;
  /** The assigned technician's first name (businesses with technicians): the job's default. */
  technicianName?: string;
}

export interface InboundSms {
  /** Whose text it is: the payload codec encrypts the signal under this lead's data key. */
  leadId: string;
  messageId: string;
  text: string;
  receivedAt: string;
}

/** A call to the business number that nobody answered: the caller is texted back. */
export interface MissedCall {
  /** Whose call it is: the payload codec encrypts the signal under this lead's data key. */
  leadId: string;
  /** Twilio's CallSid: a retried status callback signals the same call again, and it is taken once. */
  callSid: string;
  at: string;
  /** The business's setting when the call came: a call at night is texted back at once, else at 08:00. */
  replyAtNight: boolean;
}

export interface LeadState {
  /** The query result and the workflow result carry the lead's data: the codec encrypts them under its key. */
  leadId: string;
  status: LeadStatus;
  recorded: boolean;
  /** The lead's zone (area code), else the business's. */
  timeZone: string;
  capturedAt: string;
  lastActivityAt: string;
  firstReplyAt: string | null;
  followUpsSent: number;
  cadenceMinutes: number[];
  messagingRetentionDays: number;
  leadReplied: boolean;
  optedOut: boolean;
  aiPaused: boolean;
  automationActive: boolean;
  restricted: boolean;
  objected: boolean;
  legalHold: boolean;
  /** The offered slots, and the service they are for when the lead's words chose one. */
  offer: { slots: Slot[]; seq: number; serviceId?: string } | null;
  /** The lead was asked which service they need: their next text may be the answer. Absent in older runs. */
  serviceQuestion?: boolean;
  booking: Booking | null;
  inbox: InboundSms[];
  /** Ids of the last inbound texts taken (at most 20): a webhook retry signals again, and is taken once. Absent in older runs. */
  inboundSeen?: string[];
  /**
   * Since when the lead waits for the business to get a sender number (ISO-8601): its
   * automated texts are held, not failed. Absent in older runs.
   */
  waitingForSender?: string | null;
  /** The missed call still to be texted back (one text, however many calls came before it). Absent in older runs. */
  missedCall?: MissedCall | null;
  /** CallSids of the last missed calls taken (at most 20). Absent in older runs. */
  missedCallsSeen?: string[];
  /** What the lead is texted in: the capture's, the one they write in, or the business's default. Absent in older runs: English. */
  language?: Language;
  /** The visit as the technician marks it (the booking's job once it moved past scheduled). Absent in older runs. */
  job?: Job | null;
  /** The finished job's invoice, from its creation to its payment. Absent in older runs. */
  invoice?: InvoiceState | null;
  /** Review requests: the one due, the last sent (at most one per 90 days), its reminder. Absent in older runs. */
  review?: ReviewState | null;
  nextAction: NextAction | null;
  /** A deletion request erases the lead: the workflow finishes without another activity. */
  erased?: boolean;
  /** Runs so far (continue-as-new). */
  run: number;
}

export interface LeadWorkflowInput {
  leadId: string;
  businessId: string;
  lead: CapturedLead;
  capturedAt: string;
  /** The data key the API took for this lead (from its pool, maybe during a database outage); recordLead writes the claim. */
  dataKeyId?: string;
  /** Present when the workflow continues as new. */
  state?: LeadState;
}

export const leadStateQuery = defineQuery<LeadState>('leadState');
export const inboundSmsSignal = defineSignal<[InboundSms]>('inboundSms');
export const optOutSignal =
  defineSignal<[{ at: string; reason: 'keyword' | 'plain_language' | 'carrier' | 'api' }]>('optOut');
export const subscriptionSignal = defineSignal<[{ active: boolean }]>('subscription');
export const legalHoldSignal = defineSignal<[{ held: boolean }]>('legalHold');
export interface ProcessingLimits {
  restricted?: boolean;
  objected?: boolean;
}
export const processingLimitsSignal = defineSignal<[ProcessingLimits]>('processingLimits');
/** From a deletion request's workflow: finish now, with status 'erased' (the request's activities do the deleting). */
export const eraseSignal = defineSignal<[{ requestId: string }]>('erase');

/** A call to the business number went unanswered (Twilio's Dial action): the lead is texted back. */
export const missedCallSignal = defineSignal<[MissedCall]>('missedCall');
/** The business has a sender number (or the platform a default sender): leads waiting for one go on. */
export const senderConfiguredSignal = defineSignal<[]>('senderConfigured');
/** A status callback: the carrier refused a text after taking it (error code such as 30007 or 30034). */
export const carrierRefusedSignal = defineSignal<[{ messageId: string; errorCode: string }]>('carrierRefused');

/** A person at the business hands the lead back: the AI answers its texts and follows up again. */
export const handBackSignal = defineSignal<[]>('handBack');

/** A person at the business writes to the lead: the AI steps back for this lead. */
export const manualMessageUpdate = defineUpdate<
  { messageId: string | null; status: 'sent' | 'refused'; reason?: string },
  [{ leadId: string; text: string; requestId: string }]
>('manualMessage');
/** Books one of the offered slots (or any free start), re-checked at commit. */
export const bookSlotUpdate = defineUpdate<
  { ok: true; booking: Booking } | { ok: false; reason: string },
  [{ start: string; serviceId?: string }]
>('bookSlot');

export const leadWorkflowId = (leadId: string) => `lead-${leadId}`;

/** Why an appointment update was refused: the API answers 409 with this reason. */
export type AppointmentRefusal = 'no_appointment' | 'slot_taken' | 'slot_in_past' | 'not_started' | 'erased';
export type AppointmentOutcome = 'completed' | 'no_show';
/** The appointment as it is after the update (a cancelled or settled one as it was). */
export type AppointmentResult =
  | { ok: true; booking: Booking; status: 'booked' | 'cancelled' | AppointmentOutcome }
  | { ok: false; reason: AppointmentRefusal };

/** The business moves the lead's appointment: the slot is re-checked, the reminders follow, the lead is told. */
export const moveAppointmentUpdate = defineUpdate<AppointmentResult, [{ start: string }]>('moveAppointment');
/** The business cancels the lead's appointment: the event and pending reminders go, the lead is told (unless opted out). */
export const cancelAppointmentUpdate = defineUpdate<AppointmentResult, []>('cancelAppointment');
/** The business marks a started appointment completed or a no-show: it settles now instead of after its end. */
export const appointmentOutcomeUpdate = defineUpdate<AppointmentResult, [{ outcome: AppointmentOutcome }]>(
  'appointmentOutcome',
);

/** A booked appointment is a job: the technician marks it on the way, started and finished. */
export type JobStatus = 'scheduled' | 'en_route' | 'in_progress' | 'finished' | 'no_show' | 'cancelled';

export interface Job {
  appointmentId: string;
  status: JobStatus;
  /** As the business typed it; only the first name is texted. */
  technicianName?: string;
  etaMinutes?: number;
  amountCents?: number;
  updatedAt: string;
}

/** What the technician marks: on the way (with an ETA and their name), started, finished (with the amount). */
export type JobUpdate =
  | { status: 'en_route'; etaMinutes?: number; technicianName?: string }
  | { status: 'in_progress' }
  | { status: 'finished'; amountCents?: number };

/** Why a job update was refused: the API answers 409 with this reason (and the job's current status). */
export type JobRefusal = 'no_job' | 'invalid_transition' | 'erased';
export type JobResult = { ok: true; job: Job } | { ok: false; reason: JobRefusal; current: JobStatus | null };

/** The technician marks the lead's job: "on my way" and "finished" are texted to the lead (unless opted out). */
export const jobUpdate = defineUpdate<JobResult, [JobUpdate]>('jobUpdate');

/** Who takes the visit now that its technician was removed: their first name, or nobody (null). */
export interface TechnicianChange {
  /** Whose booking it is: the payload codec encrypts the signal (a staff member's name) under this lead's key. */
  leadId: string;
  appointmentId: string;
  technicianName: string | null;
}
/** The business removed the booked visit's technician (DELETE /v1/technicians/{id}): the job names who took it. */
export const technicianChangedSignal = defineSignal<[TechnicianChange]>('technicianChanged');

// ---- After the job: its invoice and the review request. ----

export interface InvoiceState {
  appointmentId: string;
  amountCents: number;
  /**
   * creating: Stripe is being asked; open: texted and unpaid; paid: Stripe said so (thanked once);
   * failed: Stripe refused or stayed down, the business was alerted to invoice by hand.
   */
  status: 'creating' | 'open' | 'paid' | 'failed';
  /** leadflow's invoice id (job_invoices.id) once created. */
  invoiceId?: string;
  link?: string;
  /** When the invoice was created: its reminders are due 3 and 7 days later. */
  openedAt?: string;
  remindersSent: number;
  /** Set by the invoicePaid signal; the thank-you step clears `thankPending`. */
  paidAt?: string;
  thankPending?: boolean;
}

export interface ReviewState {
  /** A request to send from this time (after payment, or after a job with nothing invoiced). */
  dueFrom: string | null;
  /** When the last request went out: none again for 90 days. */
  lastRequestedAt: string | null;
  /** The last request's reminder went out, or was stopped (a reply, STOP, the business). */
  reminderDone: boolean;
  /** Which of the two, and when (states written before these were kept have neither). */
  reminderSentAt?: string;
  stoppedAt?: string;
}

/** Stripe says the job's invoice was paid (the signed invoice.paid webhook). */
export const invoicePaidSignal = defineSignal<[{ invoiceId: string; paidAt: string }]>('invoicePaid');
/** The business stops the lead's pending review request and its reminder. */
export const stopReviewRequestSignal = defineSignal<[]>('stopReviewRequest');
