import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { poolOf } from '../../db/prisma';
import { withComplianceRole, withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { createUser, signIn } from '../support/people';
import { startStack, type Stack } from '../support/stack';

/**
 * Every table that holds a tenant's customer data; each must be guarded by row-level
 * security. (lead_data_keys is not among them: wrapped data keys hold no customer data and
 * the payload codec finds them by id before a tenant is known.)
 */
const PASSWORD = 'correct horse battery staple';

const CUSTOMER_TABLES = [
  'businesses',
  'services',
  'business_secrets',
  'api_keys',
  'leads',
  'consent_records',
  'suppressions',
  'messages',
  'emails',
  'appointments',
  'privacy_requests',
  'billing_records',
  'audit_log',
  'deletion_receipts',
  'retention_runs',
  'event_logs',
  'webhook_endpoints',
  'webhook_deliveries',
  'alerts',
  'customer_imports',
  'customers',
  'customer_consent_records',
  'customer_appointments',
  'users',
  'user_sessions',
  'invitations',
  'password_resets',
  'technicians',
  'technician_time_off',
  'technician_services',
  'job_invoices',
];

describe('tenant isolation (row-level security, as the runtime role)', () => {
  let stack: Stack;
  const ids = {
    a: '',
    b: '',
    leadA: randomUUID(),
    leadB: randomUUID(),
    requestB: '',
    runB: '',
    keyB: '',
    webhookB: '',
    alertB: '',
    importB: '',
    userB: '',
    sessionB: '',
    technicianB: '',
    serviceB: '',
  };
  let keyA = '';
  /** A person of tenant A signed in: the walk runs with the cookie too. */
  let sessionA = { cookie: '', csrfToken: '', userId: '' };

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    const { db } = stack.database;
    for (const [name, lead] of [
      ['a', ids.leadA],
      ['b', ids.leadB],
    ] as const) {
      const business = await createBusiness(db);
      ids[name] = business.id;
      await db.lead.create({
        data: { id: lead, businessId: business.id, name: `Lead ${name}`, phone: '+12125550142' },
      });
      await db.message.create({
        data: {
          businessId: business.id,
          leadId: lead,
          direction: 'inbound',
          body: 'hello',
          provider: 'local',
          kind: 'inbound',
        },
      });
      await db.consentRecord.create({
        data: { businessId: business.id, leadId: lead, consentText: 'ok', capturedAt: new Date(), method: 'api' },
      });
      await db.suppression.create({ data: { businessId: business.id, phone: '+12125550142', reason: 'keyword' } });
      await db.appointment.create({
        data: { businessId: business.id, leadId: lead, startsAt: new Date(), endsAt: new Date(Date.now() + 3_600_000) },
      });
      await db.auditLog.create({
        data: { businessId: business.id, actorRole: 'owner', action: 'read', entity: 'lead', entityId: lead },
      });
      await db.businessSecret.create({
        data: { businessId: business.id, kind: 'google_calendar', keyId: 'k', ciphertext: 'c' },
      });
      await db.billingRecord.create({
        data: {
          businessId: business.id,
          stripeEventId: `evt_${name}_${lead}`,
          type: 'invoice.paid',
          occurredAt: new Date(),
        },
      });
      const privacyRequest = await db.privacyRequest.create({
        data: { businessId: business.id, leadId: lead, type: 'access', dueAt: new Date() },
      });
      if (name === 'b') ids.requestB = privacyRequest.id;
      await db.eventLog.create({ data: { businessId: business.id, leadId: lead, category: 'error', event: 'test' } });
      const run = await db.retentionRun.create({
        data: { businessId: business.id, dryRun: true, triggeredBy: 'test' },
      });
      if (name === 'b') ids.runB = run.id;
      await db.deletionReceipt.create({
        data: {
          chain: business.id,
          seq: 1n,
          businessId: business.id,
          cause: 'test',
          counts: {},
          prevHash: '0',
          hash: `${name}-${lead}`,
        },
      });
      await db.email.create({
        data: {
          businessId: business.id,
          leadId: lead,
          fromAddress: 'Leadflow <n@leadflow.localhost>',
          toAddress: `${name}@example.com`,
          subject: 'Your appointment',
          body: 'See you Thursday',
          kind: 'follow_up',
          provider: 'local',
          idempotencyKey: `isolation-${name}-${lead}`,
        },
      });
    }
    keyA = (await withTenant(db, ids.a, (tx) => createKey(tx, ids.a, 'owner', 'a'))).key;
    ids.keyB = (await withTenant(db, ids.b, (tx) => createKey(tx, ids.b, 'owner', 'b'))).id;
    for (const name of ['a', 'b'] as const) {
      const endpoint = await db.webhookEndpoint.create({
        data: {
          id: randomUUID(),
          businessId: ids[name],
          url: `https://hooks.example.com/${name}`,
          events: ['lead.booked'],
          secretKeyId: 'k',
          secretCiphertext: 'sealed',
        },
      });
      await db.webhookDelivery.create({
        data: {
          businessId: ids[name],
          endpointId: endpoint.id,
          eventId: `isolation-${name}`,
          eventType: 'lead.booked',
          webhookId: `msg_isolation-${name}`,
          payload: '{}',
        },
      });
      if (name === 'b') ids.webhookB = endpoint.id;
      const alert = await db.alert.create({
        data: {
          businessId: ids[name],
          eventId: `isolation-${name}`,
          kind: 'handoff_requested',
          reason: 'asked for a person',
        },
      });
      if (name === 'b') ids.alertB = alert.id;
      await db.jobInvoice.create({
        data: {
          businessId: ids[name],
          leadId: name === 'a' ? ids.leadA : ids.leadB,
          appointmentId: randomUUID(),
          amountCents: 10_000,
        },
      });
      const imported = await db.customerImport.create({
        data: { id: randomUUID(), businessId: ids[name], digest: `d-${name}`, contentHash: `h-${name}` },
      });
      if (name === 'b') ids.importB = imported.id;
      const customer = await db.customer.create({
        data: {
          id: randomUUID(),
          businessId: ids[name],
          importId: imported.id,
          name: 'Cus Tomer',
          phone: '+12125550143',
        },
      });
      await db.customerConsentRecord.create({
        data: {
          businessId: ids[name],
          customerId: customer.id,
          consentText: 'ok',
          capturedAt: new Date(),
          method: 'paper form',
        },
      });
      await db.customerAppointment.create({
        data: { businessId: ids[name], customerId: customer.id, startsAt: new Date(), service: 'Drain cleaning' },
      });
      // People: an account, a session, an invitation and a reset link per tenant.
      const user = await createUser(db, ids[name], {
        email: `owner@${name}.example`,
        password: PASSWORD,
        role: 'owner',
      });
      const session = await db.userSession.create({
        data: {
          businessId: ids[name],
          userId: user.id,
          sidHash: `isolation-${name}`,
          expiresAt: new Date(Date.now() + 3_600_000),
          absoluteExpiresAt: new Date(Date.now() + 86_400_000),
        },
      });
      await db.invitation.create({
        data: {
          businessId: ids[name],
          email: `new@${name}.example`,
          role: 'operator',
          tokenHash: `isolation-${name}`,
          expiresAt: new Date(Date.now() + 86_400_000),
        },
      });
      await db.passwordReset.create({
        data: {
          businessId: ids[name],
          userId: user.id,
          tokenHash: `isolation-${name}`,
          expiresAt: new Date(Date.now() + 1_800_000),
        },
      });
      if (name === 'b') {
        ids.userB = user.id;
        ids.sessionB = session.id;
      }
      // A technician who does one service, with time off.
      const service = await db.service.findFirstOrThrow({ where: { businessId: ids[name] } });
      const technician = await db.technician.create({
        data: { businessId: ids[name], name: `Tech ${name}`, weeklyHours: {} },
      });
      await db.technicianService.create({
        data: { businessId: ids[name], technicianId: technician.id, serviceId: service.id },
      });
      await db.technicianTimeOff.create({
        data: {
          businessId: ids[name],
          technicianId: technician.id,
          startsAt: new Date(Date.now() + 86_400_000),
          endsAt: new Date(Date.now() + 2 * 86_400_000),
        },
      });
      if (name === 'b') {
        ids.technicianB = technician.id;
        ids.serviceB = service.id;
      }
    }
    sessionA = await signIn(stack.app, 'owner@a.example', PASSWORD);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('shows a query without a tenant no row of any customer-data table', async () => {
    for (const table of CUSTOMER_TABLES) {
      const rows = await stack.database.appDb.$queryRawUnsafe<Array<{ n: bigint }>>(
        `SELECT count(*) AS n FROM ${table}`,
      );
      expect({ table, n: Number(rows[0]!.n) }).toEqual({ table, n: 0 });
      // …while the same table does hold rows (seen by the owner).
      const owner = await stack.database.db.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM ${table}`);
      expect({ table, atLeastTwo: Number(owner[0]!.n) >= 2 }).toEqual({ table, atLeastTwo: true });
    }
  });

  it('guards every customer-data table with row-level security', async () => {
    const rows = await stack.database.db.$queryRaw<
      Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>
    >`
      SELECT relname::text AS relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname::text = ANY(${CUSTOMER_TABLES}::text[]) AND relkind = 'r'`;
    expect(rows).toHaveLength(CUSTOMER_TABLES.length);
    for (const r of rows) expect(r).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
  });

  it('shows tenant A only its own rows, and no write reaches tenant B', async () => {
    const { appDb } = stack.database;
    await withTenant(appDb, ids.a, async (tx) => {
      expect((await tx.lead.findMany()).map((l) => l.id)).toEqual([ids.leadA]);
      expect(await tx.lead.findUnique({ where: { id: ids.leadB } })).toBeNull();
      expect(await tx.message.count()).toBe(1);
      expect(await tx.business.count()).toBe(1);
      expect((await tx.lead.updateMany({ where: { id: ids.leadB }, data: { name: 'hijacked' } })).count).toBe(0);
      expect((await tx.message.deleteMany({ where: { leadId: ids.leadB } })).count).toBe(0);
    });
    await expect(
      withTenant(appDb, ids.a, (tx) =>
        tx.lead.create({ data: { id: randomUUID(), businessId: ids.b, name: 'x', phone: '+12125550100' } }),
      ),
    ).rejects.toThrow();
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: ids.leadB } })).name).toBe('Lead b');
  });

  it('lets the explicitly named compliance role cross tenants', async () => {
    const n = await withComplianceRole(stack.database.appDb, (tx) =>
      tx.lead.count({ where: { id: { in: [ids.leadA, ids.leadB] } } }),
    );
    expect(n).toBe(2);
  });

  it('the send’s one-call functions scope each call to its own tenant and leave none on the pooled connection', async () => {
    const client = await poolOf(stack.database.appDb).connect();
    try {
      // Tenant A's read: A's lead is there; B's lead, asked for under A, is not.
      const [mine] = (
        await client.query('SELECT * FROM leadflow_send_read($1, $2, $3, NULL, $4)', [ids.a, 'k', ids.leadA, []])
      ).rows;
      expect(mine.lead).toMatchObject({ name: 'Lead a' });
      const [theirs] = (
        await client.query('SELECT * FROM leadflow_send_read($1, $2, $3, NULL, $4)', [ids.a, 'k', ids.leadB, []])
      ).rows;
      expect(theirs).toMatchObject({ lead: null, history: [] });
      // The call's tenant ended with its statement: the same connection sees no customer row.
      const [after] = (
        await client.query(
          `SELECT current_setting('app.business_id', true) AS tenant, (SELECT count(*) FROM leads)::int AS leads`,
        )
      ).rows;
      expect(after).toEqual({ tenant: '', leads: 0 });
      // A write under A does not reach B's rows: marking B's message sent under A changes nothing.
      const messageB = await stack.database.db.message.findFirstOrThrow({ where: { businessId: ids.b } });
      await client.query('SELECT leadflow_send_mark_sent($1, $2, $3, $4, now(), $5, $6, now(), $7)', [
        ids.a,
        messageB.id,
        'SMhijacked',
        'sent',
        ids.leadB,
        '{}',
        'hijacked',
      ]);
      expect(await stack.database.db.message.findUniqueOrThrow({ where: { id: messageB.id } })).toMatchObject({
        providerId: messageB.providerId,
        status: messageB.status,
      });
      expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: ids.leadB } })).status).not.toBe(
        'hijacked',
      );
    } finally {
      client.release();
    }
  });

  it('a new lead’s one-call functions reach only the tenant they name, and leave none on the pooled connection', async () => {
    const client = await poolOf(stack.database.appDb).connect();
    const intake = (leadId: string, businessId: string, name: string) => [
      leadId,
      businessId,
      name,
      '+12125550188',
      null,
      null,
      'hi',
      'api',
      new Date(),
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ];
    try {
      // Recording B's lead id under A: A's settings come back, B's row is neither read nor written.
      const [recorded] = (
        await client.query(
          'SELECT * FROM leadflow_record_lead($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
          intake(ids.leadB, ids.a, 'Hijacked'),
        )
      ).rows;
      expect(recorded).toMatchObject({ leadHeld: false });
      expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: ids.leadB } })).name).toBe('Lead b');
      // Capturing under A with B's lead id: the claim is A's, the row is not written over B's.
      const [captured] = (
        await client.query(
          'SELECT * FROM leadflow_capture($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)',
          [
            ...intake(ids.leadB, ids.a, 'Hijacked'),
            `digest-${randomUUID()}`,
            null,
            new Date(Date.now() + 60_000),
            '-infinity',
            50,
            null,
            null,
          ],
        )
      ).rows;
      expect(captured).toMatchObject({ lead_id: ids.leadB, recorded: true });
      const leadB = await stack.database.db.lead.findUniqueOrThrow({ where: { id: ids.leadB } });
      expect(leadB).toMatchObject({ businessId: ids.b, name: 'Lead b' });
      // The call's tenant ended with its statement.
      const [after] = (
        await client.query(
          `SELECT current_setting('app.business_id', true) AS tenant, (SELECT count(*) FROM leads)::int AS leads`,
        )
      ).rows;
      expect(after).toEqual({ tenant: '', leads: 0 });
    } finally {
      client.release();
    }
  });

  it('answers 404 on every route that takes an id, given another tenant’s id (walked from /openapi.json)', async () => {
    const document = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    // Which of tenant B's ids each route's {id} names, and a body that passes validation, so
    // the answer is about the id, not the input.
    const idFor = (path: string) =>
      path.startsWith('/v1/leads/')
        ? ids.leadB
        : path.startsWith('/v1/api-keys/')
          ? ids.keyB
          : path.startsWith('/v1/privacy/requests/')
            ? ids.requestB
            : path.startsWith('/v1/compliance/retention-runs/')
              ? ids.runB
              : path.startsWith('/v1/webhook-endpoints/')
                ? ids.webhookB
                : path.startsWith('/v1/alerts/')
                  ? ids.alertB
                  : path.startsWith('/v1/imports/')
                    ? ids.importB
                    : path.startsWith('/v1/users/')
                      ? ids.userB
                      : path.startsWith('/v1/auth/sessions/')
                        ? ids.sessionB
                        : path.startsWith('/v1/technicians/')
                          ? ids.technicianB
                          : path.startsWith('/v1/services/')
                            ? ids.serviceB
                            : null;
    const BODIES: Record<string, object> = {
      'post /v1/leads/{id}/messages': { text: 'Hello from tenant A' },
      'put /v1/leads/{id}/legal-hold': { reason: 'litigation hold' },
      'post /v1/privacy/requests/{id}/verify': { code: '123456' },
      'post /v1/leads/{id}/appointment': { start: '2030-01-07T15:00:00.000Z' },
      'patch /v1/leads/{id}/appointment': { start: '2030-01-07T15:00:00.000Z' },
      'post /v1/leads/{id}/appointment/outcome': { outcome: 'completed' },
      'patch /v1/users/{id}': { role: 'operator' },
      'post /v1/leads/{id}/job': { status: 'in_progress' },
      'patch /v1/technicians/{id}': { name: 'Hijacked' },
      'post /v1/technicians/{id}/time-off': { startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z' },
      'patch /v1/services/{id}': { name: 'Hijacked' },
    };
    const tried: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.includes('{id}')) continue;
      const id = idFor(path);
      expect({ path, knownResource: id !== null }).toEqual({ path, knownResource: true });
      for (const method of Object.keys(operations).filter((m) =>
        ['get', 'post', 'put', 'patch', 'delete'].includes(m),
      )) {
        const url = path.replace('{id}', id!);
        const security = (operations[method] as { security?: Array<Record<string, unknown>> }).security ?? [];
        // Tenant A's owner key, and tenant A's owner signed in (cookie and CSRF token), wherever the route takes each.
        const callers = [
          ...(security.some((s) => 'apiKey' in s) ? [{ Authorization: `Bearer ${keyA}` }] : []),
          ...(security.some((s) => 'session' in s)
            ? [{ Cookie: sessionA.cookie, 'X-CSRF-Token': sessionA.csrfToken }]
            : []),
        ];
        expect({ path, callers: callers.length > 0 }).toEqual({ path, callers: true });
        for (const headers of callers) {
          const call = request(stack.app)[method as 'get'](url).set(headers);
          const body = BODIES[`${method} ${path}`];
          const res = await (body ? call.send(body) : call);
          const route = `${method.toUpperCase()} ${path} with ${'Cookie' in headers ? 'a session' : 'a key'}`;
          expect({ route, status: res.status }).toEqual({ route, status: 404 });
          expect(res.body.error.code).toBe('not_found');
          expect(JSON.stringify(res.body)).not.toContain('Lead b');
          tried.push(route);
        }
      }
    }
    // The walk covered the routes that exist today (a new one must be added to idFor).
    expect(tried.length).toBeGreaterThanOrEqual(9);
    // …and nothing of B changed.
    expect(await stack.database.db.lead.findUniqueOrThrow({ where: { id: ids.leadB } })).toMatchObject({
      name: 'Lead b',
      legalHoldAt: null,
    });
    expect(await stack.database.db.apiKey.findUniqueOrThrow({ where: { id: ids.keyB } })).toMatchObject({
      revokedAt: null,
    });
    expect(await stack.database.db.user.findUniqueOrThrow({ where: { id: ids.userB } })).toMatchObject({
      role: 'owner',
    });
    expect(await stack.database.db.userSession.count({ where: { id: ids.sessionB } })).toBe(1);
    expect(await stack.database.db.technician.findUniqueOrThrow({ where: { id: ids.technicianB } })).toMatchObject({
      name: 'Tech b',
    });
    expect(await stack.database.db.technicianTimeOff.count({ where: { technicianId: ids.technicianB } })).toBe(1);
    expect(await stack.database.db.service.findUniqueOrThrow({ where: { id: ids.serviceB } })).toMatchObject({
      active: true,
    });
    // The session walked every route and is still tenant A's.
    expect((await request(stack.app).get('/v1/business').set('Cookie', sessionA.cookie)).body.id).toBe(ids.a);
  });

  it('answers 404 for another tenant’s ids on the API', async () => {
    const auth = { Authorization: `Bearer ${keyA}` };
    expect((await request(stack.app).get(`/v1/leads/${ids.leadA}`).set(auth)).status).toBe(200);
    const other = await request(stack.app).get(`/v1/leads/${ids.leadB}`).set(auth);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('Lead b');
    const list = await request(stack.app).get('/v1/leads').set(auth);
    expect(list.body.data.map((l: { id: string }) => l.id)).toEqual([ids.leadA]);
  });

  it('keeps the audit log append-only for the application role', async () => {
    const { appDb } = stack.database;
    await withTenant(appDb, ids.a, (tx) =>
      tx.auditLog.create({ data: { businessId: ids.a, actorRole: 'owner', action: 'read', entity: 'lead' } }),
    );
    await expect(
      withTenant(appDb, ids.a, (tx) => tx.auditLog.updateMany({ data: { action: 'nothing' } })),
    ).rejects.toThrow(/permission denied/);
    await expect(withTenant(appDb, ids.a, (tx) => tx.auditLog.deleteMany({}))).rejects.toThrow(/permission denied/);
    await expect(withTenant(appDb, ids.a, (tx) => tx.deletionReceipt.deleteMany({}))).rejects.toThrow(
      /permission denied/,
    );
    expect(
      await stack.database.db.auditLog.count({ where: { businessId: ids.a, action: 'read' } }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('runs the API as a role that owns nothing and bypasses nothing', async () => {
    const [role] = await stack.database.appDb.$queryRaw<
      Array<{ rolsuper: boolean; rolbypassrls: boolean; owns: bigint }>
    >`
      SELECT r.rolsuper, r.rolbypassrls, (SELECT count(*) FROM pg_tables t WHERE t.tableowner = current_user) AS owns
      FROM pg_roles r WHERE r.rolname = current_user`;
    expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false });
    expect(Number(role!.owns)).toBe(0);
  });
});
