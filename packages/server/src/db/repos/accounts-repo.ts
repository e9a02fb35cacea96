// Users, teams and memberships as the host product declares them.
import type { Kysely } from 'kysely';
import type { Plan } from '../../domain/webhook-status.ts';
import type { Database, UserRow } from '../tables.ts';
import { isUniqueViolation } from '../unique-violation.ts';

export interface User {
  id: string;
  email: string;
  plan: Plan;
  passwordHash: string | null;
  teamIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Team {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface UpsertUser {
  id: string;
  email: string;
  plan: Plan;
  /** Undefined keeps the current hash. */
  passwordHash?: string | undefined;
  /** Undefined keeps the current memberships. */
  teamIds?: string[] | undefined;
}

export type UpsertUserResult = { ok: true; user: User } | { ok: false; reason: 'email_taken' };

const toUser = (row: UserRow, teamIds: string[]): User => ({
  id: row.id,
  email: row.email,
  plan: row.plan,
  passwordHash: row.password_hash,
  teamIds,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export function createAccountsRepo(db: Kysely<Database>) {
  async function teamIdsOf(executor: Kysely<Database>, userId: string): Promise<string[]> {
    const rows = await executor
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', userId)
      .orderBy('team_id')
      .execute();
    return rows.map((r) => r.team_id);
  }

  async function findUser(
    executor: Kysely<Database>,
    column: 'id' | 'email',
    value: string,
  ): Promise<User | undefined> {
    const row = await executor.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? toUser(row, await teamIdsOf(executor, row.id)) : undefined;
  }

  /** One try of upsertUser; a unique violation on email is left to the caller. */
  function upsertUserOnce(input: UpsertUser, now: number): Promise<UpsertUserResult> {
    const email = input.email.toLowerCase();
    return db.transaction().execute(async (trx) => {
      const holder = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (holder && holder.id !== input.id) return { ok: false as const, reason: 'email_taken' as const };
      const passwordHash = input.passwordHash !== undefined ? { password_hash: input.passwordHash } : {};
      await trx
        .insertInto('users')
        .values({
          id: input.id,
          email,
          plan: input.plan,
          password_hash: input.passwordHash ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ email, plan: input.plan, updated_at: now, ...passwordHash }),
        )
        .execute();
      if (input.teamIds !== undefined) {
        await trx.deleteFrom('team_members').where('user_id', '=', input.id).execute();
        const teamIds = [...new Set(input.teamIds)];
        if (teamIds.length > 0) {
          await trx
            .insertInto('team_members')
            .values(teamIds.map((team_id) => ({ team_id, user_id: input.id })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
      return { ok: true as const, user: (await findUser(trx, 'id', input.id))! };
    });
  }

  return {
    getUser: (id: string) => findUser(db, 'id', id),
    getUserByEmail: (email: string) => findUser(db, 'email', email.toLowerCase()),

    async countUsers(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Returns the ids among `ids` that name no existing row of `table`. */
    async missingIds(table: 'users' | 'teams', ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom(table)
        .select('id')
        .where('id', 'in', [...ids])
        .execute();
      const found = new Set(rows.map((r) => r.id));
      return ids.filter((id) => !found.has(id));
    },

    /** Creates or replaces a user; memberships are replaced when teamIds is given. Safe under concurrency. */
    async upsertUser(input: UpsertUser, now = Date.now()): Promise<UpsertUserResult> {
      // A unique violation on email comes from another user taking it between the check and the write,
      // or (PostgreSQL) from a concurrent first insert of this same user: the next try tells them apart.
      for (let attempt = 1; ; attempt++) {
        try {
          return await upsertUserOnce(input, now);
        } catch (error) {
          if (!isUniqueViolation(error, 'email')) throw error;
          if (attempt >= 3) return { ok: false, reason: 'email_taken' };
        }
      }
    },

    async setPlan(userId: string, plan: Plan, now = Date.now()): Promise<boolean> {
      const result = await db
        .updateTable('users')
        .set({ plan, updated_at: now })
        .where('id', '=', userId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async upsertTeam(id: string, name: string, now = Date.now()): Promise<Team> {
      await db
        .insertInto('teams')
        .values({ id, name, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name, updated_at: now }))
        .execute();
      return (await this.getTeam(id))!;
    },

    async getTeam(id: string): Promise<Team | undefined> {
      const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const members = await db
        .selectFrom('team_members')
        .select('user_id')
        .where('team_id', '=', id)
        .orderBy('user_id')
        .execute();
      return {
        id: row.id,
        name: row.name,
        memberIds: members.map((m) => m.user_id),
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
      };
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
