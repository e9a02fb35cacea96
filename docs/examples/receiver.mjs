// A complete Klang webhook receiver on Node's http module, verifying with @klang-webhooks/sdk.
// Run: KLANG_WEBHOOK_SECRET=whsec_… PORT=8080 node receiver.mjs
import { createServer } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '@klang-webhooks/sdk';

const secret = process.env.KLANG_WEBHOOK_SECRET; // during a rotation, pass [newSecret, oldSecret]
const seen = new Set(); // use your database in production: the event id is the idempotency key

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let event;
    try {
      // Verify the raw bytes: re-serialised JSON would not match the signature.
      event = verifyWebhook(Buffer.concat(chunks), request.headers, secret);
    } catch (error) {
      const reason = error instanceof WebhookVerificationError ? error.reason : 'bad_request';
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
      return;
    }
    if (!seen.has(event.id)) {
      seen.add(event.id);
      // Answer fast; do slow work (fetching the transcript…) in the background.
      console.log(`verified ${event.type} ${event.id} (conversation ${event.data.conversation.id})`);
    }
    response.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8080), () => {
  console.log(`listening on ${server.address().port}`);
});
