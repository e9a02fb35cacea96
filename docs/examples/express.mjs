// A Klang webhook route in Express: express.raw() keeps the body as bytes for the signature check.
// Run: npm install express @klang-webhooks/sdk; KLANG_WEBHOOK_SECRET=whsec_… PORT=8080 node express.mjs
import { verifyWebhook, WebhookVerificationError } from '@klang-webhooks/sdk';
import express from 'express';

const secret = process.env.KLANG_WEBHOOK_SECRET;
const app = express();

// Register the raw parser on this route only (before any app-wide express.json()).
app.post('/webhooks/klang', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    event = verifyWebhook(req.body, req.headers, secret); // req.body is a Buffer
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    res.status(401).json({ error: error.reason });
    return;
  }
  // event.id is the idempotency key: skip it if you processed it already.
  console.log(`verified ${event.type} ${event.id}`);
  res.sendStatus(204);
});

app.use(express.json()); // other routes may parse JSON as usual
app.listen(Number(process.env.PORT ?? 8080));
