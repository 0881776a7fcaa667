import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { PurgeResult } from '../../activities/account/account-activities';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const HEADER =
  'Name,Phone,Email,Consent_Text,Consent_Obtained_At,Consent_Method,Appointment_At,Appointment_Service,Notes';
const CONSENT = 'I agree to receive texts from Rivera Plumbing about my appointments. Reply STOP to opt out.';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

/** Customer import through the API, on the real stack (Postgres under row-level security, Temporal, worker). */
describe('customer import (POST /v1/imports)', () => {
  let stack: Stack;
  const keys = { owner: '', operator: '', compliance: '', otherOwner: '' };
  let businessId = '';
  let otherBusinessId = '';

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    businessId = business.id;
    otherBusinessId = other.id;
    const key = (id: string, role: 'owner' | 'operator' | 'compliance') =>
      withTenant(db, id, (tx) => createKey(tx, id, role, role)).then((k) => k.key);
    keys.owner = await key(business.id, 'owner');
    keys.operator = await key(business.id, 'operator');
    keys.compliance = await key(business.id, 'compliance');
    keys.otherOwner = await key(other.id, 'owner');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const upload = (body: string | Buffer, opts: { mode?: string; key?: string; type?: string; idem?: string } = {}) => {
    let call = request(stack.app)
      .post('/v1/imports')
      .query(opts.mode ? { mode: opts.mode } : {})
      .set('Authorization', `Bearer ${opts.key ?? keys.owner}`)
      .set('Content-Type', opts.type ?? 'text/csv');
    if (opts.idem) call = call.set('Idempotency-Key', opts.idem);
    return call.send(body);
  };
  const customersOf = (id: string) =>
    stack.database.db.customer.findMany({
      where: { businessId: id },
      include: { consentRecords: true, appointments: { orderBy: { startsAt: 'asc' } } },
      orderBy: { name: 'asc' },
    });

  it('previews: every problem named by row and column, the counts, and nothing written', async () => {
    await stack.database.db.lead.create({
      data: { id: randomUUID(), businessId, name: 'Lena Ortiz', phone: '+12125550177' },
    });
    const file = csv(
      `Rosa Delgado,(212) 555-0142,rosa@example.org,"${CONSENT}",2024-05-02 10:15,paper form,2025-03-14 09:30,Drain cleaning,"Side gate, dog"`,
      'Ida Quist,555-01,,,,,,,',
      `Al Ruiz,212 555 0143,,"${CONSENT}",2024-01-01,,,,`,
      'Bo Chen,212 555 0144,,yes,,,,,',
      'Cy Park,212 555 0145,,,,,last tuesday,,',
      'Rosa Delgado,(212) 555-0142,,,,,,,',
      'Lena Ortiz,+1 212 555 0177,,,,,,,',
      'Dee Fox,212 555 0146,not-an-email,,,,,,',
      'Too,Few',
    );
    const res = await upload(file, { mode: 'preview' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'preview', importId: null, replayed: false });
    expect(res.body.counts).toEqual({
      rows: 9,
      rowsWithProblems: 8,
      customers: 1,
      appointments: 1,
      textable: 1,
      notTextable: 0,
    });
    const named = (res.body.problems as Array<{ row: number; field: string; reason: string }>).map(
      (p) => `${p.row} ${p.field}`,
    );
    expect(named).toEqual([
      '3 phone',
      '4 consent_method',
      '5 consent_text',
      '5 consent_method',
      '5 consent_obtained_at',
      '6 appointment_at',
      '7 phone',
      '8 phone',
      '9 email',
      '10 (row)',
    ]);
    const reasons = Object.fromEntries(
      (res.body.problems as Array<{ row: number; field: string; reason: string }>).map((p) => [
        `${p.row} ${p.field}`,
        p.reason,
      ]),
    );
    expect(reasons['3 phone']).toBe('is not a valid number for its country');
    expect(reasons['7 phone']).toBe('duplicate of row 2');
    expect(reasons['8 phone']).toBe('is already a lead of the business (duplicate)');
    expect(reasons['6 appointment_at']).toMatch(/not a date/);
    expect(await stack.database.db.customer.count({ where: { businessId } })).toBe(0);
    expect(await stack.database.db.customerImport.count({ where: { businessId } })).toBe(0);
  });

  it('imports customers with their past appointments and consent; a row without consent is not textable; nothing is texted', async () => {
    const leadsBefore = await stack.database.db.lead.count({ where: { businessId } });
    const file = csv(
      `Rosa Delgado,(212) 555-0142,Rosa@Example.org,"${CONSENT}",2024-05-02 10:15,paper form,2025-03-14 09:30,Drain cleaning,Side gate`,
      'Rosa Delgado,(212) 555-0142,,,,,2025-06-01 14:00,Water heater inspection,',
      'Ida Quist,+1 415 555 0199,,,,,2024-11-20,,',
      'Bad Phone,12,,,,,,,',
    );
    const res = await upload(file, { mode: 'import', key: keys.operator });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      mode: 'import',
      replayed: false,
      counts: { rows: 4, rowsWithProblems: 1, customers: 2, appointments: 3, textable: 1, notTextable: 1 },
      problems: [{ row: 5, field: 'phone' }],
    });
    const importId = res.body.importId as string;

    const customers = await customersOf(businessId);
    expect(customers.map((c) => [c.name, c.phone, c.email, c.textable, c.importId])).toEqual([
      ['Ida Quist', '+14155550199', null, false, importId],
      ['Rosa Delgado', '+12125550142', 'rosa@example.org', true, importId],
    ]);
    const [ida, rosa] = customers;
    expect(ida!.consentRecords).toEqual([]);
    expect(ida!.appointments.map((a) => a.startsAt.toISOString())).toEqual(['2024-11-20T05:00:00.000Z']);
    expect(rosa!.consentRecords).toEqual([
      expect.objectContaining({
        consentText: CONSENT,
        capturedAt: new Date('2024-05-02T14:15:00Z'),
        method: 'paper form',
      }),
    ]);
    expect(rosa!.appointments.map((a) => [a.startsAt.toISOString(), a.service])).toEqual([
      ['2025-03-14T13:30:00.000Z', 'Drain cleaning'],
      ['2025-06-01T18:00:00.000Z', 'Water heater inspection'],
    ]);
    expect(rosa!.notes).toBe('Side gate');

    // No lead, no workflow, no text: an imported customer is texted by no one.
    expect(await stack.database.db.lead.count({ where: { businessId } })).toBe(leadsBefore);
    expect(await stack.database.db.message.count({ where: { businessId } })).toBe(0);
    const running = stack.client.workflow.list({ query: `TaskQueue = "${stack.taskQueue}"` });
    for await (const wf of running) expect(wf.workflowId).not.toMatch(/lead/);

    const shown = await request(stack.app).get(`/v1/imports/${importId}`).set('Authorization', `Bearer ${keys.owner}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: importId, counts: { customers: 2, appointments: 3 } });
    const audit = await stack.database.db.auditLog.findMany({ where: { businessId, entity: 'customer_import' } });
    expect(audit.map((a) => a.action).sort()).toEqual(['create', 'read']);
  });

  it('imports a re-uploaded file once: the same bytes or the same Idempotency-Key answer the first import', async () => {
    const file = csv('Uma Vale,212 555 0150,,,,,2024-02-02,,', 'Vic Wong,212 555 0151,,,,,,,');
    const first = await upload(file, { mode: 'import' });
    expect(first.status).toBe(201);
    const again = await upload(file, { mode: 'import' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ importId: first.body.importId, replayed: true, counts: first.body.counts });

    const keyed = csv('Wes Yin,212 555 0152,,,,,,,');
    const idem = randomUUID();
    const k1 = await upload(keyed, { mode: 'import', idem });
    const k2 = await upload(keyed, { mode: 'import', idem });
    expect(k1.status).toBe(201);
    expect(k2.body).toMatchObject({ importId: k1.body.importId, replayed: true });
    const reused = await upload(csv('Xan Zee,212 555 0153,,,,,,,'), { mode: 'import', idem });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');

    // Another file naming the same people: they are duplicates of the customers already here.
    const overlap = await upload(csv('Uma Vale,212 555 0150,,,,,2024-03-03,,', 'Yul Abe,212 555 0154,,,,,,,'), {
      mode: 'import',
    });
    expect(overlap.status).toBe(201);
    expect(overlap.body.counts).toMatchObject({ customers: 1, rowsWithProblems: 1 });
    expect(overlap.body.problems).toEqual([
      { row: 2, field: 'phone', reason: 'is already an imported customer (duplicate)' },
    ]);
    expect(await stack.database.db.customer.count({ where: { businessId, phone: '+12125550150' } })).toBe(1);
    expect(
      await stack.database.db.customerAppointment.count({ where: { businessId, customer: { phone: '+12125550150' } } }),
    ).toBe(1);
  });

  it('keeps imports to their tenant: another business gets 404 and sees none of the rows', async () => {
    const res = await upload(csv('Zed Orr,212 555 0160,,,,,,,'), { mode: 'import' });
    expect(res.status).toBe(201);
    const importId = res.body.importId as string;
    const theirs = await request(stack.app)
      .get(`/v1/imports/${importId}`)
      .set('Authorization', `Bearer ${keys.otherOwner}`);
    expect(theirs.status).toBe(404);
    await withTenant(stack.database.appDb, otherBusinessId, async (tx) => {
      expect(await tx.customer.count()).toBe(0);
      expect(await tx.customerImport.count()).toBe(0);
      expect(await tx.customerAppointment.count()).toBe(0);
    });
    // The other business imports the same person as its own, not a duplicate of ours.
    const own = await upload(csv('Zed Orr,212 555 0160,,,,,,,'), { mode: 'preview', key: keys.otherOwner });
    expect(own.body.counts).toMatchObject({ customers: 1, rowsWithProblems: 0 });
  });

  it('refuses other content types (415), files over the limit (413), keys without the role (403), a bad header (400)', async () => {
    const json = await request(stack.app)
      .post('/v1/imports')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({ name: 'Rosa' });
    expect(json.status).toBe(415);
    expect((await upload('name,phone\n', { type: 'text/plain' })).status).toBe(415);
    expect((await upload('name,phone\n', { type: 'text/csv; charset=latin1' })).status).toBe(415);

    const huge = Buffer.alloc(21 * 1024 * 1024, 'a');
    const tooLarge = await upload(huge).catch((err: { response?: request.Response }) => err.response!);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');

    // Streamed without a length: stopped once past the limit, not read to the end.
    const server = stack.app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const streamed = await new Promise<{ status: number; code: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            method: 'POST',
            path: '/v1/imports?mode=preview',
            headers: { authorization: `Bearer ${keys.owner}`, 'content-type': 'text/csv' },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, code: JSON.parse(text).error.code }));
          },
        );
        req.on('error', () => {});
        req.write(HEADER + '\n');
        const row = Buffer.from(`A B,212 555 0170,,,,,,,"${'x'.repeat(1900)}"\n`);
        let sent = 0;
        const pump = () => {
          while (sent < 30 * 1024 * 1024) {
            sent += row.length;
            if (!req.write(row)) return req.once('drain', pump);
          }
          req.end();
        };
        pump();
        setTimeout(() => reject(new Error('no answer to a streamed upload over the limit')), 30_000).unref();
      });
      expect(streamed).toEqual({ status: 413, code: 'payload_too_large' });
    } finally {
      server.close();
    }

    expect((await upload(csv('A B,212 555 0170,,,,,,,'), { key: keys.compliance })).status).toBe(403);
    const header = await upload('name,phone,birthday\nA B,212 555 0170,1990-01-01\n');
    expect(header.status).toBe(400);
    expect(header.body.error.message).toMatch(/^header: unknown column "birthday"/);
    const noPhone = await upload('name,email\nA B,a@b.org\n');
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.error.message).toBe('header: needs the column phone');
    const badMode = await upload(csv(), { mode: 'everything' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error.message).toMatch(/^query\.mode/);
  });

  it('erases an imported customer on a deletion request by phone, with a receipt', async () => {
    const res = await upload(
      csv(
        `Greta Lindqvist-Oyelaran,212 555 0180,greta.lo@example.org,"${CONSENT}",2024-04-04,verbal,2024-09-09 11:00,Drain cleaning,Blue door`,
      ),
      { mode: 'import' },
    );
    expect(res.status).toBe(201);
    const opened = await request(stack.app)
      .post('/v1/privacy/requests')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({ type: 'deletion', phone: '+12125550180', verification: { method: 'business_confirmation' } });
    expect(opened.status).toBe(202);
    const id = opened.body.id as string;
    const show = () =>
      request(stack.app).get(`/v1/privacy/requests/${id}`).set('Authorization', `Bearer ${keys.owner}`);
    await expect.poll(async () => (await show()).body.status, { timeout: 60_000 }).toBe('completed');
    const receipt = await stack.database.db.deletionReceipt.findFirstOrThrow({ where: { cause: `request:${id}` } });
    expect(receipt.counts).toMatchObject({
      imported_customers: 1,
      customer_consent_records: 1,
      customer_appointments: 1,
    });
    expect(await stack.database.db.customer.count({ where: { phone: '+12125550180' } })).toBe(0);
    const tables = ['customers', 'customer_consent_records', 'customer_appointments', 'customer_imports', 'audit_log'];
    for (const table of tables) {
      const rows = await stack.database.db.$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT t::text AS row FROM ${table} t`,
      );
      const dump = rows.map((r) => r.row).join('\n');
      expect(dump).not.toContain('Lindqvist');
      expect(dump).not.toContain('5550180');
      expect(dump).not.toContain('greta.lo');
    }

    // Other request types, or a code to a phone that was never texted, are refused for an imported-only person.
    await upload(csv('Hal Ito,212 555 0181,,,,,,,'), { mode: 'import' });
    const access = await request(stack.app)
      .post('/v1/privacy/requests')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({ type: 'export', phone: '+12125550181', verification: { method: 'business_confirmation' } });
    expect(access.status).toBe(422);
    expect(access.body.error.message).toMatch(/^type:/);
  });

  it('erases the imported records of a lead who is erased (same email), and exports them before', async () => {
    await upload(csv('Ines Marr,212 555 0190,ines.marr@example.org,,,,2024-01-10,,'), { mode: 'import' });
    const captured = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({
        name: 'Ines Marr',
        phone: '+14155550190',
        email: 'Ines.Marr@example.org',
        consent: { text: 'I agree to receive texts.' },
      });
    expect(captured.status).toBe(202);
    const leadId = captured.body.id as string;
    const requestFor = async (type: string) => {
      const res = await request(stack.app)
        .post('/v1/privacy/requests')
        .set('Authorization', `Bearer ${keys.owner}`)
        .send({ type, leadId, verification: { method: 'business_confirmation' } });
      expect(res.status).toBe(202);
      const requestId = res.body.id as string;
      await expect
        .poll(
          async () =>
            (
              await request(stack.app)
                .get(`/v1/privacy/requests/${requestId}`)
                .set('Authorization', `Bearer ${keys.owner}`)
            ).body.status,
          { timeout: 60_000 },
        )
        .toBe('completed');
      return requestId;
    };
    const exportId = await requestFor('export');
    const exported = await request(stack.app)
      .get(`/v1/privacy/requests/${exportId}/export`)
      .set('Authorization', `Bearer ${keys.owner}`);
    expect(exported.status).toBe(200);
    expect(exported.body.importedCustomers).toEqual([
      expect.objectContaining({
        name: 'Ines Marr',
        phone: '+12125550190',
        email: 'ines.marr@example.org',
        textable: false,
        consentRecords: [],
        appointments: [{ startsAt: '2024-01-10T05:00:00.000Z', service: null }],
      }),
    ]);

    const opened = await request(stack.app)
      .post('/v1/privacy/requests')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({ type: 'deletion', leadId, verification: { method: 'business_confirmation' } });
    expect(opened.status).toBe(202);
    const id = opened.body.id as string;
    await expect
      .poll(
        async () =>
          (await request(stack.app).get(`/v1/privacy/requests/${id}`).set('Authorization', `Bearer ${keys.owner}`)).body
            .status,
        { timeout: 60_000 },
      )
      .toBe('completed');
    const receipt = await stack.database.db.deletionReceipt.findFirstOrThrow({ where: { cause: `request:${id}` } });
    expect(receipt.counts).toMatchObject({ lead_rows_scrubbed: 1, imported_customers: 1, customer_appointments: 1 });
    expect(await stack.database.db.customer.count({ where: { email: 'ines.marr@example.org' } })).toBe(0);
  });

  it('deletes imported customers with the tenant purge', async () => {
    const gone = await createBusiness(stack.database.db, { subscriptionStatus: 'canceled', cancelledAt: new Date() });
    const key = await withTenant(stack.database.db, gone.id, (tx) => createKey(tx, gone.id, 'owner', 'owner'));
    const res = await upload(csv(`Jo Kale,212 555 0195,,"${CONSENT}",2024-04-04,website form,2024-05-05,,`), {
      mode: 'import',
      key: key.key,
    });
    expect(res.status).toBe(201);
    const activities = createActivities({
      db: stack.database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    const env = new MockActivityEnvironment(undefined, { client: stack.client });
    const result: PurgeResult = await env.run(activities.purgeTenant, { businessId: gone.id });
    expect(result).toMatchObject({ outcome: 'purged', counts: { imported_customers: 1, customer_appointments: 1 } });
    for (const count of [
      stack.database.db.customer.count({ where: { businessId: gone.id } }),
      stack.database.db.customerConsentRecord.count({ where: { businessId: gone.id } }),
      stack.database.db.customerAppointment.count({ where: { businessId: gone.id } }),
      stack.database.db.customerImport.count({ where: { businessId: gone.id } }),
    ])
      expect(await count).toBe(0);
  });
});
