// Rows for tests, written straight through Kysely: users, teams, conversations, webhooks.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/tables.ts';
import type { EventType } from '../../src/domain/event-catalog.ts';
import { newId } from '../../src/domain/ids.ts';
import { generateSigningSecret, type SecretBox } from '../../src/domain/secrets.ts';

export async function insertUser(
  db: Kysely<Database>,
  plan: 'free' | 'pro' | 'team' = 'pro',
  id: string = newId.user(),
) {
  const now = Date.now();
  await db
    .insertInto('users')
    .values({ id, email: `${id}@example.com`, plan, password_hash: null, created_at: now, updated_at: now })
    .execute();
  return id;
}

export async function insertTeam(db: Kysely<Database>, memberIds: string[], id: string = newId.team()) {
  const now = Date.now();
  await db.insertInto('teams').values({ id, name: id, created_at: now, updated_at: now }).execute();
  if (memberIds.length > 0) {
    await db
      .insertInto('team_members')
      .values(memberIds.map((user_id) => ({ team_id: id, user_id })))
      .execute();
  }
  return id;
}

export async function insertConversation(
  db: Kysely<Database>,
  ownerId: string,
  shares: { users?: string[]; teams?: string[] } = {},
  id = `conv_${Math.random().toString(36).slice(2, 10)}`,
) {
  const now = Date.now();
  await db
    .insertInto('conversations')
    .values({
      id,
      owner_id: ownerId,
      title: 'Weekly sync',
      url: `https://app.klang.example/c/${id}`,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const user_id of shares.users ?? []) {
    await db.insertInto('conversation_user_shares').values({ conversation_id: id, user_id }).execute();
  }
  for (const team_id of shares.teams ?? []) {
    await db.insertInto('conversation_team_shares').values({ conversation_id: id, team_id }).execute();
  }
  return id;
}

export interface WebhookFixture {
  id: string;
  secret: string;
}

export async function insertWebhook(
  db: Kysely<Database>,
  secretBox: SecretBox,
  userId: string,
  options: { url?: string; events?: EventType[]; status?: 'active' | 'paused' | 'auto_paused' } = {},
): Promise<WebhookFixture> {
  const now = Date.now();
  const id = newId.webhook();
  const secret = generateSigningSecret();
  await db
    .insertInto('webhooks')
    .values({
      id,
      user_id: userId,
      url: options.url ?? 'https://receiver.example/hook',
      description: '',
      events: JSON.stringify(
        options.events ?? ['conversation.ready', 'conversation.failed', 'conversation.deleted'],
      ),
      status: options.status ?? 'active',
      status_reason: null,
      status_changed_at: null,
      consecutive_failures: 0,
      secret_enc: secretBox.seal(secret),
      previous_secret_enc: null,
      previous_secret_expires_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, secret };
}
