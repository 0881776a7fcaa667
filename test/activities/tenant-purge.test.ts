import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../../activities';
import type { PurgeResult } from '../../activities/account/account-activities';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createGoogleCalendarProvider } from '../../providers/calendar/google';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { freshDatabase, type TestDatabase } from '../support/database';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';

const CAL = 'rivera@group.calendar.google.com';

describe('tenant purge: the carrier’s copies, the calendar events, the lead workflows, then the rows', () => {
  let database: TestDatabase;
  let twilioFake: TwilioFake;
  let googleFake: GoogleFake;
  let connection: Connection;
  let client: Client;
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    database = await freshDatabase();
    twilioFake = await startTwilioFake({ authToken: 'tw-token' });
    googleFake = await startGoogleFake({ refreshToken: 'refresh' });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection, namespace: inject('temporalNamespace') });
    const calendar = createGoogleCalendarProvider({
      clientId: 'c.apps.googleusercontent.com',
      clientSecret: 's',
      refreshToken: 'refresh',
      apiBaseUrl: googleFake.url,
    });
    activities = createActivities({
      db: database.appDb,
      sms: createTwilioSmsProvider({
        accountSid: 'AC00000000000000000000000000000001',
        authToken: 'tw-token',
        apiBaseUrl: twilioFake.url,
        statusCallbackBaseUrl: 'https://leads.example.com',
      }),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => ({ provider: calendar, calendarId: CAL }),
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await connection?.close();
    await Promise.all([twilioFake?.close(), googleFake?.close()]);
    await database?.drop();
  });

  it('deletes provider copies first, ends the lead workflows, deletes the tenant with one receipt, and a retry changes nothing', async () => {
    const business = await createBusiness(database.db, { subscriptionStatus: 'canceled', cancelledAt: new Date() });
    const leadId = randomUUID();
    await database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone: '+12125550191' },
    });
    for (const step of ['a', 'b']) {
      await activities.sendLeadSms({
        idempotencyKey: `${step}-${leadId}`,
        businessId: business.id,
        leadId,
        kind: 'help',
        at: new Date().toISOString(),
      });
    }
    const sids = (await database.db.message.findMany({ where: { leadId } })).map((m) => m.providerId!);
    expect(sids).toHaveLength(2);
    const appointmentId = randomUUID();
    const start = new Date(Date.now() + 3 * 86_400_000);
    const { eventId } = await createGoogleCalendarProvider({
      clientId: 'c.apps.googleusercontent.com',
      clientSecret: 's',
      refreshToken: 'refresh',
      apiBaseUrl: googleFake.url,
    }).createEvent({
      calendarId: CAL,
      start,
      end: new Date(start.getTime() + 3_600_000),
      summary: 'Drain cleaning',
      appointmentId,
    });
    await database.db.appointment.create({
      data: {
        id: appointmentId,
        businessId: business.id,
        leadId,
        startsAt: start,
        endsAt: new Date(start.getTime() + 3_600_000),
        calendar: 'google',
        externalEventId: eventId,
      },
    });
    await database.db.billingRecord.create({
      data: {
        businessId: business.id,
        stripeEventId: `evt_${randomUUID()}`,
        type: 'invoice.paid',
        occurredAt: new Date(),
      },
    });
    // A person's account and session: deleted with the tenant.
    const user = await createUser(database.db, business.id, {
      email: 'owner@purged.example',
      password: 'a long enough password',
      role: 'owner',
    });
    await database.db.userSession.create({
      data: {
        businessId: business.id,
        userId: user.id,
        sidHash: randomUUID(),
        expiresAt: new Date(Date.now() + 3_600_000),
        absoluteExpiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    // A technician with a service and time off: deleted with the tenant.
    await database.db.jobInvoice.create({
      data: { businessId: business.id, leadId, appointmentId: randomUUID(), amountCents: 18_500, status: 'paid' },
    });
    const technician = await database.db.technician.create({
      data: { businessId: business.id, name: 'Marco Diaz', weeklyHours: {} },
    });
    const service = await database.db.service.findFirstOrThrow({ where: { businessId: business.id } });
    await database.db.technicianService.create({
      data: { businessId: business.id, technicianId: technician.id, serviceId: service.id },
    });
    await database.db.technicianTimeOff.create({
      data: {
        businessId: business.id,
        technicianId: technician.id,
        startsAt: new Date(),
        endsAt: new Date(Date.now() + 86_400_000),
      },
    });
    // A lead workflow still running (no worker on its queue: it just waits).
    await client.workflow.start('leadWorkflow', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: leadWorkflowId(leadId),
      args: [{ leadId, businessId: business.id }],
    });

    const env = new MockActivityEnvironment(undefined, { client });
    const result: PurgeResult = await env.run(activities.purgeTenant, { businessId: business.id });
    expect(result.outcome).toBe('purged');
    if (result.outcome !== 'purged') return;
    expect(result.counts).toMatchObject({
      businesses: 1,
      leads: 1,
      messages: 2,
      appointments: 1,
      provider_messages: 2,
      calendar_events: 1,
      lead_workflows: 1,
      users: 1,
      user_sessions: 1,
      technicians: 1,
      job_invoices: 1,
    });
    expect(await database.db.jobInvoice.count({ where: { businessId: business.id } })).toBe(0);
    expect(await database.db.technician.count({ where: { businessId: business.id } })).toBe(0);
    expect(await database.db.technicianTimeOff.count({ where: { businessId: business.id } })).toBe(0);
    expect(await database.db.technicianService.count({ where: { businessId: business.id } })).toBe(0);
    expect(await database.db.user.count({ where: { businessId: business.id } })).toBe(0);
    expect(await database.db.userSession.count({ where: { businessId: business.id } })).toBe(0);

    expect(sids.some((sid) => twilioFake.messages.has(sid))).toBe(false);
    expect(googleFake.liveEvents(CAL).map((e) => e.id)).not.toContain(eventId);
    expect((await client.workflow.getHandle(leadWorkflowId(leadId)).describe()).status.name).toBe('TERMINATED');
    expect(await database.db.business.count({ where: { id: business.id } })).toBe(0);
    expect(await database.db.billingRecord.count({ where: { businessId: business.id } })).toBe(1);
    expect(result.billingDeleteAt).not.toBeNull();

    // A retry after the commit (its reply lost) finds the receipt instead of deleting again.
    const again = await env.run(activities.purgeTenant, { businessId: business.id });
    expect(again).toMatchObject({ outcome: 'purged', receiptId: result.receiptId });
    expect(
      await database.db.deletionReceipt.count({ where: { businessId: business.id, cause: 'account:cancelled' } }),
    ).toBe(1);
  });

  it('deletes nothing while the tenant is held, or once it has resubscribed', async () => {
    const held = await createBusiness(database.db, {
      subscriptionStatus: 'canceled',
      cancelledAt: new Date(),
      legalHoldAt: new Date(),
      legalHoldReason: 'litigation',
      legalHoldBy: 'key:x',
    });
    const back = await createBusiness(database.db, { subscriptionStatus: 'active' });
    const env = new MockActivityEnvironment(undefined, { client });
    expect(await env.run(activities.purgeTenant, { businessId: held.id })).toEqual({ outcome: 'held' });
    expect(await env.run(activities.purgeTenant, { businessId: back.id })).toEqual({
      outcome: 'reactivated',
      subscriptionStatus: 'active',
    });
    expect(await database.db.business.count({ where: { id: { in: [held.id, back.id] } } })).toBe(2);
  });
});
