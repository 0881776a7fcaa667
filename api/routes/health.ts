import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';

export function createHealthRouter({
  db,
  temporal,
  timeoutMs = 2000,
}: {
  db: Db;
  temporal: Client;
  timeoutMs?: number;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
          }),
        ]);
        return 'ok' as const;
      } catch {
        return 'unavailable' as const;
      } finally {
        clearTimeout(timer);
      }
    };
    const [postgres, temporalStatus] = await Promise.all([
      check(() => db.$queryRaw`SELECT 1`),
      check(() => temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const ready = postgres === 'ok' && temporalStatus === 'ok';
    if (!ready) res.setHeader('Retry-After', '5');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: { postgres, temporal: temporalStatus } });
  });
  return router;
}
