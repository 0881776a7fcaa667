import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import { createBusiness } from '../support/business';
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
});
