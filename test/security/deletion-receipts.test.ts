import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceiptChain, writeDeletionReceipt } from '../../db/deletion-receipts';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

describe('deletion receipts: proof without personal data, chained', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists a business’s receipts for compliance staff, and notices a removed link', async () => {
    const a = await createBusiness(stack.database.db);
    const b = await createBusiness(stack.database.db);
    const subjects = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, subjectId] of subjects.entries()) {
      await writeDeletionReceipt(stack.database.appDb, {
        businessId: i === 1 ? b.id : a.id,
        subjectId,
        cause: 'policy:messaging_logs',
        counts: { messages: i + 1 },
      });
    }
    expect(await verifyReceiptChain(stack.database.appDb)).toEqual({ ok: true, checked: 3, brokenAtSeq: null });

    const compliance = (await withTenant(stack.database.db, a.id, (tx) => createKey(tx, a.id, 'compliance', 'c'))).key;
    const operator = (await withTenant(stack.database.db, a.id, (tx) => createKey(tx, a.id, 'operator', 'o'))).key;
    const res = await request(stack.app)
      .get('/v1/compliance/deletion-receipts')
      .set('Authorization', `Bearer ${compliance}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { subjectId: string }) => r.subjectId)).toEqual([subjects[2], subjects[0]]);
    expect(res.body.data[0]).toMatchObject({ cause: 'policy:messaging_logs', counts: { messages: 3 } });
    expect(
      (await request(stack.app).get('/v1/compliance/deletion-receipts').set('Authorization', `Bearer ${operator}`))
        .status,
    ).toBe(403);

    // Someone with owner access to the database removes the middle receipt.
    const middle = await stack.database.db.deletionReceipt.findFirstOrThrow({ where: { subjectId: subjects[1] } });
    await stack.database.db.deletionReceipt.delete({ where: { id: middle.id } });
    const broken = await verifyReceiptChain(stack.database.appDb);
    expect(broken.ok).toBe(false);
    expect(broken.brokenAtSeq).toBe(String(middle.seq + 1n));
  });
});
