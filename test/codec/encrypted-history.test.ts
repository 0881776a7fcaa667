import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadCodec } from '../../codec/lead-data-converter';
import { destroyLeadDataKeys, isDataKeyDestroyed } from '../../codec/lead-data-keys';
import { ENCODING_ENCRYPTED } from '../../codec/lead-payload-codec';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NAME = 'Oksana Vermeulen-Tarkington';
const PHONE = '+12125550177';
const MESSAGE = 'Burst pipe under the porch steps, water everywhere';
const REPLY = 'Could someone come by Thursday around the quince tree?';
const SECRETS = [NAME, 'Vermeulen', PHONE, '2125550177', MESSAGE, 'porch steps', REPLY, 'quince tree'];

/** Every payload anywhere in a history (event attributes, signals, activity inputs, results…). */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const v = value as Record<string, unknown>;
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') {
    found.push(v as Payload);
    return found;
  }
  for (const child of Array.isArray(value) ? value : Object.values(v)) payloadsOf(child, found);
  return found;
}

const containsAny = (bytes: Buffer, needles: string[]) => needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));

/**
 * Crypto-shredding, end to end on the time-skipping server: a lead's personal data is in
 * its workflow history only as ciphertext under its data key, and destroying the key
 * leaves nothing readable.
 */
describe('workflow histories hold personal data only encrypted, and erasure shreds it', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps name, phone and messages out of the raw history, readable only with the lead’s key until it is destroyed', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: 'America/New_York', weekday: 2, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { name: NAME, phone: PHONE, message: MESSAGE },
    });
    const sent = () => h.outbox(leadId).then((rows) => rows.length);
    await expect.poll(sent, { timeout: 20_000 }).toBe(1);
    await h.text({ businessId: business.id, from: PHONE, body: REPLY });
    await expect.poll(sent, { timeout: 20_000 }).toBe(2);
    // The query result (the lead's state) travels encrypted too, and decodes for the client.
    expect((await h.state(leadId)).leadId).toBe(leadId);

    const workflowId = leadWorkflowId(leadId);
    const rawHistory = async () =>
      h.env.client.workflowService.getWorkflowExecutionHistory({
        namespace: h.env.namespace ?? 'default',
        execution: { workflowId },
      });
    const raw = await rawHistory();
    const rawBytes = Buffer.from(
      temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(raw).finish(),
    );
    expect(containsAny(rawBytes, SECRETS)).toEqual([]);

    const payloads = payloadsOf(raw.history);
    const encrypted = payloads.filter(
      (p) => Buffer.from(p.metadata!.encoding ?? new Uint8Array()).toString() === ENCODING_ENCRYPTED,
    );
    // The workflow input and the inbound-SMS signal. The activity that records the lead and sends
    // its first reply is a local one ('local-capture'), as is the answer's send: their inputs,
    // which name the lead, never enter the history, only their markers and results do.
    expect(encrypted.length).toBeGreaterThanOrEqual(2);
    const events = raw.history?.events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    const markers = events.flatMap((e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [e.markerRecordedEventAttributes] : [],
    );
    expect(markers.length).toBeGreaterThanOrEqual(2);

    // Decoded with the lead's key (a process of its own, as the Web UI's codec endpoint would be).
    const reader = createLeadCodec({ db: h.database.appDb, masterKey: h.masterKey });
    const decoded = Buffer.concat(
      (await reader.codec.decode(payloads)).map((p) => Buffer.from(p.data ?? new Uint8Array())),
    );
    expect(containsAny(decoded, [NAME, PHONE, MESSAGE, REPLY])).toEqual([NAME, PHONE, MESSAGE, REPLY]);

    // Erasure: the workflow ends, then its keys go.
    await h.env.client.workflow.getHandle(workflowId).terminate('erased');
    expect(await destroyLeadDataKeys(h.database.appDb, leadId)).toBe(1);

    const after = createLeadCodec({ db: h.database.appDb, masterKey: h.masterKey });
    const failure = await after.codec.decode(encrypted.slice(0, 1)).catch((e: unknown) => e);
    expect(isDataKeyDestroyed(failure)).toBe(true);
    expect(String((failure as Error).message)).not.toMatch(/Oksana|2125550177/);
    const ui = createLeadCodec({ db: h.database.appDb, masterKey: h.masterKey, onDestroyedKey: 'keep' });
    const stillEncrypted = await ui.codec.decode(encrypted);
    expect(stillEncrypted).toEqual(encrypted);
    expect(containsAny(Buffer.concat(stillEncrypted.map((p) => Buffer.from(p.data!))), SECRETS)).toEqual([]);

    const rawAfter = Buffer.from(
      temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(await rawHistory()).finish(),
    );
    expect(containsAny(rawAfter, SECRETS)).toEqual([]);
    for (const c of [reader, after, ui]) c.close();
  });
});
