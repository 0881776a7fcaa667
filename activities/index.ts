import type { Db } from '../db/prisma';
import type { SmsProvider } from '../providers/sms/sms-provider';
import { createLeadActivities } from './leads/lead-activities';
import { createSmsActivities } from './sms/sms-activities';

export interface ActivityDeps {
  db: Db;
  sms: SmsProvider;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createLeadActivities(deps),
    ...createSmsActivities(deps),
  };
}
