import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { HIDDEN_CODE_BODY } from '../../db/messages';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 13, item 6: the data-subject verification code was in clear in GET /v1/leads/{id}
 * (the outbound message's body), so an operator could read it and hand it to a compliance
 * user who then verified the request and downloaded the person's export. Codes are hidden
 * from every answer, list and export, whatever became of the request (verified, locked,
 * expired); the text itself still reaches the phone (here the local outbox, which stands
 * in for the phone).
 */
describe('verification codes are seen by the phone only', () => {
  let stack: Stack;
  let owner = '';
  let operator = '';
  let compliance = '';
  const api = () => request(stack.app);

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    const business = await createBusiness(stack.database.db);
    const key = (role: 'owner' | 'operator' | 'compliance') =>
      withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role)).then((k) => k.key);
    [owner, operator, compliance] = [await key('owner'), await key('operator'), await key('compliance')];
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The codes the phone received for this lead (the local outbox is the phone), oldest first. */
  async function codesOnPhone(leadId: string, count: number): Promise<string[]> {
    let codes: string[] = [];
    await expect
      .poll(
        async () => {
          const res = await api().get('/v1/dev/outbox').query({ leadId }).set('Authorization', `Bearer ${owner}`);
          codes = (res.body.data as Array<{ kind: string; body: string }>)
            .filter((m) => m.kind === 'verification_code')
            .map((m) => m.body.match(/\b(\d{6})\b/)?.[1] ?? '')
            .reverse();
          return codes.length;
        },
        { timeout: 30_000 },
      )
      .toBe(count);
    return codes;
  }

  const open = (leadId: string, type: string) =>
    api()
      .post('/v1/privacy/requests')
      .set('Authorization', `Bearer ${compliance}`)
      .send({ type, leadId, verification: { method: 'code_to_phone' } });
  const verify = (id: string, code: string) =>
    api().post(`/v1/privacy/requests/${id}/verify`).set('Authorization', `Bearer ${compliance}`).send({ code });
  const statusOf = async (id: string) =>
    (await api().get(`/v1/privacy/requests/${id}`).set('Authorization', `Bearer ${compliance}`)).body.status;

  it('hides verified, locked and expired requests’ codes from the lead, its export and the tenant export', async () => {
    const phone = await daytimePhone(71);
    const captured = await api()
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', randomUUID())
      .send({
        name: 'Odalys Fairweather',
        phone,
        consent: { text: 'I agree to receive texts. Reply STOP to opt out.' },
      });
    expect(captured.status).toBe(202);
    const leadId = captured.body.id as string;
    await expect
      .poll(
        () => stack.database.db.message.count({ where: { leadId, direction: 'outbound', providerId: { not: null } } }),
        {
          timeout: 30_000,
        },
      )
      .toBe(1);

    // 1. Locked: five wrong codes.
    const locked = (await open(leadId, 'deletion')).body.id as string;
    const [lockedCode] = await codesOnPhone(leadId, 1);
    const wrong = String((Number(lockedCode) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i += 1) expect((await verify(locked, wrong)).status).toBe(422);
    await expect.poll(() => statusOf(locked), { timeout: 30_000 }).toBe('rejected');

    // 2. Expired: its code's time is up.
    const expired = (await open(leadId, 'access')).body.id as string;
    const [, expiredCode] = await codesOnPhone(leadId, 2);
    await stack.database.db.privacyRequest.update({
      where: { id: expired },
      data: { codeExpiresAt: new Date(Date.now() - 60_000) },
    });
    expect((await verify(expired, expiredCode!)).status).toBe(422);
    // An expired code sends a new one.
    await codesOnPhone(leadId, 3);

    // 3. Verified: an export request the right code completes.
    const verified = (await open(leadId, 'export')).body.id as string;
    const codes = await codesOnPhone(leadId, 4);
    expect((await verify(verified, codes[3]!)).status).toBeLessThan(300);
    await expect.poll(() => statusOf(verified), { timeout: 30_000 }).toBe('completed');
    expect(new Set(codes).size).toBe(4);

    const containsACode = (text: string) => codes.some((code) => new RegExp(`\\b${code}\\b`).test(text));

    // The lead, as the operator (the probe's path) and the owner see it.
    for (const key of [operator, owner]) {
      const lead = await api().get(`/v1/leads/${leadId}`).set('Authorization', `Bearer ${key}`);
      expect(lead.status).toBe(200);
      expect(containsACode(lead.text)).toBe(false);
      const sent = (lead.body.messages as Array<{ kind: string; body: string }>).filter(
        (m) => m.kind === 'verification_code',
      );
      expect(sent.map((m) => m.body)).toEqual(Array(4).fill(HIDDEN_CODE_BODY));
    }
    // The person's export (the compliance user's download).
    const subject = await api()
      .get(`/v1/privacy/requests/${verified}/export`)
      .set('Authorization', `Bearer ${compliance}`);
    expect(subject.status).toBe(200);
    expect(containsACode(subject.text)).toBe(false);
    expect(
      (subject.body.messages as Array<{ kind: string; body: string }>)
        .filter((m) => m.kind === 'verification_code')
        .map((m) => m.body),
    ).toEqual(Array(4).fill(HIDDEN_CODE_BODY));
    // The tenant's export of everything.
    const tenant = await api().get('/v1/business/export').set('Authorization', `Bearer ${owner}`);
    expect(tenant.status).toBe(200);
    expect(tenant.text).toContain(HIDDEN_CODE_BODY);
    expect(containsACode(tenant.text)).toBe(false);

    // The send itself kept the code: the rows hold the real text the carrier (here the outbox) got, until the code is
    // used (verify-privacy-request wipes a used code from storage too).
    const rows = await stack.database.db.message.findMany({
      where: { leadId, kind: 'verification_code' },
      orderBy: { createdAt: 'asc' },
    });
    expect(rows.map((r) => r.body.match(/\b(\d{6})\b/)?.[1] ?? null)).toEqual([...codes.slice(0, 3), null]);
  }, 180_000);
});
