import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/prisma';
import type { Logger } from '../logging/logger';
import { AppError, errorMiddleware, notFoundRoute } from './http/errors';
import { createHealthRouter } from './routes/health';
import { createLeadsRouter } from './routes/leads';

export interface AppDeps {
  db: Db;
  temporal: Client;
  log: Logger;
  temporalTimeoutMs?: number;
  /** The lead workflows' task queue; tests give each file its own. */
  taskQueue?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(createHealthRouter(deps));
  app.use('/v1', (req, _res, next) => {
    const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    if (hasBody && req.headers['content-length'] !== '0' && !req.is('application/json')) {
      return next(new AppError('unsupported_media_type', 'send the body as application/json'));
    }
    next();
  });
  app.use('/v1', express.json({ limit: '64kb', strict: true }));
  app.use('/v1/leads', createLeadsRouter(deps));
  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.log));
  return app;
}
