import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import { leadStateQuery, leadWorkflowId } from '../../workflows/lead/definitions';
import { privacyRequestWorkflowId } from '../../workflows/privacy/definitions';
import { DAY_MS } from '../../domain/time';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/**
 * Data-subject requests on the real stack (Temporal dev server, Postgres under row-level
 * security, worker, API), with everything the API and worker log captured.
 */
describe('data-subject requests end to end', () => {
  let stack: Stack;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  let business: { id: string };
  let owner: string;
  let compliance: string;
  const api = () => request(stack.app);

  beforeAll(async () => {
    stack = await startStack({
      log: createLogger({ name: 'privacy-test', level: 'trace', destination: sink }),
      privacyKeys: derivePrivacyKeys(randomBytes(32)),
    });
    business = await createBusiness(stack.database.db);
    owner = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'owner')))
      .key;
    compliance = (
      await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'compliance', 'dpo'))
    ).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function capture(
    person: { name: string; phone: string; email?: string; message?: string; consent?: Record<string, string> },
    idempotencyKey = randomUUID(),
  ) {
    const res = await api()
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', idempotencyKey)
      .send({
        ...person,
        consent: person.consent ?? { text: 'I agree to receive texts about my request. Reply STOP to opt out.' },
      });
    expect(res.status).toBe(202);
    const leadId = res.body.id as string;
    await expect
      .poll(
        () => stack.database.db.message.count({ where: { leadId, direction: 'outbound', providerId: { not: null } } }),
        { timeout: 30_000 },
      )
      .toBe(1);
    return leadId;
  }

  const open = (key: string, body: Record<string, unknown>) =>
    api().post('/v1/privacy/requests').set('Authorization', `Bearer ${key}`).send(body);
  const show = (id: string, key = compliance) =>
    api().get(`/v1/privacy/requests/${id}`).set('Authorization', `Bearer ${key}`);
  const verify = (id: string, body: Record<string, unknown>, key = compliance) =>
    api().post(`/v1/privacy/requests/${id}/verify`).set('Authorization', `Bearer ${key}`).send(body);
  async function codeFor(leadId: string): Promise<string> {
    let code = '';
    await expect
      .poll(
        async () => {
          const res = await api().get('/v1/dev/outbox').query({ leadId }).set('Authorization', `Bearer ${owner}`);
          const sent = (res.body.data as Array<{ kind: string; body: string }>).find(
            (m) => m.kind === 'verification_code',
          );
          code = sent?.body.match(/\b(\d{6})\b/)?.[1] ?? '';
          return code;
        },
        { timeout: 30_000 },
      )
      .toMatch(/^\d{6}$/);
    return code;
  }
  const statusOf = async (id: string) => (await show(id)).body.status as string;

  it('erases a person completely: rows, sealed contacts, carrier copies, keys; the receipt holds counts; an opted-out number stays refused', async () => {
    const phone = await daytimePhone(61);
    const person = {
      name: 'Perpetua Vandermolen-Ashby',
      email: 'perpetua.v@example.org',
      message: 'Crawlspace sump pump grinding since Tuesday',
    };
    const leadId = await capture({ ...person, phone });
    const inbound = 'Is the technician bringing a ladder? Side door code 9182';
    const text = async (body: string) =>
      receiveInboundSms(
        { db: stack.database.appDb, temporal: stack.client, taskQueue: stack.taskQueue },
        {
          businessId: business.id,
          from: phone,
          body,
          providerId: `SM${randomUUID().replace(/-/g, '')}`,
          provider: 'local',
          receivedAt: new Date(),
        },
      );
    await text(inbound);
    await expect
      .poll(() => stack.database.db.message.count({ where: { leadId, direction: 'outbound' } }), { timeout: 30_000 })
      .toBe(2);
    await text('STOP');
    await expect
      .poll(() => stack.database.db.suppression.count({ where: { businessId: business.id, phone } }), {
        timeout: 30_000,
      })
      .toBe(1);
    await api().get(`/v1/leads/${leadId}`).set('Authorization', `Bearer ${owner}`).expect(200);

    const opened = await open(compliance, {
      type: 'deletion',
      leadId,
      verification: { method: 'code_to_phone' },
      agent: { name: 'Harbor Privacy Agents LLC', evidence: 'authorization letter #A-1182' },
    });
    expect(opened.status).toBe(202);
    const id = opened.body.id as string;
    expect(opened.body).toMatchObject({
      type: 'deletion',
      status: 'awaiting_verification',
      waitingFor: 'verification',
      agentRecorded: true,
      verifiedAt: null,
    });
    expect(Date.parse(opened.body.dueAt) - Date.parse(opened.body.createdAt)).toBe(30 * DAY_MS);
    // The code goes out even though the person texted STOP: it is the service they asked for.
    const code = await codeFor(leadId);
    const sealed = await stack.database.db.privacyRequest.findUniqueOrThrow({ where: { id } });
    expect(sealed.contactCiphertext).toBeTruthy();
    expect(sealed.codeHash).not.toContain(code);

    expect((await verify(id, { code })).status).toBe(200);
    await expect.poll(() => statusOf(id), { timeout: 60_000 }).toBe('completed');
    const done = (await show(id)).body;
    expect(done.outcome.receiptId).toBeTruthy();
    const receipt = await stack.database.db.deletionReceipt.findUniqueOrThrow({
      where: { id: done.outcome.receiptId },
    });
    expect(receipt.cause).toBe(`request:${id}`);
    expect(receipt.subjectId).toBe(leadId);
    const counts = receipt.counts as Record<string, number>;
    expect(counts.messages).toBeGreaterThanOrEqual(5); // first reply, inbound, answer, STOP, its confirmation, the code
    expect(counts).toMatchObject({ consent_records: 1, lead_rows_scrubbed: 1, suppressions_pseudonymised: 1 });

    const lead = await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(lead).toMatchObject({ status: 'erased', name: '[erased]', phone: '', email: null, message: null });
    const suppression = await stack.database.db.suppression.findFirstOrThrow({ where: { businessId: business.id } });
    expect(suppression.phone).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect((await stack.client.workflow.getHandle(leadWorkflowId(leadId)).describe()).status.name).toBe('COMPLETED');
    expect(await stack.database.db.leadDataKey.count({ where: { leadId, destroyedAt: null } })).toBe(0);

    // Every table, every row, as text, read as the database owner (no row-level security).
    const tables = await stack.database.db.$queryRaw<
      Array<{ tablename: string }>
    >`SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public'`;
    let dump = '';
    for (const { tablename } of tables) {
      const rows = await stack.database.db.$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT t::text AS row FROM "${tablename}" t`,
      );
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(dump).toContain(leadId);
    // The person's whole values: a fragment as short as a 4-digit door code turns up by
    // chance in a dump full of UUIDs, hashes and timestamps.
    const secrets = [
      phone,
      phone.replace(/\D/g, ''),
      person.name,
      'Vandermolen',
      person.email,
      person.message,
      inbound,
    ];
    // The code texted to the person, as a number standing alone (not inside a hex id or a
    // timestamp's fraction of a second), the way a stored code or message body would hold it.
    const holdsCode = (text: string) => new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`).test(text);
    for (const secret of secrets)
      expect({ secret, inDatabase: dump.includes(secret) }).toEqual({ secret, inDatabase: false });
    expect({ code, inDatabase: holdsCode(dump) }).toEqual({ code, inDatabase: false });
    const log = lines.join('');
    expect(log).toContain('lead erased');
    for (const secret of secrets) expect({ secret, inLogs: log.includes(secret) }).toEqual({ secret, inLogs: false });
    expect({ code, inLogs: holdsCode(log) }).toEqual({ code, inLogs: false });

    // The Temporal histories, fetched raw (no codec), of every run of the lead's workflow
    // and of the request's own: ciphertext under a destroyed key, or nothing personal at all.
    const raw = async (workflowId: string) => {
      const chunks: Buffer[] = [];
      let runId: string | undefined;
      for (;;) {
        const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
          namespace: stack.client.options.namespace,
          execution: { workflowId, runId },
        });
        for (const event of history?.events ?? [])
          chunks.push(Buffer.from(JSON.stringify(event)), ...payloadBytes(event));
        runId = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
        if (!runId) break;
      }
      return Buffer.concat(chunks);
    };
    const histories = Buffer.concat([await raw(leadWorkflowId(leadId)), await raw(privacyRequestWorkflowId(id))]);
    expect(histories.length).toBeGreaterThan(1000);
    // The scan sees the payloads (their metadata says what they are)…
    expect(histories.includes(Buffer.from('binary/encrypted'))).toBe(true);
    for (const secret of secrets)
      expect({ secret, inHistories: histories.includes(Buffer.from(secret!)) }).toEqual({ secret, inHistories: false });
    expect({ code, inHistories: holdsCode(histories.toString('latin1')) }).toEqual({ code, inHistories: false });

    // The same number captured again: a new lead, whose texts the hashed opt-out refuses.
    const again = await api()
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', randomUUID())
      .send({ name: 'Someone New', phone, consent: { text: 'I agree to receive texts. Reply STOP to opt out.' } });
    expect(again.status).toBe(202);
    const newLeadId = again.body.id as string;
    expect(newLeadId).not.toBe(leadId);
    // The first reply was tried and refused as suppressed (the workflow records the opt-out).
    await expect
      .poll(
        async () => (await stack.client.workflow.getHandle(leadWorkflowId(newLeadId)).query(leadStateQuery)).optedOut,
        { timeout: 30_000 },
      )
      .toBe(true);
    expect(await stack.database.db.message.count({ where: { leadId: newLeadId, direction: 'outbound' } })).toBe(0);
  }, 180_000);

  it('waits visibly while the lead is under legal hold, and the release resumes the erasure', async () => {
    const leadId = await capture({ name: 'Ignatius Holloway-Pruitt', phone: await daytimePhone(62) });
    await api()
      .put(`/v1/leads/${leadId}/legal-hold`)
      .set('Authorization', `Bearer ${compliance}`)
      .send({ reason: 'pending litigation' })
      .expect(200);
    const opened = await open(owner, { type: 'deletion', leadId, verification: { method: 'business_confirmation' } });
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({ status: 'verified', waitingFor: null });
    const id = opened.body.id as string;
    await expect.poll(async () => (await show(id)).body.waitingFor, { timeout: 30_000 }).toBe('legal_hold_release');
    expect(await statusOf(id)).toBe('waiting_legal_hold');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).name).toBe(
      'Ignatius Holloway-Pruitt',
    );
    expect(await stack.database.db.message.count({ where: { leadId } })).toBeGreaterThan(0);

    await api().delete(`/v1/leads/${leadId}/legal-hold`).set('Authorization', `Bearer ${compliance}`).expect(200);
    await expect.poll(() => statusOf(id), { timeout: 60_000 }).toBe('completed');
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).name).toBe('[erased]');
    expect(await stack.database.db.message.count({ where: { leadId } })).toBe(0);
  }, 120_000);

  it('locks a request after five wrong codes; another tenant gets 404 for its ids', async () => {
    const leadId = await capture({ name: 'Wendeline Okonkwo-Marsh', phone: await daytimePhone(63) });
    const opened = await open(compliance, { type: 'deletion', leadId, verification: { method: 'code_to_phone' } });
    const id = opened.body.id as string;
    const code = await codeFor(leadId);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let left = 4; left >= 0; left -= 1) {
      const res = await verify(id, { code: wrong });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ field: 'code', attemptsLeft: left });
    }
    expect(await statusOf(id)).toBe('rejected');
    const late = await verify(id, { code });
    expect(late.status).toBe(409);
    await expect
      .poll(async () => (await stack.client.workflow.getHandle(privacyRequestWorkflowId(id)).describe()).status.name, {
        timeout: 30_000,
      })
      .toBe('COMPLETED');
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).name).toBe(
      'Wendeline Okonkwo-Marsh',
    );
    // Not an access request: no export.
    expect(
      (await api().get(`/v1/privacy/requests/${id}/export`).set('Authorization', `Bearer ${compliance}`)).status,
    ).toBe(409);

    const other = await createBusiness(stack.database.db);
    const otherKey = (await withTenant(stack.database.db, other.id, (tx) => createKey(tx, other.id, 'owner', 'other')))
      .key;
    expect((await show(id, otherKey)).status).toBe(404);
    expect((await verify(id, { code }, otherKey)).status).toBe(404);
    expect(
      (await api().get(`/v1/privacy/requests/${id}/export`).set('Authorization', `Bearer ${otherKey}`)).status,
    ).toBe(404);
    expect(
      (await open(otherKey, { type: 'access', leadId, verification: { method: 'business_confirmation' } })).status,
    ).toBe(404);
    // Roles and input.
    const operator = (
      await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'operator', 'desk'))
    ).key;
    expect((await show(id, operator)).status).toBe(403);
    const bad = await open(owner, { type: 'forget_me', leadId, verification: { method: 'code_to_phone' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^type:/);
    expect(
      (await open(owner, { type: 'access', verification: { method: 'code_to_phone' } })).body.error.message,
    ).toMatch(/^leadId:/);
    expect((await open(owner, { type: 'access', leadId, verification: { method: 'code_to_email' } })).status).toBe(422);
  }, 120_000);

  it('exports everything about the person, with consent provenance and the audit trail of who read it', async () => {
    const phone = await daytimePhone(64);
    const consent = {
      text: 'Yes, text me about my quote. Reply STOP to opt out.',
      ip: '203.0.113.77',
      pageUrl: 'https://rivera.example/quote',
      at: '2026-11-20T15:04:05.000Z',
    };
    const leadId = await capture({ name: 'Cosima Ferreira-Lund', phone, consent });
    await api().get(`/v1/leads/${leadId}`).set('Authorization', `Bearer ${owner}`).expect(200);
    const opened = await open(owner, { type: 'export', phone, verification: { method: 'business_confirmation' } });
    expect(opened.status).toBe(202);
    const id = opened.body.id as string;
    await expect.poll(() => statusOf(id), { timeout: 30_000 }).toBe('completed');
    const res = await api().get(`/v1/privacy/requests/${id}/export`).set('Authorization', `Bearer ${compliance}`);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.subject).toMatchObject({ leadId, name: 'Cosima Ferreira-Lund', phone });
    expect(doc.consentRecords).toEqual([
      expect.objectContaining({
        consentText: consent.text,
        ip: consent.ip,
        pageUrl: consent.pageUrl,
        capturedAt: consent.at,
        method: 'api',
      }),
    ]);
    expect(doc.messages.length).toBeGreaterThanOrEqual(1);
    expect(doc.privacyRequests).toEqual([expect.objectContaining({ id, type: 'export', status: 'completed' })]);
    const trail = doc.auditTrail as Array<{ action: string; entity: string; entityId: string; actorRole: string }>;
    expect(trail).toContainEqual(
      expect.objectContaining({ action: 'read', entity: 'lead', entityId: leadId, actorRole: 'owner' }),
    );
    expect(trail).toContainEqual(
      expect.objectContaining({ action: 'export', entity: 'lead', entityId: leadId, actorRole: 'compliance' }),
    );
    expect(trail).toContainEqual(
      expect.objectContaining({ action: 'create', entity: 'privacy_request', entityId: id }),
    );
  }, 120_000);
});

/** Every payload's data bytes inside a raw history event, wherever they sit. */
function payloadBytes(value: unknown, out: Buffer[] = []): Buffer[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value));
  else if (Array.isArray(value)) for (const v of value) payloadBytes(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) payloadBytes(v, out);
  return out;
}
