import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import type { AiWriter, ReplyRequest } from '../../providers/ai/ai-writer';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { applySettings } from '../../services/business/update-business-settings';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * A send keeps its business's services in memory between sends (by the version of the
 * business's row): a change to the services, however it is made, is in the very next send.
 */
describe('the facts a reply is written from', () => {
  let database: TestDatabase;
  const asked: ReplyRequest[] = [];
  const ai: AiWriter = {
    name: 'recording',
    async writeReply(request) {
      asked.push(request);
      return { text: 'Thanks for reaching out! Reply STOP to opt out.', model: 'fake', promptVersion: 'v1' };
    },
    async classify() {
      return { intent: 'other' } as never;
    },
  };
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    database = await freshDatabase();
    activities = createActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function firstReplyFacts(businessId: string) {
    const leadId = randomUUID();
    await database.db.lead.create({ data: { id: leadId, businessId, name: 'Pat Doe', phone: '+12125550142' } });
    const before = asked.length;
    const outcome = await activities.sendLeadSms({
      idempotencyKey: `lead-${leadId}:first-reply`,
      businessId,
      leadId,
      kind: 'first_reply',
      purpose: 'first_reply',
      at: new Date().toISOString(),
    });
    expect(outcome.status).toBe('sent');
    expect(asked.length).toBe(before + 1);
    return asked.at(-1)!.facts;
  }

  it('a change to the services, by the settings or straight in the table, is in the next send', async () => {
    const business = await createBusiness(database.db, { aiEnabled: true });
    const names = async () => (await firstReplyFacts(business.id)).services.map((s) => `${s.name} ${s.price}`).sort();
    expect(await names()).toEqual(['Drain cleaning $149', 'Water heater inspection quoted on site']);
    // Unchanged: the same facts again (from memory).
    expect(await names()).toEqual(['Drain cleaning $149', 'Water heater inspection quoted on site']);

    const [drain] = await database.db.service.findMany({ where: { businessId: business.id, name: 'Drain cleaning' } });
    await withTenant(database.appDb, business.id, (tx) =>
      applySettings(tx, business.id, {
        services: [
          { id: drain!.id, name: 'Drain cleaning', durationMinutes: 60, priceCents: 15900 },
          { name: 'Gas line check', durationMinutes: 45, priceCents: 9900 },
        ],
      }),
    );
    expect(await names()).toEqual(['Drain cleaning $159', 'Gas line check $99']);

    // A price changed by the owner in SQL, with nothing else about the business touched.
    await database.db.$executeRaw`UPDATE services SET price_cents = 16900 WHERE id = ${drain!.id}::uuid`;
    expect(await names()).toEqual(['Drain cleaning $169', 'Gas line check $99']);

    await database.db
      .$executeRaw`DELETE FROM services WHERE business_id = ${business.id}::uuid AND name = 'Gas line check'`;
    expect(await names()).toEqual(['Drain cleaning $169']);
  });

  it('each business gets its own services', async () => {
    const a = await createBusiness(database.db, { aiEnabled: true });
    const b = await createBusiness(database.db, { aiEnabled: true });
    await database.db.service.updateMany({ where: { businessId: b.id }, data: { active: false } });
    expect((await firstReplyFacts(a.id)).services).toHaveLength(2);
    expect((await firstReplyFacts(b.id)).services).toEqual([]);
    expect((await firstReplyFacts(a.id)).services).toHaveLength(2);
  });
});
