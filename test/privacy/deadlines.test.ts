import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY_MS,
  privacyRequestStateQuery,
  privacyRequestWorkflowId,
  verificationSignal,
  type PrivacyRequestInput,
} from '../../workflows/privacy/definitions';
import { createBusiness } from '../support/business';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

/** The 30-day due date on the time-skipping server: reminders at 7 and 3 days left, escalation once overdue. */
describe('privacy request workflow: due date', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reminds at 7 and 3 days left and escalates once overdue while nobody verifies, then completes when verified', async () => {
    const db = h.database.db;
    const business = await createBusiness(db);
    const leadId = randomUUID();
    await db.lead.create({
      data: { id: leadId, businessId: business.id, phone: '+12125550177', name: 'Odile Brennan-Sato' },
    });
    const receivedAt = new Date(await h.env.currentTimeMs());
    const dueAt = new Date(receivedAt.getTime() + 30 * DAY_MS);
    const requestId = randomUUID();
    await db.privacyRequest.create({
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
    const handle = await h.env.client.workflow.start('privacyRequestWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: privacyRequestWorkflowId(requestId),
      args: [input],
    });
    const request = () => db.privacyRequest.findUniqueOrThrow({ where: { id: requestId } });
    const reminders = async () =>
      (((await request()).outcome ?? {}) as { reminders?: Array<{ kind: string }> }).reminders?.map((r) => r.kind) ??
      [];

    // One hour before 7 days are left: nothing yet.
    await h.env.sleep(23 * DAY_MS - 60 * 60_000);
    await h.settle(500);
    expect(await reminders()).toEqual([]);
    await h.env.sleep(2 * 60 * 60_000);
    await expect.poll(reminders, { timeout: 10_000 }).toEqual(['7d']);

    await h.env.sleep(3 * DAY_MS + 22 * 60 * 60_000); // 26 d 23 h: 3 days and an hour left
    await h.settle(500);
    expect(await reminders()).toEqual(['7d']);
    await h.env.sleep(2 * 60 * 60_000);
    await expect.poll(reminders, { timeout: 10_000 }).toEqual(['7d', '3d']);
    expect((await request()).escalatedAt).toBeNull();

    await h.env.sleep(3 * DAY_MS);
    await expect.poll(async () => (await request()).escalatedAt, { timeout: 10_000 }).not.toBeNull();
    const escalatedAt = (await request()).escalatedAt!;
    expect(escalatedAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    const state = await handle.query(privacyRequestStateQuery);
    expect(state).toMatchObject({
      status: 'awaiting_verification',
      waitingFor: 'verification',
      reminders: ['7d', '3d'],
      escalated: true,
    });
    expect((await request()).status).toBe('awaiting_verification');

    // Late, but still performed once verified.
    await db.privacyRequest.update({ where: { id: requestId }, data: { verifiedAt: new Date(), status: 'verified' } });
    await handle.signal(verificationSignal, { outcome: 'verified' });
    expect((await handle.result()).status).toBe('completed');
    const done = await request();
    expect(done.status).toBe('completed');
    expect((done.outcome as { result?: { categories?: { lead: number } } }).result?.categories?.lead).toBe(1);
  });
});
