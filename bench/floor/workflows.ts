import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/** The minimum a first reply needs: one lead, one text. */
export interface FloorLead {
  leadId: string;
  phone: string;
  name: string;
  /** floor+ only: the search attribute upserted once the text is out. */
  statusAttribute?: string;
  /** The timer burst (bench/burst-benchmark.ts): the text waits for this instant, as a lead outside its window does. */
  dueAt?: string;
}

const { insertLead, sendSms, insertLeadWithOutbox, sendSmsFromOutbox } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/** The floor: start → insert the lead row → send the SMS. */
export async function floorWorkflow(lead: FloorLead): Promise<void> {
  await insertLead(lead);
  if (lead.dueAt) await sleep(Math.max(0, Date.parse(lead.dueAt) - Date.now()));
  await sendSms(lead);
}

/**
 * floor+: the floor plus what any production lead workflow carries: an outbox row written
 * before the call, and one search attribute upserted after it (two more are set at start;
 * the payloads are AES-GCM encrypted by the codec on both sides).
 */
export async function floorPlusWorkflow(lead: FloorLead): Promise<void> {
  await insertLeadWithOutbox(lead);
  await sendSmsFromOutbox(lead);
  if (lead.statusAttribute)
    upsertSearchAttributes([
      { key: defineSearchAttributeKey(lead.statusAttribute, SearchAttributeType.KEYWORD), value: 'contacted' },
    ]);
}
