// A running engine over a fresh test database, with helpers to set up owners, conversations and
// webhooks, publish events through the ingest service and read deliveries, attempts and stats.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../../src/config/load-config.ts';
import { type Container, createContainer } from '../../../src/container.ts';
import type { EventType } from '../../../src/domain/event-catalog.ts';
import { type Engine, type EngineOptions, startEngine } from '../../../src/engine/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { type DatabaseKind, openTestDatabase, type TestDatabase } from '../../support/databases.ts';
import {
  insertConversation,
  insertUser,
  insertWebhook,
  type WebhookFixture,
} from '../../support/fixtures.ts';
import { waitFor } from './receiver.ts';

export interface EngineHarness {
  container: Container;
  database: TestDatabase;
  engine: Engine;
  /** A pro owner, a conversation they own and a webhook pointing at `url`. */
  setup(url: string, options?: { plan?: 'pro' | 'team' }): Promise<Setup>;
  publish(conversationId: string, type?: EventType): Promise<string>;
  delivery(eventId: string, webhookId: string): Promise<DeliveryView>;
  attempts(webhookId: string): Promise<AttemptView[]>;
  webhook(
    id: string,
  ): Promise<{ status: string; status_reason: string | null; consecutive_failures: number }>;
  /** Waits until the delivery reaches one of the statuses. */
  settled(eventId: string, webhookId: string, statuses?: string[], timeoutMs?: number): Promise<DeliveryView>;
  /** Lines the engine logged at warn and above, parsed. */
  warnings: Record<string, unknown>[];
  stopEngine(): Promise<void>;
  restartEngine(options?: EngineOptions): Promise<void>;
  dispose(): Promise<void>;
}

export interface Setup {
  userId: string;
  conversationId: string;
  webhook: WebhookFixture;
}

export interface DeliveryView {
  id: string;
  status: string;
  status_reason: string | null;
  attempts: number;
  next_attempt_at: number;
  locked_by: string | null;
}

export interface AttemptView {
  id: string;
  delivery_id: string;
  attempt: number;
  outcome: string;
  error: string | null;
  error_message: string | null;
  response_status: number | null;
  response_body: string | null;
  response_truncated: number;
  duration_ms: number;
  request_headers: string;
  request_signature: string | null;
  next_retry_at: number | null;
  created_at: number;
  test: number;
}

export const TEST_ENV = {
  KLANG_LOG_LEVEL: 'silent',
  KLANG_ALLOW_PRIVATE_TARGETS: 'true',
  KLANG_POLL_INTERVAL: '200ms',
  KLANG_RETRY_SCHEDULE: '10ms,20ms,40ms,80ms,160ms,320ms',
};

export async function startHarness(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  options: EngineOptions = {},
): Promise<EngineHarness> {
  const database = await openTestDatabase(kind);
  const config = loadConfig({ ...TEST_ENV, ...env });
  const warnings: Record<string, unknown>[] = [];
  const logger =
    config.logLevel === 'silent'
      ? pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) })
      : createLogger(config.logLevel);
  const container = await createContainer({
    config,
    logger,
    secretKey: randomBytes(32),
    ingestToken: 'test-ingest-token-0123456789',
    database,
    migrate: false,
  });
  const { db } = database;
  let engine: Engine | undefined = await startEngine(container, options);

  const harness: EngineHarness = {
    container,
    database,
    warnings,
    get engine() {
      if (!engine) throw new Error('the engine is stopped');
      return engine;
    },
    async setup(url, setupOptions = {}) {
      const userId = await insertUser(db, setupOptions.plan ?? 'pro');
      const conversationId = await insertConversation(db, userId);
      const webhook = await insertWebhook(db, container.secretBox, userId, { url });
      return { userId, conversationId, webhook };
    },
    async publish(conversationId, type = 'conversation.ready') {
      const published = await container.services.ingest.publish({ type, conversationId });
      return published.id;
    },
    async delivery(eventId, webhookId) {
      const row = await db
        .selectFrom('deliveries')
        .select(['id', 'status', 'status_reason', 'attempts', 'next_attempt_at', 'locked_by'])
        .where('event_id', '=', eventId)
        .where('webhook_id', '=', webhookId)
        .executeTakeFirstOrThrow();
      return { ...row, attempts: Number(row.attempts), next_attempt_at: Number(row.next_attempt_at) };
    },
    async attempts(webhookId) {
      const rows = await db
        .selectFrom('attempts')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at')
        .orderBy('attempt')
        .execute();
      return rows.map((row) => ({
        ...row,
        attempt: Number(row.attempt),
        duration_ms: Number(row.duration_ms),
        response_status: row.response_status === null ? null : Number(row.response_status),
        next_retry_at: row.next_retry_at === null ? null : Number(row.next_retry_at),
        created_at: Number(row.created_at),
        response_truncated: Number(row.response_truncated),
        test: Number(row.test),
      }));
    },
    async webhook(id) {
      const row = await db
        .selectFrom('webhooks')
        .select(['status', 'status_reason', 'consecutive_failures'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { ...row, consecutive_failures: Number(row.consecutive_failures) };
    },
    async settled(eventId, webhookId, statuses = ['succeeded', 'failed', 'cancelled'], timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const row = await harness.delivery(eventId, webhookId);
          return statuses.includes(row.status) ? row : undefined;
        },
        timeoutMs,
        `delivery to reach ${statuses.join('/')}`,
      );
    },
    async stopEngine() {
      await engine?.stop();
      engine = undefined;
    },
    async restartEngine(restartOptions = options) {
      await engine?.stop();
      engine = await startEngine(container, restartOptions);
    },
    async dispose() {
      await engine?.stop();
      engine = undefined;
      await container.close();
      await database.dispose();
    },
  };
  return harness;
}
