// The `klang-webhooks` command line: serve, migrate, users, tokens, events.
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerUserCommands } from './cli/index.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import type { Config } from './config/schema.ts';
import { connectDatabase } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { AppError } from './domain/errors.ts';
import { newId } from './domain/ids.ts';
import { PLANS, type Plan } from './domain/webhook-status.ts';
import { openContainer, type Role, serve } from './main.ts';

function config(): Config {
  return loadConfig();
}

const planOption = () =>
  new Option('--plan <plan>', 'free, pro or team').choices(PLANS as string[]).makeOptionMandatory();

/** Runs a command against an opened container and closes it. */
async function withContainer(run: (container: Awaited<ReturnType<typeof openContainer>>) => Promise<void>) {
  const container = await openContainer(config());
  try {
    await run(container);
  } finally {
    await container.close();
  }
}

export function buildCli(): Command {
  const program = new Command('klang-webhooks')
    .description('Klang Webhooks: signed, retried webhook delivery for Klang conversations.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('Run the service (API, UI and delivery worker by default)')
    .addOption(new Option('--role <role>', 'what this process runs').choices(['all', 'api', 'worker']))
    .action(async (options: { role?: Role }) => {
      const running = await serve(config(), options.role);
      const shutdown = (signal: string) => {
        process.stdout.write(`${signal} received, draining…\n`);
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });

  program
    .command('migrate')
    .description('Apply database migrations and exit')
    .action(async () => {
      const database = connectDatabase(config().databaseUrl);
      try {
        const applied = await migrateToLatest(database.db);
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
      } finally {
        await database.close();
      }
    });

  const users = program.command('users').description('Manage users (as the host product would)');
  users
    .command('create')
    .description('Create or replace a user')
    .requiredOption('--email <email>', 'email address')
    .addOption(planOption())
    .option('--password <password>', 'password for signing in to the web UI (8+ characters)')
    .option('--id <id>', 'user id (default: a new usr_… id)')
    .action(async (options: { email: string; plan: Plan; password?: string; id?: string }) =>
      withContainer(async ({ services }) => {
        if (options.password !== undefined && options.password.length < 8) {
          throw new InvalidArgumentError('--password must be at least 8 characters');
        }
        const user = await services.accounts.upsertUser(options.id ?? newId.user(), options);
        process.stdout.write(`${user.id} ${user.email} ${user.plan}\n`);
      }),
    );
  users
    .command('set-plan')
    .description("Change a user's plan")
    .requiredOption('--email <email>', 'email address')
    .addOption(planOption())
    .action(async (options: { email: string; plan: Plan }) =>
      withContainer(async ({ services }) => {
        const user = await services.accounts.setPlanByEmail(options.email, options.plan);
        process.stdout.write(`${user.id} ${user.email} ${user.plan}\n`);
      }),
    );

  program
    .command('tokens')
    .description('Manage API tokens')
    .command('create')
    .description('Create an API token for a user; prints only the token (shown once)')
    .requiredOption('--email <email>', "the token owner's email")
    .option('--name <name>', 'a name to recognise the token by', 'cli')
    .action(async (options: { email: string; name: string }) =>
      withContainer(async ({ repos, services }) => {
        const user = await repos.accounts.getUserByEmail(options.email);
        if (!user) throw new AppError('not_found', `No user with the email ${options.email}.`);
        const created = await services.auth.createToken(user.id, options.name);
        process.stdout.write(`${created.token}\n`);
      }),
    );

  program
    .command('events')
    .description('Publish events (as the host product would)')
    .command('publish')
    .description('Publish a conversation event')
    .requiredOption('--type <type>', 'conversation.ready, conversation.failed or conversation.deleted')
    .requiredOption('--conversation <id>', 'conversation id')
    .option('--idempotency-key <key>', 'the same key publishes once')
    .option('--error-code <code>', 'for conversation.failed')
    .option('--error-message <message>', 'for conversation.failed')
    .action(
      async (options: {
        type: string;
        conversation: string;
        idempotencyKey?: string;
        errorCode?: string;
        errorMessage?: string;
      }) =>
        withContainer(async ({ services }) => {
          const published = await services.ingest.publish({
            type: options.type,
            conversationId: options.conversation,
            idempotencyKey: options.idempotencyKey,
            error: options.errorCode
              ? { code: options.errorCode, message: options.errorMessage ?? '' }
              : undefined,
          });
          process.stdout.write(
            `${published.id} deliveries=${published.deliveries} missed=${published.missed}\n`,
          );
        }),
    );

  registerUserCommands(program);
  return program;
}

/** Runs the CLI; configuration errors exit 2 with one line, expected failures exit 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`klang-webhooks: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof AppError || error instanceof InvalidArgumentError) {
      process.stderr.write(`klang-webhooks: ${error.message}\n`);
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(
        `klang-webhooks: cannot listen: ${(error as Error).message}; set KLANG_PORT to a free port\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`klang-webhooks: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  }
}
