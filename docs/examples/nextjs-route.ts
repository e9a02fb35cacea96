// A Next.js App Router route handler for Klang webhooks: save as app/webhooks/klang/route.ts.
// request.text() is the raw body; set KLANG_WEBHOOK_SECRET in the environment.
import { verifyWebhook, WebhookVerificationError } from '@klang-webhooks/sdk';

export async function POST(request: Request): Promise<Response> {
  const secret = process.env.KLANG_WEBHOOK_SECRET ?? '';
  let event: ReturnType<typeof verifyWebhook>;
  try {
    event = verifyWebhook(await request.text(), request.headers, secret);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return Response.json({ error: error.reason }, { status: 401 });
  }
  // event.id is the idempotency key: skip it if you processed it already.
  console.log(`verified ${event.type} ${event.id}`);
  return new Response(null, { status: 204 });
}
