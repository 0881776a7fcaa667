import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailTransientError, type EmailProvider } from '../../providers/email/email-provider';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { SmsPermanentError, type SmsProvider } from '../../providers/sms/sms-provider';
import { accountStateQuery, accountSubscriptionSignal, accountWorkflowId } from '../../workflows/account/definitions';
import { carrierRefusedSignal, leadWorkflowId } from '../../workflows/lead/definitions';
import { DAY_MS, privacyRequestWorkflowId, type PrivacyRequestInput } from '../../workflows/privacy/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const OWNER_MOBILE = '+12125550100';
const OWNER_EMAIL = 'owner@rivera-plumbing.example';
const REFUSED_LEAD = '+12125550166';

/** Real providers' behaviour on the failure paths: each fails its first alert send (as a crash mid-call would). */
function flakySms(): SmsProvider & { ownerSends: string[] } {
  const local = createLocalOutboxProvider();
  let failedOnce = false;
  const ownerSends: string[] = [];
  return {
    ...local,
    ownerSends,
    async send(input) {
      if (input.to === REFUSED_LEAD) throw new SmsPermanentError('rejected', 30007);
      if (input.to === OWNER_MOBILE) {
        if (!failedOnce) {
          failedOnce = true;
          throw new Error('connection reset by the carrier');
        }
        ownerSends.push(input.body);
      }
      return local.send(input);
    },
  };
}

function flakyEmail(): EmailProvider & { accepted: string[] } {
  const local = createLocalEmailOutbox();
  let failedOnce = false;
  const accepted: string[] = [];
  return {
    name: local.name,
    accepted,
    async send(input) {
      if (!failedOnce) {
        failedOnce = true;
        throw new EmailTransientError('internal_server_error', 500);
      }
      accepted.push(input.idempotencyKey);
      return local.send(input);
    },
  };
}

describe('alerts to the business', () => {
  let h: LeadHarness;
  const sms = flakySms();
  const email = flakyEmail();
  beforeAll(async () => {
    h = await createLeadHarness({ sms, email });
  });
  afterAll(async () => {
    await h?.close();
  });

  const db = () => h.database.db;
  const alerts = (businessId: string) =>
    db().alert.findMany({ where: { businessId }, orderBy: { createdAt: 'asc' }, include: { deliveries: true } });
  const kinds = async (businessId: string) => (await alerts(businessId)).map((a) => a.kind);

  it('a handoff request reaches the owner once by SMS, once by email, once in the inbox and once per webhook endpoint, although the first SMS and email attempts failed', async () => {
    const business = await createBusiness(db(), { contactPhone: OWNER_MOBILE, contactEmail: OWNER_EMAIL });
    await db().webhookEndpoint.create({
      data: {
        id: randomUUID(),
        businessId: business.id,
        url: 'https://hooks.rivera-plumbing.example/leadflow',
        events: ['lead.handoff_requested'],
        secretKeyId: 'test',
        secretCiphertext: 'sealed',
      },
    });
    await skipTo(h.env, { zone: 'America/New_York', weekday: 2, hour: 10 });
    const leadId = await h.text({
      businessId: business.id,
      from: '+12125550142',
      body: 'My boiler is leaking all over, can I talk to a real person please?',
    });

    await expect
      .poll(async () => (await alerts(business.id))[0]?.deliveries.filter((d) => d.status === 'sent').length, {
        timeout: 40_000,
      })
      .toBe(3);
    const [alert, ...others] = await alerts(business.id);
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({ kind: 'handoff_requested', leadId, readAt: null });
    expect(alert!.deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'sent'],
      ['sms', 'sent'],
      ['webhook', 'sent'],
    ]);

    // The SMS went once, to the owner's mobile, with ids and a reason but none of the lead's words.
    expect(sms.ownerSends).toHaveLength(1);
    expect(sms.ownerSends[0]).toContain(leadId);
    expect(sms.ownerSends[0]).toMatch(/asked to talk to a person/);
    expect(sms.ownerSends[0]).not.toMatch(/boiler|leaking/);
    // One email, to the contact address, accepted once.
    const emails = await db().email.findMany({ where: { businessId: business.id, kind: 'alert' } });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ toAddress: OWNER_EMAIL, status: 'sent' });
    expect(email.accepted).toEqual([emails[0]!.idempotencyKey]);
    // One webhook delivery for the subscribed endpoint.
    expect(
      await db().webhookDelivery.count({ where: { businessId: business.id, eventType: 'lead.handoff_requested' } }),
    ).toBe(1);
    // The lead was still answered, and the AI stays out of it.
    expect((await h.state(leadId)).status).toBe('handed_off');
  });

  it('booking, an opt-out while the booking is open (the appointment stays), and a cancellation each raise their alert', async () => {
    const business = await createBusiness(db());
    await skipTo(h.env, { zone: 'America/New_York', weekday: 2, hour: 10 });
    const from = '+12125550143';
    const leadId = await h.text({ businessId: business.id, from, body: 'Do you have anything Thursday morning?' });
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('offered');
    await h.text({ businessId: business.id, from, body: '2' });
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['booked']);
    const booked = await h.state(leadId);

    await h.text({ businessId: business.id, from, body: 'STOP' });
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['booked', 'opted_out_with_booking']);
    const optOut = (await alerts(business.id))[1]!;
    expect(optOut.detail).toMatchObject({ appointmentId: booked.booking!.appointmentId });
    expect((await db().appointment.findUniqueOrThrow({ where: { id: booked.booking!.appointmentId } })).status).toBe(
      'booked',
    );

    // A second lead books and cancels by text.
    const other = '+12125550144';
    const second = await h.text({ businessId: business.id, from: other, body: 'Can I book something Thursday?' });
    await expect.poll(async () => (await h.state(second)).status, { timeout: 20_000 }).toBe('offered');
    await h.text({ businessId: business.id, from: other, body: '1' });
    await expect.poll(async () => (await h.state(second)).status, { timeout: 20_000 }).toBe('booked');
    await h.text({ businessId: business.id, from: other, body: 'Please cancel my appointment' });
    await expect
      .poll(async () => (await alerts(business.id)).filter((a) => a.leadId === second).map((a) => a.kind), {
        timeout: 20_000,
      })
      .toEqual(['booked', 'cancelled']);
    // Business contact SMS by default; no email address, so no email channel.
    await expect
      .poll(
        async () =>
          (await alerts(business.id))
            .find((a) => a.kind === 'cancelled')!
            .deliveries.map((d) => d.channel)
            .sort(),
        { timeout: 20_000 },
      )
      .toEqual(['sms', 'webhook']);
  });

  it('a text the carrier refuses, at send time or later in a status callback, raises carrier_refused once per text', async () => {
    const business = await createBusiness(db());
    await skipTo(h.env, { zone: 'America/New_York', weekday: 2, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: REFUSED_LEAD } });
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['carrier_refused']);
    expect((await alerts(business.id))[0]!.detail).toMatchObject({ code: 'rejected' });

    // The status callback path: the API signals the lead's workflow, which raises the alert (twice: once).
    const { leadId: other } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550145' } });
    await expect.poll(async () => (await h.outbox(other)).length, { timeout: 20_000 }).toBe(1);
    const refusal = { messageId: 'SM0123456789abcdef0123456789abcdef', errorCode: '30034' };
    await h.env.client.workflow.getHandle(leadWorkflowId(other)).signal(carrierRefusedSignal, refusal);
    await h.env.client.workflow.getHandle(leadWorkflowId(other)).signal(carrierRefusedSignal, refusal);
    await expect
      .poll(async () => (await alerts(business.id)).filter((a) => a.leadId === other).length, { timeout: 20_000 })
      .toBe(1);
    await h.settle();
    const [late] = (await alerts(business.id)).filter((a) => a.leadId === other);
    expect(late).toMatchObject({ kind: 'carrier_refused', detail: { code: '30034' } });
    expect(leadId).not.toBe(other);
  });

  it('a data-subject request alerts the business 7 and 3 days before it is due and when overdue', async () => {
    const business = await createBusiness(db());
    const leadId = randomUUID();
    await db().lead.create({
      data: { id: leadId, businessId: business.id, phone: '+12125550177', name: 'Odile Brennan-Sato' },
    });
    const receivedAt = new Date(await h.env.currentTimeMs());
    const dueAt = new Date(receivedAt.getTime() + 30 * DAY_MS);
    const requestId = randomUUID();
    await db().privacyRequest.create({
      data: {
        id: requestId,
        businessId: business.id,
        leadId,
        type: 'access',
        status: 'awaiting_verification',
        verificationMethod: 'business_confirmation',
        dueAt,
        createdAt: receivedAt,
      },
    });
    const input: PrivacyRequestInput = {
      requestId,
      businessId: business.id,
      subjectId: leadId,
      type: 'access',
      method: 'business_confirmation',
      receivedAt: receivedAt.toISOString(),
      dueAt: dueAt.toISOString(),
      verified: false,
    };
    await h.env.client.workflow.start('privacyRequestWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: privacyRequestWorkflowId(requestId),
      args: [input],
    });
    await h.sleep(23 * DAY_MS + 60_000);
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['privacy_due_7d']);
    await h.settle();
    await h.sleep(4 * DAY_MS);
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['privacy_due_7d', 'privacy_due_3d']);
    await h.settle();
    await h.sleep(3 * DAY_MS);
    await expect
      .poll(() => kinds(business.id), { timeout: 20_000 })
      .toEqual(['privacy_due_7d', 'privacy_due_3d', 'privacy_overdue']);
    expect((await alerts(business.id)).every((a) => a.privacyRequestId === requestId)).toBe(true);
  });

  it('an account paused for billing alerts the business once', async () => {
    const business = await createBusiness(db());
    const handle = h.env.client.workflow.getHandle(accountWorkflowId(business.id));
    await h.env.client.workflow.start('accountWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: accountWorkflowId(business.id),
      args: [{ businessId: business.id }],
    });
    await expect.poll(async () => (await handle.query(accountStateQuery)).status, { timeout: 20_000 }).toBe('active');
    const at = new Date(await h.env.currentTimeMs()).toISOString();
    await db().business.update({ where: { id: business.id }, data: { subscriptionStatus: 'past_due' } });
    await handle.signal(accountSubscriptionSignal, { status: 'past_due', at });
    await expect.poll(() => kinds(business.id), { timeout: 20_000 }).toEqual(['account_paused']);
    expect((await alerts(business.id))[0]!.detail).toMatchObject({ subscriptionStatus: 'past_due' });
  });
});
