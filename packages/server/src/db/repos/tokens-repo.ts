// API tokens: one row per token with only its SHA-256 hash; lookup by hash joins the owner.
import type { Kysely } from 'kysely';
import type { TokenId } from '../../domain/ids.ts';
import type { Plan } from '../../domain/webhook-status.ts';
import type { Database } from '../tables.ts';
import type { Page } from './page.ts';

export interface ApiToken {
  id: TokenId;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface TokenOwner {
  tokenId: TokenId;
  lastUsedAt: number | null;
  user: { id: string; email: string; plan: Plan };
}

export interface NewApiToken {
  id: TokenId;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: number;
}

const toToken = (row: {
  id: string;
  user_id: string;
  name: string;
  created_at: number | string;
  last_used_at: number | string | null;
}): ApiToken => ({
  id: row.id as TokenId,
  userId: row.user_id,
  name: row.name,
  createdAt: new Date(Number(row.created_at)),
  lastUsedAt: row.last_used_at === null ? null : new Date(Number(row.last_used_at)),
});

export function createTokensRepo(db: Kysely<Database>) {
  return {
    async insert(token: NewApiToken): Promise<ApiToken> {
      const row = {
        id: token.id,
        user_id: token.userId,
        name: token.name,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        last_used_at: null,
      };
      await db.insertInto('api_tokens').values(row).execute();
      return toToken(row);
    },

    async countForUser(userId: string): Promise<number> {
      const row = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The user's tokens, newest first. */
    async listForUser(userId: string): Promise<ApiToken[]> {
      const rows = await db
        .selectFrom('api_tokens')
        .select(['id', 'user_id', 'name', 'created_at', 'last_used_at'])
        .where('user_id', '=', userId)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toToken);
    },

    /** One page of the user's tokens, newest first, starting after (older than) the id `before`. */
    async pageForUser(
      userId: string,
      query: { before?: string | undefined; limit: number },
    ): Promise<Page<ApiToken>> {
      let select = db
        .selectFrom('api_tokens')
        .select(['id', 'user_id', 'name', 'created_at', 'last_used_at'])
        .where('user_id', '=', userId);
      if (query.before !== undefined) select = select.where('id', '<', query.before);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return { items: rows.slice(0, query.limit).map(toToken), more: rows.length > query.limit };
    },

    /** The token with this hash and its owner, or undefined. */
    async findByHash(tokenHash: string): Promise<TokenOwner | undefined> {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select([
          'api_tokens.id as token_id',
          'api_tokens.last_used_at',
          'users.id as user_id',
          'users.email',
          'users.plan',
        ])
        .where('api_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        tokenId: row.token_id as TokenId,
        lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
        user: { id: row.user_id, email: row.email, plan: row.plan },
      };
    },

    async touch(id: TokenId, now: number): Promise<void> {
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    /** Deletes the token when it belongs to the user; false otherwise. */
    async deleteForUser(userId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('api_tokens')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
