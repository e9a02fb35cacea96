// Host-declared accounts: users (plan, password, teams), teams and conversations with their shares.
// A changed password ends the user's sessions (API tokens stay).

import type { Repos } from '../db/repos/index.ts';
import { AppError, type ErrorDetail } from '../domain/errors.ts';
import type { Plan } from '../domain/webhook-status.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export interface UserInput {
  email: string;
  plan: Plan;
  password?: string | undefined;
  teamIds?: string[] | undefined;
}

export interface ConversationInput {
  ownerId: string;
  title?: string | null | undefined;
  url?: string | null | undefined;
  sharedWithUsers?: string[] | undefined;
  sharedWithTeams?: string[] | undefined;
}

function unknownIds(field: string, all: readonly string[], missing: readonly string[]): ErrorDetail[] {
  return missing.map((id) => ({
    field: `${field}[${all.indexOf(id)}]`,
    message: `unknown id ${JSON.stringify(id)}`,
  }));
}

export function createAccountsService({ repos }: { repos: Repos }) {
  const { accounts, conversations, sessions } = repos;

  /** The hash to store for `password`, or undefined when it is the user's current one (nothing changes). */
  async function newPasswordHash(id: string, password: string | undefined): Promise<string | undefined> {
    if (password === undefined) return undefined;
    const current = (await accounts.getUser(id))?.passwordHash;
    if (current && (await verifyPassword(current, password))) return undefined;
    return hashPassword(password);
  }

  async function assertKnown(field: string, table: 'users' | 'teams', ids: readonly string[] | undefined) {
    if (!ids || ids.length === 0) return [];
    return unknownIds(field, ids, await accounts.missingIds(table, ids));
  }

  return {
    async upsertUser(id: string, input: UserInput) {
      const details = await assertKnown('team_ids', 'teams', input.teamIds);
      if (details.length > 0)
        throw new AppError('validation_failed', 'team_ids names teams that do not exist.', details);
      const passwordHash = await newPasswordHash(id, input.password);
      const result = await accounts.upsertUser({
        id,
        email: input.email,
        plan: input.plan,
        passwordHash,
        teamIds: input.teamIds,
      });
      if (!result.ok) {
        throw new AppError('email_taken', `Another user already has the email ${input.email}.`, [
          { field: 'email', message: 'already used by another user' },
        ]);
      }
      // Whoever signed in with the old password is signed out.
      if (passwordHash !== undefined) await sessions.deleteAllForUser(id);
      return result.user;
    },

    async setPlanByEmail(email: string, plan: Plan) {
      const user = await accounts.getUserByEmail(email);
      if (!user) throw new AppError('not_found', `No user with the email ${email}.`);
      await accounts.setPlan(user.id, plan);
      return { ...user, plan };
    },

    upsertTeam: (id: string, name: string) => accounts.upsertTeam(id, name),

    async upsertConversation(id: string, input: ConversationInput) {
      const details = [
        ...(await assertKnown('owner_id', 'users', [input.ownerId])).map((d) => ({
          ...d,
          field: 'owner_id',
        })),
        ...(await assertKnown('shared_with_users', 'users', input.sharedWithUsers)),
        ...(await assertKnown('shared_with_teams', 'teams', input.sharedWithTeams)),
      ];
      if (details.length > 0)
        throw new AppError('validation_failed', 'The conversation names unknown users or teams.', details);
      return conversations.upsert({
        id,
        ownerId: input.ownerId,
        title: input.title ?? null,
        url: input.url ?? null,
        sharedWithUsers: input.sharedWithUsers ?? [],
        sharedWithTeams: input.sharedWithTeams ?? [],
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
