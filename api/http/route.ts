import type { Request, RequestHandler, Response, Router } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import type { ApiKeyRole } from '../auth/api-keys';
import type { AuthContext } from '../auth/authenticate';
import { AppError } from './errors';
import { ZErrorSchema } from './schemas';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** `apiKey`: an API key or a signed-in person's session; `session`: a signed-in person only. */
export type Security = 'apiKey' | 'session' | 'adminToken' | 'twilioSignature' | 'stripeSignature' | 'none';

export interface Reply<T = unknown> {
  status: number;
  body?: T;
  headers?: Record<string, string>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  auth: AuthContext;
}

/**
 * One definition per route: the zod schemas validate the request and shape the response
 * at run time, and the same schemas describe the route in /openapi.json, so the document
 * cannot drift from the code.
 */
export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: Method;
  /** Express-style path, e.g. /v1/leads/:id */
  path: string;
  summary: string;
  description?: string;
  /** The name generated clients give this call; derived from method and path when absent (operationIdFor). */
  operationId?: string;
  tag: string;
  security: Security;
  roles?: ApiKeyRole[];
  params?: P;
  query?: Q;
  body?: B;
  /** Documented request headers (e.g. Idempotency-Key). */
  headers?: ZodType;
  bodyContentType?: string;
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  /** Guards that run before validation (authentication, signatures), in order. */
  before?: RequestHandler[];
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Reply>;
}

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid input: the error names the field and the reason',
  401: 'Missing or invalid credentials',
  403: 'Not allowed for this key',
  404: 'Not found (also for another tenant’s ids)',
  413: 'The request body is too large',
  415: 'The body is not in the content type (or encoding) this route takes',
  429: 'Too many requests; see Retry-After',
  503: 'A dependency is unavailable; see Retry-After',
};

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * A stable camelCase operationId from method and path, e.g. `GET /v1/leads/:id/messages` →
 * `getLeadsByIdMessages`: unique as long as method and path are, and unchanged unless the route moves.
 */
export function operationIdFor(method: Method, path: string): string {
  const words = path
    .split('/')
    .filter((segment) => segment && segment !== 'v1')
    .flatMap((segment) =>
      segment.startsWith(':') ? ['by', ...segment.slice(1).split(/[-_]/)] : segment.split(/[-_.]/),
    )
    .filter(Boolean);
  return [method, ...words].map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))).join('');
}

export function defineRoute<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType>(
  spec: RouteSpec<P, Q, B>,
) {
  return spec as unknown as RouteSpec<ZodType, ZodType, ZodType>;
}

function parseOr400<T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return value as z.output<T>;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    field: [where === 'body' ? '' : where, ...i.path.map(String)].filter(Boolean).join('.') || where,
    reason: i.message,
  }));
  // A path parameter that is not an id names no resource: 404, as for an id that does not exist.
  throw new AppError(
    where === 'params' ? 'not_found' : 'bad_request',
    `${details[0]!.field}: ${details[0]!.reason}`,
    details,
  );
}

/** How each kind of security is checked; mountRoutes puts the guard in front of the route. */
export type Guards = Record<Security, RequestHandler[]>;

export function mountRoutes(
  router: Router,
  registry: OpenAPIRegistry,
  routes: Array<RouteSpec<ZodType, ZodType, ZodType>>,
  guards: Guards,
) {
  for (const spec of routes) {
    const handler: RequestHandler = async (req, res) => {
      if (spec.roles && (!req.auth || !spec.roles.includes(req.auth.role))) {
        throw new AppError('forbidden', `this route needs a key with role ${spec.roles.join(' or ')}`);
      }
      const ctx = {
        params: parseOr400(spec.params, req.params, 'params'),
        query: parseOr400(spec.query, req.query, 'query'),
        body: parseOr400(spec.body, req.body, 'body'),
        req,
        res,
        auth: req.auth!,
      };
      const reply = await spec.handler(ctx);
      // A streaming route (GET /v1/events) answered on `res` itself.
      if (res.headersSent) return;
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      const documented = spec.responses[reply.status];
      if (!documented)
        throw new Error(`undocumented status ${reply.status} for ${spec.method.toUpperCase()} ${spec.path}`);
      if (reply.body === undefined) {
        res.status(reply.status).end();
        return;
      }
      // Responses pass through their public schema: private fields cannot leak.
      const body = documented.schema && !documented.contentType ? documented.schema.parse(reply.body) : reply.body;
      if (documented.contentType && typeof body === 'string')
        res.status(reply.status).type(documented.contentType).send(body);
      else res.status(reply.status).json(body);
    };
    router[spec.method](spec.path, ...guards[spec.security], ...(spec.before ?? []), handler);
    registry.registerPath(toOpenApi(spec));
  }
}

function toOpenApi(spec: RouteSpec<ZodType, ZodType, ZodType>): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const errors =
    spec.security === 'none'
      ? [400, 429, 503]
      : spec.security === 'apiKey' || spec.security === 'session'
        ? [400, 401, 403, 404, 429, 503]
        : [400, 401, 403, 429, 503];
  // The body parsers in front of every route that takes a body answer these (found by the fuzzer: it sends other content types).
  if (spec.body) errors.push(413, 415);
  for (const status of errors) {
    responses[status] ??= {
      description: STANDARD_ERRORS[status]!,
      content: { 'application/json': { schema: ZErrorSchema } },
    };
  }
  return {
    method: spec.method,
    path: toOpenApiPath(spec.path),
    operationId: spec.operationId ?? operationIdFor(spec.method, spec.path),
    summary: spec.summary,
    description: spec.description ?? (spec.roles ? `Roles: ${spec.roles.join(', ')}.` : undefined),
    tags: [spec.tag],
    // Machine-readable too: clients and the fuzzer (scripts/fuzz.ts) read which key roles may call the route.
    ...(spec.roles ? { 'x-roles': spec.roles } : {}),
    security:
      spec.security === 'none'
        ? []
        : spec.security === 'apiKey'
          ? [{ apiKey: [] }, { session: [] }]
          : [{ [spec.security]: [] }],
    request: {
      params: spec.params as never,
      query: spec.query as never,
      headers: spec.headers as never,
      // Required only when an absent body would be refused: a route that reads no body as `{}` (e.g. a PATCH that changes nothing) says so.
      body: spec.body
        ? {
            content: { [spec.bodyContentType ?? 'application/json']: { schema: spec.body } },
            required: !spec.body.safeParse({}).success,
          }
        : undefined,
    },
    responses,
  };
}
