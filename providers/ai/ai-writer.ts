import type { BusinessFacts } from '../../domain/business-facts';
import type { Intent, IntentResult } from '../../domain/intent-rules';
import type { Language } from '../../domain/language';

export type { BusinessFacts, Intent, IntentResult };

/**
 * What leadflow asks of a language model: write one SMS reply, or classify one inbound
 * text. The request carries only what the reply needs — the business's public facts and
 * this lead's conversation — never other leads' data, never the lead's phone or email.
 */
export interface AiWriter {
  readonly name: string;
  writeReply(request: ReplyRequest): Promise<AiReply>;
  classify(request: ClassifyRequest): Promise<IntentResult>;
}

export const REPLY_PURPOSES = ['first_reply', 'follow_up', 'answer', 'offer_slots', 'confirm_booking'] as const;
export type ReplyPurpose = (typeof REPLY_PURPOSES)[number];

export interface ConversationTurn {
  from: 'lead' | 'business';
  text: string;
}

export interface ReplyRequest {
  purpose: ReplyPurpose;
  facts: BusinessFacts;
  /** The lead's first name only, when known. */
  leadFirstName?: string;
  conversation: ConversationTurn[];
  /** Human-readable slots the reply may offer, numbered 1..3, in the lead's time zone. */
  offeredSlots?: string[];
  /** The first message must carry opt-out wording. */
  mustIncludeOptOut: boolean;
  /** The lead's language; English when absent. */
  language?: Language;
}

export interface AiReply {
  text: string;
  model: string;
  promptVersion: string;
}

export interface ClassifyRequest {
  text: string;
  /** Whether the lead has open slot offers, so "2" means a slot. */
  hasOpenOffer: boolean;
  hasBooking: boolean;
}
