import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenantSql } from '../../db/sql';
import { leadWorkflowClient } from '../../services/leads/lead-workflow-client';
import { claimDigests, claimRequest, DUPLICATE_WINDOW_MS } from '../../services/leads/request-claims';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = 'You agree to receive texts from Rivera Plumbing about your request. Reply STOP to opt out.';

/** A lead that was answered 202 exists: every route acts on it at once, or says when to retry — never 404. */
describe('right after a capture is accepted', () => {
  let stack: Stack;
  let ownerKey = '';
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    const business = await createBusiness(stack.database.db, { consentText: CONSENT });
    businessId = business.id;
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const api = () => ({
    capture: (phone: string) =>
      request(stack.app)
        .post('/v1/leads')
        .set('Authorization', `Bearer ${ownerKey}`)
        .send({ name: 'Dana Whitfield', phone, consent: { text: CONSENT } }),
    hold: (leadId: string) =>
      request(stack.app)
        .put(`/v1/leads/${leadId}/legal-hold`)
        .set('Authorization', `Bearer ${ownerKey}`)
        .send({ reason: 'litigation hold: case 2026-114' }),
    privacy: (subject: { leadId: string } | { phone: string }) =>
      request(stack.app)
        .post('/v1/privacy/requests')
        .set('Authorization', `Bearer ${ownerKey}`)
        .send({ type: 'access', ...subject, verification: { method: 'business_confirmation' } }),
  });

  it('places a legal hold on the lead, and its workflow holds it too', async () => {
    const accepted = await api().capture(await daytimePhone(61));
    expect(accepted.status).toBe(202);
    const leadId = accepted.body.id as string;
    const held = await api().hold(leadId);
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ leadId, held: true, reason: 'litigation hold: case 2026-114' });
    const row = await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(row.legalHoldAt).not.toBeNull();
    await expect
      .poll(async () => (await stack.app.deps.leads.state(leadId))?.legalHold, { timeout: 30_000 })
      .toBe(true);
  });

  it('opens a privacy request found by the lead’s phone', async () => {
    const phone = await daytimePhone(62);
    const accepted = await api().capture(phone);
    expect(accepted.status).toBe(202);
    const opened = await api().privacy({ phone });
    expect(opened.status).toBe(202);
    expect(opened.body.leadId).toBe(accepted.body.id);
  });

  it('answers 409 with Retry-After while an accepted lead’s row is not written yet (Postgres was down at capture)', async () => {
    const phone = await daytimePhone(63);
    // Accepted, but its row could not be written: the phone is claimed for the lead and the
    // workflow runs (here on a queue no worker serves, so it never records the row).
    const keyring = stack.app.deps.privacyKeys!.keyring;
    const { leadId } = await withTenantSql(stack.database.appDb, businessId, (c) =>
      claimRequest(c, {
        businessId,
        digests: claimDigests(keyring, businessId, { kind: 'phone', phone }),
        leadId: randomUUID(),
        requestHash: null,
        now: new Date(),
        ttlMs: DUPLICATE_WINDOW_MS,
      }),
    );
    const unserved = leadWorkflowClient({ temporal: stack.client, taskQueue: `unserved-${randomUUID()}` });
    await unserved.start({
      leadId,
      businessId,
      lead: {
        name: 'Dana Whitfield',
        phone,
        source: 'api',
        consent: { text: CONSENT, at: new Date().toISOString(), method: 'api' },
      },
      capturedAt: new Date().toISOString(),
    });
    try {
      expect(await stack.database.db.lead.findUnique({ where: { id: leadId } })).toBeNull();
      for (const res of [await api().hold(leadId), await api().privacy({ leadId }), await api().privacy({ phone })]) {
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('conflict');
        expect(res.body.error.message).toContain('still being recorded');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(await stack.database.db.privacyRequest.count({ where: { leadId } })).toBe(0);
      // A lead that was never accepted is still not found.
      expect((await api().hold(randomUUID())).status).toBe(404);
      expect((await api().privacy({ phone: await daytimePhone(64) })).status).toBe(404);
    } finally {
      await stack.client.workflow.getHandle(unserved.workflowId(leadId)).terminate('test done');
    }
  });
});
