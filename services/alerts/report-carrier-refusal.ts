import type { LeadWorkflowClient } from '../leads/lead-workflow-client';

/**
 * Twilio error codes that mean the carrier refused a text it had taken: 30007 (filtered as
 * spam), 30032 (toll-free number not verified), 30034 (10DLC: number not registered to a campaign).
 */
export const CARRIER_REFUSAL_CODES: ReadonlySet<string> = new Set(['30007', '30032', '30034']);

export const isCarrierRefusal = (status: string, errorCode: string | undefined): boolean =>
  (status === 'failed' || status === 'undelivered') && errorCode !== undefined && CARRIER_REFUSAL_CODES.has(errorCode);

/**
 * A status callback's refusal goes to the lead's workflow, which raises the alert like
 * every other lead event (durable, once per message, visible in its history). A lead whose
 * workflow has finished has nobody left to text: nothing is raised.
 */
export async function reportCarrierRefusal(
  deps: { leads: Pick<LeadWorkflowClient, 'carrierRefused'> },
  opts: { leadId: string; providerMessageId: string; errorCode: string },
): Promise<boolean> {
  return deps.leads.carrierRefused(opts.leadId, { messageId: opts.providerMessageId, errorCode: opts.errorCode });
}
