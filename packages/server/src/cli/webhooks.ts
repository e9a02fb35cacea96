// `klang-webhooks webhooks list|create|get|update|pause|resume|delete|test` over the User API.
import type { Command } from 'commander';
import type { WebhookOut } from './api-client.ts';
import { authedClient, type ClientOptions, clientOptions } from './context.ts';
import { fields, print, table } from './output.ts';

const eventList = (raw: string): string[] =>
  raw
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);

export function webhookText(webhook: WebhookOut): string {
  return fields([
    ['ID', webhook.id],
    ['URL', webhook.url],
    ['Description', webhook.description || undefined],
    ['Events', webhook.events.join(', ')],
    ['Status', webhook.status_reason ? `${webhook.status} (${webhook.status_reason})` : webhook.status],
    ['Failures in a row', webhook.consecutive_failures],
    ['Created', webhook.created_at],
    ['Updated', webhook.updated_at],
    ['Signing secret', webhook.secret],
  ]);
}

function listText(webhooks: WebhookOut[]): string {
  if (webhooks.length === 0)
    return 'No webhooks yet: create one with `klang-webhooks webhooks create --url …`.';
  return table(
    ['ID', 'STATUS', '24H OK/FAILED', 'EVENTS', 'URL'],
    webhooks.map((w) => [
      w.id,
      w.status,
      w.activity_24h ? `${w.activity_24h.succeeded}/${w.activity_24h.failed}` : '-',
      w.events.join(','),
      w.url,
    ]),
  );
}

interface EditOptions extends ClientOptions {
  url?: string;
  description?: string;
  events?: string[];
}

const editBody = (options: EditOptions) => ({
  ...(options.url !== undefined ? { url: options.url } : {}),
  ...(options.description !== undefined ? { description: options.description } : {}),
  ...(options.events !== undefined ? { events: options.events } : {}),
});

/** A command taking a webhook id that prints the webhook the server answers. */
function webhookCommand(
  group: Command,
  name: string,
  description: string,
  run: (client: ReturnType<typeof authedClient>, id: string, options: never) => Promise<WebhookOut>,
): Command {
  return clientOptions(group.command(`${name} <id>`).description(description)).action(
    async (id: string, options: ClientOptions) => {
      const webhook = await run(authedClient(options), id, options as never);
      print(options, webhook, () => webhookText(webhook));
    },
  );
}

export function registerWebhooks(program: Command): void {
  const group = program.command('webhooks').description('Manage your webhooks (User API)');

  clientOptions(group.command('list').description('List your webhooks with their last 24 hours')).action(
    async (options: ClientOptions) => {
      const page = await authedClient(options).listWebhooks();
      print(options, page, () => listText(page.data));
    },
  );

  clientOptions(
    group
      .command('create')
      .description('Create a webhook; prints its signing secret (shown once)')
      .requiredOption('--url <url>', 'HTTPS endpoint that receives the events')
      .option('--description <text>', 'free text for you')
      .option('--events <types>', 'comma-separated event types (default: all)', eventList),
  ).action(async (options: EditOptions & { url: string }) => {
    const webhook = await authedClient(options).createWebhook({ url: options.url, ...editBody(options) });
    print(options, webhook, () => webhookText(webhook));
  });

  webhookCommand(group, 'get', 'Show a webhook', (client, id) => client.getWebhook(id));

  webhookCommand(
    group,
    'update',
    'Change a webhook’s URL, description or event types',
    (client, id, options: EditOptions) => client.updateWebhook(id, editBody(options)),
  )
    .option('--url <url>', 'new endpoint URL')
    .option('--description <text>', 'new description')
    .option('--events <types>', 'comma-separated event types', eventList);

  webhookCommand(group, 'pause', 'Pause a webhook (events meanwhile are recorded as missed)', (client, id) =>
    client.pauseWebhook(id),
  );

  webhookCommand(
    group,
    'resume',
    'Resume a paused or auto-paused webhook',
    (client, id, options: { sendMissed?: boolean }) => client.resumeWebhook(id, options.sendMissed ?? false),
  ).option('--send-missed', 'also send the events missed while paused');

  clientOptions(group.command('delete <id>').description('Delete a webhook and its delivery history')).action(
    async (id: string, options: ClientOptions) => {
      await authedClient(options).deleteWebhook(id);
      print(options, { id, deleted: true }, () => `Deleted ${id}.`);
    },
  );

  clientOptions(
    group
      .command('test <id>')
      .description('Send a test event (evt_test_…) to a webhook')
      .option('--type <type>', 'event type (required when the webhook subscribes to several)'),
  ).action(async (id: string, options: ClientOptions & { type?: string }) => {
    const sent = await authedClient(options).testWebhook(id, options.type);
    print(
      options,
      sent,
      () => `Sent test event ${sent.event_id} to ${id}; see it with \`klang-webhooks attempts list ${id}\`.`,
    );
  });
}
