/**
 * What an API key may do, by role: `owner` manages the business and its keys, `operator`
 * runs the day-to-day, `compliance` handles privacy requests, holds and receipts, `widget`
 * only captures leads from the business's own web site. The API checks them per route;
 * the CLI and the OpenAPI document list the same ones.
 */
export const API_KEY_ROLES = ['owner', 'operator', 'compliance', 'widget'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** A person's role: the key roles a person can hold (widget keys are for web sites only). */
export const PERSON_ROLES = ['owner', 'operator', 'compliance'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];
