import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

const DESCRIPTION = `Orders in, processed asynchronously, watched live.

Every error answer has one shape: \`{error, message, details?, request_id}\`. A 429 or 503
says when to try again in \`Retry-After\`. Creation is idempotent by a client-given \`id\`
or an \`Idempotency-Key\` header.`;

/**
 * The OpenAPI 3 document, generated from the very schemas that validate requests and
 * shape answers, at `/openapi.json`, and Swagger UI at `/docs`. Registered before any
 * route, so every route is in it.
 */
export async function registerApiDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Orderflow API', version, description: DESCRIPTION },
      tags: [
        { name: 'orders', description: 'Create, read, list and cancel orders' },
        { name: 'payments', description: 'Payment provider webhooks' },
        { name: 'stats', description: 'Processing statistics of the whole system' },
        { name: 'operations', description: 'Probes and metrics' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: 2 },
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
