import type { Env } from '../../config/env';
import { createLocalOutboxProvider } from './local-outbox';
import type { SmsProvider } from './sms-provider';

/** The real Twilio adapter arrives with the lead-lifecycle work; until then, the local outbox. */
export function createSmsProvider(_config: Env): SmsProvider {
  return createLocalOutboxProvider();
}
