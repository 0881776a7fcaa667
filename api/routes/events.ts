import { z } from 'zod';
import type { ApiKeyRole } from '../../domain/roles';
import { PRIVACY_ALERT_KINDS } from '../../services/alerts/alert-kinds';
import { TooManyStreams, type LiveEvent } from '../live/live-event-hub';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';
import { ZErrorSchema } from '../http/schemas';

/** A comment line this often keeps proxies from closing an idle stream and shows a dead one. */
export const HEARTBEAT_MS = 20_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 3_000;

/** What each role is told about: the compliance role only the privacy deadlines, as in GET /v1/alerts. */
function visibleTo(role: ApiKeyRole, event: LiveEvent): boolean {
  if (role === 'owner' || role === 'operator') return true;
  return role === 'compliance' && event.event === 'alert' && PRIVACY_ALERT_KINDS.includes(event.data.kind as never);
}

const frame = (event: LiveEvent) => `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;

export function eventRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/events',
      operationId: 'streamEvents',
      tag: 'Live events',
      summary: 'Server-sent events for the business: what changed, by id',
      description:
        'Roles: owner, operator, compliance (privacy alerts only). A `text/event-stream` that stays open: `event: lead` with `{"leadId","kind":"captured|message|status"}` and `event: alert` with `{"alertId","kind","leadId"}` (leadId may be null). Events carry ids only, never personal data: fetch the lead or the alert for the rest. A comment line every 20 s keeps the stream alive. Each API replica listens to Postgres NOTIFY, so an event written anywhere reaches every stream. A business may hold a limited number of streams per replica (429 `rate_limited` beyond).',
      security: 'apiKey',
      roles: ['owner', 'operator', 'compliance'],
      responses: {
        200: {
          description: 'The event stream',
          schema: z.string().openapi({ example: 'event: lead\ndata: {"leadId":"…","kind":"message"}\n\n' }),
          contentType: 'text/event-stream',
        },
        429: { description: 'rate_limited: this business has too many streams open', schema: ZErrorSchema },
      },
      handler: async ({ req, res, auth }) => {
        let open = true;
        // Events of this business that arrive before the headers are out are dropped: the
        // client reads the current state once its stream is open.
        let started = false;
        let heartbeat: NodeJS.Timeout | undefined = undefined; // set once the stream is open
        let done: () => void = () => {};
        const closed = new Promise<void>((resolve) => (done = resolve));
        const write = (chunk: string) => {
          if (!open || !started) return;
          res.write(chunk);
        };
        let unsubscribe = () => {};
        const finish = () => {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          unsubscribe();
          if (started) res.end();
          done();
        };
        try {
          unsubscribe = await deps.liveEvents.subscribe(auth.businessId, {
            send: (event) => {
              if (visibleTo(auth.role, event)) write(frame(event));
            },
            end: finish,
          });
        } catch (err) {
          if (err instanceof TooManyStreams)
            throw new AppError(
              'rate_limited',
              'this business has too many event streams open; close one first',
              null,
              RETRY_MS / 1000,
            );
          deps.log.warn({ err: (err as Error).message }, 'live events: cannot listen');
          throw new AppError('unavailable', 'live events are unavailable; retry shortly', null, 5);
        }
        // The client may have gone while the channel was being listened to.
        if (req.destroyed) {
          open = false;
          unsubscribe();
          return { status: 200 };
        }
        // The listening connection was lost meanwhile.
        if (!open) throw new AppError('unavailable', 'live events are unavailable; retry shortly', null, 5);
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        // Proxies (nginx) must pass each event on at once instead of buffering the stream.
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();
        started = true;
        write(`retry: ${RETRY_MS}\n: connected\n\n`);
        heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
        req.on('close', finish);
        res.on('close', finish);
        await closed;
        return { status: 200 };
      },
    }),
  ];
}
