// Conversations, their direct and team shares, and the access rule "who can see this conversation".
import type { Kysely } from 'kysely';
import { coalescedLookup } from '../coalesced-lookup.ts';
import type { Database } from '../tables.ts';

export interface Conversation {
  id: string;
  ownerId: string;
  title: string | null;
  url: string | null;
  sharedWithUsers: string[];
  sharedWithTeams: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** What an event payload says of a conversation. */
export interface ConversationRef {
  id: string;
  title: string | null;
  url: string | null;
}

export type UpsertConversation = Omit<Conversation, 'createdAt' | 'updatedAt'>;

/** Users who can see a conversation: its owner, users it is shared with, members of teams it is shared with. */
export function usersWithAccess(db: Kysely<Database>, conversationId: string) {
  return db
    .selectFrom('conversations')
    .select('owner_id as user_id')
    .where('id', '=', conversationId)
    .union(
      db
        .selectFrom('conversation_user_shares')
        .select('user_id')
        .where('conversation_id', '=', conversationId),
    )
    .union(
      db
        .selectFrom('conversation_team_shares as cts')
        .innerJoin('team_members as tm', 'tm.team_id', 'cts.team_id')
        .select('tm.user_id')
        .where('cts.conversation_id', '=', conversationId),
    );
}

export function createConversationsRepo(db: Kysely<Database>) {
  /** Title and url of each of the conversations that exist, by id (one query for up to 500 ids). */
  async function getRefs(ids: readonly string[]): Promise<Map<string, ConversationRef>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('conversations')
      .select(['id', 'title', 'url'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((row) => [row.id, row]));
  }
  const getRef = coalescedLookup(getRefs);

  return {
    async get(id: string): Promise<Conversation | undefined> {
      const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const [users, teams] = await Promise.all([
        db
          .selectFrom('conversation_user_shares')
          .select('user_id')
          .where('conversation_id', '=', id)
          .orderBy('user_id')
          .execute(),
        db
          .selectFrom('conversation_team_shares')
          .select('team_id')
          .where('conversation_id', '=', id)
          .orderBy('team_id')
          .execute(),
      ]);
      return {
        id: row.id,
        ownerId: row.owner_id,
        title: row.title,
        url: row.url,
        sharedWithUsers: users.map((u) => u.user_id),
        sharedWithTeams: teams.map((t) => t.team_id),
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
      };
    },

    /** Creates or replaces a conversation and its shares (PUT semantics) in one transaction. */
    async upsert(input: UpsertConversation, now = Date.now()): Promise<Conversation> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('conversations')
          .values({
            id: input.id,
            owner_id: input.ownerId,
            title: input.title,
            url: input.url,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet({ owner_id: input.ownerId, title: input.title, url: input.url, updated_at: now }),
          )
          .execute();
        await trx.deleteFrom('conversation_user_shares').where('conversation_id', '=', input.id).execute();
        await trx.deleteFrom('conversation_team_shares').where('conversation_id', '=', input.id).execute();
        const users = [...new Set(input.sharedWithUsers)];
        const teams = [...new Set(input.sharedWithTeams)];
        if (users.length > 0) {
          await trx
            .insertInto('conversation_user_shares')
            .values(users.map((user_id) => ({ conversation_id: input.id, user_id })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        if (teams.length > 0) {
          await trx
            .insertInto('conversation_team_shares')
            .values(teams.map((team_id) => ({ conversation_id: input.id, team_id })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      });
      return (await this.get(input.id))!;
    },

    /**
     * What an event payload says of a conversation; the lookups of one turn of the event loop share
     * one query (publishes arrive together).
     */
    getRef,

    /** Title and url of each of the conversations that exist, by id (one query for up to 500 ids). */
    getRefs,

    /** True when the user can see the conversation now. */
    async hasAccess(userId: string, conversationId: string): Promise<boolean> {
      const row = await db
        .selectFrom(usersWithAccess(db, conversationId).as('a'))
        .select('a.user_id')
        .where('a.user_id', '=', userId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
