import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../../activities/privacy/erasure';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

describe('erasure deletes the person’s emails', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('removes every email row of the lead (our copy: Resend’s API cannot delete its own) and counts them in the receipt', async () => {
    const { db } = database;
    const business = await createBusiness(db);
    const [leadId, otherLead] = [randomUUID(), randomUUID()];
    for (const [id, phone] of [
      [leadId, '+12125550191'],
      [otherLead, '+12125550192'],
    ] as const)
      await db.lead.create({
        data: { id, businessId: business.id, name: 'Dana Whitfield', phone, email: 'dana.whitfield@example.net' },
      });
    const email = (lead: string | null, subject: string, provider = 'local') =>
      db.email.create({
        data: {
          businessId: business.id,
          leadId: lead,
          fromAddress: 'Rivera Plumbing <hello@mail.example.com>',
          toAddress: 'dana.whitfield@example.net',
          subject,
          body: 'Hi Dana, your verification code is 482913',
          headers: { 'List-Unsubscribe': '<https://leads.example.com/u/token>' },
          kind: 'follow_up',
          provider,
          providerId: `${provider}-${randomUUID()}`,
          idempotencyKey: randomUUID(),
        },
      });
    await email(leadId, 'Following up');
    await email(leadId, 'Your verification code', 'resend');
    const kept = await email(otherLead, 'Another person');
    const request = await db.privacyRequest.create({
      data: { businessId: business.id, leadId, type: 'deletion', dueAt: new Date(Date.now() + 30 * 86_400_000) },
    });

    const erasure = createErasureActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      log: createLogger({ name: 'test', level: 'silent' }),
      calendarFor: async () => null,
      privacyKeys: derivePrivacyKeys(randomBytes(32)),
    });
    const erased = await erasure.eraseLead({ requestId: request.id, businessId: business.id, subjectId: leadId });
    expect(erased).toMatchObject({ held: false, counts: { emails: 2, lead_rows_scrubbed: 1 } });
    expect(await db.email.count({ where: { leadId } })).toBe(0);
    expect(await db.email.findMany({ where: { businessId: business.id }, select: { id: true } })).toEqual([
      { id: kept.id },
    ]);
    const rows = await db.$queryRaw<Array<{ n: number }>>`
      SELECT COUNT(*)::int AS n FROM emails WHERE body LIKE '%482913%' AND lead_id IS DISTINCT FROM ${otherLead}::uuid`;
    expect(rows[0]!.n).toBe(0);

    const { receiptId } = await erasure.finishErasure({
      requestId: request.id,
      businessId: business.id,
      subjectId: leadId,
      counts: erased.counts,
    });
    const receipt = await db.deletionReceipt.findUniqueOrThrow({ where: { id: receiptId } });
    expect(receipt.counts).toMatchObject({ emails: 2 });
    expect(receipt.chain).toBe(business.id);
    expect(JSON.stringify(receipt.counts)).not.toContain('dana');
  });
});
