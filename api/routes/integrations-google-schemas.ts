import { z } from 'zod';
import '../http/schemas';

export const ZGoogleConnectUrlSchema = z
  .object({
    url: z.url().describe('Google’s consent page: send the owner’s browser here'),
    expiresAt: z.iso.datetime().describe('The consent must come back before this (10 minutes)'),
  })
  .openapi('GoogleConnectUrl');

/**
 * Google adds parameters of its own (scope, authuser, prompt, iss…): they are ignored. The lengths
 * are bounded well above what Google sends (codes are about 100 characters, our states 43) so that
 * even four-byte characters, percent-encoded, stay inside Node's 16 KB request line and headers.
 */
export const ZGoogleCallbackQuerySchema = z.object({
  state: z
    .string({ message: 'required: the state Google was given' })
    .min(1, 'required: the state Google was given')
    .max(128, 'is not a state leadflow issued'),
  code: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional().describe('Set by Google instead of code, e.g. access_denied'),
});

export const ZGoogleConnectionSchema = z
  .object({
    configured: z.boolean().describe('This server has Google OAuth credentials: connecting is possible'),
    connected: z.boolean(),
    calendarId: z
      .string()
      .nullable()
      .describe('The calendar booking uses (per business; per technician once technicians have calendars)'),
    connectedAt: z.iso.datetime().nullable(),
  })
  .openapi('GoogleConnection');

export const ZGoogleCalendarSchema = z
  .object({
    id: z.string(),
    summary: z.string(),
    primary: z.boolean(),
    accessRole: z.string().describe('owner, writer, reader or freeBusyReader'),
    timeZone: z.string().nullable(),
    bookable: z.boolean().describe('The account may add events: only these can be picked'),
  })
  .openapi('GoogleCalendar');

export const ZChooseGoogleCalendarSchema = z.strictObject({
  calendarId: z
    .string({ message: 'required: a calendar id from GET /v1/integrations/google/calendars' })
    .min(1, 'required: a calendar id from GET /v1/integrations/google/calendars')
    .max(1024, 'must be at most 1024 characters'),
});
