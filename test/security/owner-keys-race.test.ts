import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

describe('the last owner key (issue 13, item 2)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('survives two owners revoking each other at the same moment, round after round', async () => {
    const { db } = stack.database;
    for (let round = 0; round < 20; round += 1) {
      const business = await createBusiness(db, { smsNumber: null });
      const [a, b] = await withTenant(db, business.id, async (tx) => [
        await createKey(tx, business.id, 'owner', 'owner a'),
        await createKey(tx, business.id, 'owner', 'owner b'),
      ]);
      const revoke = (by: string, id: string) =>
        request(stack.app).delete(`/v1/api-keys/${id}`).set('Authorization', `Bearer ${by}`);
      const statuses = (await Promise.all([revoke(a!.key, b!.id), revoke(b!.key, a!.id)])).map((r) => r.status);
      const active = await db.apiKey.count({ where: { businessId: business.id, role: 'owner', revokedAt: null } });
      expect(active, `round ${round}: ${statuses.join(', ')}`).toBe(1);
      // One revocation wins; the other is refused (409), or its key was already revoked when it arrived (401).
      expect(
        statuses.filter((s) => s === 204),
        `round ${round}`,
      ).toHaveLength(1);
      expect([409, 401]).toContain(statuses.find((s) => s !== 204));
    }
  });
});
