import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/prisma';
import type { PrivacyKeys } from '../../domain/crypto/privacy-keys';
import type { Logger } from '../../logging/logger';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import type { CalendarResolver } from '../booking/booking-activities';

export interface PrivacyDeps {
  db: Db;
  sms: SmsProvider;
  log: Logger;
  calendarFor: CalendarResolver;
  /** From ENCRYPTION_KEY; without it requests that seal or pseudonymise fail (non-retryable). */
  privacyKeys?: PrivacyKeys | null;
}

/** Internal bookkeeping kept in privacy_requests.outcome beside the public result (no column exists for it). */
export interface OutcomeJson {
  result?: Record<string, unknown>;
  reminders?: Array<{ kind: '7d' | '3d'; at: string }>;
  failedAttempts?: number;
  /** Erasure: what the one erasing transaction removed, so a retried activity reports the same counts. */
  erased?: Record<string, number>;
}

export function requireKeys(keys: PrivacyKeys | null | undefined): PrivacyKeys {
  if (!keys)
    throw ApplicationFailure.create({
      type: 'encryption_key_missing',
      message: 'privacy requests need ENCRYPTION_KEY to be configured',
      nonRetryable: true,
    });
  return keys;
}
