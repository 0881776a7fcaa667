import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResendEmailProvider } from '../../providers/email/resend';
import type { CapturedLead } from '../../workflows/lead/definitions';
import { startResendFake, type ResendFake } from '../fakes/resend-fake';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

const consent: CapturedLead['consent'] = {
  text: 'By submitting, you agree to receive texts and emails about your request. Reply STOP to opt out.',
  at: new Date().toISOString(),
  method: 'api',
  email: true,
};

/**
 * An email provider that stays down through every retry of a follow-up step (the real Resend
 * adapter against a Resend-speaking server answering 500): the step is texted instead, once,
 * and the cadence goes on. The step's send is a local activity, whose failure reaches the
 * workflow without the ActivityFailure wrapper a task-queue activity's has.
 */
describe('email follow-ups while the email provider is down', () => {
  let h: LeadHarness;
  let fake: ResendFake;
  beforeAll(async () => {
    fake = await startResendFake();
    const email = createResendEmailProvider({
      apiKey: 're_test_outage',
      defaultFrom: 'Leads <leads@example.test>',
      baseUrl: fake.url,
      timeoutMs: 2_000,
    });
    h = await createLeadHarness({ email });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('texts an email-only step once every retry of its email failed, and follows up as planned', async () => {
    const business = await createBusiness(h.database.db, { followUpChannels: ['email', 'sms'] });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550188', email: 'ana@example.com', consent },
    });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    fake.failNextSends(1_000, { status: 500, name: 'internal_server_error' });
    await h.sleep('61 minutes');
    // Twelve attempts with backoff (the later ones on timers), then the text.
    for (let i = 0; i < 60 && (await h.outbox(leadId)).length < 2; i += 1) await h.sleep('2 minutes');
    const texts = await h.outbox(leadId);
    expect(texts).toHaveLength(2);
    expect(texts[1]!.kind).toBe('follow_up');
    expect(fake.sent).toHaveLength(0);
    expect((await h.state(leadId)).followUpsSent).toBe(1);
    // The second step is a text, as planned; the workflow is alive and well.
    await h.sleep('1 day');
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(3);
  }, 180_000);
});
