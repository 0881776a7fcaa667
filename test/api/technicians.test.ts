import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/** The business's technicians and services through the API: what is stored, who may, and bad input. */
describe('technicians and services API', () => {
  let stack: Stack;
  const keys = { owner: '', operator: '', compliance: '', otherOwner: '' };
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    businessId = business.id;
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

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const api = () => request(stack.app);

  it('adds services with keywords and technicians who do them; lists both', async () => {
    const install = await api()
      .post('/v1/services')
      .set(as(keys.owner))
      .send({ name: 'Water heater install', durationMinutes: 180, priceCents: 120000, keywords: ['calentador'] });
    expect(install.status).toBe(201);
    expect(install.body).toMatchObject({
      name: 'Water heater install',
      durationMinutes: 180,
      priceCents: 120000,
      priceNote: null,
      active: true,
      keywords: ['calentador'],
      technicianIds: [],
    });

    const created = await api()
      .post('/v1/technicians')
      .set(as(keys.owner))
      .send({ name: 'Marco Diaz', serviceIds: [install.body.id] });
    expect(created.status).toBe(201);
    const business = await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } });
    // Without hours of their own a person works the business hours.
    expect(created.body).toMatchObject({
      name: 'Marco Diaz',
      active: true,
      weeklyHours: business.businessHours,
      calendar: 'builtin',
      googleCalendarId: null,
      serviceIds: [install.body.id],
      timeOff: [],
    });

    const services = await api().get('/v1/services').set(as(keys.operator));
    expect(services.status).toBe(200);
    expect(services.body.data.find((s: { id: string }) => s.id === install.body.id).technicianIds).toEqual([
      created.body.id,
    ]);
    const technicians = await api().get('/v1/technicians').set(as(keys.operator));
    expect(technicians.body.data.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
    const row = await stack.database.db.technician.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.businessId).toBe(businessId);
  });

  it('changes a person’s hours, services and active flag; serviceIds replaces the list', async () => {
    const [drain] = (await api().get('/v1/services').set(as(keys.owner))).body.data as Array<{ id: string }>;
    const created = await api().post('/v1/technicians').set(as(keys.owner)).send({ name: 'Lena Park' });
    const hours = { tue: [{ start: '10:00', end: '18:00' }] };
    const patched = await api()
      .patch(`/v1/technicians/${created.body.id}`)
      .set(as(keys.owner))
      .send({ weeklyHours: hours, serviceIds: [drain!.id], active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ weeklyHours: hours, serviceIds: [drain!.id], active: false });
    const emptied = await api()
      .patch(`/v1/technicians/${created.body.id}`)
      .set(as(keys.owner))
      .send({ serviceIds: [] });
    expect(emptied.body.serviceIds).toEqual([]);
    expect(await stack.database.db.technicianService.count({ where: { technicianId: created.body.id } })).toBe(0);
  });

  it('adds and removes time off; only periods still to come are listed', async () => {
    const created = await api().post('/v1/technicians').set(as(keys.owner)).send({ name: 'Omar Reyes' });
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const added = await api()
      .post(`/v1/technicians/${created.body.id}/time-off`)
      .set(as(keys.owner))
      .send({ startsAt, endsAt, reason: 'vacation' });
    expect(added.status).toBe(201);
    expect(added.body.timeOff).toEqual([{ id: expect.any(String), startsAt, endsAt, reason: 'vacation' }]);
    await stack.database.db.technicianTimeOff.create({
      data: {
        businessId,
        technicianId: created.body.id,
        startsAt: new Date('2020-01-01T00:00:00Z'),
        endsAt: new Date('2020-01-02T00:00:00Z'),
      },
    });
    const listed = (await api().get('/v1/technicians').set(as(keys.owner))).body.data.find(
      (t: { id: string }) => t.id === created.body.id,
    );
    expect(listed.timeOff).toHaveLength(1);
    const timeOffId = added.body.timeOff[0].id;
    const removed = await api().delete(`/v1/technicians/${created.body.id}/time-off/${timeOffId}`).set(as(keys.owner));
    expect(removed.status).toBe(204);
    expect(await stack.database.db.technicianTimeOff.count({ where: { id: timeOffId } })).toBe(0);
    const again = await api().delete(`/v1/technicians/${created.body.id}/time-off/${timeOffId}`).set(as(keys.owner));
    expect(again.status).toBe(404);
  });

  it('deletes a person (an appointment nobody else does stays, unassigned, alerted) and a service (deactivated while appointments name it)', async () => {
    const db = stack.database.db;
    const service = await api()
      .post('/v1/services')
      .set(as(keys.owner))
      .send({ name: 'Sump pump repair', durationMinutes: 60 });
    const person = await api()
      .post('/v1/technicians')
      .set(as(keys.owner))
      .send({ name: 'Ida Stone', serviceIds: [service.body.id] });
    const leadId = randomUUID();
    await db.lead.create({ data: { id: leadId, businessId, name: 'Pat Doe', phone: '+12125550190' } });
    const appointment = await db.appointment.create({
      data: {
        businessId,
        leadId,
        serviceId: service.body.id,
        technicianId: person.body.id,
        startsAt: new Date(Date.now() + 86_400_000),
        endsAt: new Date(Date.now() + 90_000_000),
      },
    });
    const removed = await api().delete(`/v1/technicians/${person.body.id}`).set(as(keys.owner));
    expect([removed.status, removed.body]).toEqual([200, { reassigned: 0, unassigned: 1 }]);
    expect(await db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({
      status: 'booked',
      technicianId: null,
    });
    const alerts = await api().get('/v1/alerts').set(as(keys.owner));
    const unassigned = alerts.body.data.filter((a: { kind: string }) => a.kind === 'appointment_unassigned');
    expect(unassigned).toEqual([
      expect.objectContaining({
        leadId,
        detail: {
          appointmentId: appointment.id,
          startsAt: appointment.startsAt.toISOString(),
          serviceId: service.body.id,
          serviceName: 'Sump pump repair',
        },
      }),
    ]);
    expect(JSON.stringify(unassigned)).not.toMatch(/Pat Doe|2125550190/);
    expect((await api().delete(`/v1/technicians/${person.body.id}`).set(as(keys.owner))).status).toBe(404);
    expect((await api().delete(`/v1/services/${service.body.id}`).set(as(keys.owner))).status).toBe(204);
    expect(await db.service.findUniqueOrThrow({ where: { id: service.body.id } })).toMatchObject({ active: false });
    const unused = await api().post('/v1/services').set(as(keys.owner)).send({ name: 'Unused', durationMinutes: 30 });
    expect((await api().delete(`/v1/services/${unused.body.id}`).set(as(keys.owner))).status).toBe(204);
    expect(await db.service.count({ where: { id: unused.body.id } })).toBe(0);
    const renamed = await api()
      .patch(`/v1/services/${service.body.id}`)
      .set(as(keys.owner))
      .send({ name: 'Sump pump service', keywords: ['sump'], active: true });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Sump pump service', keywords: ['sump'], active: true });
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[string, string, object, string]> = [
      ['post', '/v1/technicians', {}, 'name'],
      ['post', '/v1/technicians', { name: 'x'.repeat(121) }, 'name'],
      [
        'post',
        '/v1/technicians',
        { name: 'Ann', weeklyHours: { mon: [{ start: '9', end: '17:00' }] } },
        'weeklyHours.mon.0.start',
      ],
      ['post', '/v1/technicians', { name: 'Ann', calendar: 'outlook' }, 'calendar'],
      ['post', '/v1/technicians', { name: 'Ann', serviceIds: ['nope'] }, 'serviceIds.0'],
      ['post', '/v1/technicians', { name: 'Ann', serviceIds: [randomUUID()] }, 'serviceIds'],
      ['post', '/v1/technicians', { name: 'Ann', extra: 1 }, ''],
      ['post', '/v1/services', { name: 'Quick', durationMinutes: 5 }, 'durationMinutes'],
      ['post', '/v1/services', { name: 'Quick', durationMinutes: 30, keywords: ['k'.repeat(81)] }, 'keywords.0'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await api()[method as 'post'](path).set(as(keys.owner)).send(body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const person = await api().post('/v1/technicians').set(as(keys.owner)).send({ name: 'Val Cruz' });
    const backwards = await api()
      .post(`/v1/technicians/${person.body.id}/time-off`)
      .set(as(keys.owner))
      .send({ startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details).toEqual([{ field: 'endsAt', reason: 'must be after startsAt' }]);
    // A Google calendar needs Google connected (and configured on this server).
    const google = await api()
      .patch(`/v1/technicians/${person.body.id}`)
      .set(as(keys.owner))
      .send({ calendar: 'google', googleCalendarId: 'team@example.com' });
    expect(google.status).toBe(409);
  });

  it('lets only the owner change, and answers 404 for another business’s ids', async () => {
    const person = await api().post('/v1/technicians').set(as(keys.owner)).send({ name: 'Tess Hill' });
    const [service] = (await api().get('/v1/services').set(as(keys.owner))).body.data as Array<{ id: string }>;
    expect((await api().post('/v1/technicians').set(as(keys.operator)).send({ name: 'X' })).status).toBe(403);
    expect((await api().get('/v1/technicians').set(as(keys.compliance))).status).toBe(403);
    expect(
      (await api().post('/v1/services').set(as(keys.operator)).send({ name: 'X', durationMinutes: 30 })).status,
    ).toBe(403);
    const other = as(keys.otherOwner);
    expect((await api().patch(`/v1/technicians/${person.body.id}`).set(other).send({ name: 'Hijacked' })).status).toBe(
      404,
    );
    expect((await api().delete(`/v1/technicians/${person.body.id}`).set(other)).status).toBe(404);
    expect(
      (
        await api()
          .post(`/v1/technicians/${person.body.id}/time-off`)
          .set(other)
          .send({ startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z' })
      ).status,
    ).toBe(404);
    expect((await api().patch(`/v1/services/${service!.id}`).set(other).send({ name: 'Hijacked' })).status).toBe(404);
    expect((await api().delete(`/v1/services/${service!.id}`).set(other)).status).toBe(404);
    // Nor can another business give its person this business's service.
    const theirs = await api()
      .post('/v1/technicians')
      .set(other)
      .send({ name: 'Other', serviceIds: [service!.id] });
    expect(theirs.status).toBe(400);
    expect((await api().get('/v1/technicians').set(other)).body.data).toEqual([]);
    expect(await stack.database.db.technician.findUniqueOrThrow({ where: { id: person.body.id } })).toMatchObject({
      name: 'Tess Hill',
    });
  });
});
