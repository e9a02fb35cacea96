// PUT users, teams and conversations: idempotent upserts declared by the host product.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import type { Team, User } from '../../../db/repos/accounts-repo.ts';
import type { Conversation } from '../../../db/repos/conversations-repo.ts';
import { errorResponses } from '../../schemas/common.ts';
import {
  ConversationIn,
  ConversationOut,
  HostIdParams,
  TeamIn,
  TeamOut,
  UserIn,
  UserOut,
} from '../../schemas/host.ts';

const tags = ['Host API'];
const security = [{ bearer: [] }];

const userOut = (user: User) => ({
  id: user.id,
  email: user.email,
  plan: user.plan,
  team_ids: user.teamIds,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
});

const teamOut = (team: Team) => ({
  id: team.id,
  name: team.name,
  member_ids: team.memberIds,
  created_at: team.createdAt.toISOString(),
  updated_at: team.updatedAt.toISOString(),
});

const conversationOut = (c: Conversation) => ({
  id: c.id,
  owner_id: c.ownerId,
  title: c.title,
  url: c.url,
  shared_with_users: c.sharedWithUsers,
  shared_with_teams: c.sharedWithTeams,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

export const hostAccountRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    app.put(
      '/users/:id',
      {
        schema: {
          operationId: 'upsertUser',
          tags,
          security,
          summary: 'Create or replace a user (plan, password, team memberships)',
          params: HostIdParams,
          body: UserIn,
          response: { 200: UserOut, ...errorResponses(400, 401, 409, 413, 415, 422) },
        },
      },
      async (request) => {
        const { email, plan, password, team_ids } = request.body;
        return userOut(
          await services.accounts.upsertUser(request.params.id, { email, plan, password, teamIds: team_ids }),
        );
      },
    );

    app.put(
      '/teams/:id',
      {
        schema: {
          operationId: 'upsertTeam',
          tags,
          security,
          summary: 'Create or rename a team',
          params: HostIdParams,
          body: TeamIn,
          response: { 200: TeamOut, ...errorResponses(400, 401, 413, 415, 422) },
        },
      },
      async (request) => teamOut(await services.accounts.upsertTeam(request.params.id, request.body.name)),
    );

    app.put(
      '/conversations/:id',
      {
        schema: {
          operationId: 'upsertConversation',
          tags,
          security,
          summary: 'Create or replace a conversation and who it is shared with',
          params: HostIdParams,
          body: ConversationIn,
          response: { 200: ConversationOut, ...errorResponses(400, 401, 413, 415, 422) },
        },
      },
      async (request) => {
        const { owner_id, title, url, shared_with_users, shared_with_teams } = request.body;
        const conversation = await services.accounts.upsertConversation(request.params.id, {
          ownerId: owner_id,
          title,
          url,
          sharedWithUsers: shared_with_users,
          sharedWithTeams: shared_with_teams,
        });
        return conversationOut(conversation);
      },
    );
  };
