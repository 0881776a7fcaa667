import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { operationIdFor } from '../../api/http/route';
import { createPrisma } from '../../db/prisma';
import { createLogger } from '../../logging/logger';

describe('operationId on every operation of /openapi.json', () => {
  // Nothing here talks to Postgres or Temporal: lazy clients that are never used.
  const app = createApp({
    db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    log: createLogger({ name: 'test', level: 'silent' }),
    settings: { localSms: true, adminToken: 'x'.repeat(32) },
  });

  it('gives each operation a unique camelCase operationId, so generated clients get sensible method names', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    const ids: string[] = [];
    for (const [path, methods] of Object.entries(
      res.body.paths as Record<string, Record<string, { operationId?: string }>>,
    )) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.operationId, `${method.toUpperCase()} ${path}`).toMatch(/^[a-z][A-Za-z0-9]*$/);
        ids.push(op.operationId!);
      }
    }
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids).toContain('postLeads');
    expect(ids).toContain('getLeadsById');
    expect(ids).toContain('postLeadsByIdJob');
  });

  it('derives names from method and path, dropping the version prefix and naming path parameters', () => {
    expect(operationIdFor('get', '/v1/leads/:id/messages')).toBe('getLeadsByIdMessages');
    expect(operationIdFor('delete', '/v1/leads/:id/legal-hold')).toBe('deleteLeadsByIdLegalHold');
    expect(operationIdFor('post', '/v1/webhooks/twilio/voice-status')).toBe('postWebhooksTwilioVoiceStatus');
    expect(operationIdFor('get', '/v1/compliance/retention-runs/:runId')).toBe('getComplianceRetentionRunsByRunId');
  });
});
