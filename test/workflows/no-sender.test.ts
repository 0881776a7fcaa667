import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { resumeLeadsWaitingForSender } from '../../services/leads/resume-leads-waiting-for-sender';
import { SENDER_RECHECK_MS, waitingFor } from '../../workflows/lead/plan';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const ACCOUNT = 'AC00000000000000000000000000000001';
const TOKEN = 'tw-token';
const MESSAGING_SERVICE = 'MG00000000000000000000000000000001';

/**
 * A business with no sender number, on the real Twilio adapter (local Twilio fake): its
 * leads wait visibly instead of failing for good, and go on once a number is set.
 */
describe('a business without a sender number', () => {
  let twilio: TwilioFake;
  let h: LeadHarness;
  beforeAll(async () => {
    twilio = await startTwilioFake({ authToken: TOKEN });
    h = await createLeadHarness({
      sms: createTwilioSmsProvider({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await twilio?.close();
  });

  async function leadWaitingForSender(phone: string) {
    const business = await createBusiness(h.database.db, { smsNumber: null });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(async () => waitingFor(await h.state(leadId)), { timeout: 20_000 }).toBe('sender_number');
    return { businessId: business.id, leadId };
  }

  it('holds the first reply as waiting for a sender number, and sends it once a number is set and signalled', async () => {
    const { businessId, leadId } = await leadWaitingForSender('+12125550143');
    const waiting = await h.state(leadId);
    expect(waiting).toMatchObject({ status: 'new', firstReplyAt: null, nextAction: { kind: 'first_reply' } });
    // Nothing failed: no outbox row, the lead is still new.
    expect(await h.database.db.message.count({ where: { leadId } })).toBe(0);
    expect((await h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe('new');

    // Still waiting an hour on (the re-check is hours away), with nothing sent.
    await h.sleep('1 hour');
    await h.settle(500);
    expect(waitingFor(await h.state(leadId))).toBe('sender_number');
    expect(twilio.sent.filter((m) => m.to === '+12125550143')).toHaveLength(0);

    // What PATCH /v1/business does once it stored a number.
    await h.database.db.business.update({ where: { id: businessId }, data: { smsNumber: '+12125550160' } });
    const { signalled } = await resumeLeadsWaitingForSender(
      { db: h.database.appDb, temporal: h.env.client },
      { businessId },
    );
    expect(signalled).toBe(1);

    await expect
      .poll(async () => (await h.outbox(leadId)).map((m) => m.kind), { timeout: 20_000 })
      .toEqual(['first_reply']);
    expect(twilio.sent.find((m) => m.to === '+12125550143')).toMatchObject({ from: '+12125550160' });
    const after = await h.state(leadId);
    expect(waitingFor(after)).toBeNull();
    expect(after.status).toBe('contacted');
    expect(after.firstReplyAt).not.toBeNull();
    // The cadence counts from the reply that went out, not from the capture.
    expect(after.nextAction).toMatchObject({ kind: 'follow_up' });
  });

  it('goes on by itself at the next re-check when the number was set without a signal', async () => {
    const { businessId, leadId } = await leadWaitingForSender('+12125550144');
    await h.database.db.business.update({ where: { id: businessId }, data: { smsNumber: '+12125550161' } });
    await h.sleep(SENDER_RECHECK_MS + 60_000);
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    expect(waitingFor(await h.state(leadId))).toBeNull();
  });

  it('texts from the platform’s Messaging Service when one is configured and the business has no number', async () => {
    const business = await createBusiness(h.database.db, { smsNumber: null });
    const leadId = randomUUID();
    await h.database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone: '+12125550145' },
    });
    const { sendLeadSms } = createActivities({
      db: h.database.appDb,
      sms: createTwilioSmsProvider({
        accountSid: ACCOUNT,
        authToken: TOKEN,
        apiBaseUrl: twilio.url,
        messagingServiceSid: MESSAGING_SERVICE,
      }),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    const sent = await sendLeadSms({
      idempotencyKey: `default-sender-${leadId}`,
      businessId: business.id,
      leadId,
      kind: 'first_reply',
      purpose: 'first_reply',
      at: new Date().toISOString(),
    });
    expect(sent.status).toBe('sent');
    expect(twilio.sent.find((m) => m.to === '+12125550145')).toMatchObject({ from: MESSAGING_SERVICE });
  });
});
