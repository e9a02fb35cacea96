// A Klang webhook route in Fastify: a scoped content-type parser keeps the body as a Buffer.
// Run: npm install fastify @klang-webhooks/sdk; KLANG_WEBHOOK_SECRET=whsec_… PORT=8080 node fastify.mjs
import { verifyWebhook, WebhookVerificationError } from '@klang-webhooks/sdk';
import Fastify from 'fastify';

const secret = process.env.KLANG_WEBHOOK_SECRET;
const app = Fastify();

// Inside this plugin only, JSON bodies stay raw; the rest of the app parses JSON as usual.
app.register(async (scope) => {
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  scope.post('/webhooks/klang', async (request, reply) => {
    let event;
    try {
      event = verifyWebhook(request.body, request.headers, secret);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return reply.code(401).send({ error: error.reason });
    }
    // event.id is the idempotency key: skip it if you processed it already.
    console.log(`verified ${event.type} ${event.id}`);
    return reply.code(204).send();
  });
});

await app.listen({ port: Number(process.env.PORT ?? 8080), host: '0.0.0.0' });
