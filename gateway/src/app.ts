/**
 * Builds the HTTP app of one gateway from its services: OpenAPI (from the route schemas),
 * authentication, metrics, the routes (one file per resource) and one central error handler that
 * answers every failure with RFC 9457 problem details. Testable with `app.inject()`.
 */
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyContextConfig, type FastifySchema, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { ConnectionLimits } from './config.js';
import { capConnectionsPerIp, DEFAULT_CONNECTION_LIMITS, nodeServerOptions } from './connections.js';
import { registerJsonBodyParser } from './json-body.js';
import { API_SECURITY_HEADERS } from './security-headers.js';
import { ApiError, problemOf, PROBLEM_TYPE_BASE } from './problem.js';
import { problemResponse } from './routes/schemas.js';
import { campaignRoutes } from './routes/campaigns.js';
import { claimRoutes } from './routes/claims.js';
import { createRouteContext, setCaller, type GatewayServices, type TypedApp } from './routes/context.js';
import { credentialRoutes } from './routes/credentials.js';
import { registerDashboard } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { operationsRoutes } from './routes/operations.js';
import { proofRoutes } from './routes/proofs.js';
import { protocolRoutes } from './routes/protocols.js';
import { reportRoutes } from './routes/reports.js';
import { roleRoutes } from './routes/roles.js';
import { totalsRoutes } from './routes/totals.js';
import { auditRoutes } from './routes/audit.js';
import { certificateRoutes } from './routes/certificates.js';
import { revocationRoutes } from './routes/revocations.js';
import { statusListRoutes } from './routes/status-lists.js';
import { declareSigningStep, signingRoutes } from './signing/routes.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** Fastify's logger option (false in tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Serve HTTPS with these options (certificate, key, client CA for mutual TLS). */
  readonly https?: HttpsServerOptions;
  /** Where the built dashboard is (default gateway/dist-web); not served when it holds no index.html. */
  readonly dashboardDir?: string;
  /** Timeouts and the per-IP connection cap (default: the configuration's defaults). */
  readonly connections?: ConnectionLimits;
}

const API_VERSION = '1.0.0';

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof Reflect.get(error, 'code') === 'string';
}

/** The ApiError any thrown value becomes: validation 400, framework 4xx kept, anything else 500. */
export function toProblemError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isFastifyError(error) && error.validation !== undefined) {
    return new ApiError(400, 'VALIDATION_FAILED', `${error.message}; see /v1/openapi.json for the request schema`, {
      errors: error.validation.map((issue) => ({ path: issue.instancePath, message: issue.message ?? '' })),
    });
  }
  if (isFastifyError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const code = error.statusCode === 400 ? 'VALIDATION_FAILED' : error.code.replace(/^FST_ERR_/, '');
    return new ApiError(error.statusCode, code, error.message);
  }
  return new ApiError(500, 'INTERNAL', 'the gateway failed unexpectedly; the error is logged with the request id', {});
}

function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toProblemError(error);
  if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: apiError.code, status: apiError.status }, 'request refused');
  // an unauthenticated client gets no kept-alive connection (nor a half-sent body read on)
  if (apiError.status === 401) void reply.header('connection', 'close');
  return reply.code(apiError.status).type('application/problem+json').send({ ...problemOf(apiError), instance: request.url.split('?')[0] });
}

const MinBlockHeader = Type.String({
  pattern: '^[0-9]{1,15}$',
  description: 'read-your-writes across organisations: answer only once this organisation\'s peer has committed this block '
    + '(the blockNumber another gateway answered with); waits up to the gateway\'s deadline (5 s unless configured), then 412 BLOCK_NOT_YET_COMMITTED '
    + '(at once for a block more than 100 ahead of the peer)',
});

/** Declares the `Min-Block-Number` header on every authenticated API route (so OpenAPI lists it). */
function declareMinBlockHeader(routeOptions: { url?: string; schema?: FastifySchema; config?: FastifyContextConfig }): void {
  if (routeOptions.url === undefined || !routeOptions.url.startsWith('/v1/') || routeOptions.config?.public === true) return;
  const schema = routeOptions.schema ?? {};
  const headers = (schema.headers ?? Type.Object({})) as { properties?: Record<string, unknown> };
  const response = (schema.response ?? {}) as Record<number, unknown>;
  routeOptions.schema = {
    ...schema,
    headers: { ...headers, properties: { ...headers.properties, 'min-block-number': MinBlockHeader } },
    response: { ...response, 412: problemResponse(412) },
  };
}

/** True for a request the router matched to a route that is not declared public. */
function needsCaller(request: FastifyRequest): boolean {
  return !request.is404 && request.routeOptions.config.public !== true;
}

function registerHooks(app: TypedApp, services: GatewayServices): void {
  app.addHook('onRoute', (routeOptions) => declareMinBlockHeader(routeOptions));
  app.addHook('onRoute', (routeOptions) => declareSigningStep(routeOptions));
  // first, so refusals and 404s carry them too (the dashboard's files override the policy)
  app.addHook('onRequest', async (_request, reply) => {
    void reply.headers(API_SECURITY_HEADERS);
  });
  // Authentication is decided on the route the router matched (after it decoded the path and
  // dropped an absolute-form target's scheme and host), never on how the client spelled the URL:
  // every matched route needs a caller unless it declares `config: { public: true }`. Unmatched
  // requests go to the not-found handler (404, nothing read). Runs before the body is parsed.
  app.addHook('onRequest', async (request) => {
    if (!needsCaller(request)) return;
    setCaller(request, services.authenticator.authenticate(request));
  });
  app.addHook('preHandler', async (request) => {
    if (!needsCaller(request)) return;
    const minBlock = request.headers['min-block-number'];
    if (typeof minBlock === 'string') await services.ledger.waitForBlock(Number(minBlock));
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    services.metrics.httpRequests.inc(labels);
    services.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendProblem(new ApiError(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; see /v1/openapi.json`), request, reply));
}

async function registerOpenApi(app: TypedApp, services: GatewayServices): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `impact-ledger gateway (${services.mspId})`,
        version: API_VERSION,
        description: `Problem types are ${PROBLEM_TYPE_BASE}<code in kebab case>; every mutation accepts an Idempotency-Key header. `
          + 'A caller that signs its own transactions gets 202 with a step to sign from every mutation, and signs it at POST /v1/signing/{session}.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http', scheme: 'bearer',
            description: 'An API key of this organisation. When the gateway serves HTTPS with a client CA, a registered client certificate (mutual TLS) authenticates instead.',
          },
        },
      },
      security: [{ bearer: [] }],
    },
  });
}

/**
 * The gateway app over `services`, ready to `listen()` or `inject()`. Closing the app does not
 * close the services (the server owns them).
 */
export async function buildApp(services: GatewayServices, options: AppOptions = {}): Promise<TypedApp> {
  const limits = options.connections ?? DEFAULT_CONNECTION_LIMITS;
  const server = nodeServerOptions(limits);
  const app = Fastify({
    // HTTPS changes only the server type; requests and replies are the same for the routes.
    ...(options.https !== undefined ? { https: { ...options.https, ...server } } as object : {}),
    requestTimeout: server.requestTimeout,
    keepAliveTimeout: server.keepAliveTimeout,
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    // identities in paths (DELETE /v1/roles/{identity}/{role}) are long X.509 names. A parameter
    // at its schema's maxLength (1024) of 4-byte characters is 12 KiB percent-encoded: the router
    // and Node's header limit leave room for that, so it gets the schema's 400, never a bare 414/431
    routerOptions: { maxParamLength: 64 * 1024 },
    http: { maxHeaderSize: 64 * 1024, ...server },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  capConnectionsPerIp(app.server, limits.maxPerIp);
  registerJsonBodyParser(app);
  registerHooks(app, services);
  await registerOpenApi(app, services);
  const context = createRouteContext(services);
  for (const routes of [operationsRoutes, roleRoutes, protocolRoutes, claimRoutes, proofRoutes, credentialRoutes, totalsRoutes, eventRoutes, campaignRoutes, reportRoutes, auditRoutes, certificateRoutes, revocationRoutes, statusListRoutes, signingRoutes]) {
    routes(app, context);
  }
  await registerDashboard(app, options.dashboardDir);
  return app;
}
