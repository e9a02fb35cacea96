// buildApp(container): the Fastify instance with every route; buildOpsApp(container): only the probes
// and /metrics, for KLANG_METRICS_PORT. Neither listens (tests use inject()).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Container } from './container.ts';
import { ulid } from './domain/ids.ts';
import { refineOpenApi } from './http/openapi/refine.ts';
import { clientErrorHandler } from './http/plugins/client-errors.ts';
import { errorBody, registerErrorHandling } from './http/plugins/errors.ts';
import { registerJsonBody } from './http/plugins/json-body.ts';
import { registerRequestLog } from './http/plugins/request-log.ts';
import { registerRequestMetrics } from './http/plugins/request-metrics.ts';
import { NOSNIFF, registerResponseHeaders } from './http/plugins/response-headers.ts';
import { registerRouteTable } from './http/plugins/route-table.ts';
import { userApiRoutes } from './http/routes/api/index.ts';
import { healthRoutes } from './http/routes/health.ts';
import { hostRoutes } from './http/routes/host/index.ts';
import { metricsRoutes } from './http/routes/metrics.ts';
import { registerReceiverDocs } from './http/routes/receiver-docs.ts';
import { registerWebUi } from './http/routes/web-ui.ts';

export const BODY_LIMIT = 64 * 1024;

/** A hop count trusts that many proxies in front, whatever their address (Fastify only takes a function). */
const trustProxyOption = (value: false | number | string) =>
  typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;

export async function buildApp(container: Container): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: container.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Behind a reverse proxy, request.ip is the client address of X-Forwarded-For (KLANG_TRUST_PROXY).
    trustProxy: trustProxyOption(container.config.trustProxy),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    genReqId: () => `req_${ulid()}`,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 256 },
    // Malformed framing and oversized headers, answered in the error shape.
    clientErrorHandler,
    // Router failures in the error shape: an id longer than any real one is simply not found.
    frameworkErrors: (error, _request, reply: FastifyReply) =>
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? reply.status(404).headers(NOSNIFF).send(errorBody('not_found', 'No resource has an id this long.'))
        : reply.status(400).headers(NOSNIFF).send(errorBody('bad_request', 'The request URL is malformed.')),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON bodies in UTF-8 are accepted; anything else is 415.
  registerJsonBody(app);
  registerErrorHandling(app);
  registerResponseHeaders(app);
  registerRequestMetrics(app, container.metrics);
  registerRequestLog(app);
  // Before any route: collects the route table that 404 and 405 answers are decided from.
  registerRouteTable(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Klang Webhooks API',
        version: '1.0.0',
        description:
          'Manage webhooks (`/api/v1`) and feed accounts and events from the Klang product (`/internal/v1`).',
      },
      servers: [
        { url: '/', description: 'The server that serves this document' },
        {
          url: 'http://127.0.0.1:3000',
          description: 'A local install on the default KLANG_HOST and KLANG_PORT',
        },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'On /api/v1 an API token: the `kwt_…` value shown once by POST /api/v1/tokens (not its `tok_…` id). On /internal/v1 the ingest token (KLANG_INGEST_TOKEN).',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'klang_session' },
          csrf: {
            type: 'apiKey',
            in: 'header',
            name: 'x-csrf-token',
            description:
              'The csrf_token of POST /api/v1/session; required with the cookie on unsafe methods.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    // Puts the schemas named with .meta({ id }) into components.schemas, so every $ref resolves.
    transformObject: (input) => refineOpenApi(jsonSchemaTransformObject(input)),
  });

  await app.register(healthRoutes(container));
  await app.register(metricsRoutes(container));
  await app.register(hostRoutes(container), { prefix: '/internal/v1' });
  await app.register(userApiRoutes(container), { prefix: '/api/v1' });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await registerWebUi(app);
  await registerReceiverDocs(app);
  // The readable API reference, rendered from the same document.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  return app;
}

/** /healthz, /readyz and /metrics alone: what the metrics port serves in every role. */
export async function buildOpsApp(container: Container): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: container.logger as FastifyBaseLogger,
    genReqId: () => `req_${ulid()}`,
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerErrorHandling(app);
  registerResponseHeaders(app);
  await app.register(healthRoutes(container));
  await app.register(metricsRoutes(container));
  return app;
}
