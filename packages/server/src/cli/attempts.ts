// `klang-webhooks attempts list|get` and `deliveries resend`: the attempt log of one webhook.
import { type Command, InvalidArgumentError } from 'commander';
import type { AttemptDetailOut, AttemptOut, Page } from './api-client.ts';
import { authedClient, type ClientOptions, clientOptions } from './context.ts';
import { fields, print, table } from './output.ts';

const answer = (attempt: AttemptOut): string =>
  attempt.response_status !== null ? String(attempt.response_status) : (attempt.error ?? '-');

function listText(page: Page<AttemptOut>, webhookId: string): string {
  if (page.data.length === 0) return `No attempts yet for ${webhookId}.`;
  const rows = page.data.map((a) => [
    a.created_at,
    a.id,
    a.test ? `${a.event_type} TEST` : a.event_type,
    a.outcome,
    answer(a),
    `${a.duration_ms} ms`,
    a.delivery_id,
  ]);
  const text = table(['TIME', 'ATTEMPT', 'EVENT TYPE', 'OUTCOME', 'ANSWER', 'DURATION', 'DELIVERY'], rows);
  return page.next_cursor ? `${text}\nMore: --cursor ${page.next_cursor}` : text;
}

const headerLines = (headers: Record<string, string> | null): string =>
  Object.entries(headers ?? {})
    .map(([name, value]) => `  ${name}: ${value}`)
    .join('\n');

function detailText(a: AttemptDetailOut): string {
  const summary = fields([
    ['Attempt', `${a.id} (#${a.attempt} of delivery ${a.delivery_id})`],
    ['Event', `${a.event_id} ${a.event_type}${a.test ? ' TEST' : ''}`],
    ['Outcome', a.outcome],
    ['Answer', answer(a)],
    ['Error', a.error_message ?? undefined],
    ['Duration', `${a.duration_ms} ms`],
    ['Time', a.created_at],
    ['Next retry', a.next_retry_at],
  ]);
  const response =
    a.response.status === null
      ? '(no response)'
      : `${a.response.status}\n${headerLines(a.response.headers)}\n\n${a.response.body ?? ''}${a.response.truncated ? '\n(truncated)' : ''}`;
  return `${summary}\n\nRequest\n${headerLines(a.request.headers)}\n\n${a.request.body}\n\nResponse ${response}`;
}

const limitArgument = (raw: string): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100)
    throw new InvalidArgumentError('expected 1 to 100');
  return value;
};

export function registerAttempts(program: Command): void {
  const attempts = program.command('attempts').description('The attempt log of a webhook (User API)');
  clientOptions(
    attempts
      .command('list <webhook-id>')
      .description('List delivery attempts, newest first')
      .option('--status <outcome>', 'succeeded or failed')
      .option('--type <type>', 'only this event type')
      .option('--limit <n>', 'at most this many (1–100, default 20)', limitArgument)
      .option('--cursor <cursor>', 'the next page (printed after a full page)'),
  ).action(
    async (webhookId: string, options: ClientOptions & Record<string, string | number | undefined>) => {
      const query = {
        status: options.status,
        type: options.type,
        limit: options.limit,
        cursor: options.cursor,
      };
      const page = await authedClient(options).listAttempts(
        webhookId,
        query as Record<string, string | number | undefined>,
      );
      print(options, page, () => listText(page, webhookId));
    },
  );
  clientOptions(
    attempts
      .command('get <webhook-id> <attempt-id>')
      .description('Show one attempt with its request and response'),
  ).action(async (webhookId: string, attemptId: string, options: ClientOptions) => {
    const attempt = await authedClient(options).getAttempt(webhookId, attemptId);
    print(options, attempt, () => detailText(attempt));
  });

  const deliveries = program.command('deliveries').description('Deliveries of a webhook (User API)');
  clientOptions(
    deliveries
      .command('resend <webhook-id> <delivery-id>')
      .description('Send a delivery again (same webhook-id header)'),
  ).action(async (webhookId: string, deliveryId: string, options: ClientOptions) => {
    const resent = await authedClient(options).resend(webhookId, deliveryId);
    print(options, resent, () => `Queued delivery ${deliveryId} of ${webhookId} again.`);
  });
}
