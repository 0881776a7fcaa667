import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '../../domain/crypto/keyring';
import { privacyKeysOf } from '../../domain/crypto/privacy-keys';
import { detectLanguage } from '../../domain/language';
import { segmentsOf } from '../../domain/reply-check';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const TUESDAY = 2;

/** A lead who writes in Spanish is answered in Spanish, every text in two segments, through the whole journey. */
describe('a Spanish-speaking lead', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    // Keys, so follow-up emails (signed unsubscribe links) can go out too.
    h = await createLeadHarness({ privacyKeys: privacyKeysOf(createKeyring({ current: randomBytes(32) })) });
  });
  afterAll(async () => {
    await h?.close();
  });

  const outbox = (leadId: string) => h.outbox(leadId);
  /** Closed today and tomorrow: the first open time is the day after, so the day-before reminder is due. */
  const closedTwoDays = async (businessId: string, today: DateTime) =>
    h.database.db.business.update({
      where: { id: businessId },
      data: { holidays: [today.toISODate(), today.plus({ days: 1 }).toISODate()] },
    });
  const count = (leadId: string) => async () => (await h.outbox(leadId)).length;
  /** Every text so far: Spanish, and within two SMS segments. */
  const expectAllSpanish = async (leadId: string) => {
    for (const m of await outbox(leadId)) {
      expect(detectLanguage(m.body), m.body).toBe('es');
      expect(segmentsOf(m.body), m.body).toBeLessThanOrEqual(2);
    }
  };

  it('gets Spanish texts from the first reply through the follow-up, the offer, the booking and its reminders', async () => {
    const business = await createBusiness(h.database.db, {
      name: 'Rivera Plumbing, Heating & Air Conditioning of Greater Brooklyn and Queens LLC',
    });
    await closedTwoDays(business.id, await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 }));
    const phone = '+12125550181';
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone, name: 'María López', message: 'Hola, tengo una fuga debajo del fregadero' },
    });

    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    const [first] = await outbox(leadId);
    expect(first).toMatchObject({ kind: 'first_reply' });
    expect(first!.body).toMatch(/^Hola Mar[ií]a, soy Ava de Rivera Plumbing/);
    expect(first!.body).toContain('Responda STOP para darse de baja.');
    expect((await h.state(leadId)).language).toBe('es');

    await h.sleep('61 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    expect((await outbox(leadId))[1]).toMatchObject({ kind: 'follow_up' });

    await h.text({ businessId: business.id, from: phone, body: 'Necesito una cita, ¿qué tienen el jueves?' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    const offered = await h.state(leadId);
    expect(offered.status).toBe('offered');
    const offer = (await outbox(leadId))[2]!;
    expect(offer.body).toMatch(/^Horarios libres: 1\) /);
    for (const slot of offered.offer!.slots) {
      expect(slot.label).toMatch(/^(?:lun|mar|mi[ée]|jue|vie|s[áa]b) \d{1,2} [a-z]{3}, \d{1,2}:\d{2}$/);
      expect(offer.body).toContain(slot.label.replace('á', 'a'));
    }

    await h.text({ businessId: business.id, from: phone, body: 'la primera por favor' });
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('booked');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(4);
    const confirmation = (await outbox(leadId))[3]!;
    expect(confirmation.kind).toBe('confirmation');
    expect(confirmation.body).toMatch(/^Cita confirmada con Rivera Plumbing/);
    expect(confirmation.body).toContain('"cancelar mi cita"');

    const booked = await h.state(leadId);
    expect(booked.booking?.start).toBe(offered.offer!.slots[0]!.start);
    const start = Date.parse(booked.booking!.start);
    await h.sleep(start - 24 * 3_600_000 - (await h.env.currentTimeMs()) + 60_000);
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(5);
    const reminder = (await outbox(leadId))[4]!;
    expect(reminder.kind).toBe('reminder');
    expect(reminder.body).toMatch(/^Recordatorio de Rivera Plumbing.*: su cita es el /);
    await expectAllSpanish(leadId);
  });

  it('PARAR ends everything with a Spanish confirmation, and STOP does too', async () => {
    const business = await createBusiness(h.database.db);
    await closedTwoDays(business.id, await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 }));
    const leads = [
      { phone: '+12125550182', word: 'PARAR', leadId: '' },
      { phone: '+12125550183', word: 'STOP', leadId: '' },
    ];
    for (const lead of leads) {
      ({ leadId: lead.leadId } = await h.startLead({
        businessId: business.id,
        lead: { phone: lead.phone, message: 'Buenos días, necesito revisar el calentador' },
      }));
      await expect.poll(count(lead.leadId), { timeout: 20_000 }).toBe(1);
      await h.text({ businessId: business.id, from: lead.phone, body: 'quiero una cita' });
      await expect.poll(count(lead.leadId), { timeout: 20_000 }).toBe(2);
      await h.text({ businessId: business.id, from: lead.phone, body: '2' });
      await expect
        .poll(async () => (await h.state(lead.leadId)).nextAction?.kind, { timeout: 20_000 })
        .toBe('reminder_24h');
      await expect.poll(count(lead.leadId), { timeout: 20_000 }).toBe(3);
    }

    for (const { phone, word, leadId } of leads) {
      await h.text({ businessId: business.id, from: phone, body: word });
      await expect.poll(count(leadId), { timeout: 20_000 }).toBe(4);
    }
    // Past both appointments: no reminder, no follow-up, nothing after the confirmation.
    await h.sleep('5 days');
    await h.settle();
    for (const { leadId } of leads) {
      const texts = await outbox(leadId);
      expect(texts.map((m) => m.kind)).toEqual(['first_reply', 'reply', 'confirmation', 'opt_out_confirmation']);
      expect(texts[3]!.body).toMatch(/^Rivera Plumbing \d+: no recibirá más mensajes nuestros\./);
      expect(await h.state(leadId)).toMatchObject({ optedOut: true, language: 'es' });
      await expectAllSpanish(leadId);
    }
  });

  it('gets the follow-up email in Spanish too', async () => {
    const business = await createBusiness(h.database.db, { followUpChannels: ['both'] });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: {
        phone: '+12125550188',
        name: 'Rosa Delgado',
        email: 'rosa@example.com',
        language: 'es',
        consent: {
          text: 'Acepto recibir mensajes y correos.',
          at: new Date().toISOString(),
          method: 'api',
          email: true,
        },
      },
    });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    await h.sleep('61 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    await expect
      .poll(() => h.database.db.email.findFirst({ where: { leadId } }), { timeout: 20_000 })
      .toMatchObject({ status: 'sent', subject: expect.stringMatching(/: seguimiento de su solicitud$/) });
    const mail = await h.database.db.email.findFirstOrThrow({ where: { leadId } });
    expect(mail.body).toMatch(/^Hola Rosa:\n\nGracias de nuevo por escribir a Rivera Plumbing \d+\./);
    await expectAllSpanish(leadId);
  });

  it('switches to Spanish when a lead writes in Spanish', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 11 });
    const phone = '+12125550184';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    expect((await outbox(leadId))[0]!.body).toMatch(/^Hi Dana, this is Ava/);
    expect((await h.state(leadId)).language).toBe('en');

    await h.text({ businessId: business.id, from: phone, body: 'Hola, ¿cuánto cuesta destapar un drenaje?' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    expect((await h.state(leadId)).language).toBe('es');
    await h.text({ businessId: business.id, from: phone, body: 'CITA' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    const [, answer, offer] = await outbox(leadId);
    expect(detectLanguage(answer!.body)).toBe('es');
    expect(offer!.body).toMatch(/^Horarios libres: /);
    expect((await h.state(leadId)).language).toBe('es');
  });

  it('starts in Spanish from a widget capture in Spanish, or from the business’s default', async () => {
    const english = await createBusiness(h.database.db);
    const spanish = await createBusiness(h.database.db, { defaultLanguage: 'es' });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 12 });
    const fromWidget = await h.startLead({
      businessId: english.id,
      lead: { phone: '+12125550185', source: 'widget', language: 'es', message: 'Water heater is leaking' },
    });
    const byDefault = await h.startLead({ businessId: spanish.id, lead: { phone: '+12125550186' } });
    const englishMessage = await h.startLead({
      businessId: spanish.id,
      lead: { phone: '+12125550187', message: 'Hi, I need a plumber for my water heater' },
    });
    for (const { leadId } of [fromWidget, byDefault]) {
      await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
      expect((await outbox(leadId))[0]!.body).toMatch(/^Hola Dana, soy Ava de Rivera Plumbing/);
      await expectAllSpanish(leadId);
    }
    // What the lead wrote outweighs the business's default.
    await expect.poll(count(englishMessage.leadId), { timeout: 20_000 }).toBe(1);
    expect((await outbox(englishMessage.leadId))[0]!.body).toMatch(/^Hi Dana, this is Ava/);
  });
});
