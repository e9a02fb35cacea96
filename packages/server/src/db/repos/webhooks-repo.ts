// Webhooks as their owner manages them: CRUD scoped by owner, status changes, sealed signing secrets
// (the previous one kept for an overlap window after rotation) and the per-user limit.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import type { Database, WebhookRow } from '../tables.ts';
import { deleteWebhookRows } from './cascades.ts';
import type { Page } from './page.ts';

export type StoredStatus = WebhookRow['status'];

export interface Webhook {
  id: string;
  userId: string;
  url: string;
  description: string;
  events: string[];
  status: StoredStatus;
  statusReason: string | null;
  statusChangedAt: Date | null;
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhook {
  id: string;
  userId: string;
  url: string;
  description: string;
  events: string[];
  secretEnc: string;
  /** `listening` for a development endpoint of `klang-webhooks listen`; default `active`. */
  status?: 'active' | 'listening';
}

export interface WebhookPatch {
  url?: string | undefined;
  description?: string | undefined;
  events?: string[] | undefined;
}

export interface SealedSecrets {
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: number | null;
}

export type CreateResult = { ok: true; webhook: Webhook } | { ok: false; reason: 'limit_reached' };

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  userId: row.user_id,
  url: row.url,
  description: row.description,
  events: JSON.parse(row.events) as string[],
  status: row.status,
  statusReason: row.status_reason,
  statusChangedAt: row.status_changed_at === null ? null : new Date(Number(row.status_changed_at)),
  consecutiveFailures: Number(row.consecutive_failures),
  createdAt: new Date(Number(row.created_at)),
  updatedAt: new Date(Number(row.updated_at)),
});

export function createWebhooksRepo(db: Kysely<Database>, dialect: Dialect) {
  async function find(executor: Kysely<Database>, userId: string, id: string) {
    const row = await executor
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toWebhook(row) : undefined;
  }

  return {
    /** The webhook if it exists and belongs to userId; otherwise undefined (never tells which). */
    get: (userId: string, id: string) => find(db, userId, id),

    /** The owner's webhooks, oldest first. */
    async list(userId: string): Promise<Webhook[]> {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
      return rows.map(toWebhook);
    },

    /** One page of the owner's webhooks, oldest first, starting after the id `after`. */
    async page(userId: string, query: { after?: string | undefined; limit: number }): Promise<Page<Webhook>> {
      let select = db.selectFrom('webhooks').selectAll().where('user_id', '=', userId);
      if (query.after !== undefined) select = select.where('id', '>', query.after);
      const rows = await select
        .orderBy('id')
        .limit(query.limit + 1)
        .execute();
      return { items: rows.slice(0, query.limit).map(toWebhook), more: rows.length > query.limit };
    },

    /**
     * Inserts a webhook unless the owner already has `limit`. The owner's row is locked (PostgreSQL)
     * or the database is (SQLite) so concurrent creates cannot pass the limit together.
     */
    async create(input: NewWebhook, limit: number, now = Date.now()): Promise<CreateResult> {
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') {
          await trx.selectFrom('users').select('id').where('id', '=', input.userId).forUpdate().execute();
        }
        const existing = await trx
          .selectFrom('webhooks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', input.userId)
          .executeTakeFirstOrThrow();
        if (Number(existing.n) >= limit) return { ok: false as const, reason: 'limit_reached' as const };
        await trx
          .insertInto('webhooks')
          .values({
            id: input.id,
            user_id: input.userId,
            url: input.url,
            description: input.description,
            events: JSON.stringify(input.events),
            status: input.status ?? 'active',
            status_reason: null,
            status_changed_at: null,
            consecutive_failures: 0,
            secret_enc: input.secretEnc,
            previous_secret_enc: null,
            previous_secret_expires_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        return { ok: true as const, webhook: (await find(trx, input.userId, input.id))! };
      });
    },

    async update(userId: string, id: string, patch: WebhookPatch, now = Date.now()) {
      await db
        .updateTable('webhooks')
        .set({
          updated_at: now,
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
        })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .execute();
      return find(db, userId, id);
    },

    /** Deletes the webhook with its deliveries, attempts (cascades.ts) and stats (cascade). */
    async remove(userId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('webhooks')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (result.numDeletedRows === 0n) return false;
        await deleteWebhookRows(trx, id);
        return true;
      });
    },

    /** Pauses by hand (also an auto-paused webhook); pausing a paused webhook changes nothing. */
    async pause(userId: string, id: string, reason: string, now = Date.now()) {
      await db
        .updateTable('webhooks')
        .set({ status: 'paused', status_reason: reason, status_changed_at: now, updated_at: now })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('status', '!=', 'paused')
        .execute();
      return find(db, userId, id);
    },

    /** Makes the webhook active; leaving auto_paused also resets the failure count. */
    async resume(userId: string, id: string, now = Date.now()) {
      return db.transaction().execute(async (trx) => {
        const current = await find(trx, userId, id);
        if (!current || current.status === 'active') return current;
        await trx
          .updateTable('webhooks')
          .set({
            status: 'active',
            status_reason: null,
            status_changed_at: now,
            updated_at: now,
            // Resuming means the endpoint was looked at: the failure count starts over, also for a
            // webhook that was auto-paused and then paused by hand.
            consecutive_failures: 0,
          })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .execute();
        return find(trx, userId, id);
      });
    },

    async getSecrets(userId: string, id: string): Promise<SealedSecrets | undefined> {
      const row = await db
        .selectFrom('webhooks')
        .select(['secret_enc', 'previous_secret_enc', 'previous_secret_expires_at'])
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row
        ? {
            secretEnc: row.secret_enc,
            previousSecretEnc: row.previous_secret_enc,
            previousSecretExpiresAt:
              row.previous_secret_expires_at === null ? null : Number(row.previous_secret_expires_at),
          }
        : undefined;
    },

    /** Replaces the secret; the current one stays valid (signs too) until `previousExpiresAt`. */
    async rotateSecret(
      userId: string,
      id: string,
      newSecretEnc: string,
      previousExpiresAt: number,
      now = Date.now(),
    ): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('webhooks')
          .select('secret_enc')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (!row) return false;
        await trx
          .updateTable('webhooks')
          .set({
            secret_enc: newSecretEnc,
            previous_secret_enc: row.secret_enc,
            previous_secret_expires_at: previousExpiresAt,
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        return true;
      });
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
