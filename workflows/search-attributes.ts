import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../temporal.config';

/** Typed keys for the attributes registered at start (temporal.config.ts). */
export const BUSINESS_ID = defineSearchAttributeKey(SEARCH_ATTRIBUTES.businessId.name, SearchAttributeType.KEYWORD);
export const LEAD_STATUS = defineSearchAttributeKey(SEARCH_ATTRIBUTES.leadStatus.name, SearchAttributeType.KEYWORD);
export const ACCOUNT_STATUS = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.accountStatus.name,
  SearchAttributeType.KEYWORD,
);
export const NEXT_ACTION_AT = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.nextActionAt.name,
  SearchAttributeType.DATETIME,
);
