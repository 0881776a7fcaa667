import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { startTwilioFake } from '../fakes/twilio-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

/** The activities on the real Postgres, as the runtime role. */
describe('booking and sending activities', () => {
  let database: TestDatabase;
  let sends = 0;
  const counting: SmsProvider = {
    ...createLocalOutboxProvider(),
    async send(input) {
      sends += 1;
      return createLocalOutboxProvider().send(input);
    },
  };
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    database = await freshDatabase();
    activities = createActivities({
      db: database.appDb,
      sms: counting,
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function lead(businessId: string, phone = `+1212555${String(Math.floor(1000 + Math.random() * 8999))}`) {
    const id = randomUUID();
    await database.db.lead.create({ data: { id, businessId, name: 'Pat Doe', phone } });
    return id;
  }

  it('never gives two leads the same slot, however close together they commit', async () => {
    const business = await createBusiness(database.db);
    const at = new Date().toISOString();
    const [slot] = await activities.findSlots({
      businessId: business.id,
      leadId: randomUUID(),
      timeZone: 'America/New_York',
      count: 1,
      at,
    });
    const leads = await Promise.all(Array.from({ length: 6 }, () => lead(business.id)));
    const results = await Promise.all(
      leads.map((leadId) =>
        activities.bookAppointment({
          businessId: business.id,
          leadId,
          start: slot!.start,
          timeZone: 'America/New_York',
          at,
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r as { reason: string }).reason)).toEqual(
      Array(5).fill('slot_taken'),
    );
    expect(await database.db.appointment.count({ where: { businessId: business.id, status: 'booked' } })).toBe(1);
    // The next search skips the booked time.
    const next = await activities.findSlots({
      businessId: business.id,
      leadId: leads[1]!,
      timeZone: 'America/New_York',
      count: 3,
      at,
    });
    expect(next.map((s) => s.start)).not.toContain(slot!.start);
  });

  it('sends a step once, however often the activity is retried', async () => {
    const business = await createBusiness(database.db);
    const leadId = await lead(business.id);
    const input = {
      idempotencyKey: `lead-${leadId}:first-reply`,
      businessId: business.id,
      leadId,
      kind: 'first_reply' as const,
      purpose: 'first_reply' as const,
      at: new Date().toISOString(),
    };
    const before = sends;
    // Two attempts at once: one sends; the other either finds the recorded send or, if it
    // looks while the first is still talking to the carrier, backs off for Temporal to retry.
    const results = await Promise.allSettled([activities.sendLeadSms(input), activities.sendLeadSms(input)]);
    for (const r of results) {
      if (r.status === 'rejected') expect(String(r.reason)).toContain('being sent by another attempt');
    }
    const again = await activities.sendLeadSms(input);
    const third = await activities.sendLeadSms(input);
    expect(sends - before).toBe(1);
    expect(again.status).toBe('sent');
    expect(third).toEqual(again);
    for (const r of results) if (r.status === 'fulfilled') expect(r.value).toEqual(again);
    expect(await database.db.message.count({ where: { leadId } })).toBe(1);
  });

  it('refuses to text a suppressed number whatever the workflow asks, except the one opt-out confirmation', async () => {
    const business = await createBusiness(database.db);
    const leadId = await lead(business.id, '+12125550188');
    await database.db.suppression.create({
      data: { businessId: business.id, phone: '+12125550188', reason: 'keyword' },
    });
    const before = sends;
    for (const kind of ['first_reply', 'follow_up', 'reply', 'reminder', 'manual'] as const) {
      const out = await activities.sendLeadSms({
        idempotencyKey: `k-${kind}-${leadId}`,
        businessId: business.id,
        leadId,
        kind,
        body: 'hello',
        at: new Date().toISOString(),
      });
      expect(out).toEqual({ status: 'suppressed', messageId: null });
    }
    expect(sends).toBe(before);
    const confirm = await activities.sendLeadSms({
      idempotencyKey: `k-confirm-${leadId}`,
      businessId: business.id,
      leadId,
      kind: 'opt_out_confirmation',
      at: new Date().toISOString(),
    });
    expect(confirm.status).toBe('sent');
    expect(sends - before).toBe(1);
  });

  it('holds automated texts while the subscription is inactive, but still answers HELP', async () => {
    const business = await createBusiness(database.db, { subscriptionStatus: 'past_due' });
    const leadId = await lead(business.id);
    const auto = await activities.sendLeadSms({
      idempotencyKey: `p-${leadId}`,
      businessId: business.id,
      leadId,
      kind: 'follow_up',
      purpose: 'follow_up',
      at: new Date().toISOString(),
    });
    expect(auto).toEqual({ status: 'paused', messageId: null });
    const help = await activities.sendLeadSms({
      idempotencyKey: `h-${leadId}`,
      businessId: business.id,
      leadId,
      kind: 'help',
      at: new Date().toISOString(),
    });
    expect(help.status).toBe('sent');
    const [row] = await database.db.message.findMany({ where: { leadId } });
    expect(row!.body).toContain(business.name);
  });
});

describe('sending through the real Twilio adapter (local Twilio fake)', () => {
  let database: TestDatabase;
  let twilioFake: Awaited<ReturnType<typeof startTwilioFake>>;
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    database = await freshDatabase();
    twilioFake = await startTwilioFake({ authToken: 'tw-token' });
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
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await twilioFake?.close();
    await database?.drop();
  });

  it('reconciles an unknown outcome with the carrier instead of texting twice', async () => {
    const business = await createBusiness(database.db);
    const leadId = randomUUID();
    await database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone: '+12125550177' },
    });
    const input = {
      idempotencyKey: `lead-${leadId}:first-reply`,
      businessId: business.id,
      leadId,
      kind: 'first_reply' as const,
      purpose: 'first_reply' as const,
      at: new Date().toISOString(),
    };
    // Twilio takes the message, then the connection drops before its answer arrives.
    twilioFake.dropNextCreates(1);
    await expect(activities.sendLeadSms(input)).rejects.toThrow();
    expect(twilioFake.sent).toHaveLength(1);
    const retry = await activities.sendLeadSms(input);
    expect(retry.status).toBe('sent');
    expect(twilioFake.sent).toHaveLength(1);
    const row = await database.db.message.findFirstOrThrow({ where: { leadId } });
    expect(row.providerId).toBe(twilioFake.sent[0]!.sid);
    expect(twilioFake.sent[0]!.statusCallback).toBe(
      `https://leads.example.com/v1/webhooks/twilio/status?ref=${row.id}`,
    );
  });

  it('suppresses the number when Twilio says the recipient unsubscribed (21610), and never retries it', async () => {
    const business = await createBusiness(database.db);
    const leadId = randomUUID();
    await database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone: '+12125550178' },
    });
    twilioFake.failNextCreates(1, { code: 21610, status: 400, message: 'Attempt to send to unsubscribed recipient' });
    const out = await activities.sendLeadSms({
      idempotencyKey: `x-${leadId}`,
      businessId: business.id,
      leadId,
      kind: 'follow_up',
      purpose: 'follow_up',
      at: new Date().toISOString(),
    });
    expect(out).toEqual({ status: 'suppressed', messageId: null });
    expect(
      await database.db.suppression.count({
        where: { businessId: business.id, phone: '+12125550178', reason: 'carrier' },
      }),
    ).toBe(1);
    expect((await database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe('opted_out');
  });

  it('deletes the carrier’s copies with the database rows at retention, and says so in the receipt', async () => {
    const business = await createBusiness(database.db);
    const leadId = randomUUID();
    await database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone: '+12125550179' },
    });
    for (const step of ['a', 'b']) {
      await activities.sendLeadSms({
        idempotencyKey: `${step}-${leadId}`,
        businessId: business.id,
        leadId,
        kind: 'reply',
        purpose: 'answer',
        at: new Date().toISOString(),
      });
    }
    const sids = (await database.db.message.findMany({ where: { leadId } })).map((m) => m.providerId!);
    expect(sids.every((sid) => twilioFake.messages.has(sid))).toBe(true);
    const result = await activities.deleteMessagingLogs({
      businessId: business.id,
      leadId,
      cause: 'policy:messaging_logs',
    });
    expect(result).toMatchObject({ messages: 2, providerMessages: 2 });
    expect(sids.some((sid) => twilioFake.messages.has(sid))).toBe(false);
    expect(await database.db.message.count({ where: { leadId } })).toBe(0);
    const receipt = await database.db.deletionReceipt.findUniqueOrThrow({ where: { id: result.receiptId! } });
    expect(receipt.counts).toEqual({ messages: 2, provider_messages: 2 });
  });
});
