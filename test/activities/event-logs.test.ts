import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createLogger } from '../../logging/logger';
import type { AiWriter } from '../../providers/ai/ai-writer';
import { createTemplateWriter, TEMPLATE_PROMPT_VERSION } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { SmsPermanentError, type SmsProvider } from '../../providers/sms/sms-provider';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const PHONE = '+12125550177';
const NAME = 'Morgan Ellery';

/** event_logs as the product writes them: by purpose, ids and codes only. */
describe('event logs by purpose', () => {
  let database: TestDatabase;
  /** What the model answers next: a text, or a failure. */
  let next: string | Error = '';
  let modelCalls = 0;
  const ai: AiWriter = {
    name: 'scripted-model',
    async writeReply() {
      modelCalls += 1;
      if (next instanceof Error) throw next;
      return { text: next, model: 'claude-test-1', promptVersion: 'reply-v7' };
    },
    classify: (r) => createTemplateWriter().classify(r),
  };
  let refuse = false;
  const sms: SmsProvider = {
    ...createLocalOutboxProvider(),
    name: 'twilio',
    async send(input) {
      if (refuse) throw new SmsPermanentError('invalid_number', 21211);
      return createLocalOutboxProvider().send(input);
    },
  };
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    database = await freshDatabase();
    activities = createActivities({
      db: database.appDb,
      sms,
      ai,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('logs AI replies written, rejected and unavailable, each send, and a refused send; each text names its writer', async () => {
    const business = await createBusiness(database.db, { aiEnabled: true });
    const leadId = randomUUID();
    await database.db.lead.create({
      data: { id: leadId, businessId: business.id, name: NAME, phone: PHONE, message: 'Basement is flooding' },
    });
    const send = (step: string) =>
      activities.sendLeadSms({
        idempotencyKey: `${leadId}:${step}`,
        businessId: business.id,
        leadId,
        kind: 'reply',
        purpose: 'answer',
        at: new Date().toISOString(),
      });

    next = 'Thanks Morgan, a plumber can come by tomorrow morning to take a look.';
    expect((await send('one')).status).toBe('sent');
    next = 'Drain cleaning is $9,999 flat.';
    expect((await send('two')).status).toBe('sent');
    next = new Error('model overloaded');
    expect((await send('three')).status).toBe('sent');
    refuse = true;
    next = 'Thanks, someone will text you shortly.';
    expect((await send('four')).status).toBe('failed');

    const logs = await database.db.eventLog.findMany({ where: { leadId }, orderBy: { id: 'asc' } });
    expect(logs.map((l) => `${l.category}:${l.event}`)).toEqual([
      'ai:reply_written',
      'sms_delivery:sent',
      'ai:reply_rejected',
      'sms_delivery:sent',
      'error:ai_unavailable',
      'sms_delivery:sent',
      'ai:reply_written',
      'error:send_failed',
    ]);
    const [written, , rejected, , unavailable, , , failed] = logs.map((l) => l.detail as Record<string, unknown>);
    expect(written).toMatchObject({
      model: 'claude-test-1',
      promptVersion: 'reply-v7',
      purpose: 'answer',
      messageId: expect.any(String),
    });
    expect(written!.latencyMs).toEqual(expect.any(Number));
    expect(rejected).toMatchObject({ model: 'claude-test-1', reasons: ['unknown_price'] });
    expect(unavailable).toMatchObject({ errType: 'Error' });
    expect(failed).toMatchObject({ code: 'invalid_number', providerCode: 21211, provider: 'twilio' });
    // Each text says who wrote it: the model and prompt version, or the template writer.
    const sent = await database.db.message.findMany({
      where: { leadId },
      select: { idempotencyKey: true, aiModel: true, promptVersion: true },
    });
    const writer = (step: string) => {
      const m = sent.find((s) => s.idempotencyKey === `${leadId}:${step}`);
      return m && { aiModel: m.aiModel, promptVersion: m.promptVersion };
    };
    expect(writer('one')).toEqual({ aiModel: 'claude-test-1', promptVersion: 'reply-v7' });
    expect(writer('two')).toEqual({ aiModel: null, promptVersion: TEMPLATE_PROMPT_VERSION });
    expect(writer('three')).toEqual({ aiModel: null, promptVersion: TEMPLATE_PROMPT_VERSION });
    // The log row of a message names it by id; its text, the number and the name are nowhere.
    const all = JSON.stringify(logs.map((l) => l.detail));
    for (const secret of [PHONE, NAME, 'Morgan', '9,999', 'plumber', 'flooding']) expect(all).not.toContain(secret);
  });

  it('writes templates only, without calling the model, for a lead who objected and for a business with AI off', async () => {
    const aiOn = await createBusiness(database.db, { aiEnabled: true });
    const aiOff = await createBusiness(database.db, { aiEnabled: false });
    const objected = randomUUID();
    const ordinary = randomUUID();
    await database.db.lead.createMany({
      data: [
        { id: objected, businessId: aiOn.id, name: NAME, phone: PHONE, objected: true },
        { id: ordinary, businessId: aiOff.id, name: NAME, phone: '+12125550178' },
      ],
    });
    next = 'Thanks Morgan, a plumber can come by tomorrow morning to take a look.';
    modelCalls = 0;
    refuse = false;
    for (const [businessId, leadId] of [
      [aiOn.id, objected],
      [aiOff.id, ordinary],
    ] as const) {
      const outcome = await activities.sendLeadSms({
        idempotencyKey: `${leadId}:answer`,
        businessId,
        leadId,
        kind: 'reply',
        purpose: 'answer',
        at: new Date().toISOString(),
      });
      expect(outcome.status).toBe('sent');
    }
    expect(modelCalls).toBe(0);
    const sent = await database.db.message.findMany({
      where: { leadId: { in: [objected, ordinary] } },
      select: { aiModel: true, promptVersion: true },
    });
    expect(sent).toEqual([
      { aiModel: null, promptVersion: TEMPLATE_PROMPT_VERSION },
      { aiModel: null, promptVersion: TEMPLATE_PROMPT_VERSION },
    ]);
    const aiLogs = await database.db.eventLog.count({
      where: { leadId: { in: [objected, ordinary] }, category: 'ai' },
    });
    expect(aiLogs).toBe(0);
  });
});
