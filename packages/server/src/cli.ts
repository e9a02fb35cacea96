// The `klang-webhooks` command line: serve, migrate, users, tokens, events, and the operator's
// backup, doctor and rotate-secret-key. The service modules are
// loaded by the command that needs them, so `--help` and argument errors answer at once.
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerUserCommands } from './cli/index.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import type { Config } from './config/schema.ts';
import type { Container } from './container.ts';
import { AppError } from './domain/errors.ts';
import { newId } from './domain/ids.ts';
import { PLANS, type Plan } from './domain/webhook-status.ts';
import type { Role } from './main.ts';

function config(): Config {
  return loadConfig();
}

const planOption = () =>
  new Option('--plan <plan>', 'free, pro or team').choices(PLANS as string[]).makeOptionMandatory();

/** Runs a command against an opened container and closes it. */
async function withContainer(run: (container: Container) => Promise<void>) {
  const { openContainer } = await import('./main.ts');
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
      const { serve } = await import('./main.ts');
      // Handlers first: a signal that arrives while the service starts (its banner may already be
      // out) is kept and acted on once it runs, instead of killing the process half-started.
      let running: Awaited<ReturnType<typeof serve>> | undefined;
      let received: string | undefined;
      const shutdown = (signal: string) => {
        received ??= signal;
        if (!running) return;
        process.stdout.write(`${received} received, draining…\n`);
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      running = await serve(config(), options.role);
      if (received) shutdown(received);
    });

  program
    .command('migrate')
    .description('Apply database migrations and exit')
    .action(async () => {
      const { connectDatabase } = await import('./db/connect.ts');
      const { migrateToLatest } = await import('./db/migrate.ts');
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

  program
    .command('backup')
    .description('Copy the embedded SQLite database to <file> while the service runs (online backup)')
    .argument('<file>', 'the new backup file (must not exist)')
    .action(async (file: string) => {
      const { BackupRefused, backupDatabase } = await import('./db/backup.ts');
      try {
        const { pages } = await backupDatabase(config().databaseUrl, file);
        process.stdout.write(
          `Backed up ${pages} pages to ${file}. Keep the secret key (secret.key in the data dir, or KLANG_SECRET_KEY) with it.\n`,
        );
      } catch (error) {
        if (error instanceof BackupRefused) throw new AppError('conflict', error.message);
        throw error;
      }
    });

  program
    .command('doctor')
    .description('Check configuration, database, migrations, workers, clock and DNS; exit 1 on a failure')
    .action(async () => {
      const settings = config();
      const { isEmbedded, resolveSecrets } = await import('./bootstrap.ts');
      if (!isEmbedded(settings)) resolveSecrets(settings);
      const { connectDatabase } = await import('./db/connect.ts');
      const { runDoctor } = await import('./services/doctor.ts');
      const database = connectDatabase(settings.databaseUrl);
      try {
        const findings = await runDoctor(database);
        for (const { check, verdict, message } of findings)
          process.stdout.write(`${verdict.padEnd(4)} ${check.padEnd(10)} ${message}\n`);
        if (findings.some((finding) => finding.verdict === 'fail')) process.exitCode = 1;
      } finally {
        await database.close();
      }
    });

  program
    .command('rotate-secret-key')
    .description(
      'Re-encrypt every signing secret under a new KLANG_SECRET_KEY (resumable: run it again after an interruption)',
    )
    .requiredOption('--new-key-file <file>', 'a file holding the new key: 64 hex characters or base64')
    .action(async (options: { newKeyFile: string }) => {
      const { readFileSync } = await import('node:fs');
      const { configSchema } = await import('./config/schema.ts');
      const newKey = configSchema.secretKey.parse(readFileSync(options.newKeyFile, 'utf8'));
      if (!newKey)
        throw new InvalidArgumentError('--new-key-file must hold 32 bytes as 64 hex characters or base64');
      const settings = config();
      const { replaceSecretKeyFile, resolveSecrets } = await import('./bootstrap.ts');
      const { connectDatabase } = await import('./db/connect.ts');
      const { createSecretRotationRepo } = await import('./db/repos/secret-rotation-repo.ts');
      const { createSecretBox } = await import('./domain/secrets.ts');
      const { rotateSecretKey } = await import('./services/secret-rotation.ts');
      const from = createSecretBox(resolveSecrets(settings).secretKey);
      const database = connectDatabase(settings.databaseUrl);
      try {
        const report = await rotateSecretKey(
          createSecretRotationRepo(database.db),
          from,
          createSecretBox(newKey),
        );
        process.stdout.write(
          `Re-encrypted ${report.rotated}, already under the new key ${report.alreadyRotated}, changed during the run ${report.changedDuringRun}, unreadable ${report.unreadable.length}${report.unreadable.length ? ` (${report.unreadable.join(', ')})` : ''}.\n`,
        );
        if (report.changedDuringRun > 0) {
          process.exitCode = 1;
          process.stdout.write('Run the command again to finish.\n');
          return;
        }
        const file = replaceSecretKeyFile(settings, newKey);
        process.stdout.write(
          file
            ? `The new key is now in ${file}; restart the service.\n`
            : 'Now set KLANG_SECRET_KEY to the new key on every process and restart them.\n',
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
