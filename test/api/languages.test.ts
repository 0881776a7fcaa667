import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/** The business's default language, and a capture that names the lead's. */
describe('languages through the API', () => {
  let stack: Stack;
  let key = '';
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db);
    businessId = business.id;
    key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const auth = () => `Bearer ${key}`;

  it('the owner sets defaultLanguage; anything but en or es is refused naming the field', async () => {
    const before = await request(stack.app).get('/v1/business').set('Authorization', auth());
    expect(before.body.defaultLanguage).toBe('en');
    const set = await request(stack.app)
      .patch('/v1/business')
      .set('Authorization', auth())
      .send({ defaultLanguage: 'es' });
    expect(set.status).toBe(200);
    expect(set.body.defaultLanguage).toBe('es');
    const bad = await request(stack.app)
      .patch('/v1/business')
      .set('Authorization', auth())
      .send({ defaultLanguage: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^defaultLanguage:/);
    await request(stack.app).patch('/v1/business').set('Authorization', auth()).send({ defaultLanguage: 'en' });
  });

  it('a capture in Spanish is answered in Spanish; an unknown language is refused naming the field', async () => {
    const phone = await daytimePhone(83);
    const capture = (language: string) =>
      request(stack.app)
        .post('/v1/leads')
        .set('Authorization', auth())
        .send({ name: 'Rosa Delgado', phone, language, consent: { text: 'Acepto recibir mensajes de texto.' } });
    const bad = await capture('fr');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^language:/);

    const accepted = await capture('es');
    expect(accepted.status).toBe(202);
    const leadId = accepted.body.id as string;
    const firstReply = () =>
      stack.database.db.message.findFirst({
        where: { businessId, leadId, direction: 'outbound', kind: 'first_reply' },
      });
    await expect.poll(firstReply, { timeout: 20_000 }).toBeTruthy();
    expect((await firstReply())!.body).toMatch(/^Hola Rosa, soy Ava de Rivera Plumbing \d+\./);
  });
});
