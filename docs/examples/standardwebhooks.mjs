// A Klang webhook receiver on Node's http module, verifying with the `standardwebhooks` package.
// Run: npm install standardwebhooks; KLANG_WEBHOOK_SECRET=whsec_… PORT=8080 node standardwebhooks.mjs
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const webhook = new Webhook(process.env.KLANG_WEBHOOK_SECRET); // accepts the whsec_ form as shown

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let event;
    try {
      // The raw body as a string; verify() throws when the signature or timestamp is wrong.
      event = webhook.verify(Buffer.concat(chunks).toString('utf8'), request.headers);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.message }));
      return;
    }
    // event.id is the idempotency key: skip it if you processed it already.
    console.log(`verified ${event.type} ${event.id}`);
    response.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8080));
