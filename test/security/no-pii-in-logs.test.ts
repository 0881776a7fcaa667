import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import { createBusiness } from '../support/business';
import { createUser, signIn } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/** Everything the API and the worker log during a capture and a conversation. */
describe('logs hold no personal data', () => {
  let stack: Stack;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });

  beforeAll(async () => {
    stack = await startStack({ log: createLogger({ name: 'pii-test', level: 'trace', destination: sink }) });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('logs ids, routes and outcomes but never a phone, name, email or message text', async () => {
    const business = await createBusiness(stack.database.db);
    const key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 't')))
      .key;
    const phone = await daytimePhone(7);
    const person = {
      name: 'Marisol Quintanilla-Okafor',
      email: 'marisol.q@example.net',
      message: 'Basement drain backing up near the furnace',
    };
    const capture = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${key}`)
      .send({
        ...person,
        phone,
        consent: { text: 'I agree to receive texts about my request. Reply STOP to opt out.' },
      });
    expect(capture.status).toBe(202);
    const leadId = capture.body.id as string;
    await expect.poll(() => stack.database.db.message.count({ where: { leadId } }), { timeout: 30_000 }).toBe(1);

    const inbound = 'Can someone come Thursday? My gate code is 4471';
    await receiveInboundSms(
      { db: stack.database.appDb, temporal: stack.client, taskQueue: stack.taskQueue },
      {
        businessId: business.id,
        from: phone,
        body: inbound,
        providerId: 'SMpiitest0001',
        provider: 'local',
        receivedAt: new Date(),
      },
    );
    await expect
      .poll(() => stack.database.db.message.count({ where: { leadId, direction: 'outbound' } }), { timeout: 30_000 })
      .toBe(2);
    await request(stack.app).get(`/v1/leads/${leadId}`).set('Authorization', `Bearer ${key}`).expect(200);
    await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: person.name, phone: 'not-a-phone-555', consent: { text: 'x' } })
      .expect(400);

    const log = lines.join('');
    expect(log).toContain('"route":"/v1/leads"');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const digits = phone.replace(/\D/g, '');
    for (const secret of [
      phone,
      digits,
      digits.slice(-7),
      person.name,
      'Quintanilla',
      person.email,
      person.message,
      inbound,
      '4471',
      key,
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('logs no password, email, token, cookie or CSRF token of people signing in', async () => {
    const business = await createBusiness(stack.database.db);
    const key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 't')))
      .key;
    const password = 'Pelican-Harbour-Sunrise-42';
    await createUser(stack.database.db, business.id, { email: 'ifeoma.owner@example.org', password, role: 'owner' });
    lines.length = 0;
    await request(stack.app)
      .post('/v1/auth/sign-in')
      .send({ email: 'ifeoma.owner@example.org', password: 'Wrong-Guess-Pelican' })
      .expect(401);
    const owner = await signIn(stack.app, 'ifeoma.owner@example.org', password);
    await request(stack.app)
      .post('/v1/invitations')
      .set('Cookie', owner.cookie)
      .set('X-CSRF-Token', owner.csrfToken)
      .send({ email: 'tobias.invitee@example.org', role: 'operator' })
      .expect(201);
    const mails = await request(stack.app).get('/v1/dev/emails').set('Authorization', `Bearer ${key}`).expect(200);
    const token = /#token=([A-Za-z0-9_-]+)/.exec(JSON.stringify(mails.body))![1]!;
    const invitee = await request(stack.app)
      .post('/v1/auth/invitations/accept')
      .send({ token, password: 'Tobias-Chose-This-Well', name: 'Tobias Invitee' })
      .expect(200);
    await request(stack.app).post('/v1/auth/password-reset').send({ email: 'ifeoma.owner@example.org' }).expect(202);

    const log = lines.join('');
    expect(log).toContain('"route":"/v1/auth/sign-in"');
    for (const secret of [
      password,
      'Wrong-Guess-Pelican',
      'Tobias-Chose-This-Well',
      'ifeoma.owner',
      'tobias.invitee',
      'Tobias Invitee',
      token,
      owner.cookie.split('=')[1]!,
      owner.csrfToken,
      String(invitee.body.csrfToken),
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
