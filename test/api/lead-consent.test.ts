import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/** GET /v1/leads/{id}/consent: the conversation view's consent record. */
describe('a lead’s consent records', () => {
  let stack: Stack;
  const keys: Record<string, string> = {};
  let leadId = '';
  let otherLeadId = '';

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const [a, b] = [await createBusiness(db), await createBusiness(db)];
    for (const role of ['owner', 'operator', 'compliance'] as const)
      keys[role] = (await withTenant(db, a.id, (tx) => createKey(tx, a.id, role, role))).key;
    leadId = randomUUID();
    otherLeadId = randomUUID();
    await db.lead.create({ data: { id: leadId, businessId: a.id, name: 'Dana', phone: '+12125550142' } });
    await db.lead.create({ data: { id: otherLeadId, businessId: b.id, name: 'Other', phone: '+12125550143' } });
    await db.consentRecord.createMany({
      data: [
        {
          businessId: a.id,
          leadId,
          consentText: 'I agree to receive texts about my request.',
          capturedAt: new Date('2026-03-01T15:00:00.000Z'),
          method: 'widget',
          pageUrl: 'https://rivera.example/contact',
          ip: '203.0.113.9',
          userAgent: 'Mozilla/5.0',
        },
        {
          businessId: a.id,
          leadId,
          consentText: 'Texting in is consent to a reply.',
          capturedAt: new Date('2026-03-02T15:00:00.000Z'),
          method: 'sms',
        },
      ],
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lists the words, when and how, oldest first, without the address or browser', async () => {
    const res = await request(stack.app)
      .get(`/v1/leads/${leadId}/consent`)
      .set('Authorization', `Bearer ${keys.operator}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: expect.any(String),
        text: 'I agree to receive texts about my request.',
        at: '2026-03-01T15:00:00.000Z',
        method: 'widget',
        pageUrl: 'https://rivera.example/contact',
      },
      {
        id: expect.any(String),
        text: 'Texting in is consent to a reply.',
        at: '2026-03-02T15:00:00.000Z',
        method: 'sms',
        pageUrl: null,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('203.0.113.9');
  });

  it('answers 404 for another business’s lead and refuses the compliance role', async () => {
    const other = await request(stack.app)
      .get(`/v1/leads/${otherLeadId}/consent`)
      .set('Authorization', `Bearer ${keys.owner}`);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('Other');
    const compliance = await request(stack.app)
      .get(`/v1/leads/${leadId}/consent`)
      .set('Authorization', `Bearer ${keys.compliance}`);
    expect(compliance.status).toBe(403);
  });
});
