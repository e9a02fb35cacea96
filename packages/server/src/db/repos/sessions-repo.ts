// Browser sessions: hashes of the session and CSRF tokens, with last-seen and absolute expiry times.
import type { Kysely } from 'kysely';
import type { SessionId } from '../../domain/ids.ts';
import type { Plan } from '../../domain/webhook-status.ts';
import type { Database } from '../tables.ts';

export interface NewSession {
  id: SessionId;
  userId: string;
  tokenHash: string;
  csrfHash: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionWithOwner {
  id: SessionId;
  csrfHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  user: { id: string; email: string; plan: Plan };
}

export function createSessionsRepo(db: Kysely<Database>) {
  return {
    async insert(session: NewSession): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          token_hash: session.tokenHash,
          csrf_hash: session.csrfHash,
          created_at: session.createdAt,
          last_seen_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    /** The session with this token hash and its owner, expired or not; undefined when unknown. */
    async findByHash(tokenHash: string): Promise<SessionWithOwner | undefined> {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id',
          'sessions.csrf_hash',
          'sessions.created_at',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'users.id as user_id',
          'users.email',
          'users.plan',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id as SessionId,
        csrfHash: row.csrf_hash,
        createdAt: Number(row.created_at),
        lastSeenAt: Number(row.last_seen_at),
        expiresAt: Number(row.expires_at),
        user: { id: row.user_id, email: row.email, plan: row.plan },
      };
    },

    async touch(id: SessionId, now: number): Promise<void> {
      await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    },

    async delete(id: SessionId): Promise<boolean> {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Ends every session of the user (after a password change); returns how many there were. */
    async deleteAllForUser(userId: string): Promise<number> {
      const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Removes the user's sessions that are past their absolute expiry or idle since `idleBefore`. */
    async deleteExpiredForUser(userId: string, now: number, idleBefore: number): Promise<number> {
      const result = await db
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
