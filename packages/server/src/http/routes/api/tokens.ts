// API tokens of the caller: create (the token is shown once), list, revoke.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../../container.ts';
import {
  readSecurity,
  TokenCreatedOut,
  TokenIdParams,
  TokenIn,
  TokenListOut,
  writeSecurity,
} from '../../schemas/auth.ts';
import { errorResponses, PageQuery } from '../../schemas/common.ts';

const tags = ['API tokens'];

export const tokenRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth } = services;

    app.post(
      '/tokens',
      {
        config: { noStore: true },
        schema: {
          operationId: 'createToken',
          tags,
          summary: 'Create an API token',
          description: 'The answer is the only time the token is shown; only its SHA-256 hash is stored.',
          security: writeSecurity,
          body: TokenIn,
          response: { 201: TokenCreatedOut, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
        },
      },
      async (request, reply) => {
        const created = await auth.createToken(request.user.id, request.body.name);
        return reply.status(201).send({
          id: created.id,
          name: created.name,
          token: created.token,
          created_at: created.createdAt.toISOString(),
        });
      },
    );

    app.get(
      '/tokens',
      {
        schema: {
          operationId: 'listTokens',
          tags,
          summary: 'List your API tokens, newest first',
          security: readSecurity,
          querystring: PageQuery,
          response: { 200: TokenListOut, ...errorResponses(401, 422, 429) },
        },
      },
      async (request) => {
        const page = await auth.listTokens(request.user.id, request.query);
        return {
          data: page.items.map((token) => ({
            id: token.id,
            name: token.name,
            created_at: token.createdAt.toISOString(),
            last_used_at: token.lastUsedAt?.toISOString() ?? null,
          })),
          next_cursor: page.nextCursor,
        };
      },
    );

    app.delete(
      '/tokens/:id',
      {
        schema: {
          operationId: 'revokeToken',
          tags,
          summary: 'Revoke an API token',
          description: 'Requests with the token answer 401 from then on.',
          security: writeSecurity,
          params: TokenIdParams,
          response: { 204: z.null().describe('Revoked'), ...errorResponses(401, 403, 404, 422, 429) },
        },
      },
      async (request, reply) => {
        await auth.revokeToken(request.user.id, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
